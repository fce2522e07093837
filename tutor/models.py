"""The tutor app's tables, defined by domain (``tutor/<domain>/models.py``) and gathered here so Django finds them
under the one app label ``tutor`` (table names and migrations are unchanged). Code imports them from their domain."""

from tutor.assistant.models import AssistantModel, TextEmbedding  # noqa: F401
from tutor.conversations.models import Escalation, EscalationEvent, Message, Notification, Thread  # noqa: F401
from tutor.practice.models import (  # noqa: F401
    Attempt,
    CodeSubmission,
    DiagnosticSession,
    HintReveal,
    KnowledgeModelFit,
    KnowledgeState,
    KnowledgeTotals,
    ServedProblem,
    SolutionReveal,
    StepVisit,
)
from tutor.staffing.models import SharedThread  # noqa: F401
