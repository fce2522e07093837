"""Celery tasks of the assistant (thin). Registered with the worker through ``tutor.tasks``."""

from __future__ import annotations

from celery import shared_task


@shared_task
def tune_assistant_task(course_slug: str) -> dict:
    """Tune the course's assistant model (minutes: run it on a worker, where CUDA is used when present)."""
    from tutor.assistant.tuning.services import run_tuning

    row = run_tuning(course_slug=course_slug)
    return {"course": course_slug, "model": row.name, "status": row.status, "adapter": row.adapter_path}


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


def on_sources_changed(sender=None, *, course_id: int, **kwargs) -> None:
    """Receiver of ``conversations.events.sources_changed``: re-index the course in a worker (sent after commit)."""
    reindex_course_task.delay(course_id)
