"""Staffing tables: anonymized shared "dumb question" threads for the course's authors."""

from __future__ import annotations

from django.db import models


class SharedThread(models.Model):
    """An anonymized copy of a TA thread a student chose to share with the course's authors.

    No link back to the student: the copy holds no user, no thread foreign key and no message ids, only
    ``source_digest`` (HMAC-SHA256 of the thread id under SECRET_KEY) so that its owner can unshare it. Times are
    coarsened to the day (``shared_on``, ``asked_on``). ``messages`` is ``[{role, text, html, sources}]``, filled by
    the anonymizing Celery task (``status`` pending → ready)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey("courses.Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    problem = models.ForeignKey("courses.Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=200, blank=True)
    messages = models.JSONField(default=list, blank=True)
    asked_on = models.DateField()
    shared_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["course", "status", "shared_on"])]
