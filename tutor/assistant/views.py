"""The course staff's page for the course-tuned assistant: status, progress, model card, and the "Tune" button."""

from __future__ import annotations

import threading

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from courses import api as courses
from courses.api import Role, member_course_id
from tutor.assistant.models import AssistantModel


def _faculty_course(user, slug: str) -> courses.CourseInfo:
    course = courses.get_course(slug)
    if course is None or member_course_id(user, slug, Role.FACULTY) is None:
        raise Http404("No such course")
    return course


def _start(course_slug: str) -> None:
    from tutor.assistant.tasks import tune_assistant_task

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):  # embedded mode: no worker, so not in the request
        threading.Thread(target=tune_assistant_task, args=(course_slug,), name=f"tune-{course_slug}", daemon=True).start()
    else:
        tune_assistant_task.delay(course_slug)


@login_required
def assistant_model_page(request, slug):
    """GET: the course's assistant model (status, progress with loss and ETA, model card, evaluation). POST: queue a
    tuning run (faculty only; refused while one is queued or running)."""
    course = _faculty_course(request.user, slug)
    row = AssistantModel.objects.filter(course_id=course.id).first()
    busy = row is not None and row.status in (AssistantModel.Status.QUEUED, AssistantModel.Status.TRAINING)
    if request.method == "POST":
        if busy:
            messages.info(request, "A tuning run is already in progress.")
        else:
            from tutor.assistant.tuning.services import TuningError, base_model_path, queue_tuning

            try:
                base = base_model_path()
            except TuningError as exc:
                messages.error(request, str(exc))
            else:
                queue_tuning(course_id=course.id, base_path=str(base))
                transaction.on_commit(lambda: _start(course.slug))
                messages.success(request, "Tuning started; this page shows its progress.")
        return redirect("tutor:staff-assistant", slug=course.slug)
    progress = (row.progress or {}) if row else {}
    percent = round(100 * progress.get("step", 0) / progress["total"]) if progress.get("total") else 0
    return render(
        request,
        "tutor/staff/assistant.html",
        {"course": course, "row": row, "busy": busy, "progress": progress, "percent": percent},
    )
