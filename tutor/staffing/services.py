"""A student shares one of their TA threads with the course's authors: preview (exactly what will be stored), share
(an anonymized copy made by a Celery task), unshare (the copy is deleted). The original thread never changes.

The copy carries no link back to the student: no user or thread key, no message ids, days instead of times; only an
HMAC of the thread id under SECRET_KEY (``source_digest``) lets the owner find it again to unshare.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import api as courses
from tutor.conversations import api as conversations
from tutor.conversations.api import Message, StaffError, Thread
from tutor.staffing.anonymize import anonymize_text, roster_terms
from tutor.staffing.models import SharedThread


class NotFound(StaffError):
    status, code = 404, "not_found"


class AlreadyShared(StaffError):
    status, code = 409, "already_shared"


class PreviewOutdated(StaffError):
    status, code = 409, "preview_outdated"


@dataclass
class Preview:
    """Exactly what the authors will see. ``token`` fingerprints the content: sharing with a stale token is refused."""

    title: str
    asked_on: str  # ISO day
    step_id: int | None
    problem_id: int | None
    messages: list[dict] = field(default_factory=list)  # {role, text, html, sources}
    upto_message_id: int = 0
    token: str = ""


def source_digest(thread_id: int) -> str:
    """HMAC-SHA256 (hex) of the thread id under SECRET_KEY: the only tie from a shared copy to its source."""
    return hmac.new(settings.SECRET_KEY.encode(), f"shared-thread:{thread_id}".encode(), hashlib.sha256).hexdigest()


def _terms(thread: Thread) -> list[str]:
    users = get_user_model().objects.filter(memberships__course_id=thread.course_id).distinct()
    people = [{"username": u.username, "first_name": u.first_name, "last_name": u.last_name, "email": u.email} for u in users]
    owner = thread.user
    people.append(
        {"username": owner.username, "first_name": owner.first_name, "last_name": owner.last_name, "email": owner.email}
    )
    return roster_terms(people)


def _own_thread(user, course_id: int, thread_id: int) -> Thread:
    t = Thread.objects.filter(pk=thread_id, user=user, course_id=course_id).select_related("user").first()
    if t is None:
        raise NotFound("No such thread.")
    return t


def _title(thread: Thread, terms: list[str]) -> str:
    """The copy's title, derived from the *scrubbed* first question and scrubbed again once derived: a cut can never
    leave part of an e-mail address or a name behind (the stored ``thread.title`` was cut from the raw text)."""
    first = thread.messages.filter(role=Message.Role.STUDENT).order_by("id").values_list("text", flat=True).first()
    source = first if first is not None else thread.title
    return anonymize_text(conversations.derive_title(anonymize_text(source, terms=terms)), terms=terms)


def _build(thread: Thread, upto_message_id: int | None = None) -> Preview:
    terms = _terms(thread)
    msgs = thread.messages.exclude(role=Message.Role.ASSISTANT, text="").exclude(status=Message.Status.STREAMING)
    if upto_message_id is not None:
        msgs = msgs.filter(pk__lte=upto_message_id)
    out, last = [], 0
    for m in msgs.order_by("id"):
        text = anonymize_text(m.text, terms=terms)
        sources = [
            {"n": s.get("n"), "title": anonymize_text(str(s.get("title", "")), terms=terms), "url": s.get("url", "")}
            for s in (m.sources or [])
            if str(s.get("url", "")).startswith("/")
        ]
        html = (
            ""
            if m.role == Message.Role.STUDENT
            else (
                conversations.render_answer(text, sources) if m.role == Message.Role.ASSISTANT else courses.render_markdown(text)
            )
        )
        out.append({"role": m.role, "text": text, "html": html, "sources": sources})
        last = m.id
    p = Preview(
        title=_title(thread, terms),
        asked_on=thread.created_at.date().isoformat(),
        step_id=thread.step_id,
        problem_id=thread.problem_id,
        messages=out,
        upto_message_id=last,
    )
    p.token = hashlib.sha256(json.dumps([p.title, p.messages], sort_keys=True).encode()).hexdigest()[:32]
    return p


def preview(*, user, course_id: int, thread_id: int) -> Preview:
    """The anonymized copy that sharing this thread would store now. Raises NotFound for anyone else's thread."""
    return _build(_own_thread(user, course_id, thread_id))


def is_shared(thread_id: int) -> bool:
    return SharedThread.objects.filter(source_digest=source_digest(thread_id)).exists()


@transaction.atomic
def share(*, user, course_id: int, thread_id: int, token: str | None = None) -> SharedThread:
    """Share the thread as previewed: a pending copy now, anonymized by a Celery task after commit. ``token`` (from
    the preview) must still match the thread's content, else PreviewOutdated. AlreadyShared if it is shared."""
    thread = _own_thread(user, course_id, thread_id)
    p = _build(thread)
    if token is not None and token != p.token:
        raise PreviewOutdated("The thread changed since you looked at the preview; check the preview again.")
    if not p.messages:
        raise NotFound("There is nothing to share in this thread yet.")
    try:
        with transaction.atomic():
            shared = SharedThread.objects.create(
                course_id=course_id,
                step_id=thread.step_id,
                problem_id=thread.problem_id,
                source_digest=source_digest(thread.id),
                asked_on=thread.created_at.date(),
                shared_on=timezone.now().date(),
            )
    except IntegrityError:
        raise AlreadyShared("This thread is already shared; unshare it first to share it again.") from None
    from tutor.staffing.tasks import anonymize_shared_thread_task

    args = (shared.id, thread.id, p.upto_message_id)
    transaction.on_commit(lambda: anonymize_shared_thread_task.delay(*args))
    return shared


@transaction.atomic
def unshare(*, user, course_id: int, thread_id: int) -> bool:
    """Delete the shared copy of the student's thread; False when it was not shared."""
    thread = _own_thread(user, course_id, thread_id)
    deleted, _ = SharedThread.objects.filter(source_digest=source_digest(thread.id)).delete()
    return deleted > 0


def fill_shared_copy(*, shared_id: int, thread_id: int, upto_message_id: int) -> SharedThread | None:
    """(Celery) Store the anonymized thread, up to the previewed message, into the pending copy."""
    shared = SharedThread.objects.filter(pk=shared_id).first()
    thread = Thread.objects.filter(pk=thread_id).select_related("user").first()
    if shared is None or thread is None or shared.source_digest != source_digest(thread_id):
        return None
    p = _build(thread, upto_message_id)
    SharedThread.objects.filter(pk=shared_id).update(title=p.title[:200], messages=p.messages, status=SharedThread.Status.READY)
    shared.refresh_from_db()
    return shared


def preview_dict(p: Preview) -> dict:
    d = asdict(p)
    d.pop("upto_message_id")
    return d
