"""HTTP load on the production shape, loopback only and bounded: next-problem and attempt at 10 and 50 concurrent
users against N uvicorn workers on PostgreSQL + Redis, with a trivial endpoint (``/healthz``) measured in the same run
as the baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/load.py [--workers 2] [--shared] [--levels 10,50] [--seconds 8]

A fresh database (``<name>_load``, created and dropped here) gets the example course and one enrolled student per
simulated user (token authentication). Each user is a closed loop (an ``httpx.AsyncClient`` connection): request,
wait for the answer, next request. Phases, each ``--seconds`` long, per level: ``/healthz`` (trivial), ``GET
/api/courses/example/next/``, ``POST /api/problems/<id>/attempts/`` (a fresh ``client_attempt_id`` each, so every
request grades, records the attempt and updates the knowledge state in one transaction). Rate limits are raised so
they do not refuse the benchmark (``ATTEMPT_RATE``; the throttle still counts in Redis). The load generator runs in
this process, on the same machine as the server: on 2 shared cores it takes roughly one of them.

Prints ONE JSON line: per phase and level p50/p99 latency (ms), throughput (requests/s), errors (non-2xx or
transport), and the ratio of p99 and throughput to the trivial endpoint at the same level.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


async def _phase(bases: list[str], tokens: list[str], make_request, seconds: float) -> dict:
    lat: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def user(token: str, base: str):
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30) as c:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    r = await make_request(c)
                    ok = 200 <= r.status_code < 300
                except httpx.HTTPError:
                    ok = False
                lat.append((time.perf_counter() - t0) * 1000)
                errors += 0 if ok else 1

    t0 = time.monotonic()
    await asyncio.gather(*(user(t, bases[i % len(bases)]) for i, t in enumerate(tokens)))
    wall = time.monotonic() - t0
    return {
        "p50_ms": round(statistics.median(lat), 2) if lat else None,
        "p99_ms": round(_pct(lat, 0.99), 2),
        "rps": round(len(lat) / wall, 1),
        "requests": len(lat),
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--levels", default="10,50")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--shared", action="store_true", help="one uvicorn --workers N on one socket (default: N balanced)")
    args = ap.parse_args()
    db_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not db_url.startswith("postgres") or not redis_url:
        sys.exit("bench/load.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    import psycopg

    base_url, _, name = db_url.rpartition("/")
    load_db = f"{name}_load"
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{load_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{load_db}"')
    levels = [int(x) for x in args.levels.split(",")]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base_url}/{load_db}",
        "PYTHONPATH": str(ROOT),
        "RATELIMIT_ENABLE": "0",
        "ATTEMPT_RATE": "1000000/m",
        "HINT_RATE": "1000000/m",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX_SIZE": "20",  # as the Procfile runs it
    }
    py = sys.executable
    manage = [py, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "import_course", "courses/packages/example"], cwd=ROOT, env=env, check=True, capture_output=True)
    n_users = max(levels)
    script = (
        "from django.contrib.auth.models import User\n"
        "from rest_framework.authtoken.models import Token\n"
        "from courses import api\n"
        "c = api.get_course('example')\n"
        f"for i in range({n_users}):\n"
        "    u = User.objects.create_user(f'load{i}', password='x')\n"
        "    api.enroll(user=u, course_id=c.id)\n"
        "    print(Token.objects.create(user=u).key)\n"
        "from courses.models import Problem\n"
        "print('PROBLEM', Problem.objects.get(slug='table-cells').pk)\n"
    )
    out = subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    tokens = [line for line in out.split() if re.fullmatch(r"[0-9a-f]{40}", line)]
    pid = int(out.split("PROBLEM")[1].split()[0])
    # Two shapes of N web processes. "balanced" (default): N single-process uvicorn servers on their own ports and
    # the users spread over them round-robin, as a load balancer spreads connections over N ASGI processes (the
    # scaling docs/operations.md describes). "shared": one `uvicorn --workers N` on one socket (the Procfile's
    # line): the kernel hands each new keep-alive connection to whichever worker wakes first, and with a few
    # long-lived connections one worker can get nearly all of them (measured: 9 of 10).
    ports = [_port() for _ in range(1 if args.shared else args.workers)]
    servers = [
        subprocess.Popen(
            [py, "-m", "uvicorn", "academy.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(args.workers if args.shared else 1), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            for _ in range(120):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)

        async def healthz(c):
            return await c.get("/healthz")

        async def nxt(c):
            return await c.get("/api/courses/example/next/")

        async def attempt(c):
            return await c.post(f"/api/problems/{pid}/attempts/", json={"answer": 9, "client_attempt_id": str(uuid.uuid4())})

        asyncio.run(_phase(bases, tokens[:10], nxt, 2.0))  # warm-up: course model, connections
        result = {
            "bench": "load",
            "workers": args.workers,
            "shape": "shared" if args.shared else "balanced",
            "seconds_per_phase": args.seconds,
            "cpus": os.cpu_count(),
        }
        for level in levels:
            row = {}
            for label, fn in (("trivial", healthz), ("next", nxt), ("attempt", attempt)):
                row[label] = asyncio.run(_phase(bases, tokens[:level], fn, args.seconds))
            for label in ("next", "attempt"):
                row[label]["p99_vs_trivial"] = round(row[label]["p99_ms"] / max(row["trivial"]["p99_ms"], 1e-6), 1)
                row[label]["rps_vs_trivial"] = round(row[label]["rps"] / max(row["trivial"]["rps"], 1e-6), 3)
            result[f"users_{level}"] = row
        print(json.dumps(result))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{load_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
