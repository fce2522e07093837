"""`RequestStream`: the consumer's end of one request, fed by an engine's worker thread.

The worker pushes `Delta`s from its own thread (an optional `processor` finishes each one in the consumer's thread:
the batching engine's detokenization); the consumer reads them with ``async for`` (from any asyncio event
loop) or with a plain ``for`` (blocking, e.g. in benchmarks). Leaving an ``async for`` early, calling `cancel()` or
closing the event loop cancels the request, and the engine frees its batch slot before the next decode step.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable

from .types import Completion, Delta


class RequestStream:
    """Iterator (sync and async) over the `Delta`s of one request; the last one has a `finish_reason`."""

    def __init__(
        self,
        request_id: str,
        prompt_tokens: int,
        canceller: Callable[[str], None],
        processor: Callable[[Delta], Delta] | None = None,
    ) -> None:
        self.request_id = request_id
        self._processor = processor  # runs in the consumer's thread (e.g. `engine.output.OutputProcessor`)
        self.prompt_tokens = prompt_tokens
        self._canceller = canceller
        self._items: queue.SimpleQueue[Delta] = queue.SimpleQueue()
        self._finished = threading.Event()  # set by the producer when the last delta was pushed
        self._consumed = False  # the consumer has seen the last delta
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        try:
            self._bind(asyncio.get_running_loop())
        except RuntimeError:
            pass

    # ------------------------------------------------------------------ producer side (any thread)
    def push(self, delta: Delta) -> None:
        self._items.put(delta)
        if delta.finish_reason is not None:
            self._finished.set()
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None:
            try:
                loop.call_soon_threadsafe(wakeup.set)
            except RuntimeError:  # the consumer's loop is closed: nobody will read this any more
                self.cancel()

    @property
    def finished(self) -> bool:
        """True once the producer has pushed the final delta."""
        return self._finished.is_set()

    # ------------------------------------------------------------------ consumer side
    def cancel(self) -> None:
        """Ask the engine to stop this request; a final delta with finish_reason "cancelled" follows."""
        if not self._finished.is_set():
            self._canceller(self.request_id)

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is None:
            self._wakeup = asyncio.Event()
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("a RequestStream can only be read from one event loop")

    def __aiter__(self) -> RequestStream:
        self._bind(asyncio.get_running_loop())
        return self

    async def __anext__(self) -> Delta:
        if self._consumed:
            raise StopAsyncIteration
        assert self._wakeup is not None
        while True:
            try:
                delta = self._items.get_nowait()
                break
            except queue.Empty:
                self._wakeup.clear()
                if not self._items.empty():
                    continue
                try:
                    await self._wakeup.wait()
                except asyncio.CancelledError:
                    self.cancel()
                    raise
        return self._deliver(delta)

    def _deliver(self, delta: Delta) -> Delta:
        if self._processor is not None:
            delta = self._processor(delta)
        if delta.finish_reason is not None:
            self._consumed = True
        return delta

    async def aclose(self) -> None:
        """Cancel the request if it is still running (use in ``finally`` when you stop reading early)."""
        self.cancel()

    def __iter__(self) -> RequestStream:
        return self

    def __next__(self) -> Delta:
        if self._consumed:
            raise StopIteration
        return self._deliver(self._items.get())

    async def collect(self) -> Completion:
        """Read the whole answer (async)."""
        return Completion.from_deltas([d async for d in self])

    def result(self, timeout: float | None = None) -> Completion:
        """Read the whole answer (blocking). Raises TimeoutError if it is not finished after `timeout` seconds."""
        if timeout is not None and not self._finished.wait(timeout):
            raise TimeoutError(f"request {self.request_id} not finished after {timeout} s")
        return Completion.from_deltas(list(self))
