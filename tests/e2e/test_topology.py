"""The production topology (Procfile run by honcho: 2 ASGI workers, Celery worker and beat, the inference worker with
a tiny model) on PostgreSQL + Redis, and the newcomer path against it: sign up, enroll, answer a problem, reach the
inference worker. Runs in the production-configuration pass (``make test-production``); skipped without PostgreSQL
and Redis. Its own database (created and dropped here) and Redis db 15, loopback only, bounded to a few minutes."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.database, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
DB_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def topology(tmp_path):
    if not DB_URL.startswith("postgres") or not REDIS_URL:
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    import psycopg

    base, _, _ = DB_URL.rpartition("/")
    name = f"academy_topology_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    web, inference = _free_port(), _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{name}",
        "REDIS_URL": re.sub(r"/\d+$", "", REDIS_URL) + "/15",
        "ACADEMY_PORT": str(web),
        "INFERENCE_PORT": str(inference),
        "TA_MODEL_DIR": str(tmp_path / "tiny-model"),
        "PYTHONPATH": str(ROOT),
        "RATELIMIT_ENABLE": "0",
    }
    for cmd in (["migrate", "--noinput", "-v", "0"], ["import_course", "courses/packages/example"]):
        subprocess.run([sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, check=True, timeout=180, capture_output=True)
    log = open(tmp_path / "honcho.log", "w")
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/honcho"), "start", "-f", "Procfile"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        ready = set()
        while time.monotonic() < deadline and len(ready) < 2:
            assert proc.poll() is None, (tmp_path / "honcho.log").read_text()[-3000:]
            for port, path in ((web, "/healthz"), (inference, "/health")):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code == 200:
                        ready.add(port)
                except httpx.HTTPError:
                    pass
            time.sleep(1)
        assert len(ready) == 2, (tmp_path / "honcho.log").read_text()[-3000:]
        yield f"http://127.0.0.1:{web}", f"http://127.0.0.1:{inference}", tmp_path / "honcho.log"
    finally:
        with contextlib.suppress(ProcessLookupError):  # honcho already stopped when a process failed to start
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_newcomer_path_against_the_production_topology(topology):
    web, inference, log = topology
    with httpx.Client(base_url=web, timeout=20, follow_redirects=False) as c:
        c.get("/accounts/signup/")
        token = c.cookies["csrftoken"]
        r = c.post(
            "/accounts/signup/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "newcomer",
                "email": "newcomer@example.org",
                "password1": "a-long-pass-phrase-91",
                "password2": "a-long-pass-phrase-91",
            },
        )
        assert r.status_code == 302, r.text[:500]
        headers = {"X-CSRFToken": c.cookies["csrftoken"], "Referer": web + "/"}
        assert c.post("/api/courses/example/enroll/", headers=headers).status_code == 201
        nxt = c.get("/api/courses/example/next/").json()
        assert nxt["problem"], nxt
        r = c.post(
            f"/api/problems/{nxt['problem']['id']}/attempts/",
            json={"answer": "1", "client_attempt_id": str(uuid.uuid4())},
            headers=headers,
        )
        assert r.status_code in (201, 400), r.text  # recorded, or a clear field error for this problem's answer shape
        assert c.get("/courses/example/").status_code == 200
    models = httpx.get(f"{inference}/v1/models", timeout=10).json()
    assert models["data"], models
    text = log.read_text()
    assert "celery@" in text and "beat" in text.lower()  # the worker and beat started
    assert text.count("Started server process") >= 2 or "Started parent process" in text  # uvicorn's 2 workers
