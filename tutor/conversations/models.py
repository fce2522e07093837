"""Conversations: a student's TA threads and messages, escalations to human TAs with their append-only events, in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Thread(models.Model):
    """A student's conversation with the course's TA, attached to the step (and problem) the student was on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ta_threads")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey("courses.Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    problem = models.ForeignKey("courses.Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "course", "updated_at"]), models.Index(fields=["user", "step"])]


class Message(models.Model):
    """One turn of a thread. Student questions carry the client's idempotency key; assistant answers carry what was
    shown (``text``: after the leak guard), what the model produced (``raw_text``, staff only), sources, usage and
    timing. ``status`` is "streaming" while generating, then "complete", or "partial" when a dropped connection, a stop
    or a backend failure cut it off."""

    class Role(models.TextChoices):
        STUDENT = "student"
        ASSISTANT = "assistant"
        HUMAN_TA = "human_ta", "Human TA"
        NOTICE = "notice"

    class Status(models.TextChoices):
        STREAMING = "streaming"
        COMPLETE = "complete"
        PARTIAL = "partial"

    class Mode(models.TextChoices):
        MODEL = "model"
        RETRIEVAL = "retrieval", "Retrieval only"
        NONE = ""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    client_message_id = models.UUIDField(null=True, blank=True)
    step = models.ForeignKey("courses.Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    problem = models.ForeignKey("courses.Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    raw_text = models.TextField(blank=True, help_text="The model's output before the leak guard (staff only).")
    html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE)
    mode = models.CharField(max_length=10, choices=Mode.choices, blank=True, default="")
    model_name = models.CharField(max_length=200, blank=True)
    sources = models.JSONField(default=list, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    ttft_ms = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    mean_logprob = models.FloatField(null=True, blank=True)
    withheld = models.PositiveIntegerField(default=0, help_text="Passages the leak guard withheld.")
    error = models.CharField(max_length=300, blank=True)
    flagged = models.BooleanField(default=False, help_text="The student said this answer didn't help.")
    endorsed = models.BooleanField(default=False, help_text="A TA endorsed it: it joins the TA's retrieval sources.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The TA who endorsed or corrected this answer.",
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        help_text="For a TA's correction: the AI answer it corrects.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "client_message_id"],
                condition=models.Q(client_message_id__isnull=False),
                name="ta_message_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["thread", "created_at"]), models.Index(fields=["role", "endorsed"])]


class Escalation(models.Model):
    """A thread handed to the course's human TAs, with why. At most one open (or claimed) escalation per thread."""

    class Reason(models.TextChoices):
        NO_SOURCES = "no_sources", "Nothing relevant in the course"
        LOW_CONFIDENCE = "low_confidence", "Low model confidence"
        ASKED_HUMAN = "asked_human", "Student asked for a human"
        FLAGGED = "flagged", "Student flagged an answer"
        BACKEND_DOWN = "backend_down", "The model was unavailable"
        EXPLANATION = "explanation", "Student sent an explanation for review"

    class Status(models.TextChoices):
        """State machine (tutor/staff/transitions.py): open → claimed → answered → resolved; answered or resolved →
        open again when reopened."""

        OPEN = "open"
        CLAIMED = "claimed"
        ANSWERED = "answered"
        RESOLVED = "resolved"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="escalations")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread"], condition=models.Q(status__in=["open", "claimed"]), name="one_open_escalation_per_thread"
            ),
        ]
        indexes = [models.Index(fields=["course", "status", "created_at"])]


class EscalationEvent(models.Model):
    """Append-only history of an escalation: asked → ai_answered → escalated → claimed → answered → endorsed/corrected
    → resolved (→ reopened ...)."""

    class Kind(models.TextChoices):
        ASKED = "asked"
        AI_ANSWERED = "ai_answered", "AI answered"
        ESCALATED = "escalated"
        CLAIMED = "claimed"
        ANSWERED = "answered"
        ENDORSED = "endorsed"
        CORRECTED = "corrected"
        RESOLVED = "resolved"
        REOPENED = "reopened"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Notification(models.Model):
    """An in-app notification (e.g. "a human TA answered your question"), unread until ``read_at``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
