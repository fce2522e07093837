"""The automated assistant's tables: the sentence-embedding cache of its retrieval chunks."""

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
