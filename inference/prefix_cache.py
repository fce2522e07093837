"""Automatic prefix caching: the keys/values of recent prompts, reused when a new prompt starts with the same tokens.

The TA's prompts share long prefixes (the tutor's rules, often the same retrieved passages), so most of a prompt's
prefill can be skipped. As in vLLM's automatic prefix caching (Kwon et al. 2023, "Efficient Memory Management for
Large Language Model Serving with PagedAttention", SOSP; vLLM docs "Automatic Prefix Caching"), a prompt is cut into
blocks of `block_size` tokens and block ``i`` is named by a hash chained over blocks ``0..i`` — so equal keys mean
equal prefixes, and a lookup walks a new prompt's blocks until the first miss. Only full blocks are stored.

Keys are BLAKE2b digests (16 bytes) of the parent key and the block's token ids: collisions are as unlikely as a
cryptographic hash makes them (vLLM offers SHA-256 for the same reason). A block holds every layer's keys and values
for its tokens, ``k: [layers, kv_heads, block_size, k_dim]`` and ``v: [layers, kv_heads, block_size, v_dim]``
(position ids are baked into the keys by rotary embeddings, and a block always sits at the same positions, since its
key fixes everything before it). Eviction is LRU under a byte cap; a lookup refreshes a chain leaf-first, so that a
chain's root is the most recently used and a partial eviction cuts chains from the tail.

Not thread-safe: the engine's worker thread is its only user (`block_keys` is a pure function and may run anywhere).
"""

from __future__ import annotations

import hashlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass

import torch


@dataclass
class PrefixCacheStats:
    """Counters since the cache was created or cleared. Tokens: prompt tokens looked up (`queried_tokens`) and found
    (`hit_tokens`); `evicted_blocks`: blocks dropped to stay under the byte cap."""

    queried_tokens: int = 0
    hit_tokens: int = 0
    inserted_blocks: int = 0
    evicted_blocks: int = 0

    @property
    def hit_rate(self) -> float:
        """hit_tokens / queried_tokens, in [0, 1] (0 before any lookup)."""
        return self.hit_tokens / self.queried_tokens if self.queried_tokens else 0.0


class PrefixCache:
    """Block-hashed, LRU, byte-capped store of prompt keys/values (see module docstring).

    block_size: tokens per block (≥ 1). max_bytes: cap on the bytes of stored tensors (0 disables the cache).
    """

    def __init__(self, block_size: int = 16, max_bytes: int = 256 << 20) -> None:
        if block_size < 1:
            raise ValueError("block_size must be ≥ 1")
        self.block_size = block_size
        self.max_bytes = max_bytes
        self._blocks: OrderedDict[bytes, tuple[torch.Tensor, torch.Tensor]] = OrderedDict()
        self.nbytes = 0
        self.stats = PrefixCacheStats()

    def __len__(self) -> int:
        return len(self._blocks)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def clear(self) -> None:
        """Drop every block and reset the counters."""
        self._blocks.clear()
        self.nbytes = 0
        self.stats = PrefixCacheStats()

    def block_keys(self, token_ids: list[int], salt: bytes = b"") -> list[bytes]:
        """The chained key of each full block of `token_ids` (``len(token_ids) // block_size`` keys). `salt` starts
        the chain: prompts served with different weights (a LoRA adapter's name) never share blocks."""
        b = self.block_size
        keys: list[bytes] = []
        parent = salt
        for start in range(0, len(token_ids) - b + 1, b):
            h = hashlib.blake2b(parent, digest_size=16)
            h.update(array("q", token_ids[start : start + b]).tobytes())
            parent = h.digest()
            keys.append(parent)
        return keys

    def match(self, keys: list[bytes]) -> int:
        """How many leading blocks of `keys` are stored (no side effects)."""
        n = 0
        for key in keys:
            if key not in self._blocks:
                break
            n += 1
        return n

    def lookup(self, keys: list[bytes], prompt_tokens: int | None = None) -> tuple[int, torch.Tensor | None, torch.Tensor | None]:
        """Longest stored prefix of a prompt whose block keys are `keys`.

        Returns (tokens, k, v): k ``[layers, kv_heads, tokens, k_dim]`` and v likewise (None when tokens == 0).
        prompt_tokens: the prompt's length, for the hit-rate counters (default: the keys' tokens).
        """
        n = self.match(keys)
        self.stats.queried_tokens += prompt_tokens if prompt_tokens is not None else len(keys) * self.block_size
        if n == 0:
            return 0, None, None
        for key in reversed(keys[:n]):  # leaf first: the root ends up most recently used
            self._blocks.move_to_end(key)
        blocks = [self._blocks[key] for key in keys[:n]]
        k = torch.cat([kb for kb, _ in blocks], dim=2) if n > 1 else blocks[0][0]
        v = torch.cat([vb for _, vb in blocks], dim=2) if n > 1 else blocks[0][1]
        self.stats.hit_tokens += n * self.block_size
        return n * self.block_size, k, v

    def insert(self, keys: list[bytes], k: list[torch.Tensor], v: list[torch.Tensor]) -> int:
        """Store the full blocks of a prompt not stored yet; returns how many were added.

        keys: the prompt's `block_keys`. k, v: per layer ``[kv_heads, tokens, dim]`` with tokens ≥ len(keys) ×
        block_size (the prompt's keys/values from position 0; tensors are copied, callers may reuse theirs).
        """
        if not self.enabled:
            return 0
        b = self.block_size
        added = 0
        for i, key in enumerate(keys):
            if key in self._blocks:
                continue
            kb = torch.stack([t[:, i * b : (i + 1) * b] for t in k])  # a copy: [layers, heads, block, dim]
            vb = torch.stack([t[:, i * b : (i + 1) * b] for t in v])
            size = kb.numel() * kb.element_size() + vb.numel() * vb.element_size()
            if size > self.max_bytes:
                break
            self._blocks[key] = (kb, vb)
            self.nbytes += size
            added += 1
        for key in reversed(keys):  # leaf first, as in `lookup`
            if key in self._blocks:
                self._blocks.move_to_end(key)
        self.stats.inserted_blocks += added
        self._evict()
        return added

    def _evict(self) -> None:
        while self.nbytes > self.max_bytes and self._blocks:
            _, (kb, vb) = self._blocks.popitem(last=False)
            self.nbytes -= kb.numel() * kb.element_size() + vb.numel() * vb.element_size()
            self.stats.evicted_blocks += 1
