"""CPU benchmark of the inference worker: TTFT and tokens/s at 1, 4 and 16 concurrent streams vs sequential generate.

    .venv/bin/python bench/inference_cpu.py [--threads 2] [--new-tokens 128] [--no-http]

A random-init Llama-shaped model of realistic small shape (4 layers, hidden 512, 8 heads, vocab 16 384, ~25 M
parameters, fp32) is built offline in a temp dir. Sixteen chat prompts of ~100 tokens each are answered with
`--new-tokens` greedy tokens (EOS ignored, so every answer has the same length):

* sequentially with `model.generate` (one request at a time: the baseline a naive worker would give);
* through the `Engine` with 1, 4 and 16 concurrent streams (closed loop: each stream sends its next request as soon
  as the previous one ends);
* through the HTTP server + `ChatClient` (SSE) at 1 and 16 streams, unless --no-http.

Every request asks for token log-probabilities, as the TA does (its confidence signal); tokens are counted from them
(a random model emits many ids that decode to no text, so text chunks would undercount).

Per level: TTFT (median, p90, seconds), per-stream decode tokens/s (median, tokens after the first ÷ time after the
first), aggregate tokens/s (all generated tokens ÷ wall time). The headline is the aggregate at 16 streams divided by
sequential `generate` (issue #5 target: ≥ 4×); the same aggregate over the engine's own 1-stream aggregate is reported
too (the gain from batching alone, without HF `generate`'s per-step overhead in the baseline). The sequential baseline is measured in two halves, before and after the
engine runs, so that a change in machine load hits both sides. The engine's prefix cache is cleared before each level
(the levels reuse the same prompts, and this benchmark measures batching; `bench/ta_websocket.py` measures prefix
reuse on the TA's real prompts); `prefix_hit_rate` reports what a level still found in it (the chat template's shared
opening). Prints ONE JSON line on stdout (progress on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

import inference  # noqa: E402,F401  (first: it picks passive OpenMP waiting before torch loads)
from inference.engine import Engine  # noqa: E402
from inference.loading import load_model  # noqa: E402
from inference.testing.tiny import _CORPUS, make_tiny_model  # noqa: E402
from inference.types import SamplingParams  # noqa: E402


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def make_prompts(tokenizer, n: int, target: int, seed: int = 0) -> list[list[dict]]:
    """n single-question chats whose templated length is within a few tokens of `target`."""
    words = _CORPUS.split()
    rng = random.Random(seed)
    prompts = []
    for _ in range(n):
        chosen: list[str] = []
        while True:
            chosen.append(rng.choice(words))
            msgs = [{"role": "user", "content": " ".join(chosen)}]
            ids = tokenizer.apply_chat_template(msgs, add_generation_prompt=True, tokenize=True)["input_ids"]
            if len(ids) >= target:
                prompts.append(msgs)
                break
    return prompts


def summarize(records: list[tuple[float, float, float, int]], wall: float) -> dict:
    """records: (submit, first token, last token, tokens) per request."""
    ttft = sorted(r[1] - r[0] for r in records)
    per_stream = [(r[3] - 1) / (r[2] - r[1]) for r in records if r[3] > 1 and r[2] > r[1]]
    return {
        "requests": len(records),
        "ttft_s_median": round(statistics.median(ttft), 4),
        "ttft_s_p90": round(ttft[min(len(ttft) - 1, int(0.9 * len(ttft)))], 4),
        "stream_tokens_per_s_median": round(statistics.median(per_stream), 1),
        "aggregate_tokens_per_s": round(sum(r[3] for r in records) / wall, 1),
    }


async def run_closed_loop(submit_one, prompts, concurrency: int):
    """`concurrency` workers take prompts from a shared queue; submit_one(prompt) yields token counts per chunk."""
    queue = list(prompts)
    records = []

    async def worker():
        while queue:
            prompt = queue.pop(0)
            t0 = time.perf_counter()
            first = None
            tokens = 0
            async for n in submit_one(prompt):
                if n and first is None:
                    first = time.perf_counter()
                tokens += n
            records.append((t0, first or time.perf_counter(), time.perf_counter(), tokens))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return records, time.perf_counter() - start


def sequential_generate(model, tokenizer, prompts, new_tokens: int) -> tuple[int, float]:
    total = 0
    start = time.perf_counter()
    for msgs in prompts:
        ids = tokenizer.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            out = model.generate(
                ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
        total += out.shape[1] - ids.shape[1]
    return total, time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--vocab", type=int, default=16384)
    p.add_argument("--prompt-tokens", type=int, default=100)
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--requests", type=int, default=16)
    p.add_argument("--streams", default="1,4,16")
    p.add_argument("--no-http", action="store_true")
    p.add_argument(
        "--model", default="", help="a checkpoint directory, or 'smollm2' for the shipped SmolLM2-135M (default: random-init)"
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    began = time.perf_counter()
    load_before = os.getloadavg()[0]

    if args.model:
        from inference.base_model import ensure_base_model

        path = ensure_base_model("var/models") if args.model == "smollm2" else Path(args.model)
        if path is None:
            raise SystemExit("the shipped model is not installed (make setup)")
        model, tokenizer = load_model(path)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = make_tiny_model(
                Path(tmp) / "m",
                hidden=args.hidden,
                layers=args.layers,
                heads=args.heads,
                vocab=args.vocab,
                intermediate=4 * args.hidden,
                max_positions=4096,
            )
            model, tokenizer = load_model(path)
    n_params = sum(t.numel() for t in model.parameters())
    prompts = make_prompts(tokenizer, args.requests, args.prompt_tokens)
    prompt_lens = [len(tokenizer.apply_chat_template(m, add_generation_prompt=True, tokenize=True)["input_ids"]) for m in prompts]
    levels = [int(s) for s in args.streams.split(",")]
    n_new = args.new_tokens

    # warm-up (allocator, kernels) for both paths
    sequential_generate(model, tokenizer, prompts[:1], 4)
    engine = Engine(model, tokenizer, max_batch_size=max(levels), model_name="bench").start()
    engine.submit(prompts[0], SamplingParams(max_tokens=4)).result()

    half = len(prompts) // 2
    log("sequential generate, first half ...")
    seq_tokens, seq_time = sequential_generate(model, tokenizer, prompts[:half], n_new)
    log(f"sequential generate: {seq_tokens / seq_time:.2f} tokens/s")

    params = SamplingParams(max_tokens=n_new, ignore_eos=True, logprobs=True)  # the TA asks for logprobs

    async def engine_submit(prompt):
        async for d in engine.submit(prompt, params):
            yield len(d.token_ids)

    results: dict = {"engine": {}, "http": {}}
    for c in levels:
        subset = prompts if c > 1 else prompts[:4]
        log(f"engine, {c} streams ...")
        engine.prefix_cache.clear()
        records, wall = asyncio.run(run_closed_loop(engine_submit, subset, c))
        results["engine"][str(c)] = summarize(records, wall)
        results["engine"][str(c)]["prefix_hit_rate"] = round(engine.prefix_cache.stats.hit_rate, 3)
        log(json.dumps(results["engine"][str(c)]))

    if not args.no_http:
        import socket
        import threading

        import uvicorn

        from inference.client import ChatClient
        from inference.serve import create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)

        async def http_level(c: int, subset):
            async with ChatClient(f"http://127.0.0.1:{port}", model="bench", timeout=120) as client:

                async def http_submit(prompt):
                    async for chunk in client.stream_chat(
                        prompt, max_tokens=n_new, temperature=0, logprobs=True, extra={"ignore_eos": True}
                    ):
                        yield len(chunk.logprobs)  # one entry per generated token, even when it decodes to ""

                return await run_closed_loop(http_submit, subset, c)

        for c in (1, max(levels)):
            subset = prompts if c > 1 else prompts[:4]
            log(f"http, {c} streams ...")
            engine.prefix_cache.clear()
            records, wall = asyncio.run(http_level(c, subset))
            results["http"][str(c)] = summarize(records, wall)
            log(json.dumps(results["http"][str(c)]))
        server.should_exit = True
        thread.join(10)
    engine.close()

    log("sequential generate, second half ...")
    t2, s2 = sequential_generate(model, tokenizer, prompts[half:], n_new)
    seq_tokens += t2
    seq_time += s2
    seq_rate = seq_tokens / seq_time
    top = results["engine"][str(max(levels))]["aggregate_tokens_per_s"]
    out = {
        "bench": "inference_cpu",
        "model": {
            "path": str(path) if args.model else "random-init",
            "arch": model.config.model_type,
            "layers": model.config.num_hidden_layers,
            "hidden": model.config.hidden_size,
            "heads": model.config.num_attention_heads,
            "vocab": model.config.vocab_size,
            "params_m": round(n_params / 1e6, 1),
            "dtype": "float32",
        },
        "torch_threads": args.threads,
        "prompt_tokens_mean": round(statistics.mean(prompt_lens), 1),
        "new_tokens": n_new,
        "requests": len(prompts),
        "sequential_generate_tokens_per_s": round(seq_rate, 1),
        "engine": results["engine"],
        "http": results["http"],
        f"ratio_{max(levels)}_streams_vs_sequential": round(top / seq_rate, 2),
        f"ratio_{max(levels)}_streams_vs_engine_{min(levels)}_stream": round(
            top / results["engine"][str(min(levels))]["aggregate_tokens_per_s"], 2
        ),
        "target_ratio": 4.0,
        "meets_target": top / seq_rate >= 4.0,
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "seconds": round(time.perf_counter() - began, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
