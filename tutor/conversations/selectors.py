"""Reads of TA conversations: a student's threads, a thread's messages as the websocket / REST API show them, and
the endorsed answers that join the retrieval sources."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tutor.conversations.models import Escalation, Message, Thread

#: A "streaming" answer not written to for this long was cut off by a crashed worker: shown as partial.
STALE_STREAM = timedelta(minutes=2)


def endorsed_answers(course_id: int) -> list[dict]:
    """TA-endorsed answers of a course with the question they answer and the step they belong to."""
    rows = (
        Message.objects.filter(
            thread__course_id=course_id, endorsed=True, role__in=[Message.Role.ASSISTANT, Message.Role.HUMAN_TA]
        )
        .exclude(thread__step=None)
        .select_related("reply_to", "thread__step")
        .order_by("id")
    )
    return [
        {
            "step_id": m.thread.step_id,
            "step_slug": m.thread.step.slug,
            "question": m.reply_to.text if m.reply_to else "",
            "answer": m.text,
        }
        for m in rows
    ]


def endorsed_signature(course_id: int) -> tuple:
    """Changes when an answer of the course is endorsed or un-endorsed (the TA index then rebuilds)."""
    return tuple(Message.objects.filter(thread__course_id=course_id, endorsed=True).order_by("id").values_list("id", flat=True))


def own_thread(user, thread_id: int, course_id: int | None = None) -> Thread | None:
    """The thread if it belongs to ``user`` (and to the course, when given); else None."""
    qs = Thread.objects.filter(pk=thread_id, user=user)
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    return qs.first()


def latest_thread(user, course_id: int, step_id: int | None = None) -> Thread | None:
    """The student's most recently active thread of the course (on that step, when given)."""
    qs = Thread.objects.filter(user=user, course_id=course_id)
    if step_id is not None:
        qs = qs.filter(step_id=step_id)
    return qs.order_by("-updated_at", "-id").first()


def threads(user, course_id: int) -> list[Thread]:
    return list(Thread.objects.filter(user=user, course_id=course_id).select_related("step").order_by("-updated_at", "-id"))


def effective_status(m: Message) -> str:
    if m.status == Message.Status.STREAMING and m.updated_at < timezone.now() - STALE_STREAM:
        return Message.Status.PARTIAL
    return m.status


def message_dict(m: Message) -> dict:
    """A message as the student sees it (no raw model output)."""
    return {
        "id": m.id,
        "role": m.role,
        "text": m.text,
        "html": m.html,
        "status": effective_status(m),
        "mode": m.mode,
        "sources": m.sources,
        "flagged": m.flagged,
        "withheld": m.withheld,
        "reply_to": m.reply_to_id,
        "client_message_id": str(m.client_message_id) if m.client_message_id else None,
        "model": m.model_name,
        "usage": usage(m),
        "created_at": m.created_at.isoformat(),
    }


def usage(m: Message) -> dict:
    return {
        "prompt_tokens": m.prompt_tokens,
        "completion_tokens": m.completion_tokens,
        "ttft_ms": m.ttft_ms,
        "latency_ms": m.latency_ms,
        "mean_logprob": m.mean_logprob,
    }


def thread_dict(t: Thread, *, with_messages: bool = True) -> dict:
    out = {
        "id": t.id,
        "course": t.course_id,
        "step": t.step_id,
        "problem": t.problem_id,
        "title": t.title,
        "created_at": t.created_at.isoformat(),
        "updated_at": t.updated_at.isoformat(),
        "escalated": Escalation.objects.filter(thread=t, status__in=["open", "claimed"]).exists(),
    }
    if with_messages:
        out["messages"] = [message_dict(m) for m in t.messages.all()]
    return out


def history(thread: Thread, limit_chars: int = 3000) -> list[dict]:
    """The thread's last turns as chat messages (oldest first), at most ``limit_chars`` of text, for the prompt."""
    out, used = [], 0
    for m in thread.messages.exclude(role=Message.Role.NOTICE).order_by("-created_at", "-id")[:12]:
        if m.role == Message.Role.STUDENT:
            role = "user"
        elif m.text:
            role = "assistant"
        else:
            continue
        if used + len(m.text) > limit_chars:
            break
        used += len(m.text)
        out.append({"role": role, "content": m.text})
    return out[::-1]
