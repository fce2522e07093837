"""Automatic prefix caching: reused keys/values give the same tokens as greedy `generate`; hits, eviction, cancel."""

from __future__ import annotations

import asyncio
import random

import torch

from inference.prefix_cache import PrefixCache
from inference.types import SamplingParams

GREEDY = dict(ignore_eos=True)


def _tokens(n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(3, 500) for _ in range(n)]


def _kv(tokens: int, layers: int = 2, heads: int = 2, dim: int = 3, base: float = 0.0):
    """Per-layer fake keys/values whose entries tell the position they belong to."""
    pos = torch.arange(tokens, dtype=torch.float32)[None, :, None].expand(heads, tokens, dim)
    return [pos + base + 1000 * layer for layer in range(layers)], [-(pos + base) for _ in range(layers)]


# ---------------------------------------------------------------------------------------------- the store itself
def test_block_keys_name_whole_prefixes():
    cache = PrefixCache(block_size=4)
    a = cache.block_keys(list(range(10)))
    b = cache.block_keys(list(range(8)) + [99, 98, 97, 96])
    c = cache.block_keys([0, 1, 2, 3, 4, 5, 6, 99, 8, 9, 10, 11])
    assert len(a) == 2 and len(b) == 3  # only full blocks
    assert a == b[:2]
    assert c[0] == a[0] and c[1] != a[1] and c[2] != b[2]  # a difference changes every later key


def test_lookup_returns_the_stored_prefix_and_counts_hits():
    cache = PrefixCache(block_size=4)
    ids = list(range(11))
    k, v = _kv(11)
    assert cache.insert(cache.block_keys(ids), k, v) == 2
    n, hk, hv = cache.lookup(cache.block_keys(list(range(9)) + [77, 78, 79]), prompt_tokens=12)
    assert n == 8 and hk.shape == (2, 2, 8, 3)
    assert torch.equal(hk[1], k[1][:, :8]) and torch.equal(hv[0], v[0][:, :8])
    assert cache.lookup(cache.block_keys([5, 5, 5, 5]))[0] == 0
    assert cache.stats.hit_tokens == 8 and cache.stats.queried_tokens == 16


def test_lru_eviction_under_the_byte_cap_cuts_chains_from_the_tail():
    probe = PrefixCache(block_size=4)
    probe.insert(probe.block_keys(list(range(4))), *_kv(4))
    block_bytes = probe.nbytes
    cache = PrefixCache(block_size=4, max_bytes=5 * block_bytes)
    a, b = list(range(100, 116)), list(range(200, 216))  # 4 blocks each
    cache.insert(cache.block_keys(a), *_kv(16))
    cache.insert(cache.block_keys(b), *_kv(16, base=0.5))
    assert cache.nbytes <= cache.max_bytes and len(cache) == 5 and cache.stats.evicted_blocks == 3
    assert cache.match(cache.block_keys(b)) == 4  # the newest prompt is whole
    assert cache.match(cache.block_keys(a)) == 1  # the older one kept its root, lost its tail
    cache.lookup(cache.block_keys(a))  # a lookup makes `a` recent: the next eviction takes b's tail
    cache.insert(cache.block_keys(list(range(300, 304))), *_kv(4))
    assert cache.match(cache.block_keys(a)) == 1 and cache.match(cache.block_keys(b)) == 3


def test_disabled_cache_stores_nothing():
    cache = PrefixCache(block_size=4, max_bytes=0)
    assert cache.insert(cache.block_keys(list(range(8))), *_kv(8)) == 0 and len(cache) == 0


# ---------------------------------------------------------------------------------------------- through the engine
async def test_shared_prefixes_and_partial_hits_match_generate(make_engine, greedy):
    engine = make_engine(prefix_block_size=4)
    shared = _tokens(37, seed=1)
    first = await engine.submit(shared + [11, 12, 13], SamplingParams(max_tokens=8, **GREEDY)).collect()
    assert first.token_ids == greedy(shared + [11, 12, 13], 8)
    before = engine.prefix_cache.stats.hit_tokens
    prompts = [
        shared + [11, 12, 13],  # the same prompt again: all but its last block-aligned token reused
        shared[:30] + _tokens(9, seed=2),  # diverges inside a block
        shared + _tokens(20, seed=3),  # a longer continuation
        shared[:4],  # shorter than the cached prefix
        shared[:33],  # ends exactly after the last full block of the cached prefix + 1
    ]
    streams = [engine.submit(p, SamplingParams(max_tokens=10, **GREEDY)) for p in prompts]
    results = await asyncio.gather(*(s.collect() for s in streams))
    for prompt, result in zip(prompts, results):
        assert result.token_ids == greedy(prompt, 10), prompt
    assert engine.prefix_cache.stats.hit_tokens - before >= 36 + 28 + 36 + 0 + 32


async def test_simultaneous_prompts_compute_their_shared_prefix_once(make_engine, greedy):
    engine = make_engine(prefix_block_size=4)
    shared = _tokens(40, seed=5)
    prompts = [shared + _tokens(3 + i, seed=10 + i) for i in range(8)]
    streams = [engine.submit(p, SamplingParams(max_tokens=6, **GREEDY)) for p in prompts]
    results = await asyncio.gather(*(s.collect() for s in streams))
    for prompt, result in zip(prompts, results):
        assert result.token_ids == greedy(prompt, 6)
    assert engine.prefix_cache.stats.hit_tokens >= 7 * 40  # only the first of the 8 computed the shared 40


async def test_eviction_keeps_answers_exact_and_memory_capped(make_engine, greedy):
    probe = make_engine(prefix_block_size=4)
    await probe.submit(_tokens(5, seed=0), SamplingParams(max_tokens=1)).collect()
    block_bytes = probe.prefix_cache.nbytes
    engine = make_engine(prefix_block_size=4, prefix_cache_bytes=10 * block_bytes)
    a, b, c = (_tokens(60, seed=s) for s in (20, 21, 22))
    for prompt in (a, a, b, c, a):
        result = await engine.submit(prompt, SamplingParams(max_tokens=5, **GREEDY)).collect()
        assert result.token_ids == greedy(prompt, 5)
        assert engine.prefix_cache.nbytes <= 10 * block_bytes
    stats = engine.prefix_cache.stats
    assert stats.evicted_blocks > 0
    assert stats.hit_tokens == 40  # the second `a` found its first 10 blocks; the last `a` had been evicted


async def test_cancel_while_waiting_for_prefill(make_engine, greedy, eventually):
    # a budget of 8 computed tokens per step: each 100-token prompt is prefilled in its own wave between decode
    # steps, so the later ones wait (admitted, not prefilled) while the first one streams
    engine = make_engine(prefix_block_size=4, max_prefill_tokens=8)
    prompts = [_tokens(100, seed=30 + i) for i in range(4)]
    long = SamplingParams(max_tokens=1000, **GREEDY)
    streams = [engine.submit(p, SamplingParams(max_tokens=12, **GREEDY)) for p in prompts[:3]]
    victim = engine.submit(prompts[3], long)
    await streams[0].__anext__()
    victim.cancel()
    cancelled = await victim.collect()
    assert cancelled.finish_reason == "cancelled" and cancelled.completion_tokens < 1000
    rest = [await streams[0].collect()] + list(await asyncio.gather(*(s.collect() for s in streams[1:])))
    for prompt, result in zip(prompts[1:3], rest[1:]):
        assert result.token_ids == greedy(prompt, 12)
    assert eventually(lambda: engine.active_sequences == 0 and engine.queue_depth == 0)
    again = await engine.submit(prompts[3], SamplingParams(max_tokens=12, **GREEDY)).collect()
    assert again.token_ids == greedy(prompts[3], 12)


async def test_prefix_cache_can_be_switched_off(make_engine, greedy):
    engine = make_engine(prefix_cache_bytes=0)
    prompt = _tokens(30, seed=40)
    for _ in range(2):
        assert (await engine.submit(prompt, SamplingParams(max_tokens=6, **GREEDY)).collect()).token_ids == greedy(prompt, 6)
    assert engine.prefix_cache.stats.hit_tokens == 0 and len(engine.prefix_cache) == 0
