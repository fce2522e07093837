"""The only module of ``tutor.practice`` that other tutor domains import (import-linter contract in pyproject.toml).

Practice: attempts → grading → hints → worked solution, the next problem, placement and the learner state. The
models are exported for read-only aggregate queries by staffing (the stuck-map, a TA's view of a student's attempts);
every write goes through the services below.
"""

from tutor.practice.grading import normalize_output, normalize_text
from tutor.practice.learner import forget_graph
from tutor.practice.models import Attempt, HintReveal, StepVisit
from tutor.practice.selectors import ProblemState, course_progress, hints_revealed_html, problem_states
from tutor.practice.services import reveal_hint

__all__ = [
    "Attempt",
    "HintReveal",
    "ProblemState",
    "StepVisit",
    "course_progress",
    "forget_graph",
    "hints_revealed_html",
    "normalize_output",
    "normalize_text",
    "problem_states",
    "reveal_hint",
]
