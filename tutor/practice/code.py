"""Code problems: Run (visible tests) and Submit (all tests, an attempt) graded in the sandbox by a Celery task.

``submit_code`` records the submission and schedules ``grade_code_task`` after commit (eager in the embedded default,
a worker in production); ``grade_code`` runs the sandbox outside any transaction, stores the per-test result and, for
a Submit, records the attempt through ``services.submit_attempt`` (same idempotency key, knowledge update, hints and
solution rules as every other kind).
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

import sandbox
from courses import api as courses
from tutor.practice import services
from tutor.practice.grading import InvalidAnswer
from tutor.practice.models import CodeSubmission

MAX_FILE_CHARS = 100_000


def clean_files(problem: courses.ProblemInfo, files) -> dict[str, str]:
    """The submitted files restricted to the problem's own file names; raises InvalidAnswer for a bad shape."""
    if not isinstance(files, dict) or not files:
        raise InvalidAnswer("expected your code: {file name: text}")
    unknown = sorted(set(files) - set(problem.starter_files))
    if unknown:
        raise InvalidAnswer(f"unknown file(s) {', '.join(unknown)}; this exercise has {', '.join(problem.starter_files)}")
    out = {}
    for name in problem.starter_files:
        text = files.get(name, problem.starter_files[name])
        if not isinstance(text, str):
            raise InvalidAnswer(f"{name}: expected text")
        if len(text) > MAX_FILE_CHARS:
            raise InvalidAnswer(f"{name} is longer than {MAX_FILE_CHARS} characters")
        out[name] = text
    return out


def submit_code(*, user, problem_id: int, files, mode: str, client_id: uuid.UUID) -> CodeSubmission:
    """Record a Run or Submit of ``files`` and schedule its grading; idempotent by (user, client_id).

    Raises NotFound, NotEnrolled, InvalidAnswer (not a code problem, bad files, unknown mode: nothing recorded),
    IdempotencyConflict (the id was used for another problem). Returns the (possibly already graded) submission.
    """
    problem = services._enrolled_problem(user, problem_id)
    if problem.kind != "code":
        raise InvalidAnswer("this is not a code problem")
    if mode not in CodeSubmission.Mode.values:
        raise InvalidAnswer("mode must be run or submit")
    existing = CodeSubmission.objects.filter(user=user, client_id=client_id).first()
    if existing:
        if existing.problem_id != problem_id:
            raise services.IdempotencyConflict("this id was already used for another problem")
        return existing
    cleaned = clean_files(problem, files)
    try:
        with transaction.atomic():
            sub = CodeSubmission.objects.create(
                user=user, course_id=problem.course_id, problem_id=problem_id, client_id=client_id, mode=mode, files=cleaned
            )
            transaction.on_commit(lambda: _schedule(sub.id))
    except IntegrityError:
        return CodeSubmission.objects.get(user=user, client_id=client_id)
    sub.refresh_from_db()
    return sub


def _schedule(submission_id: int) -> None:
    from tutor.practice.tasks import grade_code_task

    grade_code_task.delay(submission_id)


def grade_code(*, submission_id: int) -> CodeSubmission:
    """Run a queued submission in the sandbox and store the result (a Submit also records its attempt). A graded
    submission is returned unchanged, so a redelivered task grades nothing twice."""
    sub = CodeSubmission.objects.get(pk=submission_id)
    if sub.status != CodeSubmission.Status.QUEUED:
        return sub
    kind, spec = courses.answer_key(sub.problem_id)
    job = courses.code_job(spec, sub.files, include_hidden=sub.mode == CodeSubmission.Mode.SUBMIT)
    result = sandbox.run(job)
    with transaction.atomic():
        sub = CodeSubmission.objects.select_for_update().get(pk=submission_id)
        if sub.status != CodeSubmission.Status.QUEUED:
            return sub
        sub.result = result.to_dict()
        sub.finished_at = timezone.now()
        if result.status == "unavailable":
            sub.status = CodeSubmission.Status.UNAVAILABLE
        else:
            sub.status = CodeSubmission.Status.DONE
            if sub.mode == CodeSubmission.Mode.SUBMIT:
                attempt = services.record_code_attempt(
                    user=sub.user, problem_id=sub.problem_id, files=sub.files, result=result, client_attempt_id=sub.client_id
                )
                sub.attempt_id = attempt.attempt_id
        sub.save()
    return sub


def summary(result: sandbox.RunResult) -> str:
    """One line for the feedback and the attempt log: "All 5 tests passed." / "2 of 5 tests failed: first …"."""
    if result.status != "ok":
        return result.message
    failed = result.failures
    if not failed:
        return f"All {len(result.tests)} tests passed."
    first = failed[0]
    return f"{len(failed)} of {len(result.tests)} tests failed; first: {first.name.split('::')[-1]}: {first.message}"[:300]
