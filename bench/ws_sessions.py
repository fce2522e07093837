"""Concurrent assistant sessions on ONE ASGI process (uvicorn, 1 worker) on PostgreSQL + Redis, loopback only and
bounded: ``--sessions`` students open the TA websocket at once and each asks one question of the retrieval-only
assistant (no model: BM25 over the example course); the process admits ``--capacity`` sockets (``TA_MAX_SESSIONS``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/ws_sessions.py [--sessions 1050] [--capacity 1000] [--timeout 240]

Every session ends in exactly one of: ``answered`` (the ``done`` event of a complete answer), ``at_capacity`` (the
clear error frame, then close 4503), ``error`` (any other error frame or a refused handshake) or ``lost`` (no end
within --timeout: the silent drop this bench exists to catch). Prints ONE JSON line with the counts, time to open all
sockets, answer latency p50/p99 (ask → done) and wall time. Its own database (``<name>_ws``), created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
QUESTION = "How do I normalise a row of counts into probabilities?"
_CONNECTING: asyncio.Semaphore


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _session(url: str, origin: str, cookie: str, opened: asyncio.Event, out: list, lat: list, timeout: float, n_open: list):
    import websockets

    try:
        async with asyncio.timeout(timeout):
            async with _CONNECTING:  # handshakes 50 at a time (a browser fleet does not open all in one millisecond)
                ws = await websockets.connect(
                    url, additional_headers={"Cookie": cookie, "Origin": origin}, max_size=None, open_timeout=timeout
                )
            async with ws:
                n_open.append(1)
                await opened.wait()  # every socket is open before anyone asks
                t0 = time.perf_counter()
                await ws.send(json.dumps({"type": "ask", "text": QUESTION, "client_message_id": str(uuid.uuid4())}))
                while True:
                    ev = json.loads(await ws.recv())
                    if ev["type"] == "done":
                        lat.append((time.perf_counter() - t0) * 1000)
                        return out.append("answered")
                    if ev["type"] == "error":
                        return out.append("at_capacity" if ev.get("code") == "at_capacity" else "error")
    except TimeoutError:
        out.append("lost")
    except Exception as exc:  # handshake refused, connection closed without a frame
        code = getattr(getattr(exc, "rcvd", None), "code", None)
        out.append("at_capacity" if code == 4503 else "error")


async def _run(url, origin, cookies, timeout):
    global _CONNECTING
    _CONNECTING = asyncio.Semaphore(50)
    opened, out, lat, n_open = asyncio.Event(), [], [], []
    tasks = [asyncio.create_task(_session(url, origin, c, opened, out, lat, timeout, n_open)) for c in cookies]
    t0 = time.perf_counter()
    await asyncio.sleep(0)
    while len(n_open) + len(out) < len(cookies):  # every socket open (or refused) before the asks are released
        await asyncio.sleep(0.5)
        if time.perf_counter() - t0 > timeout / 2:
            break
    open_s = time.perf_counter() - t0
    opened.set()
    await asyncio.gather(*tasks)
    return out, lat, open_s, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=1050)
    ap.add_argument("--capacity", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=240)
    args = ap.parse_args()
    db_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not db_url.startswith("postgres") or not redis_url:
        sys.exit("bench/ws_sessions.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    import psycopg

    base_url, _, name = db_url.rpartition("/")
    ws_db = f"{name}_ws"
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{ws_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{ws_db}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{base_url}/{ws_db}",
        "PYTHONPATH": str(ROOT),
        "TA_BACKEND_URL": "",
        "TA_MODEL_PATH": "",
        "TA_RETRIEVER": "bm25",
        "TA_RATE_LIMIT": "0",
        "TA_DAILY_CAP": "0",
        "TA_MAX_SESSIONS": str(args.capacity),
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "import_course", "courses/packages/example"], cwd=ROOT, env=env, check=True, capture_output=True)
    script = (
        "from django.contrib.auth.models import User\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
        "from courses import api\n"
        "c = api.get_course('example')\n"
        f"for i in range({args.sessions}):\n"
        "    u = User.objects.create_user(f'ws{i}', password=None)\n"
        "    api.enroll(user=u, course_id=c.id)\n"
        "    s = SessionStore()\n"
        "    s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "    s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create()\n"
        "    print('SESSION', s.session_key)\n"
    )
    out = subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    cookies = [f"sessionid={line.split()[1]}" for line in out.splitlines() if line.startswith("SESSION")]
    port = _port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "academy.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-max-queue",
            "64",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(origin + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        url = f"ws://127.0.0.1:{port}/ws/courses/example/ta/"
        asyncio.run(_run(url, origin, cookies[:5], 60))  # warm-up: retrieval index, course model
        ends, lat, open_s, wall = asyncio.run(_run(url, origin, cookies, args.timeout))
        counts = {k: ends.count(k) for k in ("answered", "at_capacity", "error", "lost")}
        lat.sort()
        print(
            json.dumps(
                {
                    "bench": "ws_sessions",
                    "sessions": args.sessions,
                    "capacity": args.capacity,
                    **counts,
                    "open_all_s": round(open_s, 1),
                    "answer_p50_ms": round(statistics.median(lat)) if lat else None,
                    "answer_p99_ms": round(lat[min(len(lat) - 1, int(0.99 * len(lat)))]) if lat else None,
                    "wall_s": round(wall, 1),
                    "cpus": os.cpu_count(),
                }
            )
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # graceful shutdown still closing a thousand websockets
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{ws_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
