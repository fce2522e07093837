"""Warm sandboxes: one long-lived bubblewrap sandbox per set of preloaded packages, so a torch exercise does not pay
for importing torch on every submission.

The harness runs in serve mode (``harness.serve``): the packages are imported once in a process that never runs
submitted code; each job is a fresh fork with its own folder and rlimits; after each job every other process in the
sandbox is killed and ``/tmp`` is emptied; the serving process is not dumpable and its request and result pipes are
closed in the job, so one submission can neither read the next one nor forge its result. A sandbox is replaced after
``MAX_JOBS`` jobs, when it dies (a job may kill it: only that job gets an error), or when a reply is late.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from . import runner
from .types import Job, RunResult

MAX_JOBS = 200
_pool: dict[tuple[str, ...], _Warm] = {}
_locks: dict[tuple[str, ...], threading.Lock] = {}
_pool_lock = threading.Lock()


class _Warm:
    def __init__(self, preload: tuple[str, ...]):
        self.preload = preload
        self.jobs = 0
        self.stage = Path(tempfile.mkdtemp(prefix="academy-sandbox-warm-"))
        self.stage.chmod(0o755)
        self.read_fd, write_fd = os.pipe()
        self.log = open(self.stage / "log.txt", "w+b")  # noqa: SIM115 - lives as long as the sandbox
        try:
            self.proc = subprocess.Popen(
                runner._command(self.stage, os.geteuid() == 0),
                stdin=subprocess.PIPE,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
        self.buffer = b""
        request = {
            "site_dirs": [f"/sandbox/site{i}" for i in range(len(runner._site_dirs()))],
            "preload": list(preload),
            "result_fd": write_fd,
            "serve": True,
        }
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()
        ready = self._read_line(runner.STARTUP_ALLOWANCE_S)
        if not ready or not json.loads(ready).get("ready"):
            self.close()
            raise RuntimeError("the warm sandbox did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_line(self, timeout: float) -> bytes | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
            if len(self.buffer) > 64 * 1024 * 1024:
                return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def run(self, jobs: list[Job]) -> list[RunResult] | None:
        """The results, or None when the sandbox died or misbehaved during the jobs (it is closed then)."""
        nonce = secrets.token_hex(16)
        try:
            self.proc.stdin.write(json.dumps({"nonce": nonce, "jobs": [j.to_dict() for j in jobs]}).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()
            return None
        self.jobs += len(jobs)
        line = self._read_line(sum(j.limits.time_s + 5 for j in jobs))
        try:
            data = json.loads(line) if line else None
        except ValueError:
            data = None
        if not data or data.get("nonce") != nonce or len(data.get("results", ())) != len(jobs):
            self.close()
            return None
        return [RunResult.from_dict(d) for d in data["results"]]

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for closer in (lambda: os.close(self.read_fd), self.log.close, self.proc.stdin.close):
            try:
                closer()
            except OSError:
                pass
        shutil.rmtree(self.stage, ignore_errors=True)


def run_warm(jobs: list[Job]) -> list[RunResult]:
    """Run ``jobs`` in the warm sandbox for their packages (started on first use); same results as
    ``runner.run_jobs``. A job that kills its sandbox gets an error result; the next call starts a new sandbox."""
    if not runner.available():
        return [RunResult("unavailable", message=runner.UNAVAILABLE) for _ in jobs]
    key = tuple(sorted({m for j in jobs for m in j.imports}))
    with _pool_lock:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        warm = _pool.get(key)
        if warm is not None and (not warm.alive() or warm.jobs >= MAX_JOBS):
            warm.close()
            warm = None
        if warm is None:
            try:
                warm = _pool[key] = _Warm(key)
            except (RuntimeError, OSError):
                _pool.pop(key, None)
                return runner.run_jobs(jobs)
        results = warm.run(jobs)
        if results is None:
            _pool.pop(key, None)
            return [
                RunResult("error", message="the program stopped the sandbox (for example by killing its processes)") for _ in jobs
            ]
        return results


@atexit.register
def close_all() -> None:
    """Stop every warm sandbox (at exit, and in tests that want a fresh start)."""
    for key in list(_pool):
        _pool.pop(key).close()
