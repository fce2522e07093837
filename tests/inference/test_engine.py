"""The batching engine: same tokens as greedy `generate`, concurrency, cancellation, stopping, limits."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
import torch

from inference.errors import EngineClosedError, EngineOverloadedError, InvalidRequestError
from inference.types import SamplingParams


def _prompts(n: int, seed: int = 0, lo: int = 3, hi: int = 60) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(3, 500) for _ in range(rng.randint(lo, hi))] for _ in range(n)]


async def test_batched_greedy_matches_generate_with_joins_and_leaves(make_engine, greedy):
    # 4 slots for 10 requests of different lengths arriving at different times: sequences join and leave the
    # running batch between steps, and the small KV cache has to compact and grow along the way.
    engine = make_engine(max_batch_size=4, kv_capacity=16)
    prompts = _prompts(10)
    lengths = [5 + 3 * i for i in range(10)]
    streams = []
    for i, (prompt, n) in enumerate(zip(prompts, lengths)):
        streams.append(engine.submit(prompt, SamplingParams(max_tokens=n, ignore_eos=True)))
        await asyncio.sleep(0.003 * (i % 3))
    results = await asyncio.gather(*(s.collect() for s in streams))
    for prompt, n, result in zip(prompts, lengths, results):
        assert result.token_ids == greedy(prompt, n)
        assert result.finish_reason == "length"
        assert result.completion_tokens == n and result.prompt_tokens == len(prompt)
    assert engine.active_sequences == 0


async def test_long_sequence_survives_churn_of_short_ones(make_engine, greedy):
    engine = make_engine(max_batch_size=2, kv_capacity=8)
    long_prompt, *short_prompts = _prompts(9, seed=3, lo=20, hi=40)
    long_stream = engine.submit(long_prompt, SamplingParams(max_tokens=120, ignore_eos=True))
    short = []
    for p in short_prompts:  # one after the other through the second slot
        short.append(await engine.submit(p, SamplingParams(max_tokens=6, ignore_eos=True)).collect())
    long_result = await long_stream.collect()
    assert long_result.token_ids == greedy(long_prompt, 120)
    for p, r in zip(short_prompts, short):
        assert r.token_ids == greedy(p, 6)


async def test_concurrent_streams_interleave(make_engine):
    engine = make_engine(max_batch_size=8)
    prompts = _prompts(6, seed=1)
    order: list[int] = []

    async def consume(i: int, prompt: list[int]) -> int:
        count = 0
        async for delta in engine.submit(prompt, SamplingParams(max_tokens=30, ignore_eos=True)):
            count += len(delta.token_ids)
            order.append(i)
        return count

    counts = await asyncio.gather(*(consume(i, p) for i, p in enumerate(prompts)))
    assert counts == [30] * 6
    # all six were decoded together: every stream had produced tokens before the first one finished
    first_done = min(len(order) - 1 - order[::-1].index(i) for i in range(6))
    assert set(order[:first_done]) == set(range(6))
    assert engine.steps < 6 * 30


async def test_logprobs_are_the_models_log_softmax(make_engine, tiny_model):
    model, _ = tiny_model
    engine = make_engine()
    prompt = _prompts(1, seed=2)[0]
    result = await engine.submit(prompt, SamplingParams(max_tokens=5, logprobs=True, top_logprobs=3, ignore_eos=True)).collect()
    out = model.generate(
        torch.tensor([prompt]),
        max_new_tokens=5,
        min_new_tokens=5,
        do_sample=False,
        output_logits=True,
        return_dict_in_generate=True,
        pad_token_id=0,
    )
    expected = [torch.log_softmax(s[0].float(), -1)[t].item() for s, t in zip(out.logits, result.token_ids)]
    assert result.logprobs == pytest.approx(expected, abs=1e-4)
    assert len(result.top_logprobs) == 5
    for chosen, top in zip(result.token_ids, result.top_logprobs):
        assert len(top) == 3 and top[0].token_id == chosen  # greedy: the chosen token is the most likely
        assert [t.logprob for t in top] == sorted((t.logprob for t in top), reverse=True)
    assert all(lp <= 0 for lp in result.logprobs)


async def test_no_logprobs_unless_asked(make_engine):
    result = await make_engine().submit([5, 6, 7], SamplingParams(max_tokens=3)).collect()
    assert result.logprobs == [] and result.top_logprobs is None


async def test_cancellation_frees_the_slot_immediately(make_engine, eventually):
    engine = make_engine(max_batch_size=1)
    hog = engine.submit([5, 6, 7], SamplingParams(max_tokens=100_000, ignore_eos=True))
    waiting = engine.submit([8, 9], SamplingParams(max_tokens=3, ignore_eos=True))
    first = await hog.__anext__()
    assert first.token_ids and engine.queue_depth == 1
    hog.cancel()
    started = time.perf_counter()
    result = await waiting.collect()
    assert time.perf_counter() - started < 2.0
    assert result.finish_reason == "length" and len(result.token_ids) == 3
    rest = [d async for d in hog]
    assert rest[-1].finish_reason == "cancelled"
    assert eventually(lambda: engine.active_sequences == 0)


async def test_leaving_async_for_early_cancels(make_engine, eventually):
    engine = make_engine()
    stream = engine.submit([5, 6, 7], SamplingParams(max_tokens=100_000, ignore_eos=True))
    async for _ in stream:
        break
    await stream.aclose()
    assert eventually(lambda: engine.active_sequences == 0)


async def test_cancel_while_waiting_in_the_queue(make_engine):
    engine = make_engine(max_batch_size=1)
    hog = engine.submit([5, 6], SamplingParams(max_tokens=50, ignore_eos=True))
    queued = engine.submit([7, 8], SamplingParams(max_tokens=5))
    queued.cancel()
    assert (await queued.collect()).finish_reason == "cancelled"
    assert (await hog.collect()).finish_reason == "length"


async def test_stops_on_eos_without_emitting_it(make_engine, greedy):
    engine = make_engine()
    prompt = _prompts(1, seed=4)[0]
    reference = greedy(prompt, 12)
    eos = reference[5]
    engine.eos_token_ids = {eos}
    result = await engine.submit(prompt, SamplingParams(max_tokens=12)).collect()
    cut = reference.index(eos)
    assert result.finish_reason == "stop"
    assert result.token_ids == reference[:cut]
    assert result.completion_tokens == cut + 1  # the EOS counts as generated, as in vLLM


async def test_stop_token_ids_and_stop_strings(make_engine, greedy, tiny_model):
    _, tokenizer = tiny_model
    engine = make_engine()
    prompt = [40, 41, 42, 43]
    reference = greedy(prompt, 20)
    by_id = await engine.submit(prompt, SamplingParams(max_tokens=20, stop_token_ids=(reference[3],), ignore_eos=True)).collect()
    assert by_id.finish_reason == "stop" and by_id.token_ids == reference[: reference.index(reference[3])]

    full = await engine.submit(prompt, SamplingParams(max_tokens=20, ignore_eos=True)).collect()
    text = full.text
    stop = next(text[i : i + 2] for i in range(4, len(text) - 2) if text[i : i + 2].strip())
    cut = await engine.submit(prompt, SamplingParams(max_tokens=20, stop=(stop,), ignore_eos=True)).collect()
    assert cut.finish_reason == "stop"
    assert cut.text == text[: text.index(stop)]


async def test_max_tokens_is_exact(make_engine):
    engine = make_engine()
    for n in (1, 2, 7):
        result = await engine.submit([9, 10, 11], SamplingParams(max_tokens=n, ignore_eos=True)).collect()
        assert len(result.token_ids) == n and result.finish_reason == "length"


async def test_seeded_sampling_is_reproducible_whatever_the_batch(make_engine):
    engine = make_engine()
    params = SamplingParams(max_tokens=15, temperature=1.0, top_p=0.9, seed=123, ignore_eos=True)
    alone = await engine.submit([20, 21, 22], params).collect()
    noise = [engine.submit(p, SamplingParams(max_tokens=15, temperature=1.2, ignore_eos=True)) for p in _prompts(3, seed=9)]
    batched = await engine.submit([20, 21, 22], params).collect()
    await asyncio.gather(*(s.collect() for s in noise))
    assert alone.token_ids == batched.token_ids
    other_seed = await engine.submit(
        [20, 21, 22], SamplingParams(max_tokens=15, temperature=1.0, top_p=0.9, seed=124, ignore_eos=True)
    ).collect()
    assert other_seed.token_ids != alone.token_ids


async def test_chat_messages_use_the_chat_template(make_engine, tiny_model, greedy):
    _, tokenizer = tiny_model
    engine = make_engine()
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a gradient?"}]
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)["input_ids"]
    stream = engine.submit(messages, SamplingParams(max_tokens=4, ignore_eos=True))
    assert stream.prompt_tokens == len(ids)
    assert (await stream.collect()).token_ids == greedy(ids, 4)


def test_blocking_iteration_for_non_async_callers(make_engine):
    engine = make_engine()
    deltas = list(engine.submit([1, 2, 3], SamplingParams(max_tokens=4, ignore_eos=True)))
    assert deltas[-1].finish_reason == "length"
    assert sum(len(d.token_ids) for d in deltas) == 4


def test_invalid_requests_are_refused(make_engine):
    engine = make_engine(max_context=64)
    with pytest.raises(InvalidRequestError):
        engine.submit([], SamplingParams())
    with pytest.raises(InvalidRequestError):
        engine.submit(list(range(3, 80)), SamplingParams())  # longer than the context window
    with pytest.raises(InvalidRequestError):
        engine.submit([10_000], SamplingParams())  # outside the vocabulary
    with pytest.raises(InvalidRequestError):
        SamplingParams(max_tokens=0)
    with pytest.raises(InvalidRequestError):
        SamplingParams(temperature=-1)


def test_answer_is_clipped_to_the_context_window(make_engine):
    engine = make_engine(max_context=40)
    result = engine.submit(list(range(3, 33)), SamplingParams(max_tokens=100, ignore_eos=True)).result(timeout=30)
    assert result.finish_reason == "length" and len(result.token_ids) == 10


def test_full_queue_and_closed_engine(make_engine):
    engine = make_engine(max_batch_size=1, max_queue=1)
    engine.submit([1, 2], SamplingParams(max_tokens=10_000, ignore_eos=True))
    deadline = time.monotonic() + 5
    while engine.active_sequences == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    waiting = engine.submit([3, 4], SamplingParams(max_tokens=2))
    with pytest.raises(EngineOverloadedError):
        engine.submit([5, 6], SamplingParams(max_tokens=2))
    engine.close()
    assert waiting.result(timeout=5).finish_reason == "cancelled"
    with pytest.raises(EngineClosedError):
        engine.submit([1, 2], SamplingParams())


async def test_qwen2_with_grouped_query_attention_matches_generate(tmp_path):
    from inference.engine import Engine
    from inference.loading import load_model
    from inference.testing.tiny import make_tiny_model

    path = make_tiny_model(tmp_path / "qwen", arch="qwen2", hidden=64, layers=2, heads=4, kv_heads=2, vocab=512)
    model, tokenizer = load_model(path)
    engine = Engine(model, tokenizer, max_batch_size=3, kv_capacity=8).start()
    try:
        prompts = _prompts(5, seed=7)
        results = await asyncio.gather(
            *(engine.submit(p, SamplingParams(max_tokens=9, ignore_eos=True)).collect() for p in prompts)
        )
    finally:
        engine.close()
    for p, r in zip(prompts, results):
        out = model.generate(torch.tensor([p]), max_new_tokens=9, min_new_tokens=9, do_sample=False, pad_token_id=0)
        assert r.token_ids == out[0, len(p) :].tolist()
