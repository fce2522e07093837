"""The tuning run: build the course's SFT set, LoRA-tune the base model, save adapter + model card, register it.

Files, under ``TA_TUNING_DIR/<course slug>/`` (default ``var/ta/``): ``adapter/`` (the peft adapter), ``checkpoint/``
(while a run is unfinished: `manage.py tune_ta` resumes from it), ``card.json`` and ``README.md`` (the model card).
The course's `AssistantModel` row names the adapter; the assistant serves it (one base in memory, an adapter per
course) as soon as it is READY.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from courses import api as courses
from tutor.assistant.models import AssistantModel
from tutor.assistant.tuning.dataset import build_dataset, split_by_step
from tutor.conversations import api as conversations


class TuningError(Exception):
    """The course cannot be tuned (unknown course, no base model, no content)."""


def tuning_dir(course_slug: str) -> Path:
    return Path(getattr(settings, "TA_TUNING_DIR", settings.BASE_DIR / "var" / "ta")) / course_slug


def base_model_path() -> Path:
    """The checkpoint to tune: TA_MODEL_PATH when it is a directory, else the shipped SmolLM2-135M-Instruct (converted
    from its GGUF on first use). Raises TuningError when neither is available."""
    configured = getattr(settings, "TA_MODEL_PATH", "")
    if configured and Path(configured).is_dir():
        return Path(configured)
    from inference.base_model import ensure_base_model

    path = ensure_base_model(settings.BASE_DIR / "var" / "models")
    if path is None:
        raise TuningError("no base model: install the ML extra (make setup) or set TA_MODEL_PATH to a checkpoint")
    return path


def model_name(course_slug: str) -> str:
    """The name the course's adapter is served under (what a request asks the inference worker for)."""
    return f"{course_slug}-ta"


@transaction.atomic
def queue_tuning(*, course_id: int, base_path: str) -> AssistantModel:
    """Create or reset the course's AssistantModel row to QUEUED (the Celery task or the command then runs it)."""
    course = courses.get_course_by_id(course_id)
    if course is None:
        raise TuningError(f"no course with id {course_id}")
    row, _ = AssistantModel.objects.select_for_update().get_or_create(
        course_id=course_id, defaults={"name": model_name(course.slug), "base_model_path": base_path}
    )
    row.status, row.progress, row.error, row.base_model_path = AssistantModel.Status.QUEUED, {}, "", base_path
    row.save()
    return row


def _update(row_id: int, **fields) -> None:
    AssistantModel.objects.filter(pk=row_id).update(**fields)


def run_tuning(*, course_slug: str, config=None, holdout: float = 0.1, progress: Callable | None = None) -> AssistantModel:
    """Tune the course's assistant model end to end (minutes; run from the command or the Celery task).

    config: an `inference.tune.TuneConfig` (default: its defaults; CUDA when present). progress: called with each
    `inference.tune.Progress` (also stored on the row, so the staff page shows it). Returns the READY row; on failure
    the row is FAILED with the error and the exception propagates.
    """
    from inference.tune import TuneConfig, tune_lora

    course = courses.get_course(course_slug)
    if course is None:
        raise TuningError(f"no course {course_slug!r}")
    config = config or TuneConfig()
    base = base_model_path()
    row = queue_tuning(course_id=course.id, base_path=str(base))
    out = tuning_dir(course.slug)
    out.mkdir(parents=True, exist_ok=True)
    try:
        data = build_dataset(course, conversations.endorsed_answers(course.id), seed=config.seed)
        if not data.examples:
            raise TuningError(f"course {course_slug!r} has no steps with content to tune on")
        train, val = split_by_step(data.examples, holdout=holdout, seed=config.seed)
        _update(row.pk, status=AssistantModel.Status.TRAINING, progress={"step": 0, "total": config.steps})
        last = [0.0]

        def report(p) -> None:
            if progress:
                progress(p)
            if time.monotonic() - last[0] > 2 or p.step == p.total:  # at most one row update every 2 s
                last[0] = time.monotonic()
                _update(row.pk, progress={"step": p.step, "total": p.total, "loss": p.loss, "eta_s": round(p.eta_s)})

        result = tune_lora(base, [e.messages for e in train], [e.messages for e in val], out, config, progress=report)
        card = {
            "course": course.slug,
            "model_name": row.name,
            "base_model": str(base),
            "base_license": "Apache-2.0 (SmolLM2-135M-Instruct)" if "smollm2" in str(base).lower() else "see the base model",
            "adapter": str(result.adapter_dir),
            "data": {
                "examples": len(data.examples),
                "by_kind": dict(data.kinds),
                "dropped_for_leaks": data.dropped_leaky,
                "train_examples": result.train_examples,
                "heldout_examples": len(val),
                "heldout_scored": result.val_examples,
                "heldout_steps": sorted({e.step_slug for e in val}),
                "train_tokens_seen": result.train_tokens,
            },
            "training": {
                "config": config.key(),
                "steps": result.steps,
                "device": result.device,
                "seconds": round(result.seconds, 1),
                "resumed_from_step": result.resumed_from,
                "stopped_early": result.stopped_early,
            },
            "metrics": {
                "heldout_loss_before": _r(result.val_loss_before),
                "heldout_loss_after": _r(result.val_loss_after),
                "final_train_loss": _r(result.final_train_loss),
            },
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        write_card(out, card)
        status = AssistantModel.Status.TRAINING if result.stopped_early else AssistantModel.Status.READY
        _update(row.pk, status=status, adapter_path=str(result.adapter_dir), card=card, error="")
    except Exception as exc:
        _update(row.pk, status=AssistantModel.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    row.refresh_from_db()
    return row


def _r(x):
    return None if x is None else round(float(x), 4)


def write_card(out: Path, card: dict) -> None:
    """Write ``card.json`` and a human-readable ``README.md`` model card next to the adapter."""
    (out / "card.json").write_text(json.dumps(card, indent=2))
    d, t, m = card["data"], card["training"], card["metrics"]
    lines = [
        f"# {card['model_name']}: the assistant of {card['course']}",
        "",
        f"LoRA adapter over `{card['base_model']}` ({card['base_license']}), tuned with `manage.py tune_ta {card['course']}`.",
        "",
        f"- Data: {d['examples']} conversations built from the course ({d['by_kind']}); {d['dropped_for_leaks']} dropped by the "
        f"leak guard; {d['train_examples']} train / {d['heldout_examples']} held out (steps: {', '.join(d['heldout_steps'])}; "
        f"{d.get('heldout_scored', d['heldout_examples'])} scored).",
        f"- Training: {t['steps']} steps on {t['device']} in {t['seconds']} s; config {t['config']}.",
        f"- Held-out loss (nats/token): {m['heldout_loss_before']} before → {m['heldout_loss_after']} after.",
    ]
    if card.get("evaluation"):
        lines.append(f"- Evaluation (held-out student questions): {json.dumps(card['evaluation'])}")
    (out / "README.md").write_text("\n".join(lines) + "\n")


def save_evaluation(*, course_id: int, report: dict, threshold: float | None) -> None:
    """Store the evaluation report on the model card and the calibrated escalation gate on the row."""
    row = AssistantModel.objects.filter(course_id=course_id).first()
    if row is None:
        return
    card = dict(row.card or {})
    card["evaluation"] = report
    row.card = card
    row.min_mean_logprob = threshold
    row.save(update_fields=["card", "min_mean_logprob", "updated_at"])
    out = tuning_dir(card.get("course") or str(course_id))
    if (out / "card.json").exists():
        write_card(out, card)
