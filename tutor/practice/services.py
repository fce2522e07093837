"""Writes of the learning loop: submit an attempt, reveal a hint or the worked solution, record a step visit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses import api as courses
from tutor.practice.grading import Grade, InvalidAnswer, grade
from tutor.practice.learner import course_model
from tutor.practice.models import Attempt, HintReveal, SolutionReveal, StepVisit


class TutorError(courses.DomainError):
    """Base of the tutor's refusals (``courses.errors``: ``status`` and ``code`` map it to HTTP and websocket)."""

    status, code = 400, "bad_request"


class NotFound(TutorError):
    status, code = 404, "not_found"


class NotEnrolled(TutorError):
    status, code = 403, "not_enrolled"


class SolutionLocked(TutorError):
    """Attempt-before-reveal: the worked solution is shown only after at least one attempt."""

    status, code = 409, "solution_locked"


class IdempotencyConflict(TutorError):
    status, code = 409, "idempotency_conflict"


@dataclass(frozen=True)
class AttemptResult:
    """``earned``: correct and not after the worked solution (counts for progress and mastery). ``revisit``: slug of
    a concept an authored misconception points back to, else "". ``follow_up``: the assistant's probing question
    after an explain-back answer, else ""."""

    attempt_id: int
    problem_id: int
    correct: bool
    feedback: str
    hints_seen: int
    created: bool  # False when a retried request returned the first result
    solution_seen: bool = False
    throwaway: bool = False
    revisit: str = ""
    follow_up: str = ""

    @property
    def earned(self) -> bool:
        return self.correct and not self.solution_seen


THROWAWAY_MS = 1000  # the same wrong answer again, typed in under this many milliseconds, is a throwaway


def _enrolled_problem(user, problem_id: int) -> courses.ProblemInfo:
    return _enrolled(user, problem_id)[0]


def _enrolled(user, problem_id: int) -> tuple[courses.ProblemInfo, courses.AttemptTarget]:
    """The active problem (from the cached course model) and its answer key, after the one access check: raises
    NotFound, NotEnrolled. One query."""
    target = courses.attempt_target(user, problem_id) if user.is_authenticated else None
    if target is None:
        raise NotFound("no such problem")
    if not target.enrolled:
        raise NotEnrolled("enroll in the course first")
    problem = course_model(target.course_id).problems.get(problem_id) or courses.get_problem(problem_id)
    if problem is None:  # archived since the lookup
        raise NotFound("no such problem")
    return problem, target


def _result(a: Attempt, created: bool, revisit: str = "", follow_up: str = "") -> AttemptResult:
    return AttemptResult(
        a.id, a.problem_id, a.correct, a.feedback, a.hints_seen, created, a.solution_seen, a.throwaway, revisit, follow_up
    )


def is_throwaway(*, answer, correct: bool, time_taken_ms: int | None, previous_wrong: Iterable) -> bool:
    """A wrong answer typed in under THROWAWAY_MS that repeats a wrong answer just given — the previous one on this
    problem or the student's latest wrong answer anywhere in the course (the same junk typed everywhere to get at
    solutions). Empty answers are refused before this: they are never attempts."""
    if correct or time_taken_ms is None or time_taken_ms >= THROWAWAY_MS:
        return False
    return any(a is not None and not a.correct and a.answer == answer for a in previous_wrong)


def submit_attempt(
    *, user, problem_id: int, answer, client_attempt_id: uuid.UUID, time_taken_ms: int | None = None
) -> AttemptResult:
    """Grade and record one attempt, in one transaction; idempotent by (user, client_attempt_id).

    Honest credit: an attempt after the student revealed the worked solution is recorded with ``solution_seen``
    (no mastery credit, not clean, does not solve the problem); the same wrong answer again in under a second is a
    ``throwaway`` (recorded; it neither unlocks the solution nor moves the knowledge state).

    Raises NotFound, NotEnrolled, grading.InvalidAnswer (nothing recorded: an empty answer is never an attempt),
    IdempotencyConflict (the id was used for another problem). A retry with the same id returns the first result
    with ``created=False``.
    """
    problem, target = _enrolled(user, problem_id)
    if target.kind == "code":
        raise InvalidAnswer("code problems are graded in the sandbox: use Run / Submit (tutor.practice.code.submit_code)")
    try:
        result = grade(target.kind, target.answer, answer)
    except InvalidAnswer:  # a used id is answered by its first result (or a conflict), whatever the answer now
        existing = Attempt.objects.filter(user=user, client_attempt_id=client_attempt_id).first()
        if existing:
            return _replay(existing, problem_id)
        raise
    return _record(  # a retry with a used client_attempt_id hits the unique key and replays the first result
        user=user,
        problem=problem,
        answer=answer,
        result=result,
        client_attempt_id=client_attempt_id,
        time_taken_ms=time_taken_ms,
    )


def record_code_attempt(*, user, problem_id: int, files: dict, result, client_attempt_id: uuid.UUID) -> AttemptResult:
    """Record a code Submit already graded in the sandbox (``result``: sandbox.RunResult) as an attempt, with the
    same idempotency, knowledge update and hint accounting as :func:`submit_attempt`. The answer stored is
    {"files": ..., "failures": [{"name", "message"}]} so the TA sees the code and what failed."""
    from tutor.practice.code import summary

    problem = _enrolled_problem(user, problem_id)
    existing = Attempt.objects.filter(user=user, client_attempt_id=client_attempt_id).first()
    if existing:
        return _replay(existing, problem_id)
    failures = [{"name": t.name, "message": t.message} for t in result.failures]
    if result.status != "ok":
        failures.append({"name": "run", "message": result.message})
    answer = {"files": files, "failures": failures[:20]}
    return _record(
        user=user,
        problem=problem,
        answer=answer,
        result=Grade(result.passed, summary(result), answer),
        client_attempt_id=client_attempt_id,
        time_taken_ms=None,
    )


def _record(*, user, problem, answer, result, client_attempt_id, time_taken_ms) -> AttemptResult:
    from tutor.practice.learner_hooks import KnowledgeUpdate  # local import: optional engine wiring

    problem_id = problem.id
    try:
        with transaction.atomic():
            hints_seen, seen = _lock_learner(user, problem_id)
            feedback = result.feedback + (f"\n\nThe assistant asks: {result.follow_up}" if result.follow_up else "")
            if seen and result.correct:
                feedback += " (After the worked solution: recorded, but no credit. Try a fresh problem on this idea.)"
            throwaway = _quick_repeat(user, problem, answer, result.correct, time_taken_ms)
            if throwaway:
                feedback += " That was the same answer again in under a second: give it a real try to unlock the solution."
            now = timezone.now()
            update = None if throwaway else KnowledgeUpdate(user=user, problem=problem, when=now)
            attempt = Attempt.objects.create(
                user=user,
                course_id=problem.course_id,
                problem_id=problem_id,
                client_attempt_id=client_attempt_id,
                answer=answer,
                correct=result.correct,
                feedback=feedback,
                hints_seen=hints_seen,
                time_taken_ms=time_taken_ms,
                solution_seen=seen,
                throwaway=throwaway,
                predicted_correct=update.predicted if update else None,
                created_at=now,
            )
            if update:
                update.apply(correct=result.correct, clean=hints_seen == 0, solution_seen=seen)
    except IntegrityError:
        return _replay(Attempt.objects.get(user=user, client_attempt_id=client_attempt_id), problem_id)
    return _result(attempt, True, result.misconception, result.follow_up)


def _lock_learner(user, problem_id: int) -> tuple[int, bool]:
    """Lock the user's row for the transaction and read (hints revealed, worked solution revealed) on the problem, in
    one statement. One learner's attempts update their knowledge state one at a time (no lost update between two tabs
    or a retry racing the original); a no-op lock on SQLite, whose IMMEDIATE transactions already serialise writers."""
    hints = HintReveal.objects.filter(user=OuterRef("pk"), problem_id=problem_id).order_by().values("user")
    row = (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=user.pk)
        .annotate(
            hints=Coalesce(Subquery(hints.annotate(n=Count("pk")).values("n")), 0),
            seen=Exists(SolutionReveal.objects.filter(user=OuterRef("pk"), problem_id=problem_id)),
        )
        .values_list("hints", "seen")
        .first()
    )
    return row[0], bool(row[1])


def _quick_repeat(user, problem, answer, correct: bool, time_taken_ms: int | None) -> bool:
    """:func:`is_throwaway`; the previous answers are read lazily, so only for a wrong answer typed in quickly."""
    mine = Attempt.objects.filter(user=user, course_id=problem.course_id).order_by("-created_at", "-id")
    previous = (q.first() for q in (mine.filter(problem_id=problem.id), mine.filter(correct=False)))
    return is_throwaway(answer=answer, correct=correct, time_taken_ms=time_taken_ms, previous_wrong=previous)


def _replay(existing: Attempt, problem_id: int) -> AttemptResult:
    if existing.problem_id != problem_id:
        raise IdempotencyConflict("client_attempt_id was already used for another problem")
    return _result(existing, False)


@dataclass(frozen=True)
class HintResult:
    index: int
    html: str
    remaining: int


def reveal_hint(*, user, problem_id: int) -> HintResult | None:
    """Reveal the next rung of the hint ladder; None when every hint is already shown. Raises NotFound, NotEnrolled."""
    problem = _enrolled_problem(user, problem_id)
    with transaction.atomic():
        shown = HintReveal.objects.filter(user=user, problem_id=problem_id).count()
        if shown >= problem.hint_count:
            return None
        try:
            with transaction.atomic():
                HintReveal.objects.create(user=user, problem_id=problem_id, position=shown)
        except IntegrityError:  # a concurrent request revealed this rung: show it, don't skip one
            pass
    return HintResult(shown, courses.hint_html(problem_id, shown) or "", problem.hint_count - shown - 1)


def reveal_solution(*, user, problem_id: int) -> str:
    """The worked solution's HTML; recorded once. Raises SolutionLocked before a real attempt (throwaways do not
    count), NotFound, NotEnrolled."""
    _enrolled_problem(user, problem_id)
    if not Attempt.objects.filter(user=user, problem_id=problem_id, throwaway=False).exists():
        raise SolutionLocked("try the problem at least once before looking at the solution")
    SolutionReveal.objects.get_or_create(user=user, problem_id=problem_id)
    return courses.solution_html(problem_id)


def record_visit(*, user, course_id: int, step_id: int) -> None:
    """Remember that ``user`` opened a step now (for "Continue")."""
    StepVisit.objects.update_or_create(
        user=user, step_id=step_id, defaults={"course_id": course_id, "last_seen_at": timezone.now()}
    )
