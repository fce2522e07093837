"""Practice records: attempts (append-only), hint and solution reveals, step visits, knowledge state and totals, fitted models, served problems, placement sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Attempt(models.Model):
    """One graded answer. ``client_attempt_id`` makes submission idempotent per user (a retried POST records once).

    Honest credit: only an attempt that is correct and not ``solution_seen`` is *earned* (solves the problem for
    progress and mastery); a ``throwaway`` never unlocks the worked solution."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("courses.Problem", on_delete=models.CASCADE, related_name="+")
    client_attempt_id = models.UUIDField()
    answer = models.JSONField()
    correct = models.BooleanField()
    feedback = models.TextField(blank=True)
    hints_seen = models.PositiveIntegerField(default=0, help_text="Hints revealed before this attempt.")
    time_taken_ms = models.PositiveIntegerField(null=True, blank=True)
    solution_seen = models.BooleanField(
        default=False, help_text="The worked solution was revealed before this attempt: recorded, earns no credit."
    )
    throwaway = models.BooleanField(
        default=False, help_text="The same wrong answer again within a second: recorded, unlocks nothing, traces nothing."
    )
    predicted_correct = models.FloatField(
        null=True, blank=True, help_text="The knowledge model's P(correct) just before this attempt (for calibration)."
    )
    # Set by the service to the instant the knowledge update used (the prediction and the decay share one clock).
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

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


class KnowledgeState(models.Model):
    """A student's knowledge of one concept: the row form of ``tutor.knowledge.state.StudentConceptState`` (mastery
    P(L) at ``last_practised_at``, BKT, Corbett & Anderson 1995; clean-correct / other attempt counts and their
    recency-weighted versions, the features of the BKT-LR model; the current streak of clean correct answers; whether
    the placement set it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    concept = models.ForeignKey("courses.Concept", on_delete=models.CASCADE, related_name="+")
    mastery = models.FloatField()
    last_practised_at = models.DateTimeField(null=True, blank=True)
    n_correct = models.PositiveIntegerField(default=0, help_text="Clean correct attempts (no hint, no solution seen).")
    n_wrong = models.PositiveIntegerField(default=0, help_text="All other attempts.")
    recent_correct = models.FloatField(default=0.0)
    recent_wrong = models.FloatField(default=0.0)
    placed = models.BooleanField(default=False, help_text="Mastery set by the diagnostic placement.")
    streak = models.PositiveIntegerField(default=0, help_text="Clean correct answers in a row, up to now.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "concept"], name="one_knowledge_state_per_concept"),
            models.CheckConstraint(condition=models.Q(mastery__gte=0, mastery__lte=1), name="mastery_is_a_probability"),
        ]
        indexes = [models.Index(fields=["user", "course"])]


class KnowledgeTotals(models.Model):
    """A student's attempt counts over a whole course: the row form of ``tutor.knowledge.state.StudentTotals``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    n_correct = models.PositiveIntegerField(default=0)
    n_wrong = models.PositiveIntegerField(default=0)
    recent_correct = models.FloatField(default=0.0)
    recent_wrong = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_knowledge_totals_per_course")]


class KnowledgeModelFit(models.Model):
    """Fitted knowledge-model parameters of a course (per-concept BKT, per-problem difficulty, weights) as JSON, with
    the number of attempts and students they were fitted on."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    params = models.JSONField()
    n_attempts = models.PositiveIntegerField()
    n_students = models.PositiveIntegerField()
    fit_seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["course", "created_at"])]


class ServedProblem(models.Model):
    """A problem the tutor served, with the one-line reason shown and the predicted P(correct) at the time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("courses.Problem", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    reason = models.CharField(max_length=300)
    predicted_correct = models.FloatField()
    served_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "course", "served_at"])]


class DiagnosticSession(models.Model):
    """An adaptive placement probe in progress or finished; ``state`` is ``Diagnostic.to_dict()``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    state = models.JSONField()
    current_problem = models.ForeignKey("courses.Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    questions_asked = models.PositiveIntegerField(default=0)
    skipped = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "course", "created_at"])]


class CodeSubmission(models.Model):
    """One Run (visible tests) or Submit (all tests, recorded as an Attempt) of a code problem, graded in the sandbox.

    Idempotent per user by ``client_id``; ``result`` is ``sandbox.RunResult.to_dict()`` once ``status`` is done or
    unavailable. The latest row of a (user, problem) holds the code restored in the editor.
    """

    class Mode(models.TextChoices):
        RUN = "run"
        SUBMIT = "submit"

    class Status(models.TextChoices):
        QUEUED = "queued"
        DONE = "done"
        UNAVAILABLE = "unavailable"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("courses.Problem", on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField()
    mode = models.CharField(max_length=10, choices=Mode.choices)
    files = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(null=True, blank=True)
    attempt = models.ForeignKey(Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="code_submission_idempotency_key")]
        indexes = [models.Index(fields=["user", "problem", "created_at"])]

    @property
    def failed_count(self) -> int:
        return sum(1 for t in (self.result or {}).get("tests", []) if not t.get("passed"))
