"""A student sends a written explanation (an explain-back answer) to the course's human TAs for review."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from courses import api as courses
from tutor.conversations.models import Escalation, Message, Thread
from tutor.conversations.services import NotFound, TAError, escalate


class NothingToReview(TAError):
    code = "nothing_to_review"


@dataclass(frozen=True)
class ReviewRequest:
    escalation_id: int
    thread_id: int
    created: bool  # False when this explanation was already waiting for a TA


@transaction.atomic
def request_explanation_review(*, user, problem_id: int, explanation: str, feedback: str = "") -> ReviewRequest:
    """Put the student's explanation of ``problem_id`` in the course's TA queue (reason "explanation"), in one thread
    per student and problem. Sending the same text again while it waits joins the open escalation instead of adding
    a copy. Raises NotFound (no such problem / not enrolled), NothingToReview (blank explanation)."""
    problem = courses.get_problem(problem_id)
    if problem is None or not courses.is_enrolled(user, problem.course_id):
        raise NotFound("no such problem")
    text = (explanation or "").strip()
    if not text:
        raise NothingToReview("write an explanation first")
    thread = (
        Thread.objects.select_for_update()
        .filter(user=user, course_id=problem.course_id, problem_id=problem_id, title__startswith="Review my explanation")
        .first()
    )
    if thread is None:
        thread = Thread.objects.create(
            user=user,
            course_id=problem.course_id,
            step_id=problem.step_id,
            problem_id=problem_id,
            title=f"Review my explanation: {problem.slug}"[:200],
        )
    last = thread.messages.filter(role=Message.Role.STUDENT).order_by("-id").first()
    open_esc = Escalation.objects.filter(thread=thread, status__in=[Escalation.Status.OPEN, Escalation.Status.CLAIMED]).first()
    if last is not None and last.text == text and open_esc is not None:
        return ReviewRequest(open_esc.id, thread.id, False)
    Message.objects.create(
        thread=thread,
        role=Message.Role.STUDENT,
        author=user,
        text=text,
        html=courses.render_markdown(text),
        step_id=problem.step_id,
        problem_id=problem_id,
    )
    esc, created, _ = escalate(
        user=user, thread_id=thread.id, reason=Escalation.Reason.EXPLANATION, note=f"Automatic check: {feedback}"[:2000]
    )
    return ReviewRequest(esc.id, thread.id, created)
