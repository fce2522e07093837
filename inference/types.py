"""Plain data types shared by the engines, the server and the clients (no torch import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from .errors import InvalidRequestError

FinishReason = Literal["stop", "length", "cancelled", "error"]

#: OpenAI caps `top_logprobs` at 20.
MAX_TOP_LOGPROBS = 20


class TopToken(NamedTuple):
    """One alternative at a position: its id (None where unknown), text and log-probability (natural log)."""

    token_id: int | None
    token: str
    logprob: float


@dataclass(frozen=True)
class SamplingParams:
    """Per-request decoding parameters (the OpenAI chat-completions ones).

    max_tokens: most new tokens to generate (≥ 1); clipped to the model's context window.
    temperature: 0 → greedy (argmax); otherwise softmax(logits / temperature) sampling, in [0, 2].
    top_p: nucleus sampling mass in (0, 1] (Holtzman et al. 2020); ignored when greedy.
    seed: seeds this request's own random generator, so a request is reproducible whatever else is in the batch.
    stop: strings that end the answer (not included in it), at most 4 as in the OpenAI API.
    stop_token_ids: extra token ids that end the answer, besides the model's EOS.
    logprobs: return each generated token's log-probability (natural log, under the model's distribution at
      temperature 1 before top-p, like vLLM's default).
    top_logprobs: also return the k most likely alternatives at each position (0 ≤ k ≤ 20); implies logprobs.
    ignore_eos: keep generating after EOS until max_tokens (benchmarks only, as in vLLM).
    """

    max_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    stop_token_ids: tuple[int, ...] = ()
    logprobs: bool = False
    top_logprobs: int = 0
    ignore_eos: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.stop, str):
            object.__setattr__(self, "stop", (self.stop,))
        object.__setattr__(self, "stop", tuple(self.stop))
        object.__setattr__(self, "stop_token_ids", tuple(int(t) for t in self.stop_token_ids))
        if not isinstance(self.max_tokens, int) or isinstance(self.max_tokens, bool) or self.max_tokens < 1:
            raise InvalidRequestError(f"max_tokens must be an integer ≥ 1, got {self.max_tokens!r}")
        if not 0.0 <= float(self.temperature) <= 2.0:
            raise InvalidRequestError(f"temperature must be in [0, 2], got {self.temperature!r}")
        if not 0.0 < float(self.top_p) <= 1.0:
            raise InvalidRequestError(f"top_p must be in (0, 1], got {self.top_p!r}")
        if not 0 <= int(self.top_logprobs) <= MAX_TOP_LOGPROBS:
            raise InvalidRequestError(f"top_logprobs must be in [0, {MAX_TOP_LOGPROBS}], got {self.top_logprobs!r}")
        if len(self.stop) > 4 or any(not isinstance(s, str) or not s for s in self.stop):
            raise InvalidRequestError("stop must be at most 4 non-empty strings")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0

    @property
    def wants_logprobs(self) -> bool:
        return self.logprobs or self.top_logprobs > 0


@dataclass
class Delta:
    """One streamed piece of a request's output.

    text: new text (may be empty while a multi-byte character or a possible stop string is pending).
    token_ids: the tokens generated since the previous delta (EOS/stop tokens are not included).
    logprobs: their log-probabilities (natural log), same length as token_ids; empty unless requested.
    tokens: the text of each of those tokens (as the tokenizer decodes it alone), when logprobs were requested.
    top_logprobs: per token, the most likely alternatives (`TopToken`), when top_logprobs was requested.
    finish_reason: None while streaming; on the last delta "stop" (EOS, stop token or stop string), "length"
      (max_tokens or context window), "cancelled" or "error".
    prompt_tokens / completion_tokens: usage, set on the last delta.
    error: the error message when finish_reason == "error".
    """

    text: str = ""
    token_ids: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    tokens: list[str] | None = None
    top_logprobs: list[list[TopToken]] | None = None
    finish_reason: FinishReason | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error: str | None = None


@dataclass
class Completion:
    """A whole answer, gathered from a request's deltas (see `RequestStream.collect`)."""

    text: str
    token_ids: list[int]
    logprobs: list[float]
    finish_reason: FinishReason | None
    prompt_tokens: int
    completion_tokens: int
    tokens: list[str] | None = None
    top_logprobs: list[list[TopToken]] | None = None
    error: str | None = None

    @classmethod
    def from_deltas(cls, deltas: list[Delta]) -> Completion:
        last = deltas[-1] if deltas else Delta(finish_reason="error", error="no output")
        tops = [t for d in deltas if d.top_logprobs for t in d.top_logprobs]
        return cls(
            text="".join(d.text for d in deltas),
            token_ids=[t for d in deltas for t in d.token_ids],
            logprobs=[lp for d in deltas for lp in d.logprobs],
            finish_reason=last.finish_reason,
            prompt_tokens=last.prompt_tokens or 0,
            completion_tokens=last.completion_tokens or 0,
            tokens=[t for d in deltas if d.tokens for t in d.tokens] or None,
            top_logprobs=tops or None,
            error=last.error,
        )
