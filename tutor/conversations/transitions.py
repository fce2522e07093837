"""The escalation state machine: open → claimed → answered → resolved, and reopened (answered or resolved → open).

Each transition is one conditional UPDATE (``WHERE status IN (allowed)``), so two TAs claiming at once cannot both
win on any database: the row count tells the loser, who gets ``IllegalTransition``.
"""

from __future__ import annotations

from dataclasses import dataclass

from courses.api import DomainError

OPEN, CLAIMED, ANSWERED, RESOLVED = "open", "claimed", "answered", "resolved"


class StaffError(DomainError):
    """A refusal shown to the TA (``courses.errors``; HTTP 409 unless a subclass says otherwise) with ``code`` and a
    clear message."""

    status, code = 409, "conflict"


class IllegalTransition(StaffError):
    status, code = 409, "illegal_transition"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    event: str


TRANSITIONS = {
    "claim": Transition("claim", (OPEN,), CLAIMED, "claimed"),
    "answer": Transition("answer", (OPEN, CLAIMED), ANSWERED, "answered"),
    "resolve": Transition("resolve", (OPEN, CLAIMED, ANSWERED), RESOLVED, "resolved"),
    "reopen": Transition("reopen", (ANSWERED, RESOLVED), OPEN, "reopened"),
}


def allowed_actions(status: str) -> list[str]:
    """The actions possible from ``status`` (what the dashboard offers)."""
    return [t.action for t in TRANSITIONS.values() if status in t.sources]


def refusal(action: str, status: str, claimed_by: str | None = None) -> IllegalTransition:
    """The error for ``action`` on an escalation that is ``status`` (e.g. "Cannot claim: it is already claimed by tom")."""
    if status == CLAIMED and claimed_by:
        return IllegalTransition(f"Cannot {action}: it is claimed by {claimed_by}.")
    allowed = TRANSITIONS[action].sources
    return IllegalTransition(f"Cannot {action} an escalation that is {status} (only when {' or '.join(allowed)}).")
