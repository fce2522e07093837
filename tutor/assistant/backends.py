"""Which model answers: TA_BACKEND_URL → an OpenAI-compatible server through `inference.client.ChatClient` (our
`inference.serve`, vLLM, llama.cpp); else TA_MODEL_PATH → an engine in this process through `EngineClient` (a
checkpoint directory → the batching `Engine`; a ``.json`` file → a `ScriptedEngine` script, for demos and tests);
else None: the retrieval-only TA ("course search only"). Nothing is downloaded. `make run` sets TA_MODEL_PATH to the
shipped SmolLM2-135M-Instruct (`inference.base_model`) when the ML extra is installed.

Per-course assistants: a course whose `AssistantModel` is READY (``manage.py tune_ta``) is answered by its LoRA adapter.
The in-process engine loads every READY adapter over the one base model (several courses, one base in memory) and
picks the adapter per request; over HTTP the request asks for the adapter's model name (``inference.serve --lora``).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

_engines: dict[str, tuple[tuple, object]] = {}
_lock = threading.Lock()
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Choice:
    """The assistant model of one course. name: the model name to request (None: the backend's default); compact:
    build the compact prompt it was tuned with; min_mean_logprob: its calibrated escalation gate (None: the setting)."""

    name: str | None = None
    compact: bool = False
    min_mean_logprob: float | None = None


def describe() -> str:
    """ "http", "engine", "scripted" or "retrieval" (what `get_backend` would use)."""
    if getattr(settings, "TA_BACKEND_URL", ""):
        return "http"
    path = getattr(settings, "TA_MODEL_PATH", "")
    if path:
        return "scripted" if str(path).endswith(".json") else "engine"
    return "retrieval"


def _same(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


def _ready_adapters(base: str) -> dict[str, str]:
    """``{model name: adapter dir}`` of the READY course assistants tuned on the checkpoint `base`."""
    from tutor.assistant.models import AssistantModel

    rows = AssistantModel.objects.filter(status=AssistantModel.Status.READY).exclude(adapter_path="")
    return {
        r.name: r.adapter_path
        for r in rows.only("name", "adapter_path", "base_model_path")
        if _same(r.base_model_path, base) and (Path(r.adapter_path) / "adapter_config.json").is_file()
    }


def assistant_for(course_id: int) -> Choice:
    """The course's assistant (sync: reads the database). The base model's `Choice()` when the course has no READY
    tuned model, or when the configured backend cannot serve it."""
    from tutor.assistant.models import AssistantModel

    kind = describe()
    if kind in ("retrieval", "scripted"):
        return Choice()
    row = AssistantModel.objects.filter(course_id=course_id, status=AssistantModel.Status.READY).first()
    if row is None or not row.adapter_path:
        return Choice()
    if kind == "engine" and row.name not in _ready_adapters(str(settings.TA_MODEL_PATH)):
        return Choice()  # tuned on another base, or its files are gone
    return Choice(name=row.name, compact=True, min_mean_logprob=row.min_mean_logprob)


def _engine(path: str, adapters: dict[str, str] | None = None):
    key = tuple(sorted((adapters or {}).items()))
    with _lock:
        known, engine = _engines.get(path, ((), None))
        if engine is None or not engine.alive or known != key:
            if engine is not None:
                engine.close()  # an adapter was added or replaced: reload (running answers end as "cancelled")
            if path.endswith(".json"):
                from inference.testing.scripted import ScriptedEngine

                engine = ScriptedEngine.from_file(path).start()
            else:
                from inference.engine import Engine

                engine = Engine.from_pretrained(
                    path,
                    device=getattr(settings, "TA_DEVICE", "cpu"),
                    dtype=getattr(settings, "TA_DTYPE", None) or None,
                    adapter_path=getattr(settings, "TA_ADAPTER_PATH", "") or None,
                    adapters=dict(key) or None,
                    max_batch_size=int(getattr(settings, "TA_MAX_BATCH", 32)),
                ).start()
            _engines[path] = (key, engine)
        return engine


async def get_backend(choice: Choice | None = None):
    """An `inference.client.ChatBackend` for the current event loop, or None for the retrieval-only TA. Loading an
    in-process model (first call, or after an adapter was added) happens in a worker thread. `choice`: the course's
    assistant (`assistant_for`); None: the base model.

    Raises `inference.errors.ModelLoadError` when TA_MODEL_PATH does not hold a usable model.
    """
    choice = choice or Choice()
    kind = describe()
    if kind == "retrieval":
        return None
    from inference.client import ChatClient, EngineClient

    if kind == "http":
        url = settings.TA_BACKEND_URL
        loop = asyncio.get_running_loop()
        per_loop = _clients.setdefault(loop, {})
        key = (url, choice.name or getattr(settings, "TA_MODEL_NAME", "") or None)
        if key not in per_loop:
            per_loop[key] = ChatClient(url, model=key[1], timeout=float(getattr(settings, "TA_BACKEND_TIMEOUT_S", 60)))
        return per_loop[key]
    from asgiref.sync import sync_to_async

    path = str(settings.TA_MODEL_PATH)
    adapters = await sync_to_async(_ready_adapters)(path) if kind == "engine" else {}
    engine = await sync_to_async(_engine, thread_sensitive=False)(path, adapters)
    name = choice.name if choice.name in getattr(engine, "adapters", ()) else None
    return EngineClient(engine, model=name)


def engine_for(path: str, adapters: dict[str, str] | None = None):
    """The in-process engine serving ``path`` (started on first use); for benchmarks, evaluation and tests."""
    return _engine(str(path), adapters)


def shutdown() -> None:
    """Stop the in-process engines (tests, process exit)."""
    with _lock:
        for _, engine in _engines.values():
            engine.close()
        _engines.clear()
