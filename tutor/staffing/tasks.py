"""Celery tasks of the staffing (thin: each calls a service). Registered with the worker through
``tutor.tasks``."""

from __future__ import annotations

from celery import shared_task


@shared_task
def anonymize_shared_thread_task(shared_id: int, thread_id: int, upto_message_id: int) -> dict:
    """Fill a pending shared copy with the anonymized thread (messages up to ``upto_message_id``, as previewed)."""
    from tutor.staffing.services import fill_shared_copy

    shared = fill_shared_copy(shared_id=shared_id, thread_id=thread_id, upto_message_id=upto_message_id)
    return {"shared": shared_id, "status": shared.status if shared else "gone"}
