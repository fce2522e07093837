"""Celery tasks of the assistant (thin: each calls a service). Registered with the worker through ``tutor.tasks``."""

from __future__ import annotations

from celery import shared_task


@shared_task
def tune_assistant_task(course_slug: str) -> dict:
    """Tune the course's assistant model (minutes: run it on a worker, where CUDA is used when present)."""
    from tutor.assistant.tuning.services import run_tuning

    row = run_tuning(course_slug=course_slug)
    return {"course": course_slug, "model": row.name, "status": row.status, "adapter": row.adapter_path}
