"""The server is killed with SIGKILL in the middle of a burst of attempts and started again; the clients retry
what got no answer with the same ``client_attempt_id``: every attempt is recorded exactly once, and the knowledge
state counts exactly the recorded attempts (no attempt committed without its knowledge update, none lost) — issue 14.
A uvicorn subprocess on the PostgreSQL test database; skipped on SQLite (the subprocess could not see an in-memory
database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.e2e.conftest import _free_port

pytestmark = [pytest.mark.slow, pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server database")]
ROOT = Path(__file__).resolve().parents[2]


def _serve(port: int) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PYTHONPATH": str(ROOT),
        "RATELIMIT_ENABLE": "0",
        "ATTEMPT_RATE": "1000000/m",
        "LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "uvicorn", "academy.asgi:application", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def test_attempts_survive_a_server_killed_mid_burst(transactional_db, course, make_user, problem_id):
    from rest_framework.authtoken.models import Token

    from tutor.practice.models import Attempt, KnowledgeTotals

    ada = make_user("ada", course=course)
    headers = {"Authorization": f"Token {Token.objects.create(user=ada).key}"}
    pid = problem_id("table-cells")
    ids = [uuid.uuid4() for _ in range(80)]
    answers = {cid: 9 if k % 3 else 7 for k, cid in enumerate(ids)}  # 9 is right, 7 wrong
    answered: dict[uuid.UUID, int] = {}  # id -> status of the answer the client finally got
    errors: list[str] = []
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(port)

    def post(c: httpx.Client, cid: uuid.UUID) -> None:
        body = {"answer": answers[cid], "client_attempt_id": str(cid), "time_taken_ms": 4000}
        try:
            r = c.post(f"/api/problems/{pid}/attempts/", json=body)
        except httpx.HTTPError as e:
            errors.append(type(e).__name__)
            return
        assert r.status_code in (200, 201), r.text
        answered[cid] = r.status_code

    def client(share: list[uuid.UUID]) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
            for cid in share:
                post(c, cid)

    try:
        threads = [threading.Thread(target=client, args=(ids[k::8],)) for k in range(8)]
        for t in threads:
            t.start()
        while len(answered) < 20:
            time.sleep(0.005)
        server.send_signal(signal.SIGKILL)  # mid-burst: requests in flight, transactions open
        server.wait(timeout=10)
        for t in threads:
            t.join(timeout=60)
        assert errors, "the kill should have cut requests off"
        assert len(answered) < len(ids)
        server = _serve(port)
        with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
            for cid in ids:  # the clients' retries: everything without an answer, same ids
                if cid not in answered:
                    post(c, cid)
    finally:
        server.kill()
        server.wait(timeout=10)
    assert set(answered) == set(ids)
    rows = list(Attempt.objects.filter(user=ada).values_list("client_attempt_id", flat=True))
    assert sorted(rows) == sorted(ids)  # each exactly once
    totals = KnowledgeTotals.objects.get(user=ada)
    assert totals.n_correct + totals.n_wrong == len(ids)  # the knowledge state counts every recorded attempt, once
    assert totals.n_correct == Attempt.objects.filter(user=ada, correct=True).count()
