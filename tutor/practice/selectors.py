"""Reads of the learning loop: per-problem state, course progress and where to continue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from courses import api as courses
from tutor.practice.models import Attempt, HintReveal, SolutionReveal, StepVisit


@dataclass
class ProblemState:
    """One student's state on one problem. ``solved``: some attempt was correct (even after the solution);
    ``earned``: some attempt was correct *before* the worked solution was revealed — the only credit that counts for
    progress and mastery. ``real_attempts``: attempts that are not throwaways (these unlock the solution)."""

    attempts: int = 0
    solved: bool = False
    earned: bool = False
    real_attempts: int = 0
    hints_revealed: int = 0
    solution_revealed: bool = False
    last_answer: object = None
    last_correct: bool | None = None
    last_feedback: str = ""

    @property
    def done(self) -> bool:
        """Nothing left to protect: solved or its solution revealed (the assistant may then discuss the answer)."""
        return self.solved or self.solution_revealed

    @property
    def can_see_solution(self) -> bool:
        return self.real_attempts > 0


def problem_states(user, problem_ids) -> dict[int, ProblemState]:
    """State of each problem for ``user`` (4 queries whatever the number of problems)."""
    ids = list(problem_ids)
    states = {pid: ProblemState() for pid in ids}
    if not ids or not getattr(user, "is_authenticated", False):
        return states
    agg = (
        Attempt.objects.filter(user=user, problem_id__in=ids)
        .values("problem_id")
        .annotate(
            n=Count("id"),
            solved=Count("id", filter=Q(correct=True)),
            earned=Count("id", filter=Q(correct=True, solution_seen=False)),
            real=Count("id", filter=Q(throwaway=False)),
            last=Max("id"),
        )
    )
    last_ids = []
    for row in agg:
        s = states[row["problem_id"]]
        s.attempts, s.solved, s.earned, s.real_attempts = row["n"], row["solved"] > 0, row["earned"] > 0, row["real"]
        last_ids.append(row["last"])
    for a in Attempt.objects.filter(pk__in=last_ids).only("problem_id", "answer", "correct", "feedback"):
        s = states[a.problem_id]
        s.last_answer, s.last_correct, s.last_feedback = a.answer, a.correct, a.feedback
    for row in HintReveal.objects.filter(user=user, problem_id__in=ids).values("problem_id").annotate(n=Count("id")):
        states[row["problem_id"]].hints_revealed = row["n"]
    for pid in SolutionReveal.objects.filter(user=user, problem_id__in=ids).values_list("problem_id", flat=True):
        states[pid].solution_revealed = True
    return states


@dataclass
class ModuleProgress:
    """``step_done``: earned (visited, every problem solved before its solution); ``step_known``: every concept the
    step teaches shown mastered by placement or practice ("you know this": still open, skipped by Continue)."""

    module: courses.ModuleInfo
    done_steps: int
    total_steps: int
    step_done: dict[int, bool] = field(default_factory=dict)
    step_known: dict[int, bool] = field(default_factory=dict)

    @property
    def known_steps(self) -> int:
        return sum(1 for k, v in self.step_known.items() if v and not self.step_done.get(k))

    @property
    def percent(self) -> int:
        return round(100 * self.done_steps / self.total_steps) if self.total_steps else 0


@dataclass
class CourseProgress:
    modules: list[ModuleProgress]
    continue_step: courses.StepRef | None
    started: bool

    @property
    def done_steps(self) -> int:
        return sum(m.done_steps for m in self.modules)

    @property
    def known_steps(self) -> int:
        """Steps not done but already known (placement or practice): shown, never counted as done."""
        return sum(m.known_steps for m in self.modules)

    @property
    def total_steps(self) -> int:
        return sum(m.total_steps for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.done_steps / self.total_steps) if self.total_steps else 0


def course_progress(user, course_id: int) -> CourseProgress:
    """Progress per module and where Continue goes.

    A step is *done* when visited and each of its problems was solved before its worked solution was revealed
    (earned credit only; a revealed solution never completes a step). A step is *known* when placement or practice
    showed every concept it teaches mastered. Continue goes to the first step, in ramp order, that is neither done nor
    known and teaches a frontier concept (else the first step neither done nor known; else the last visited one)."""
    from tutor.practice.ramp import concept_states, step_has_frontier, step_is_known

    outline = courses.course_outline(course_id)
    steps = [s for m in outline for s in m.steps]
    authed = getattr(user, "is_authenticated", False)
    visits = (
        dict(StepVisit.objects.filter(user=user, course_id=course_id).values_list("step_id", "last_seen_at")) if authed else {}
    )
    states = problem_states(user, [pid for s in steps for pid in s.problem_ids])
    done = {s.id: s.id in visits and all(states[p].earned for p in s.problem_ids) for s in steps}
    taught = courses.step_concepts(course_id) if authed else {}
    knowledge = concept_states(user, course_id) if authed else {}
    known = {s.id: step_is_known(taught.get(s.id, ()), knowledge) for s in steps}
    modules = [
        ModuleProgress(
            m,
            sum(done[s.id] for s in m.steps),
            len(m.steps),
            {s.id: done[s.id] for s in m.steps},
            {s.id: known[s.id] for s in m.steps},
        )
        for m in outline
    ]
    open_steps = [s for s in steps if not done[s.id] and not known[s.id]]
    frontier = [s for s in open_steps if step_has_frontier(taught.get(s.id, ()), knowledge)]
    continue_step = (frontier or open_steps or [None])[0]
    if continue_step is None and steps:
        continue_step = next((s for s in steps if s.id == max(visits, key=visits.get)), steps[0]) if visits else steps[0]
    return CourseProgress(modules, continue_step, bool(visits) or any(known.values()))


def hints_revealed_html(user, problem_id: int, count: int) -> list[str]:
    return courses.hints_html(problem_id, count) if count else []


def last_code_submission(user, problem_id: int):
    """The student's latest Run or Submit of a code problem (a CodeSubmission), or None. One query."""
    from tutor.practice.models import CodeSubmission

    if not user.is_authenticated:
        return None
    return CodeSubmission.objects.filter(user=user, problem_id=problem_id).order_by("-created_at", "-id").first()
