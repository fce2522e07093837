"""The automated assistant's tables: the sentence-embedding cache of its retrieval chunks, and each course's tuned model."""

from __future__ import annotations

from django.db import models


class TextEmbedding(models.Model):
    """Cache of sentence embeddings of the TA's retrieval chunks, keyed by model and SHA-256 of the text (float32
    little-endian bytes), so an index is embedded once per content version, not once per process."""

    model_name = models.CharField(max_length=100)
    text_sha256 = models.CharField(max_length=64)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model_name", "text_sha256"], name="one_embedding_per_text")]


class AssistantModel(models.Model):
    """A course's own assistant model: a LoRA adapter tuned on the course (``manage.py tune_ta``) over a base checkpoint.

    name: the model name requests ask for (the inference worker serves the adapter under it). status: tuning progress.
    progress: ``{step, total, loss, eta_s}`` while tuning. card: the model card (data sizes, steps, metrics, times).
    min_mean_logprob: the escalation gate calibrated on the held-out questions (None: the TA_MIN_MEAN_LOGPROB setting).
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        TRAINING = "training"
        READY = "ready"
        FAILED = "failed"

    course = models.OneToOneField("courses.Course", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, unique=True)
    base_model_path = models.CharField(max_length=500)
    adapter_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.JSONField(default=dict, blank=True)
    card = models.JSONField(default=dict, blank=True)
    min_mean_logprob = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"
