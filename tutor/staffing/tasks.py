"""Celery tasks of the people side of the TA loop (thin: each calls a service). Registered with the worker through
``tutor.tasks``."""

from __future__ import annotations

from celery import shared_task


@shared_task
def anonymize_shared_thread_task(shared_id: int, thread_id: int, upto_message_id: int) -> dict:
    """Fill a pending shared copy with the anonymized thread (messages up to ``upto_message_id``, as previewed)."""
    from tutor.staffing.services import fill_shared_copy

    shared = fill_shared_copy(shared_id=shared_id, thread_id=thread_id, upto_message_id=upto_message_id)
    return {"shared": shared_id, "status": shared.status if shared else "gone"}


@shared_task
def reindex_course_task(course_id: int) -> dict:
    """Rebuild the automated TA's retrieval index of a course after an answer was endorsed or corrected (in a worker
    this also fills the shared embedding cache, so web processes rebuild in milliseconds)."""
    from tutor.assistant import index

    index.invalidate(course_id)
    idx = index.get_index(course_id)
    return {
        "course": course_id,
        "chunks": len(idx.chunks) if idx else 0,
        "endorsed": sum(1 for c in idx.chunks if c.kind == "endorsed") if idx else 0,
    }


@shared_task
def send_notification_email_task(notification_id: int) -> bool:
    """E-mail a notification to its user (console backend by default, EMAIL_BACKEND in production)."""
    from tutor.staffing.notify import email_notification

    return email_notification(notification_id)
