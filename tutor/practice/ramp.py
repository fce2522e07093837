"""The adaptive ramp: where the student stands on each step, and a step's problems in the order the tutor picks.

Reads only; the knowledge state comes from :func:`tutor.practice.adaptive.knowledge` and P(correct) from the knowledge
model's ``problem_p_correct`` with the course's parameters (:mod:`tutor.practice.learner`), as practice mode serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone

from courses import api as courses
from tutor.knowledge.policy import problem_p_correct
from tutor.practice import learner as store

KNOWN = ("mastered", "review_due")  # placement or practice showed these concepts mastered


def concept_states(user, course_id: int) -> dict[str, tuple[str, float]]:
    """{concept slug: (state, decayed mastery P(L))}; state is "mastered" | "frontier" | "locked" | "review_due"."""
    from tutor.practice.adaptive import knowledge

    if not getattr(user, "is_authenticated", False):
        return {}
    return {c.slug: (c.state, c.mastery) for c in knowledge(user=user, course_id=course_id)}


def step_is_known(concepts: Sequence[str], states: Mapping[str, tuple[str, float]]) -> bool:
    """A step teaching at least one concept, every one of which the student has shown mastered."""
    return bool(concepts) and all(states.get(c, ("", 0.0))[0] in KNOWN for c in concepts)


def step_has_frontier(concepts: Sequence[str], states: Mapping[str, tuple[str, float]]) -> bool:
    return any(states.get(c, ("", 0.0))[0] == "frontier" for c in concepts)


@dataclass(frozen=True)
class RankedProblem:
    """A step's problem with the tutor's predicted P(correct) in [0, 1] and the one-line reason shown for it;
    ``ahead``: its first concept is not unlocked for the student yet."""

    problem: courses.ProblemInfo
    predicted_correct: float
    reason: str
    ahead: bool = False


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"  # the format of practice mode's reason lines (tutor/knowledge/policy.py)


def _reason(title: str, state: str, pc: float, missing: Sequence[str] = ()) -> str:
    chance = f"{_pct(pc)} chance you get this one"
    if state == "frontier":
        return f"next on your ramp: {title} — {chance}"
    if state == "review_due":
        return f"review: {title} — {chance}"
    if state == "mastered":
        return f"keep it fresh: {title} — {chance}"
    needs = f" (builds on {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''})" if missing else ""
    return f"ahead of your ramp: {title}{needs} — {chance}"  # names what is missing, as practice mode's jump line


def rank_step_problems(
    user, course_id: int, problems: Iterable[courses.ProblemInfo], solved: Iterable[int] = ()
) -> list[RankedProblem]:
    """The step's problems ordered for this student: unsolved first, then those on concepts the student can work on
    before those ahead of the ramp (a locked first concept: practice mode would not serve them yet), then by
    |P(correct) - course target| (the problem at the right difficulty first; Wilson et al. 2019), then ramp order.
    Each carries practice mode's reason line for its first concept."""
    model = store.course_model(course_id)
    states = concept_states(user, course_id)
    known = store.load_states(user, course_id) if getattr(user, "is_authenticated", False) else {}
    totals = store.load_totals(user, course_id) if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    target = model.course.target_success
    done = set(solved)
    out = []
    for p in problems:
        gp = model.graph.problem_by_id.get(p.id)
        pc = float(problem_p_correct(model.params, gp, known, totals, now)) if gp is not None else 0.5
        first = p.concept_slugs[0] if p.concept_slugs else ""
        known_concept = first in model.graph.index
        title = model.graph.title(first) if known_concept else first
        state = states.get(first, ("frontier", 0.0))[0]
        missing = []
        if state == "locked" and known_concept:
            missing = [model.graph.title(q) for q in model.graph.prerequisites(first) if states.get(q, ("", 0.0))[0] not in KNOWN]
        out.append(RankedProblem(p, pc, _reason(title, state, pc, missing), ahead=state == "locked"))
    out.sort(
        key=lambda r: (
            r.problem.id in done,
            r.ahead,
            abs(r.predicted_correct - target),
            r.problem.position,
        )
    )
    return out
