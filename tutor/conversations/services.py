"""Writes of TA conversations: a question and its answer placeholder, streaming checkpoints, the finished (or cut-off)
answer, notices, escalations with their append-only event log, flags, and a human TA's answer. Side effects on the
channel layer (the TAs' queue, the student's open websocket) run after commit."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import api as courses
from tutor.common.events import group_send_on_commit
from tutor.conversations import selectors
from tutor.conversations.events import queue_group, student_group  # noqa: F401  (re-exported)
from tutor.conversations.models import Escalation, EscalationEvent, Message, Thread


class TAError(courses.DomainError):
    """A refusal of the TA conversation (``courses.errors``): the websocket reports it as ``error`` with ``code``."""

    status, code = 400, "bad_request"


class NotFound(TAError):
    status, code = 404, "not_found"


TITLE_CHARS = 120


def derive_title(text: str) -> str:
    """A thread's title from its first question: whitespace collapsed, at most ``TITLE_CHARS`` characters, cut at a
    word boundary (a word cut in half, e.g. part of an e-mail address, is dropped rather than kept)."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= TITLE_CHARS:
        return flat
    head = flat[: TITLE_CHARS - 1]
    if flat[TITLE_CHARS - 1] != " " and " " in head:  # the cut falls inside a word: drop the partial word
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


@dataclass(frozen=True)
class Started:
    thread: Thread
    question: Message
    answer: Message | None
    replay: bool  # the client_message_id was seen before: nothing new was created


def find_question(*, user, course_id: int, client_message_id: uuid.UUID) -> Started | None:
    """The earlier turn with this idempotency key, if any (a client retrying after a reconnect)."""
    q = (
        Message.objects.filter(
            thread__user=user, thread__course_id=course_id, client_message_id=client_message_id, role=Message.Role.STUDENT
        )
        .select_related("thread")
        .first()
    )
    if q is None:
        return None
    return Started(q.thread, q, q.replies.filter(role=Message.Role.ASSISTANT).order_by("id").first(), True)


def _context(course_id: int, step_id: int | None, problem_id: int | None) -> tuple[int | None, int | None]:
    if problem_id is not None:
        p = courses.get_problem(problem_id)
        if p is None or p.course_id != course_id:
            raise NotFound("no such problem in this course")
        step_id = step_id or p.step_id
    if step_id is not None:
        s = courses.get_step_by_id(step_id)
        if s is None or s.course_id != course_id:
            raise NotFound("no such step in this course")
    return step_id, problem_id


def start_turn(
    *,
    user,
    course_id: int,
    text: str,
    client_message_id: uuid.UUID,
    thread_id: int | None = None,
    step_id: int | None = None,
    problem_id: int | None = None,
) -> Started:
    """Record the student's question and an empty "streaming" answer, in a new thread unless ``thread_id`` (one of the
    student's own threads in the course) is given. Idempotent by ``client_message_id``. Raises NotFound."""
    step_id, problem_id = _context(course_id, step_id, problem_id)
    try:
        with transaction.atomic():
            if thread_id is not None:
                thread = Thread.objects.select_for_update().filter(pk=thread_id, user=user, course_id=course_id).first()
                if thread is None:
                    raise NotFound("no such thread")
                if problem_id and thread.problem_id != problem_id:
                    thread.problem_id = problem_id
                thread.save(update_fields=["problem", "updated_at"])
            else:
                thread = Thread.objects.create(
                    user=user,
                    course_id=course_id,
                    step_id=step_id,
                    problem_id=problem_id,
                    title=derive_title(text),
                )
            q = Message.objects.create(
                thread=thread,
                role=Message.Role.STUDENT,
                author=user,
                text=text,
                client_message_id=client_message_id,
                step_id=step_id,
                problem_id=problem_id,
            )
            a = Message.objects.create(
                thread=thread,
                role=Message.Role.ASSISTANT,
                reply_to=q,
                status=Message.Status.STREAMING,
                step_id=step_id,
                problem_id=problem_id,
            )
    except IntegrityError:
        again = find_question(user=user, course_id=course_id, client_message_id=client_message_id)
        if again is None:
            raise
        return again
    return Started(thread, q, a, False)


def checkpoint(*, answer_id: int, text: str, raw_text: str) -> None:
    """Save the text streamed so far (a crashed worker then loses at most one checkpoint interval)."""
    Message.objects.filter(pk=answer_id, status=Message.Status.STREAMING).update(
        text=text, raw_text=raw_text, updated_at=timezone.now()
    )


def render_answer(text: str, sources: list[dict]) -> str:
    """Markdown → safe HTML, with the citations [n] turned into links to their sources."""
    urls = {s["n"]: s["url"] for s in sources}

    def link(m):
        n = int(m.group(1))
        return f"[\\[{n}\\]]({urls[n]})" if n in urls else m.group(0)

    return courses.render_markdown(re.sub(r"\[(\d{1,2})\](?!\()", link, text))


def finish_answer(
    *,
    answer_id: int,
    text: str,
    raw_text: str,
    status: str,
    mode: str,
    sources: list[dict],
    model_name: str = "",
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    ttft_ms: int | None = None,
    latency_ms: int | None = None,
    mean_logprob: float | None = None,
    withheld: int = 0,
    error: str = "",
) -> Message:
    """Store the answer as shown (complete, or partial when cut off), rendered, with its sources and usage."""
    m = Message.objects.get(pk=answer_id)
    m.text, m.raw_text, m.status, m.mode, m.sources = text, raw_text, status, mode, sources
    m.html = render_answer(text, sources)
    m.model_name, m.prompt_tokens, m.completion_tokens = model_name[:200], prompt_tokens, completion_tokens
    m.ttft_ms, m.latency_ms, m.mean_logprob, m.withheld, m.error = ttft_ms, latency_ms, mean_logprob, withheld, error[:300]
    m.finished_at = timezone.now()
    m.save()
    Thread.objects.filter(pk=m.thread_id).update(updated_at=timezone.now())
    return m


def add_notice(*, thread_id: int, text: str) -> Message:
    """A system line in the thread ("I've asked a human TA..."), kept so that a reconnect shows it."""
    return Message.objects.create(thread_id=thread_id, role=Message.Role.NOTICE, text=text, html=courses.render_markdown(text))


NOTICES = {
    Escalation.Reason.NO_SOURCES: "I couldn't find this in the course material, so I've asked the course's human TAs to "
    "help. You'll see their answer here.",
    Escalation.Reason.LOW_CONFIDENCE: "I'm not confident in that answer, so I've also asked a human TA to check it. "
    "You'll see their answer here.",
    Escalation.Reason.ASKED_HUMAN: "I've passed your question to the course's human TAs. You'll see their answer here.",
    Escalation.Reason.FLAGGED: "Thanks for telling me. I've asked a human TA to look at this thread.",
    Escalation.Reason.BACKEND_DOWN: "The AI model is unavailable, so I've asked a human TA to answer.",
}


@transaction.atomic
def escalate(
    *, user, thread_id: int, reason: str, message_id: int | None = None, note: str = "", with_notice: bool = True
) -> tuple[Escalation, bool, Message | None]:
    """Hand the student's thread to the course's TAs (one open escalation per thread; a second request joins it).

    Returns (escalation, created, notice): the notice is the line added to the thread to tell the student (None
    when ``with_notice`` is False because the caller tells them otherwise). Appends asked / ai_answered / escalated
    events; notifies the course's TA queue group on commit. Raises NotFound for a thread that is not the student's.
    """
    thread = Thread.objects.select_for_update().filter(pk=thread_id, user=user).first()
    if thread is None:
        raise NotFound("no such thread")
    esc = Escalation.objects.filter(thread=thread, status__in=[Escalation.Status.OPEN, Escalation.Status.CLAIMED]).first()
    created = esc is None
    if created:
        esc = Escalation.objects.create(
            thread=thread, course_id=thread.course_id, student=user, reason=reason, message_id=message_id, note=note[:2000]
        )
        last_q = thread.messages.filter(role=Message.Role.STUDENT).order_by("-id").first()
        last_a = thread.messages.filter(role=Message.Role.ASSISTANT).exclude(text="").order_by("-id").first()
        if last_q:
            EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.ASKED, actor=user, message=last_q)
        if last_a:
            EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.AI_ANSWERED, message=last_a)
    EscalationEvent.objects.create(
        escalation=esc, kind=EscalationEvent.Kind.ESCALATED, actor=user, message_id=message_id, note=f"{reason}: {note}"[:300]
    )
    notice = (
        add_notice(thread_id=thread.id, text=NOTICES.get(reason, NOTICES[Escalation.Reason.ASKED_HUMAN])) if with_notice else None
    )
    group_send_on_commit(
        queue_group(thread.course_id),
        {
            "type": "ta.escalation",
            "escalation": esc.id,
            "thread": thread.id,
            "reason": reason,
            "created": created,
            "student": user.get_username(),
            "title": thread.title,
        },
    )
    return esc, created, notice


def flag_answer(*, user, message_id: int, reason: str = "") -> tuple[Escalation, bool, Message]:
    """The student says an answer didn't help: mark it and escalate the thread. Raises NotFound."""
    m = Message.objects.filter(pk=message_id, thread__user=user, role=Message.Role.ASSISTANT).first()
    if m is None:
        raise NotFound("no such answer")
    with transaction.atomic():
        Message.objects.filter(pk=m.pk).update(flagged=True)
        return escalate(user=user, thread_id=m.thread_id, reason=Escalation.Reason.FLAGGED, message_id=m.pk, note=reason)


@transaction.atomic
def post_human_answer(*, escalation_id: int, author, text: str) -> Message:
    """A human TA answers an escalated thread: the answer joins the thread, the escalation is answered, and the
    student's open TA websockets receive it (``human_answer``)."""
    esc = Escalation.objects.select_for_update().select_related("thread").get(pk=escalation_id)
    m = Message.objects.create(
        thread=esc.thread,
        role=Message.Role.HUMAN_TA,
        author=author,
        text=text,
        html=courses.render_markdown(text),
        reply_to=esc.message,
    )
    esc.status = Escalation.Status.ANSWERED
    esc.save(update_fields=["status", "updated_at"])
    EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.ANSWERED, actor=author, message=m)
    Thread.objects.filter(pk=esc.thread_id).update(updated_at=timezone.now())
    group_send_on_commit(
        student_group(esc.course_id, esc.student_id),
        {"type": "ta.human_answer", "thread": esc.thread_id, "message": selectors.message_dict(m)},
    )
    return m
