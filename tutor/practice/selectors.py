"""Reads of the learning loop: per-problem state, course progress and where to continue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from courses import api as courses
from tutor.practice.models import Attempt, HintReveal, SolutionReveal, StepVisit


@dataclass
class ProblemState:
    attempts: int = 0
    solved: bool = False
    hints_revealed: int = 0
    solution_revealed: bool = False
    last_answer: object = None
    last_correct: bool | None = None
    last_feedback: str = ""

    @property
    def done(self) -> bool:
        return self.solved or self.solution_revealed

    @property
    def can_see_solution(self) -> bool:
        return self.attempts > 0


def problem_states(user, problem_ids) -> dict[int, ProblemState]:
    """State of each problem for ``user`` (4 queries whatever the number of problems)."""
    ids = list(problem_ids)
    states = {pid: ProblemState() for pid in ids}
    if not ids or not getattr(user, "is_authenticated", False):
        return states
    agg = (
        Attempt.objects.filter(user=user, problem_id__in=ids)
        .values("problem_id")
        .annotate(n=Count("id"), solved=Count("id", filter=Q(correct=True)), last=Max("id"))
    )
    last_ids = []
    for row in agg:
        s = states[row["problem_id"]]
        s.attempts, s.solved = row["n"], row["solved"] > 0
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
    module: courses.ModuleInfo
    done_steps: int
    total_steps: int
    step_done: dict[int, bool] = field(default_factory=dict)

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
    def total_steps(self) -> int:
        return sum(m.total_steps for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.done_steps / self.total_steps) if self.total_steps else 0


def course_progress(user, course_id: int) -> CourseProgress:
    """Progress per module (a step is done when visited and each of its problems is solved or its solution revealed)
    and the step to continue from: the last visited step if unfinished, else the next unfinished step in ramp order."""
    outline = courses.course_outline(course_id)
    steps = [s for m in outline for s in m.steps]
    visits = (
        dict(StepVisit.objects.filter(user=user, course_id=course_id).values_list("step_id", "last_seen_at"))
        if getattr(user, "is_authenticated", False)
        else {}
    )
    states = problem_states(user, [pid for s in steps for pid in s.problem_ids])
    done = {s.id: s.id in visits and all(states[p].done for p in s.problem_ids) for s in steps}
    modules = [
        ModuleProgress(m, sum(done[s.id] for s in m.steps), len(m.steps), {s.id: done[s.id] for s in m.steps}) for m in outline
    ]
    continue_step = steps[0] if steps else None
    if visits:
        last = max(visits, key=visits.get)
        idx = next((i for i, s in enumerate(steps) if s.id == last), 0)
        if done.get(last):
            later = [s for s in steps[idx + 1 :] if not done[s.id]] or [s for s in steps if not done[s.id]]
            continue_step = later[0] if later else steps[idx]
        else:
            continue_step = steps[idx]
    return CourseProgress(modules, continue_step, bool(visits))


def hints_revealed_html(user, problem_id: int, count: int) -> list[str]:
    return courses.hints_html(problem_id, count) if count else []


def last_code_submission(user, problem_id: int):
    """The student's latest Run or Submit of a code problem (a CodeSubmission), or None. One query."""
    from tutor.practice.models import CodeSubmission

    if not user.is_authenticated:
        return None
    return CodeSubmission.objects.filter(user=user, problem_id=problem_id).order_by("-created_at", "-id").first()
