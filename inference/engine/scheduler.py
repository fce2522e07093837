"""`Scheduler`: which sequences wait, which are staged for prefill, which decode; admission and prefill waves.

Three queues, all touched only under the engine's condition variable or by its worker thread:
``waiting`` (submitted, FIFO) → ``staged`` (a batch slot is reserved; waiting for a prefill wave) → ``running`` (rows of
the KV cache, decoded together). A wave takes staged sequences in FIFO order within a budget of *computed* prompt
tokens (prefix-cache hits are free); a sequence whose first uncached block another sequence of the wave will compute
waits one wave and then finds it in the prefix cache, so a burst of prompts with a shared prefix computes it once.
"""

from __future__ import annotations

from collections import deque

from ..errors import EngineOverloadedError
from ..kv_cache import SlotKVCache
from ..prefix_cache import PrefixCache
from .sequence import Sequence


class Scheduler:
    """max_batch_size: running + staged sequences; max_queue: waiting ones; max_prefill_tokens: computed tokens per wave."""

    def __init__(
        self, *, max_batch_size: int, max_queue: int, max_prefill_tokens: int, prefix_cache: PrefixCache, kv_cache: SlotKVCache
    ) -> None:
        self.max_batch_size = max_batch_size
        self.max_queue = max_queue
        self.max_prefill_tokens = max_prefill_tokens
        self.prefix_cache = prefix_cache
        self.kv_cache = kv_cache
        self.waiting: deque[Sequence] = deque()
        self.staged: list[Sequence] = []
        self.running: list[Sequence] = []  # row i of `kv_cache` is running[i]

    def has_work(self) -> bool:
        return bool(self.waiting or self.staged or self.running)

    def add(self, seq: Sequence) -> None:
        """Queue a sequence (under the engine lock). Raises EngineOverloadedError when `max_queue` are waiting."""
        if len(self.waiting) >= self.max_queue:
            raise EngineOverloadedError(f"{len(self.waiting)} requests are already waiting")
        self.waiting.append(seq)

    def admit(self) -> None:
        """Move waiting sequences to the free batch slots (FIFO; under the engine lock)."""
        free = self.max_batch_size - len(self.running) - len(self.staged)
        while self.waiting and free > 0:
            self.staged.append(self.waiting.popleft())
            free -= 1

    def usable_blocks(self, seq: Sequence) -> int:
        """Prefix-cache blocks a sequence may reuse: full blocks before its last token (whose logits are needed)."""
        return min(len(seq.block_keys), (seq.prompt_len - 1) // self.prefix_cache.block_size)

    def next_wave(self) -> list[Sequence]:
        """Take the staged sequences to prefill now (see module docstring)."""
        cache = self.prefix_cache
        budget = self.max_prefill_tokens
        wave: list[Sequence] = []
        computing: set[bytes] = set()
        for seq in self.staged:
            usable = self.usable_blocks(seq)
            hit = cache.match(seq.block_keys[:usable])
            if hit < usable and seq.block_keys[hit] in computing:
                continue
            cost = seq.prompt_len - hit * cache.block_size
            if wave and cost > budget:
                break
            wave.append(seq)
            computing.update(seq.block_keys[hit:])
            budget -= cost
        if wave:
            taken = {id(s) for s in wave}
            self.staged = [s for s in self.staged if id(s) not in taken]
        return wave

    def take_cancelled(self, cancelled: set[str]) -> list[Sequence]:
        """Remove the sequences whose ids are in `cancelled` from every queue (rows leave the KV cache); returns them."""
        if not cancelled:
            return []
        out = [s for s in self.waiting if s.request_id in cancelled] + [s for s in self.staged if s.request_id in cancelled]
        self.waiting = deque(s for s in self.waiting if s.request_id not in cancelled)
        self.staged = [s for s in self.staged if s.request_id not in cancelled]
        for row in range(len(self.running) - 1, -1, -1):
            if self.running[row].request_id in cancelled:
                out.append(self.running[row])
                self.remove_row(row)
        return out

    def add_running(self, seq: Sequence, keys, values) -> None:
        """A prefilled sequence joins the decode batch with its prompt's keys/values (one tensor per layer)."""
        self.kv_cache.add_row(keys, values, next_position=seq.prompt_len)
        self.running.append(seq)

    def remove_row(self, row: int) -> None:
        """Drop running row `row`; the last row moves into its place (cache and list stay aligned)."""
        moved = self.kv_cache.remove_row(row)
        if moved is not None:
            self.running[row] = self.running[moved]
        self.running.pop()

    def drain(self) -> list[Sequence]:
        """Empty every queue and the KV cache; returns what was in them."""
        out = list(self.staged) + list(self.waiting) + list(self.running)
        self.waiting, self.staged = deque(), []
        self.reset_running()
        return out

    def reset_running(self) -> None:
        self.running.clear()
        while self.kv_cache.batch:
            self.kv_cache.remove_row(self.kv_cache.batch - 1)
