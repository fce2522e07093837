"""Writes of the TA review queue: claim, answer, resolve, reopen an escalation; endorse or correct an AI answer; the
student's in-app notification and e-mail. Every write is atomic; channel-layer events, Celery tasks and e-mail run on
commit, never before the data is saved."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tutor.common.events import group_send_on_commit, signal_on_commit
from tutor.conversations import selectors
from tutor.conversations import services as ta_services
from tutor.conversations.events import queue_group, sources_changed, student_group
from tutor.conversations.models import Escalation, EscalationEvent, Message, Notification
from tutor.conversations.transitions import CLAIMED, OPEN, TRANSITIONS, IllegalTransition, StaffError, refusal

MAX_ANSWER_CHARS = 8000


class NotFound(StaffError):
    status, code = 404, "not_found"


class BadInput(StaffError):
    status, code = 400, "bad_request"


def _queue_update(esc: Escalation, action: str, actor) -> None:
    """Tell every open dashboard of the course that this escalation changed (after commit)."""
    event = {
        "type": "ta.escalation_update",
        "escalation": esc.id,
        "thread": esc.thread_id,
        "action": action,
        "status": TRANSITIONS[action].target,
        "actor": actor.get_username(),
    }
    group_send_on_commit(queue_group(esc.course_id), event)


def _escalation(course_id: int, escalation_id: int) -> Escalation:
    esc = Escalation.objects.filter(pk=escalation_id, course_id=course_id).select_related("claimed_by").first()
    if esc is None:
        raise NotFound("No such escalation in this course.")
    return esc


def _move(esc: Escalation, action: str, *, extra: Q | None = None, **fields) -> None:
    """Apply one transition with a conditional UPDATE; raise IllegalTransition when the row was not in a source state
    (another TA got there first, or the action makes no sense now)."""
    t = TRANSITIONS[action]
    cond = Q(status__in=t.sources) if extra is None else extra
    try:
        with transaction.atomic():
            n = Escalation.objects.filter(cond, pk=esc.pk).update(status=t.target, updated_at=timezone.now(), **fields)
    except IntegrityError:  # reopening while the thread already has another open escalation
        raise IllegalTransition(f"Cannot {action}: the thread has another open escalation.") from None
    if n != 1:
        now = Escalation.objects.select_related("claimed_by").get(pk=esc.pk)
        raise refusal(action, now.status, now.claimed_by.get_username() if now.claimed_by else None)


@transaction.atomic
def claim(*, course_id: int, escalation_id: int, ta) -> Escalation:
    """Claim an open escalation for ``ta``. Exactly one of several concurrent claims wins; the others get
    IllegalTransition ("claimed by <username>")."""
    esc = _escalation(course_id, escalation_id)
    _move(esc, "claim", claimed_by=ta)
    EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.CLAIMED, actor=ta)
    _queue_update(esc, "claim", ta)
    esc.refresh_from_db()
    return esc


@transaction.atomic
def answer(*, course_id: int, escalation_id: int, ta, text: str) -> Message:
    """Answer an escalation (open, or claimed by ``ta``; an open one is claimed on the way). The answer joins the
    student's thread and is pushed to their open TA sockets (``tutor.conversations.services.post_human_answer``); the student also
    gets an in-app notification and an e-mail (Celery, on commit)."""
    text = (text or "").strip()
    if not text:
        raise BadInput("Write an answer first.")
    if len(text) > MAX_ANSWER_CHARS:
        raise BadInput(f"Answers are limited to {MAX_ANSWER_CHARS} characters.")
    esc = _escalation(course_id, escalation_id)
    was_open = esc.status == OPEN
    _move(esc, "answer", extra=Q(status=OPEN) | Q(status=CLAIMED, claimed_by=ta), claimed_by=ta)
    if was_open:
        EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.CLAIMED, actor=ta)
    msg = ta_services.post_human_answer(escalation_id=esc.id, author=ta, text=text)
    _notify_answer(esc, msg)
    _queue_update(esc, "answer", ta)
    return msg


@transaction.atomic
def resolve(*, course_id: int, escalation_id: int, ta, note: str = "") -> Escalation:
    """Mark an escalation resolved (nothing more to do)."""
    esc = _escalation(course_id, escalation_id)
    _move(esc, "resolve")
    EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.RESOLVED, actor=ta, note=note[:300])
    _queue_update(esc, "resolve", ta)
    esc.refresh_from_db()
    return esc


@transaction.atomic
def reopen(*, course_id: int, escalation_id: int, ta, note: str = "") -> Escalation:
    """Put an answered or resolved escalation back in the queue, unclaimed. Refused when the thread has since been
    escalated again (one open escalation per thread)."""
    esc = _escalation(course_id, escalation_id)
    _move(esc, "reopen", claimed_by=None)
    EscalationEvent.objects.create(escalation=esc, kind=EscalationEvent.Kind.REOPENED, actor=ta, note=note[:300])
    _queue_update(esc, "reopen", ta)
    esc.refresh_from_db()
    return esc


# --------------------------------------------------------------------------------------------- endorse / correct
def _ai_answer(course_id: int, message_id: int) -> Message:
    m = Message.objects.filter(pk=message_id, thread__course_id=course_id, role=Message.Role.ASSISTANT).first()
    if m is None or not m.text:
        raise NotFound("No such AI answer in this course.")
    return m


def _log_on_escalations(m: Message, kind: str, ta, note: str = "", message: Message | None = None) -> None:
    for esc in Escalation.objects.filter(thread_id=m.thread_id):
        EscalationEvent.objects.create(escalation=esc, kind=kind, actor=ta, message=message or m, note=note[:300])


def _reindex(course_id: int) -> None:
    signal_on_commit(sources_changed, course_id=course_id)


@transaction.atomic
def endorse(*, course_id: int, message_id: int, ta) -> Message:
    """Endorse an AI answer: it becomes a retrieval source of the automated TA (re-indexed by a Celery task) and is
    cited as staff-verified. Idempotent."""
    m = _ai_answer(course_id, message_id)
    if not m.endorsed:
        Message.objects.filter(pk=m.pk).update(endorsed=True, verified_by=ta)
        _log_on_escalations(m, EscalationEvent.Kind.ENDORSED, ta)
        _reindex(course_id)
    m.refresh_from_db()
    return m


@transaction.atomic
def correct(*, course_id: int, message_id: int, ta, text: str) -> Message:
    """Correct an AI answer: the TA's corrected answer joins the thread (pushed to the student like a human answer)
    and, not the AI's, becomes the retrieval source. Returns the correction."""
    text = (text or "").strip()
    if not text:
        raise BadInput("Write the corrected answer first.")
    m = _ai_answer(course_id, message_id)
    fix = Message.objects.create(
        thread_id=m.thread_id,
        role=Message.Role.HUMAN_TA,
        author=ta,
        text=text[:MAX_ANSWER_CHARS],
        html=ta_services.render_answer(text[:MAX_ANSWER_CHARS], []),
        reply_to=m.reply_to,
        step_id=m.step_id,
        problem_id=m.problem_id,
        endorsed=True,
        verified_by=ta,
        corrects=m,
    )
    Message.objects.filter(pk=m.pk).update(endorsed=False)
    _log_on_escalations(m, EscalationEvent.Kind.CORRECTED, ta, message=fix)
    thread = fix.thread
    group_send_on_commit(
        student_group(thread.course_id, thread.user_id),
        {"type": "ta.human_answer", "thread": thread.id, "message": selectors.message_dict(fix)},
    )
    _notify(thread, "A TA corrected an answer in your question thread", kind="ta_correction")
    _reindex(course_id)
    return fix


# --------------------------------------------------------------------------------------------- notifications
def _notify(thread, text: str, *, kind: str) -> Notification:
    from courses import api as courses
    from tutor.conversations.tasks import send_notification_email_task

    course = courses.get_course_by_id(thread.course_id)
    url = reverse("tutor:ta-thread", args=[course.slug, thread.id]) if course else ""
    n = Notification.objects.create(
        user_id=thread.user_id,
        course_id=thread.course_id,
        thread=thread,
        kind=kind,
        text=f"{text}: “{thread.title[:120]}”",
        url=url,
    )
    transaction.on_commit(lambda: send_notification_email_task.delay(n.id))
    return n


def _notify_answer(esc: Escalation, msg: Message) -> None:
    _notify(esc.thread, "A human TA answered your question", kind="ta_answer")


def mark_read(*, user, notification_ids=None, thread_id: int | None = None) -> int:
    """Mark the user's notifications read (those listed, or those about a thread, or all); returns how many."""
    qs = Notification.objects.filter(user=user, read_at=None)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    if thread_id is not None:
        qs = qs.filter(thread_id=thread_id)
    return qs.update(read_at=timezone.now())
