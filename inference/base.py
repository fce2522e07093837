"""What every engine (the batching `Engine`, the `ScriptedEngine`) shares: the submit interface, observers, rates."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from typing import Any, Protocol

from .stream import RequestStream
from .types import SamplingParams

Prompt = list[dict[str, Any]] | list[int] | str
"""Chat messages (``[{"role": ..., "content": ...}]``, rendered with the model's chat template), token ids, or raw
text (tokenized as is, no template)."""


class EngineObserver(Protocol):
    """Receives engine events (e.g. to export Prometheus metrics). Called from the engine's worker thread."""

    def on_first_token(self, ttft_s: float) -> None: ...

    def on_tokens(self, n: int) -> None: ...

    def on_finish(self, reason: str, prompt_tokens: int, completion_tokens: int, latency_s: float) -> None: ...


class EngineBase:
    """Observer fan-out, request ids and a sliding-window tokens/s meter."""

    #: seconds over which `tokens_per_second` is averaged
    rate_window_s = 10.0

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self._observers: list[EngineObserver] = []
        self._events: deque[tuple[float, int]] = deque()
        self._events_lock = threading.Lock()
        self._ids = itertools.count(1)
        self.total_generated_tokens = 0
        self.total_requests = 0

    # ------------------------------------------------------------------ interface
    def submit(
        self, prompt: Prompt, params: SamplingParams | None = None, *, request_id: str | None = None
    ) -> RequestStream:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self) -> EngineBase:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self, timeout: float | None = 10.0) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def queue_depth(self) -> int:
        """Requests submitted but not yet admitted to the batch."""
        return 0

    @property
    def active_sequences(self) -> int:
        """Requests currently in the running batch."""
        return 0

    @property
    def alive(self) -> bool:
        """True while the engine accepts and serves requests."""
        return True

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers for subclasses
    def add_observer(self, observer: EngineObserver) -> None:
        self._observers.append(observer)

    def _new_request_id(self) -> str:
        return f"req-{next(self._ids)}"

    def _emit_first_token(self, ttft_s: float) -> None:
        for o in self._observers:
            o.on_first_token(ttft_s)

    def _emit_tokens(self, n: int) -> None:
        if n <= 0:
            return
        now = time.monotonic()
        with self._events_lock:
            self.total_generated_tokens += n
            self._events.append((now, n))
            while self._events and self._events[0][0] < now - self.rate_window_s:
                self._events.popleft()
        for o in self._observers:
            o.on_tokens(n)

    def _emit_finish(self, reason: str, prompt_tokens: int, completion_tokens: int, latency_s: float) -> None:
        self.total_requests += 1
        for o in self._observers:
            o.on_finish(reason, prompt_tokens, completion_tokens, latency_s)

    def tokens_per_second(self) -> float:
        """Generated tokens per second over the last `rate_window_s` seconds (all requests together)."""
        now = time.monotonic()
        with self._events_lock:
            while self._events and self._events[0][0] < now - self.rate_window_s:
                self._events.popleft()
            total = sum(n for _, n in self._events)
        return total / self.rate_window_s
