"""`ScriptedEngine`: an engine that streams canned replies — a stand-in model for tests and demos.

It has the `Engine` interface (`submit` → `RequestStream` of `Delta`s, cancellation, max_tokens, stop strings,
log-probabilities, observers) and can be served by `inference.serve --scripted FILE`, so everything above the engine
(server, client, the tutor's leak filter and escalation logic) can be exercised with a backend that says exactly what
a test needs — including one that "tries to leak" a stored answer, or answers with low confidence.

Which reply a request gets, in order: the next reply queued with `queue_reply` (or passed as `replies`), else the first
rule whose regular expression matches the last user message, else `default`. A reply is a string, or a dict
``{"text": ..., "logprob": -2.5}`` to choose the per-token log-probability (the TA's confidence signal), or a callable
taking the prompt and returning either.

JSON file format (``--scripted FILE``)::

    {"model": "scripted", "default": "I can help with that.", "delay_ms": 10, "logprob": -0.05,
     "replies": ["first call's reply", "second call's reply"],
     "rules": [{"match": "(?i)answer", "reply": "The answer is 42.", "logprob": -0.1}]}
"""

from __future__ import annotations

import collections
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..base import EngineBase, Prompt
from ..detok import StopStringMatcher
from ..errors import EngineClosedError, InvalidRequestError
from ..stream import RequestStream
from ..types import Delta, SamplingParams, TopToken

Reply = str | dict[str, Any] | Callable[[Prompt], "str | dict[str, Any]"]

_PIECES = re.compile(r"\s*\S+|\s+")


def _last_user_text(prompt: Prompt) -> str:
    if isinstance(prompt, str):
        return prompt
    if prompt and isinstance(prompt[0], dict):
        users = [m for m in prompt if m.get("role") == "user"] or list(prompt)
        content = users[-1].get("content", "")
        if isinstance(content, list):  # OpenAI content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return str(content)
    return " ".join(str(t) for t in prompt)


class ScriptedEngine(EngineBase):
    """Streams canned text word by word (see module docstring).

    replies: replies for the next calls, in order. rules: ``(regex, reply)`` pairs tried on the last user message.
    default: the reply when nothing else applies. delay_s: pause before each piece (simulates decoding speed).
    logprob: the log-probability given to every piece unless the reply sets its own.
    """

    def __init__(
        self,
        replies: list[Reply] | None = None,
        *,
        rules: list[tuple[str, Reply]] | None = None,
        default: Reply = "I am a scripted assistant.",
        delay_s: float = 0.0,
        logprob: float = -0.05,
        model_name: str = "scripted",
    ) -> None:
        super().__init__(model_name)
        self._queue: collections.deque[Reply] = collections.deque(replies or [])
        self.rules = [(re.compile(pattern), reply) for pattern, reply in (rules or [])]
        self.default = default
        self.delay_s = delay_s
        self.logprob = logprob
        self.calls: list[Prompt] = []  # every prompt received, for assertions
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._active = 0
        self._closed = False

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedEngine:
        """Build from a JSON script (format in the module docstring). Raises InvalidRequestError if malformed."""
        try:
            spec = json.loads(Path(path).read_text(encoding="utf-8"))
            rules = [
                (r["match"], {"text": r["reply"], **({"logprob": r["logprob"]} if "logprob" in r else {})})
                for r in spec.get("rules", [])
            ]
            return cls(
                replies=list(spec.get("replies", [])),
                rules=rules,
                default=spec.get("default", "I am a scripted assistant."),
                delay_s=float(spec.get("delay_ms", 0)) / 1000.0,
                logprob=float(spec.get("logprob", -0.05)),
                model_name=spec.get("model", "scripted"),
            )
        except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
            raise InvalidRequestError(f"bad script file {path}: {exc}") from exc

    def queue_reply(self, reply: Reply) -> None:
        """Use `reply` for the next call (after the replies already queued)."""
        with self._lock:
            self._queue.append(reply)

    # ------------------------------------------------------------------ engine interface
    def start(self) -> ScriptedEngine:
        self._closed = False
        return self

    def close(self, timeout: float | None = 10.0) -> None:
        self._closed = True

    @property
    def alive(self) -> bool:
        return not self._closed

    @property
    def active_sequences(self) -> int:
        return self._active

    def cancel(self, request_id: str) -> None:
        with self._lock:
            self._cancelled.add(request_id)

    def _pick(self, prompt: Prompt) -> tuple[str, float]:
        with self._lock:
            reply = self._queue.popleft() if self._queue else None
        if reply is None:
            text = _last_user_text(prompt)
            reply = next((r for pattern, r in self.rules if pattern.search(text)), self.default)
        if callable(reply):
            reply = reply(prompt)
        if isinstance(reply, dict):
            return str(reply.get("text", "")), float(reply.get("logprob", self.logprob))
        return str(reply), self.logprob

    def submit(self, prompt: Prompt, params: SamplingParams | None = None, *, request_id: str | None = None) -> RequestStream:
        params = params or SamplingParams()
        if self._closed:
            raise EngineClosedError("the scripted engine is closed")
        if not prompt:
            raise InvalidRequestError("the prompt is empty")
        self.calls.append(prompt)
        text, logprob = self._pick(prompt)
        prompt_tokens = len(_PIECES.findall(_last_user_text(prompt))) or 1
        rid = request_id or self._new_request_id()
        stream = RequestStream(rid, prompt_tokens, self.cancel)
        pieces = _PIECES.findall(text)
        with self._lock:
            self._active += 1
        threading.Thread(
            target=self._play, args=(rid, stream, pieces, logprob, params, prompt_tokens), daemon=True, name=f"scripted-{rid}"
        ).start()
        return stream

    def _play(
        self, rid: str, stream: RequestStream, pieces: list[str], logprob: float, params: SamplingParams, prompt_tokens: int
    ) -> None:
        started = time.perf_counter()
        stopper = StopStringMatcher(params.stop)
        reason, generated = "stop", 0
        try:
            for i, piece in enumerate(pieces):
                if self.delay_s:
                    time.sleep(self.delay_s)
                with self._lock:
                    cancelled = rid in self._cancelled
                if cancelled or self._closed:
                    reason = "cancelled"
                    break
                if generated == 0:
                    self._emit_first_token(time.perf_counter() - started)
                generated += 1
                self._emit_tokens(1)
                out, stopped = stopper.feed(piece)
                delta = Delta(text=out, token_ids=[i])
                if params.wants_logprobs:
                    delta.logprobs, delta.tokens = [logprob], [piece]
                if params.top_logprobs:
                    delta.top_logprobs = [[TopToken(i, piece, logprob)]]
                if stopped:
                    reason = "stop"
                    stream.push(delta)
                    break
                if generated >= params.max_tokens:
                    delta.text += stopper.flush()
                    reason = "length"
                    stream.push(delta)
                    break
                stream.push(delta)
            else:
                tail = stopper.flush()
                if tail:
                    stream.push(Delta(text=tail))
            stream.push(Delta(finish_reason=reason, prompt_tokens=prompt_tokens, completion_tokens=generated))
            self._emit_finish(reason, prompt_tokens, generated, time.perf_counter() - started)
        finally:
            with self._lock:
                self._active -= 1
                self._cancelled.discard(rid)
