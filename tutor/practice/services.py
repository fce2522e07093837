"""Writes of the learning loop: submit an attempt, reveal a hint or the worked solution, record a step visit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import api as courses
from courses.api import is_enrolled
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
    attempt_id: int
    problem_id: int
    correct: bool
    feedback: str
    hints_seen: int
    created: bool  # False when a retried request returned the first result


def _enrolled_problem(user, problem_id: int) -> courses.ProblemInfo:
    course_id = courses.problem_course_id(problem_id)
    problem = course_model(course_id).problems.get(problem_id) if course_id else None
    if problem is None:
        problem = courses.get_problem(problem_id)  # content newer than the cached course model
    if problem is None:
        raise NotFound("no such problem")
    if not is_enrolled(user, problem.course_id):
        raise NotEnrolled("enroll in the course first")
    return problem


def _result(a: Attempt, created: bool) -> AttemptResult:
    return AttemptResult(a.id, a.problem_id, a.correct, a.feedback, a.hints_seen, created)


def submit_attempt(
    *, user, problem_id: int, answer, client_attempt_id: uuid.UUID, time_taken_ms: int | None = None
) -> AttemptResult:
    """Grade and record one attempt, in one transaction; idempotent by (user, client_attempt_id).

    Raises NotFound, NotEnrolled, grading.InvalidAnswer (nothing recorded), IdempotencyConflict (the id was used for
    another problem). A retry with the same id returns the first result with ``created=False``.
    """
    problem = _enrolled_problem(user, problem_id)
    existing = Attempt.objects.filter(user=user, client_attempt_id=client_attempt_id).first()
    if existing:
        return _replay(existing, problem_id)
    kind, key = courses.answer_key(problem_id)
    if kind == "code":
        raise InvalidAnswer("code problems are graded in the sandbox: use Run / Submit (tutor.practice.code.submit_code)")
    return _record(
        user=user,
        problem=problem,
        answer=answer,
        result=grade(kind, key, answer),
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
    problem_id = problem.id
    try:
        with transaction.atomic():
            # One learner's attempts update their knowledge state one at a time (no lost update between two tabs or
            # a retry racing the original): lock the user's row for the transaction (a no-op on SQLite, whose
            # IMMEDIATE transactions already serialise writers).
            get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
            hints_seen = HintReveal.objects.filter(user=user, problem_id=problem_id).count()
            attempt = Attempt.objects.create(
                user=user,
                course_id=problem.course_id,
                problem_id=problem_id,
                client_attempt_id=client_attempt_id,
                answer=answer,
                correct=result.correct,
                feedback=result.feedback,
                hints_seen=hints_seen,
                time_taken_ms=time_taken_ms,
            )
            _after_attempt(user=user, problem=problem, attempt=attempt)
    except IntegrityError:
        return _replay(Attempt.objects.get(user=user, client_attempt_id=client_attempt_id), problem_id)
    return _result(attempt, True)


def _replay(existing: Attempt, problem_id: int) -> AttemptResult:
    if existing.problem_id != problem_id:
        raise IdempotencyConflict("client_attempt_id was already used for another problem")
    return _result(existing, False)


def _after_attempt(*, user, problem: courses.ProblemInfo, attempt: Attempt) -> None:
    """Hook run inside the attempt's transaction (the knowledge-state update plugs in here)."""
    from tutor.practice.learner_hooks import on_attempt  # local import: optional engine wiring

    on_attempt(user=user, problem=problem, attempt=attempt)


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
    """The worked solution's HTML; recorded once. Raises SolutionLocked before any attempt, NotFound, NotEnrolled."""
    _enrolled_problem(user, problem_id)
    if not Attempt.objects.filter(user=user, problem_id=problem_id).exists():
        raise SolutionLocked("try the problem at least once before looking at the solution")
    SolutionReveal.objects.get_or_create(user=user, problem_id=problem_id)
    return courses.solution_html(problem_id)


def record_visit(*, user, course_id: int, step_id: int) -> None:
    """Remember that ``user`` opened a step now (for "Continue")."""
    StepVisit.objects.update_or_create(
        user=user, step_id=step_id, defaults={"course_id": course_id, "last_seen_at": timezone.now()}
    )
