"""Output processing, outside the engine loop: token ids → text deltas, stop strings, token texts for logprobs.

The worker thread only pushes token ids (and log-probabilities) into a request's `RequestStream`; the consumer's
thread turns them into text as it reads them (`OutputProcessor`, called by the stream), as vLLM's output processor
does outside its engine core. So the decode loop never waits on the tokenizer, and a stop string found here cancels
the request in the engine (which frees its slot before the next step; the few tokens it generated meanwhile are
dropped). Nothing of a stop string, not even part of one, reaches the consumer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..detok import IncrementalDetokenizer, StopStringMatcher
from ..types import Delta, SamplingParams, TopToken


class OutputProcessor:
    """Per request: turns the engine's token deltas into final `Delta`s (text, tokens, top_logprobs filled in).

    tokenizer_lock: held around every tokenizer call (HF fast tokenizers are not safe from two threads at once).
    abort: called once when a stop string ends the answer before the engine did.
    """

    def __init__(
        self, tokenizer, tokenizer_lock: threading.Lock, prompt_ids: list[int], params: SamplingParams, abort: Callable[[], None]
    ) -> None:
        self._tok = tokenizer
        self._lock = tokenizer_lock
        self._detok = IncrementalDetokenizer(tokenizer, prompt_ids)
        self._stopper = StopStringMatcher(params.stop)
        self._want_tokens = params.wants_logprobs
        self._abort = abort
        self._prompt_tokens = len(prompt_ids)
        self._generated = 0

    def _text(self, token_id: int | None) -> str:
        return self._tok.decode([token_id], skip_special_tokens=False, clean_up_tokenization_spaces=False)

    def __call__(self, delta: Delta) -> Delta:
        final = delta.finish_reason is not None
        if delta.token_ids:
            self._generated += len(delta.token_ids)
            with self._lock:
                piece = "".join(self._detok.push(t) for t in delta.token_ids)
                if self._want_tokens and delta.logprobs:
                    delta.tokens = [self._text(t) for t in delta.token_ids]
                    if delta.top_logprobs:
                        delta.top_logprobs = [
                            [TopToken(t.token_id, self._text(t.token_id), t.logprob) for t in row] for row in delta.top_logprobs
                        ]
            delta.text, stopped = self._stopper.feed(piece)
            if stopped:
                if not final:
                    self._abort()
                delta.finish_reason, delta.error = "stop", None
                delta.prompt_tokens, delta.completion_tokens = self._prompt_tokens, self._generated
                return delta
        if delta.finish_reason in ("stop", "length") and not self._stopper.stopped:
            with self._lock:
                tail, _ = self._stopper.feed(self._detok.flush())
            delta.text += tail + self._stopper.flush()
        return delta
