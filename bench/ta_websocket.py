"""The automated TA end to end through its websocket, on CPU: TTFT and tokens/s at 1, 4 and 16 concurrent students,
against sequential ``model.generate`` on the same model and the same prompts.

    .venv/bin/python bench/ta_websocket.py [--threads 2] [--new-tokens 128] [--levels 1,4,16]

A random-init Llama-shaped model of realistic small shape (4 layers, hidden 512, 8 heads, ~19 M parameters, fp32;
`inference.testing.tiny.make_tiny_model`; its vocabulary is the tiny tokenizer's 2 048 tokens, so that every generated token
decodes to text the student sees) is the in-process engine (TA_MODEL_PATH). The project's ASGI app runs under
uvicorn; each student is a real websocket client (the `websockets` library, session cookie) on
/ws/courses/example/ta/ asking questions about the example course, so every answer goes through the whole TA path:
limits, the question's rows, retrieval (BM25), the prompt with the tutor's rules (~1 k tokens), the batching engine,
the leak guard, 50 ms delta coalescing, and the stored answer. Closed loop: each student asks its next question as soon
as the previous answer is done (1 student: 4 questions; 4: 2 each; 16: 1 each). Answers are sampled at temperature 1
(greedy decoding of a random model loops on a few tokens without spaces, which no real answer looks like), at most
--new-tokens tokens (a random model rarely emits EOS). Low-confidence escalation is switched off (a random model is
never confident).

Per level: TTFT as the student sees it (ask sent → first delta; median, p90; includes the leak guard's hold-back of a
few words and the coalescing), the server-side TTFT (first token from the engine), per-stream decode tokens/s
(median; server side), aggregate tokens/s (all answer tokens ÷ wall time). Baseline: the prompts the TA built at the
top level, answered one at a time with ``model.generate`` (sampled at temperature 1, same max tokens); and for
reference the same requests submitted straight to the engine (no Django, no websocket). Prints ONE JSON line on stdout.

The engine's prefix cache is cleared before each level (and before the engine-only run), so a level only reuses the
keys/values of prompts asked within it — 16 students asking 4 questions share the rules and, per question, the
retrieved passages; `prefix_hit_rate` is the fraction of prompt tokens found in the cache. --warm-prefix-cache keeps
the cache across levels instead (a server that has seen the questions before); --no-prefix-cache switches it off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the set-up below runs plain ORM code next to a loop

import django  # noqa: E402

django.setup()

import torch  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(model_path: Path, new_tokens: int) -> None:
    settings.TA_MODEL_PATH = str(model_path)
    settings.TA_BACKEND_URL = ""
    settings.TA_RETRIEVER = "bm25"
    settings.TA_MAX_TOKENS = new_tokens
    settings.TA_TEMPERATURE = 1.0  # sampled: greedy decoding of a random model loops on a few tokens without spaces
    settings.TA_MIN_MEAN_LOGPROB = -1e9  # a random model is never confident: don't escalate every answer
    settings.TA_RATE_LIMIT = 0
    settings.TA_DAILY_CAP = 0
    settings.TA_MAX_BATCH = 32


def students(n: int) -> list[str]:
    """n enrolled students of the example course; their session cookies."""
    from django.contrib.auth.models import User
    from django.test import Client

    from courses import api
    from courses.api import enroll
    from courses.services import import_course_from_path

    import_course_from_path(path=ROOT / "courses" / "packages" / "example")
    course = api.get_course("example")
    cookies = []
    for i in range(n):
        user = User.objects.create_user(f"bench-{i}", password="x")
        enroll(user=user, course_id=course.id)
        client = Client()
        client.force_login(user)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}")
    return cookies


QUESTIONS = [
    "How do I normalise a row of counts into probabilities?",
    "Why do we count pairs in a table?",
    "What does the tally of abca look like?",
    "How do I check that a row sums to one?",
]


async def student(url: str, origin: str, cookie: str, n_questions: int, offset: int, records: list) -> None:
    import websockets

    async with websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": origin}, max_size=None) as ws:
        thread = None
        for k in range(n_questions):
            msg = {"type": "ask", "text": QUESTIONS[(offset + k) % len(QUESTIONS)], "client_message_id": str(uuid.uuid4())}
            if thread:
                msg["thread"] = thread
            sent = time.perf_counter()
            await ws.send(json.dumps(msg))
            first, n_deltas = None, 0
            while True:
                ev = json.loads(await ws.recv())
                if ev["type"] == "delta":
                    n_deltas += 1
                    if first is None:
                        first = time.perf_counter()
                elif ev["type"] == "accepted":
                    thread = ev["thread"]
                elif ev["type"] == "error":
                    raise RuntimeError(ev)
                elif ev["type"] == "done":
                    done = time.perf_counter()
                    break
            u = ev["usage"]
            if os.environ.get("BENCH_DEBUG"):
                log(
                    "answer",
                    round(sent, 2),
                    round((first or done) - sent, 3),
                    round(done - sent, 3),
                    n_deltas,
                    u,
                    repr(ev["text"][:200]),
                )
            records.append(
                {
                    "ttft_client": (first or done) - sent,
                    "ttft_server": (u["ttft_ms"] or 0) / 1000,
                    "decode_s": max(1e-6, (u["latency_ms"] - (u["ttft_ms"] or 0)) / 1000),
                    "tokens": u["completion_tokens"] or 0,
                    "mode": ev["mode"],
                }
            )


async def level(url: str, origin: str, cookies: list[str], c: int, per_student: int) -> dict:
    records: list = []
    start = time.perf_counter()
    await asyncio.gather(*(student(url, origin, cookies[i], per_student, i, records) for i in range(c)))
    wall = time.perf_counter() - start
    assert all(r["mode"] == "model" for r in records), "the model did not answer"
    ttft = sorted(r["ttft_client"] for r in records)
    return {
        "answers": len(records),
        "ttft_s_median": round(statistics.median(ttft), 3),
        "ttft_s_p90": round(ttft[min(len(ttft) - 1, int(0.9 * len(ttft)))], 3),
        "server_ttft_s_median": round(statistics.median(r["ttft_server"] for r in records), 3),
        "stream_tokens_per_s_median": round(
            statistics.median((r["tokens"] - 1) / r["decode_s"] for r in records if r["tokens"] > 1), 1
        ),
        "aggregate_tokens_per_s": round(sum(r["tokens"] for r in records) / wall, 1),
        "tokens_median": statistics.median(r["tokens"] for r in records),
        "wall_s": round(wall, 2),
    }


async def engine_only(engine, prompts, new_tokens: int) -> float:
    """Aggregate tokens/s of the same requests submitted straight to the engine, all at once."""
    from inference.types import SamplingParams

    params = SamplingParams(max_tokens=new_tokens, temperature=1.0, logprobs=True)

    async def one(p):
        return sum([len(d.token_ids) async for d in engine.submit(p, params)])

    start = time.perf_counter()
    tokens = sum(await asyncio.gather(*(one(p) for p in prompts)))
    return tokens / (time.perf_counter() - start)


def sequential_generate(model, tokenizer, prompts, new_tokens: int) -> tuple[int, float]:
    total, start = 0, time.perf_counter()
    for msgs in prompts:
        ids = tokenizer.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt")["input_ids"]
        with torch.inference_mode():
            out = model.generate(
                ids,
                max_new_tokens=new_tokens,
                do_sample=True,
                temperature=1.0,
                top_p=1.0,
                top_k=0,
                pad_token_id=tokenizer.pad_token_id,
            )
        total += out.shape[1] - ids.shape[1]
    return total, time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--levels", default="1,4,16")
    p.add_argument("--warm-prefix-cache", action="store_true", help="keep the prefix cache across levels")
    p.add_argument("--no-prefix-cache", action="store_true", help="switch automatic prefix caching off")
    p.add_argument(
        "--model", default="", help="a checkpoint directory, or 'smollm2' for the shipped SmolLM2-135M (default: random-init)"
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    levels = [int(x) for x in args.levels.split(",")]
    began, load_before = time.perf_counter(), os.getloadavg()[0]

    import uvicorn

    from academy.asgi import application
    from inference.testing.tiny import make_tiny_model
    from tutor.assistant import backends

    setup_test_environment()
    tmp = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":  # a file, not the shared-cache in-memory test database (table locks, no waiting)
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if args.model:
            from inference.base_model import ensure_base_model

            path = ensure_base_model("var/models") if args.model == "smollm2" else Path(args.model)
            if path is None:
                raise SystemExit("the shipped model is not installed (make setup)")
        else:
            path = make_tiny_model(
                Path(tmp.name) / "m", hidden=512, layers=4, heads=8, vocab=2048, intermediate=2048, max_positions=4096
            )
        configure(path, args.new_tokens)
        engine = backends.engine_for(str(path))
        if args.no_prefix_cache:
            engine.prefix_cache.max_bytes = 0

        def reset_prefix_cache():
            if not args.warm_prefix_cache:
                engine.prefix_cache.clear()
            return engine.prefix_cache.stats.hit_tokens, engine.prefix_cache.stats.queried_tokens

        def hit_rate(since):
            st = engine.prefix_cache.stats
            queried = st.queried_tokens - since[1]
            return round((st.hit_tokens - since[0]) / queried, 3) if queried else 0.0

        n_params = sum(t.numel() for t in engine.model.parameters())
        prompts: list = []
        submit = engine.submit

        def recording_submit(prompt, params=None, **kw):  # keep the prompts the TA built, for the baseline
            prompts.append(prompt)
            return submit(prompt, params, **kw)

        engine.submit = recording_submit
        cookies = students(max(levels))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.02)
        url, origin = f"ws://127.0.0.1:{port}/ws/courses/example/ta/", f"http://127.0.0.1:{port}"

        log("warm-up ...")
        asyncio.run(level(url, origin, cookies, 1, 1))
        results = {}
        for c in levels:
            prompts.clear()
            per_student = max(1, 4 // c) if c < 4 else (2 if c == 4 else 1)
            log(f"{c} concurrent students ...")
            since = reset_prefix_cache()
            results[str(c)] = asyncio.run(level(url, origin, cookies, c, per_student))
            results[str(c)]["prefix_hit_rate"] = hit_rate(since)
            log(json.dumps(results[str(c)]))
        top_prompts = list(prompts)
        engine.submit = submit
        server.should_exit = True

        log(f"the engine alone (no Django, no websocket) on the {len(top_prompts)} prompts of the top level ...")
        since = reset_prefix_cache()
        engine_tps = asyncio.run(engine_only(engine, top_prompts, args.new_tokens))
        engine_hit_rate = hit_rate(since)
        log(f"sequential model.generate on the {len(top_prompts)} prompts of the top level ...")
        tok = engine.tokenizer
        prompt_tokens = [
            len(tok.apply_chat_template(m, add_generation_prompt=True, tokenize=True)["input_ids"]) for m in top_prompts
        ]
        sequential_generate(engine.model, tok, top_prompts[:1], 4)  # warm-up
        seq_tokens, seq_time = sequential_generate(engine.model, tok, top_prompts, args.new_tokens)
        seq_tps = seq_tokens / seq_time
        top = results[str(max(levels))]
        print(
            json.dumps(
                {
                    "bench": "ta_websocket",
                    "device": "cpu",
                    "threads": args.threads,
                    "params_m": round(n_params / 1e6, 1),
                    "model": str(path) if args.model else "random-init",
                    "layers": engine.model.config.num_hidden_layers,
                    "hidden": engine.model.config.hidden_size,
                    "new_tokens_max": args.new_tokens,
                    "prompt_tokens_median": statistics.median(prompt_tokens),
                    "database": connection.vendor,
                    "levels": results,
                    "engine_only_aggregate_tokens_per_s_at_top": round(engine_tps, 1),
                    "engine_only_prefix_hit_rate": engine_hit_rate,
                    "prefix_cache": (
                        "off" if args.no_prefix_cache else "warm" if args.warm_prefix_cache else "cleared per level"
                    ),
                    "sequential_generate_tokens_per_s": round(seq_tps, 1),
                    "speedup_aggregate_vs_sequential_at_top": round(top["aggregate_tokens_per_s"] / seq_tps, 2),
                    "loadavg_before": round(load_before, 2),
                    "loadavg_after": round(os.getloadavg()[0], 2),
                    "total_s": round(time.perf_counter() - began, 1),
                }
            )
        )
    finally:
        backends.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


if __name__ == "__main__":
    main()
