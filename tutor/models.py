"""Learning records: attempts (append-only), hint and solution reveals, step visits."""
from django.conf import settings
from django.db import models


class Attempt(models.Model):
    """One graded answer. ``client_attempt_id`` makes submission idempotent per user (a retried POST records once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("courses.Problem", on_delete=models.CASCADE, related_name="+")
    client_attempt_id = models.UUIDField()
    answer = models.JSONField()
    correct = models.BooleanField()
    feedback = models.CharField(max_length=300, blank=True)
    hints_seen = models.PositiveIntegerField(default=0, help_text="Hints revealed before this attempt.")
    time_taken_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "client_attempt_id"], name="attempt_idempotency_key")]
        indexes = [models.Index(fields=["user", "problem"]), models.Index(fields=["user", "course", "created_at"])]


class HintReveal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("courses.Problem", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "problem", "position"], name="hint_revealed_once")]


class SolutionReveal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("courses.Problem", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "problem"], name="solution_revealed_once")]


class StepVisit(models.Model):
    """The last time a student opened a step — drives the course page's "Continue" button."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey("courses.Step", on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "step"], name="one_visit_row_per_step")]
        indexes = [models.Index(fields=["user", "course", "last_seen_at"])]
