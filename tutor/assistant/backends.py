"""Which model answers: TA_BACKEND_URL → an OpenAI-compatible server through `inference.client.ChatClient` (our
`inference.serve`, vLLM, llama.cpp); else TA_MODEL_PATH → an engine in this process through `EngineClient` (a
checkpoint directory → the batching `Engine`; a ``.json`` file → a `ScriptedEngine` script, for demos and tests);
else None: the retrieval-only TA. Nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import threading
import weakref

from django.conf import settings

_engines: dict[str, object] = {}
_lock = threading.Lock()
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()


def describe() -> str:
    """ "http", "engine", "scripted" or "retrieval" (what `get_backend` would use)."""
    if getattr(settings, "TA_BACKEND_URL", ""):
        return "http"
    path = getattr(settings, "TA_MODEL_PATH", "")
    if path:
        return "scripted" if str(path).endswith(".json") else "engine"
    return "retrieval"


def _engine(path: str):
    with _lock:
        engine = _engines.get(path)
        if engine is None or not engine.alive:
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
                    max_batch_size=int(getattr(settings, "TA_MAX_BATCH", 32)),
                ).start()
            _engines[path] = engine
        return engine


async def get_backend():
    """An `inference.client.ChatBackend` for the current event loop, or None for the retrieval-only TA. Loading an
    in-process model (first call only) happens in a worker thread.

    Raises `inference.errors.ModelLoadError` when TA_MODEL_PATH does not hold a usable model.
    """
    kind = describe()
    if kind == "retrieval":
        return None
    from inference.client import ChatClient, EngineClient

    if kind == "http":
        url = settings.TA_BACKEND_URL
        loop = asyncio.get_running_loop()
        per_loop = _clients.setdefault(loop, {})
        key = (url, getattr(settings, "TA_MODEL_NAME", "") or None)
        if key not in per_loop:
            per_loop[key] = ChatClient(url, model=key[1], timeout=float(getattr(settings, "TA_BACKEND_TIMEOUT_S", 60)))
        return per_loop[key]
    from asgiref.sync import sync_to_async

    engine = await sync_to_async(_engine, thread_sensitive=False)(str(settings.TA_MODEL_PATH))
    return EngineClient(engine)


def engine_for(path: str):
    """The in-process engine serving ``path`` (started on first use); for benchmarks and tests."""
    return _engine(str(path))


def shutdown() -> None:
    """Stop the in-process engines (tests, process exit)."""
    with _lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()
