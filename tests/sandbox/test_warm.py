"""The warm sandbox (packages imported once, a fresh fork per job) keeps submissions apart and survives abuse."""

from __future__ import annotations

import pytest

from sandbox import Job, Limits, run
from sandbox.runner import available

pytestmark = pytest.mark.skipif(not available(), reason="bubblewrap (bwrap) is not installed: `make sandbox`")
FAST = Limits(time_s=2)


def _one(code: str, test: str) -> object:
    return run(Job(files={"solution.py": code}, tests={"test_it.py": test}, limits=FAST))


def test_nothing_survives_from_one_submission_to_the_next():
    plant = """
import os, subprocess

def plant():
    with open("/tmp/secret-answer.txt", "w") as f:
        f.write("def f(): return 42")
    if os.fork() == 0:  # a process left behind, trying to outlive the job
        import time
        time.sleep(60)
        os._exit(0)
"""
    r = _one(plant, "from solution import plant\n\ndef test_plant():\n    plant()\n")
    assert r.passed, r
    look = """
import os

def look():
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]
    return os.listdir("/tmp"), others
"""
    test = """
import os
from solution import look

def test_look():
    files, others = look()
    print(files, others)
    assert files == [os.path.basename(os.getcwd())], files  # only this job's own folder
    assert others == [], others
"""
    r = _one(look, test)
    assert r.passed, r


def test_a_job_cannot_reach_the_harness_pipes():
    code = """
import os

def peek():
    parent = os.getppid()
    try:
        return os.listdir(f"/proc/{parent}/fd")
    except OSError as exc:
        return type(exc).__name__
"""
    r = _one(code, "from solution import peek\n\ndef test_peek():\n    assert peek() == 'PermissionError', peek()\n")
    assert r.passed, r


def test_killing_the_sandbox_fails_only_that_submission():
    r = _one(
        "import os, signal\n\ndef f():\n    os.kill(-1, signal.SIGKILL)\n", "from solution import f\n\ndef test_f():\n    f()\n"
    )
    assert not r.passed and r.status == "error" and "stopped the sandbox" in r.message
    ok = _one("def f():\n    return 1\n", "from solution import f\n\ndef test_f():\n    assert f() == 1\n")
    assert ok.passed, ok
