"""`Sequence`: one request's state inside the engine (prompt, sampling state, progress), owned by the worker thread."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from ..stream import RequestStream
from ..types import SamplingParams

BASE_ADAPTER = "__base__"
"""The adapter name of a request served by the base model alone (peft's name for "no adapter" in mixed batches)."""


@dataclass
class Sequence:
    """A request from admission to finish.

    prompt_ids: the prompt's token ids. max_new: most tokens to generate (max_tokens clipped to the context window).
    generator: the request's own random generator (None when greedy). adapter: the LoRA adapter that serves it
    (`BASE_ADAPTER` for the base model). block_keys: its prompt's prefix-cache block hashes (adapter-salted).
    generated / last_token: progress; done: a final output was pushed.
    """

    request_id: str
    prompt_ids: list[int]
    params: SamplingParams
    stream: RequestStream
    max_new: int
    generator: torch.Generator | None
    adapter: str = BASE_ADAPTER
    block_keys: list[bytes] = field(default_factory=list)
    submitted_at: float = field(default_factory=time.perf_counter)
    generated: int = 0
    last_token: int = -1
    done: bool = False

    @property
    def prompt_len(self) -> int:
        return len(self.prompt_ids)
