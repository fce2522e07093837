"""A student's knowledge state: one row per (student, concept) plus running totals per (student, course).

This is the only knowledge state of the tutor: the app stores it (``tutor.practice.models.KnowledgeState`` /
``KnowledgeTotals``), the policy, the diagnostic and the simulator read it, ``model.apply_attempt`` is the only
writer, and the offline replay (``features``) reproduces it. Plain frozen dataclasses. Times are ``datetime``
(aware or naive, consistently) or POSIX seconds as ``float``; ``None`` means unknown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

Moment = datetime | float | None


@dataclass(frozen=True)
class StudentConceptState:
    """What the tutor knows about one student on one concept.

    mastery: P(L) in [0,1] right after the last practice (BKT, Corbett & Anderson 1995), before time decay.
    n_correct: clean correct attempts (first try, no hint) on problems with this concept.
    n_wrong: all other attempts (wrong, or correct after a hint).
    recent_correct / recent_wrong: the same counts with each older attempt weighted by the model's
        ``recent_decay`` per later attempt on the concept (a recency-weighted count, >= 0).
    last_practised: time of the last attempt, or None.
    placed: mastery was set by the diagnostic placement (evidence from probes, not practice).
    streak: clean correct answers in a row on the concept on problems that test it (``model.apply_attempt``),
        0 after any other attempt.
    """

    mastery: float
    n_correct: int = 0
    n_wrong: int = 0
    recent_correct: float = 0.0
    recent_wrong: float = 0.0
    last_practised: Moment = None
    placed: bool = False
    streak: int = 0

    @property
    def n_attempts(self) -> int:
        """Attempts recorded on the concept (clean correct + other)."""
        return self.n_correct + self.n_wrong


@dataclass(frozen=True)
class StudentTotals:
    """A student's counts over all concepts of a course (one row per (student, course)).

    n_correct / n_wrong: clean correct and other attempts; recent_correct / recent_wrong: the same weighted by
    the model's ``total_recent_decay`` per later attempt.
    """

    n_correct: int = 0
    n_wrong: int = 0
    recent_correct: float = 0.0
    recent_wrong: float = 0.0


@dataclass(frozen=True)
class DecayParams:
    """Forgetting between sessions: mastery halves every ``half_life`` days, and the half-life grows with
    clean successful practice (the spacing effect).

    half_life_days: half-life after no clean correct answer, in days (> 0).
    growth: log2 of the half-life multiplier per clean correct attempt (0.5: x1.41 per success).
    max_half_life_days: cap on the half-life.
    Not fitted on ASSISTments 2009 (no timestamps); defaults are assumptions to refit on timestamped logs.
    """

    half_life_days: float = 7.0
    growth: float = 0.5
    max_half_life_days: float = 365.0


DAY = 86400.0


def as_seconds(t: Moment) -> float | None:
    """POSIX seconds from a datetime or a number (None stays None)."""
    if t is None:
        return None
    return t.timestamp() if isinstance(t, datetime) else float(t)


def seconds_between(earlier: Moment, later: Moment) -> float:
    """Seconds from ``earlier`` to ``later`` (0 if either is None or later is before earlier)."""
    if earlier is None or later is None:
        return 0.0
    if isinstance(earlier, datetime) and isinstance(later, datetime):
        delta = (later - earlier).total_seconds()
    elif isinstance(earlier, datetime) or isinstance(later, datetime):
        raise TypeError("mix of datetime and float times")
    else:
        delta = float(later) - float(earlier)
    return max(delta, 0.0)


def half_life_days(state: StudentConceptState, decay: DecayParams) -> float:
    """Half-life of this student's mastery of the concept, in days (half-life regression form,
    h = h0 * 2^(growth * n_correct); Settles & Meeder 2016)."""
    return min(decay.half_life_days * 2.0 ** (decay.growth * state.n_correct), decay.max_half_life_days)


def retention(state: StudentConceptState, decay: DecayParams, now: Moment) -> float:
    """R in (0, 1]: 2^(-elapsed_days / half_life) since ``last_practised`` (1 without times)."""
    elapsed = seconds_between(state.last_practised, now) / DAY
    if elapsed <= 0.0:
        return 1.0
    return math.pow(2.0, -elapsed / half_life_days(state, decay))


def decay_mastery(state: StudentConceptState, decay: DecayParams, now: Moment) -> float:
    """P(L) in [0,1] at ``now``: mastery * 2^(-elapsed_days / half_life).

    Exponential forgetting curve (Ebbinghaus 1885) with a half-life that grows with successful practice
    (Settles & Meeder 2016, half-life regression). Decay is toward 0 mastery, so the predicted P(correct)
    falls toward the concept's guess rate. Without ``now`` or ``last_practised`` mastery is returned unchanged.
    """
    return state.mastery * retention(state, decay, now)
