"""`ModelRunner`: the forward passes. Prefill builds a wave's KV rows (reusing prefix-cache blocks), decode advances
every running row by one token; both pick the next tokens with `inference.sampling.select_tokens`.

With several LoRA adapters loaded (a peft model), each row names its adapter and one forward pass serves them all
(peft's mixed-adapter batches: every LoRA layer applies each adapter to its own rows; `BASE_ADAPTER` rows get none).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ..kv_cache import SlotKVCache
from ..prefix_cache import PrefixCache
from ..sampling import Choice, select_tokens
from .sequence import Sequence


class ModelRunner:
    """Runs `model` (a transformers causal LM or a peft model over one) on batches of sequences."""

    def __init__(
        self, model, *, pad_token_id: int, kv_cache: SlotKVCache, prefix_cache: PrefixCache, multi_adapter: bool
    ) -> None:
        self.model = model
        self.device = next(model.parameters()).device
        self.pad_token_id = pad_token_id
        self.kv_cache = kv_cache
        self.prefix_cache = prefix_cache
        self.multi_adapter = multi_adapter
        self.steps = 0

    def _adapter_kwargs(self, seqs: list[Sequence]) -> dict:
        return {"adapter_names": [s.adapter for s in seqs]} if self.multi_adapter else {}

    @staticmethod
    def groups(items: list[tuple[Sequence, int]]) -> list[list[tuple[Sequence, int]]]:
        """Split (sequence, cached tokens) pairs into prefill batches of similar computed length (padding ≤ 25 %)."""
        groups: list[list[tuple[Sequence, int]]] = []
        for item in sorted(items, key=lambda sc: sc[0].prompt_len - sc[1]):
            if groups:
                g = groups[-1]
                n = item[0].prompt_len - item[1]
                total = sum(s.prompt_len - c for s, c in g) + n
                if n * (len(g) + 1) <= 1.25 * total:
                    g.append(item)
                    continue
            groups.append([item])
        return groups

    def prefill(self, wave: list[Sequence], usable_blocks) -> Iterator[tuple[Sequence, list, list, Choice, int]]:
        """Prefill a wave group by group; yields ``(sequence, keys, values, choice, row_in_choice)`` per sequence,
        keys/values being one ``[kv_heads, prompt_len, head_dim]`` tensor per layer (already in the prefix cache)."""
        cache = self.prefix_cache
        kv, items = {}, []
        for s in wave:
            n, k, v = cache.lookup(s.block_keys[: usable_blocks(s)], s.prompt_len) if cache.enabled else (0, None, None)
            kv[id(s)] = (k, v)
            items.append((s, n))
        for group in self.groups(items):
            yield from self._prefill_group(group, kv)

    def _prefill_group(self, group: list[tuple[Sequence, int]], kv: dict):
        from transformers import DynamicCache

        b = len(group)
        cached = [c for _, c in group]
        new = [s.prompt_len - c for s, c in group]
        past, width = max(cached), max(new)
        # row i: [pad | cached prefix (cached[i]) | pad | new tokens (new[i])]; holes are masked, positions explicit
        ids = torch.full((b, width), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((b, past + width), dtype=torch.long)
        positions = torch.zeros((b, width), dtype=torch.long)
        for i, (s, c) in enumerate(group):
            ids[i, width - new[i] :] = torch.tensor(s.prompt_ids[c:])
            mask[i, past - c : past] = 1
            mask[i, past + width - new[i] :] = 1
            positions[i, width - new[i] :] = torch.arange(c, c + new[i])
        dev = self.device
        pkv = DynamicCache(config=self.model.config)
        if past:
            k0, v0 = next(kv[id(s)] for s, c in group if c)
            layers, heads = k0.shape[0], k0.shape[1]
            pk = torch.zeros((layers, b, heads, past, k0.shape[-1]), dtype=k0.dtype, device=dev)
            pv = torch.zeros((layers, b, heads, past, v0.shape[-1]), dtype=v0.dtype, device=dev)
            for i, (s, c) in enumerate(group):
                if c:
                    k, v = kv[id(s)]
                    pk[:, i, :, past - c :] = k
                    pv[:, i, :, past - c :] = v
            for layer in range(layers):
                pkv.update(pk[layer], pv[layer], layer)
        seqs = [s for s, _ in group]
        out = self.model(
            input_ids=ids.to(dev),
            attention_mask=mask.to(dev),
            position_ids=positions.to(dev),
            past_key_values=pkv,
            use_cache=True,
            logits_to_keep=1,
            **self._adapter_kwargs(seqs),
        )
        choice = select_tokens(out.logits[:, -1], [s.params for s in seqs], [s.generator for s in seqs])
        total = past + width
        for i, (s, c) in enumerate(group):
            lo, hi = past - c, total - new[i]
            if c:
                keys = [torch.cat((layer.keys[i, :, lo:past], layer.keys[i, :, hi:]), dim=1) for layer in pkv.layers]
                values = [torch.cat((layer.values[i, :, lo:past], layer.values[i, :, hi:]), dim=1) for layer in pkv.layers]
            else:
                keys = [layer.keys[i, :, hi:] for layer in pkv.layers]
                values = [layer.values[i, :, hi:] for layer in pkv.layers]
            if self.prefix_cache.enabled:
                self.prefix_cache.insert(s.block_keys, keys, values)
            yield s, keys, values, choice, i
        del pkv, out

    def decode(self, running: list[Sequence]) -> Choice:
        """One decode step for every running row (row i of the KV cache is ``running[i]``)."""
        cache = self.kv_cache
        batch = cache.batch
        mask = cache.prepare_step()
        input_ids = torch.tensor([[s.last_token] for s in running], dtype=torch.long, device=self.device)
        out = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=cache.positions[:batch, None],
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=1,
            **self._adapter_kwargs(running),
        )
        cache.finish_step()
        self.steps += 1
        return select_tokens(out.logits[:, -1], [s.params for s in running], [s.generator for s in running])
