"""Hostile submissions end as a clear failed result, touch nothing of the server, and the next run still works.

Every case goes through the real bubblewrap sandbox (skipped only where ``bwrap`` is not installed).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from sandbox import Job, Limits, run, run_jobs
from sandbox.runner import available

pytestmark = pytest.mark.skipif(not available(), reason="bubblewrap (bwrap) is not installed: `make sandbox`")

REPO = Path(__file__).resolve().parents[2]
FAST = Limits(time_s=1.5, memory_mb=256)


def _one(code: str, test: str, limits: Limits = FAST):
    return run(Job(files={"solution.py": code}, tests={"test_it.py": test}, limits=limits))


def _sane():
    ok = _one("def f():\n    return 42\n", "from solution import f\n\ndef test_f():\n    assert f() == 42\n")
    assert ok.passed, ok


def test_infinite_loop_is_stopped_by_the_time_limit():
    started = time.monotonic()
    r = _one(
        "def f():\n    while True:\n        pass\n",
        "from solution import f\n\ndef test_f():\n    f()\n\ndef test_after():\n    pass\n",
    )
    assert time.monotonic() - started < 15
    assert not r.passed
    assert r.tests[0].message == "time limit 1.5 s exceeded"
    assert not r.tests[1].passed  # the budget is for the whole job, not per test
    _sane()


def test_loop_that_swallows_the_alarm_is_killed():
    code = "def f():\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n"
    r = _one(code, "from solution import f\n\ndef test_f():\n    f()\n")
    assert r.status == "error" and r.message == "time limit 1.5 s exceeded"
    _sane()


def test_fork_bomb_is_contained_and_cleaned_up():
    code = (
        "import os\n\ndef f():\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n"
    )
    started = time.monotonic()
    bomb, after = run_jobs(
        [
            Job(
                files={"solution.py": code},
                tests={"test_it.py": "from solution import f\n\ndef test_f():\n    f()\n"},
                limits=FAST,
            ),
            Job(
                files={"solution.py": "X = 1\n"},
                tests={"test_it.py": "from solution import X\n\ndef test_x():\n    assert X == 1\n"},
            ),
        ]
    )
    assert time.monotonic() - started < 30
    assert not bomb.passed and "time limit" in (bomb.message + bomb.tests[0].message if bomb.tests else bomb.message)
    assert after.passed, after  # the next job in the same sandbox had processes to spare


def test_memory_hog_hits_the_memory_limit():
    r = _one("def f():\n    return bytearray(2 * 1024 ** 3)\n", "from solution import f\n\ndef test_f():\n    f()\n")
    assert not r.passed
    assert r.tests[0].message == "memory limit 256 MB exceeded"
    _sane()


def test_printing_100_mb_hits_the_output_limit():
    r = _one("def f():\n    print('x' * 100_000_000)\n", "from solution import f\n\ndef test_f():\n    f()\n")
    assert not r.passed
    assert r.tests[0].message.startswith("output limit 1024 KB exceeded")
    assert len(r.tests[0].stdout) <= 2000


def test_printing_in_a_loop_also_hits_the_output_limit():
    r = _one("def f():\n    while True:\n        print('spam ' * 100)\n", "from solution import f\n\ndef test_f():\n    f()\n")
    assert r.tests[0].message.startswith("output limit")


def test_server_files_and_environment_are_invisible(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "the-secret-marker-1234")
    db = REPO / "db.sqlite3"
    code = """
import os

def leak(path):
    try:
        return open(path).read()
    except OSError as exc:
        return type(exc).__name__
"""
    test = f"""
import os
from solution import leak

def test_env():
    print(dict(os.environ))
    assert "SECRET_KEY" not in os.environ

def test_shadow():
    assert leak("/etc/shadow") == "FileNotFoundError"

def test_repo():
    assert leak({str(REPO / "pyproject.toml")!r}) == "FileNotFoundError"
    assert leak({str(db)!r}) == "FileNotFoundError"
    assert not os.path.exists({str(REPO)!r})
"""
    r = _one(code, test)
    assert r.passed, r
    assert all("the-secret-marker" not in t.stdout for t in r.tests)


def test_no_network_even_to_localhost():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        code = f"import socket\n\ndef f():\n    return socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
        r = _one(code, "from solution import f\n\ndef test_f():\n    f()\n")
    finally:
        server.close()
    assert not r.passed
    assert r.tests[0].message.startswith(("OSError", "ConnectionRefusedError")), r.tests[0].message


def test_writing_outside_tmp_fails_and_leaves_no_trace():
    target = "/usr/academy-sandbox-was-here"
    code = "def f(path):\n    with open(path, 'w') as fh:\n        fh.write('x')\n"
    test = f"from solution import f\n\ndef test_usr():\n    f({target!r})\n\ndef test_root():\n    f('/evil')\n\ndef test_tmp_is_fine():\n    f('/tmp/ok.txt')\n"
    r = _one(code, test)
    assert [t.passed for t in r.tests] == [False, False, True]
    assert "Read-only file system" in r.tests[0].message or "Permission denied" in r.tests[0].message
    assert not os.path.exists(target) and not os.path.exists("/evil")


def test_syntax_error_and_disallowed_import_are_reported_plainly():
    r = _one("def f(:\n    pass\n", "from solution import f\n\ndef test_f():\n    f()\n")
    assert r.tests[0].message.startswith("SyntaxError") and "solution.py, line 1" in r.tests[0].message
    r = _one("import django\n", "import solution\n\ndef test_f():\n    pass\n")
    assert "import of 'django' is not allowed" in r.tests[0].message
