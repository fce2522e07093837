"""The only module of ``tutor.conversations`` that other tutor domains import (contract in pyproject.toml).

Conversations: a student's threads and messages with the assistant and human TAs, escalations and their state
machine (``claim``/``answer``/``resolve``/``reopen`` are the only writers of ``Escalation.status``), endorsements,
in-app notifications, and the events they send after commit. Models are exported for reads and aggregate queries.
"""

from tutor.conversations.escalations import (
    MAX_ANSWER_CHARS,
    BadInput,
    answer,
    claim,
    correct,
    endorse,
    mark_read,
    reopen,
    resolve,
)
from tutor.conversations.escalations import NotFound as EscalationNotFound
from tutor.conversations.events import queue_group, sources_changed, student_group
from tutor.conversations.models import Escalation, EscalationEvent, Message, Notification, Thread
from tutor.conversations.selectors import (
    endorsed_answers,
    endorsed_signature,
    history,
    latest_thread,
    message_dict,
    own_thread,
    thread_dict,
    threads,
    usage,
)
from tutor.conversations.services import (
    NOTICES,
    TITLE_CHARS,
    TAError,
    add_notice,
    checkpoint,
    derive_title,
    escalate,
    find_question,
    finish_answer,
    flag_answer,
    post_human_answer,
    render_answer,
    start_turn,
)
from tutor.conversations.services import NotFound as ThreadNotFound
from tutor.conversations.transitions import TRANSITIONS, IllegalTransition, StaffError, allowed_actions

__all__ = [
    "NOTICES",
    "TRANSITIONS",
    "BadInput",
    "Escalation",
    "EscalationEvent",
    "EscalationNotFound",
    "IllegalTransition",
    "Message",
    "Notification",
    "StaffError",
    "TAError",
    "MAX_ANSWER_CHARS",
    "TITLE_CHARS",
    "derive_title",
    "Thread",
    "ThreadNotFound",
    "add_notice",
    "allowed_actions",
    "answer",
    "checkpoint",
    "claim",
    "correct",
    "endorse",
    "endorsed_answers",
    "endorsed_signature",
    "escalate",
    "find_question",
    "finish_answer",
    "flag_answer",
    "history",
    "latest_thread",
    "mark_read",
    "message_dict",
    "own_thread",
    "post_human_answer",
    "queue_group",
    "render_answer",
    "reopen",
    "resolve",
    "sources_changed",
    "start_turn",
    "student_group",
    "thread_dict",
    "threads",
    "usage",
]
