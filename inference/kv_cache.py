"""A batch KV cache whose rows (sequences) can join and leave between decode steps.

Layout. Every layer keeps two preallocated buffers of shape ``[max_batch, kv_heads, capacity, head_dim]``. Rows
``0 .. batch-1`` are the active sequences; all rows share one column counter ``length`` (the "time" axis) and a decode
step writes every row's new key/value at column ``length``. A row does not need to own a contiguous run of columns:
`valid` (a ``[max_batch, capacity]`` bool mask, passed to the model as its 2-D attention mask) marks which columns hold
that row's tokens, and rotary position ids are applied when keys are written, so holes in a row are invisible to
attention. That is what makes joining and leaving cheap:

* join: a prefilled prompt of ``p`` tokens is copied into row ``batch`` at columns ``0 .. p-1``; if ``p > length`` the
  shared counter jumps to ``p`` (the other rows get masked holes);
* leave: the last active row is copied over the leaving row (one row copy per layer), so rows stay dense;
* compaction: when the counter reaches the capacity, every row's valid columns are gathered to the left (a per-row
  gather) — the buffers grow (×2) only if the longest live sequence still does not fit.

Buffers are zero-initialised and only ever hold finite model outputs, so masked columns contribute exactly zero.

This is the contiguous-per-row scheme of HF `generate` with left padding, made dynamic — not paged attention (Kwon et al.
2023, vLLM), which avoids the per-row copies at the price of custom attention kernels. It plugs into any transformers
decoder whose layers are all full attention, through the `transformers.cache_utils.Cache` interface.
"""

from __future__ import annotations

import torch
from transformers.cache_utils import Cache, DynamicLayer


class _SlotLayer(DynamicLayer):
    """One decoder layer's view of a `SlotKVCache`: writes new keys at the shared column, returns the live window."""

    def __init__(self, owner: SlotKVCache, index: int) -> None:
        super().__init__()
        self._owner = owner
        self._index = index

    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        self._owner._ensure_buffers(key_states, value_states)
        self.is_initialized = True

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        owner = self._owner
        k_buf, v_buf = owner.k[self._index], owner.v[self._index]
        b, q = key_states.shape[0], key_states.shape[-2]
        start = owner.length
        k_buf[:b, :, start : start + q].copy_(key_states)
        v_buf[:b, :, start : start + q].copy_(value_states)
        self.keys = k_buf[:b, :, : start + q]
        self.values = v_buf[:b, :, : start + q]
        return self.keys, self.values

    def get_mask_sizes(self, query_length: int) -> tuple[int, int]:
        return self._owner.length + query_length, 0

    def get_seq_length(self) -> int:
        return self._owner.length

    def get_max_length(self) -> int:
        return -1

    def crop(self, tokens_to_remove: int) -> None:  # pragma: no cover - never used by the engine
        raise NotImplementedError("SlotKVCache rows are managed by the engine")


class SlotKVCache(Cache):
    """KV cache for up to `max_batch` sequences that join and leave between decode steps (see module docstring).

    Shapes: ``k[layer]`` and ``v[layer]`` are ``[max_batch, kv_heads, capacity, head_dim]``; ``valid`` is
    ``[max_batch, capacity]`` (bool); ``positions`` is ``[max_batch]`` (int64, the position id of each row's next token).
    """

    def __init__(self, num_layers: int, max_batch: int, *, capacity: int = 256, max_capacity: int = 1 << 20) -> None:
        self.max_batch = max_batch
        self.capacity = capacity
        self.max_capacity = max_capacity
        self.length = 0  # shared column counter: next decode step writes column `length`
        self.batch = 0  # active rows are 0 .. batch-1
        self.live: list[int] = []  # valid columns of each active row, kept on the host (no device sync per step)
        self.k: list[torch.Tensor] = []
        self.v: list[torch.Tensor] = []
        self.valid: torch.Tensor | None = None
        self.positions: torch.Tensor | None = None
        super().__init__(layers=[_SlotLayer(self, i) for i in range(num_layers)])

    # ------------------------------------------------------------------ allocation
    def _ensure_buffers(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        if self.k:
            return
        self.allocate(key_states.shape[1], key_states.shape[-1], value_states.shape[-1], key_states.dtype, key_states.device)

    def allocate(self, kv_heads: int, k_dim: int, v_dim: int, dtype: torch.dtype, device: torch.device) -> None:
        """Allocate the zeroed buffers (done lazily by the first `add_row`)."""
        self.k = [torch.zeros(self.max_batch, kv_heads, self.capacity, k_dim, dtype=dtype, device=device) for _ in self.layers]
        self.v = [torch.zeros(self.max_batch, kv_heads, self.capacity, v_dim, dtype=dtype, device=device) for _ in self.layers]
        self.valid = torch.zeros(self.max_batch, self.capacity, dtype=torch.bool, device=device)
        self.positions = torch.zeros(self.max_batch, dtype=torch.long, device=device)
        for layer in self.layers:
            layer.is_initialized = True

    def _grow(self, new_capacity: int) -> None:
        new_capacity = min(new_capacity, self.max_capacity)
        if new_capacity <= self.capacity:
            raise RuntimeError(f"KV cache cannot grow beyond {self.max_capacity} columns")

        def widen(t: torch.Tensor) -> torch.Tensor:
            shape = list(t.shape)
            shape[2 if t.dim() == 4 else 1] = new_capacity
            out = torch.zeros(shape, dtype=t.dtype, device=t.device)
            if t.dim() == 4:
                out[:, :, : self.capacity].copy_(t)
            else:
                out[:, : self.capacity].copy_(t)
            return out

        self.k = [widen(t) for t in self.k]
        self.v = [widen(t) for t in self.v]
        self.valid = widen(self.valid)
        self.capacity = new_capacity

    # ------------------------------------------------------------------ row management
    def add_row(self, keys: list[torch.Tensor], values: list[torch.Tensor], next_position: int) -> int:
        """Append a prefilled sequence as row `batch`; returns its row index.

        keys/values: one ``[kv_heads, p, head_dim]`` tensor per layer (the prompt's cache, no padding).
        next_position: the position id of the sequence's next token (= p for a fresh prompt).
        """
        if self.batch >= self.max_batch:
            raise RuntimeError("SlotKVCache is full")
        p = keys[0].shape[-2]
        if not self.k:
            self.allocate(keys[0].shape[0], keys[0].shape[-1], values[0].shape[-1], keys[0].dtype, keys[0].device)
        self.reserve(p)
        row = self.batch
        for layer_k, layer_v, k, v in zip(self.k, self.v, keys, values):
            layer_k[row, :, :p].copy_(k)
            layer_v[row, :, :p].copy_(v)
        self.valid[row].zero_()
        self.valid[row, :p] = True
        self.positions[row] = next_position
        self.length = max(self.length, p)
        self.batch += 1
        self.live.append(p)
        return row

    def remove_row(self, row: int) -> int | None:
        """Drop `row`; the last active row moves into its place. Returns the index the moved row had (or None)."""
        last = self.batch - 1
        moved = None
        if row != last:
            for layer_k, layer_v in zip(self.k, self.v):
                layer_k[row, :, : self.length].copy_(layer_k[last, :, : self.length])
                layer_v[row, :, : self.length].copy_(layer_v[last, :, : self.length])
            self.valid[row].copy_(self.valid[last])
            self.positions[row] = self.positions[last]
            self.live[row] = self.live[last]
            moved = last
        self.live.pop()
        self.batch -= 1
        if self.batch == 0:
            self.length = 0
        return moved

    def reserve(self, columns: int) -> None:
        """Make sure column indices ``< columns`` exist, compacting or growing the buffers if needed."""
        if columns <= self.capacity:
            return
        self.compact()
        while columns > self.capacity:
            self._grow(self.capacity * 2)

    def compact(self) -> None:
        """Gather every active row's valid columns to the left; `length` becomes the longest row's token count."""
        b = self.batch
        if b == 0:
            self.length = 0
            return
        valid = self.valid[:b, : self.length]
        counts = valid.sum(dim=1)
        new_len = max(self.live)
        if new_len == self.length:
            return
        # stable order of valid columns per row: sort keys (invalid → +inf) and take the first `new_len`
        cols = torch.arange(self.length, device=valid.device).expand(b, -1)
        order = torch.where(valid, cols, cols + self.length).argsort(dim=1)[:, :new_len]  # [b, new_len]
        for layer_k, layer_v in zip(self.k, self.v):
            for buf in (layer_k, layer_v):
                idx = order[:, None, :, None].expand(b, buf.shape[1], new_len, buf.shape[3])
                gathered = buf[:b, :, : self.length].gather(2, idx)
                buf[:b, :, :new_len].copy_(gathered)
        new_valid = torch.arange(new_len, device=valid.device)[None, :] < counts[:, None]
        self.valid[:b].zero_()
        self.valid[:b, :new_len] = new_valid
        self.length = new_len

    # ------------------------------------------------------------------ decode-step helpers
    def prepare_step(self) -> torch.Tensor:
        """Reserve the column of the next decode token for every active row; returns the ``[batch, length+1]`` mask."""
        live_max = max(self.live) if self.live else 0
        # compact when the shared counter has drifted far beyond the longest live row (holes cost attention time)
        if self.length + 1 > self.capacity or (self.length > 2 * live_max + 64):
            self.compact()
        self.reserve(self.length + 1)
        self.valid[: self.batch, self.length] = True
        return self.valid[: self.batch, : self.length + 1]

    def finish_step(self) -> None:
        """Advance the shared column counter and every row's position after a decode forward."""
        self.length += 1
        self.positions[: self.batch] += 1
        self.live = [n + 1 for n in self.live]

    def nbytes(self) -> int:
        """Bytes held by the key/value buffers."""
        return sum(t.numel() * t.element_size() for t in self.k + self.v)
