"""Run jobs in Debian's bubblewrap (``bwrap``): the only way Academy executes a student's code.

The sandbox has no network (``--unshare-all``), a read-only view of exactly what Python needs (``/usr``, the
interpreter's prefix, the site-packages of the allowed libraries) and nothing else of the server (no repository, no
database file, no ``/etc``, no environment: ``--clearenv``), a private size-limited ``/tmp``, its own PID namespace
(``--die-with-parent``: it dies with the worker) and an unprivileged uid. When the worker runs as root, the needed
folders are bind-mounted into a private mount namespace (util-linux ``unshare``) and the sandbox starts under a fresh
uid of its own (``setpriv``), so ``RLIMIT_NPROC`` really bounds a fork bomb. rlimits (address space, CPU time, file
size, processes) are set by the harness before the first line of submitted code runs; the wall clock is enforced
both inside (per job) and here (for the whole run).

If ``bwrap`` is missing or cannot create its namespaces, :func:`run_jobs` returns ``unavailable`` results and runs
nothing: code is never executed unsandboxed.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from .types import Job, RunResult

HARNESS = Path(__file__).with_name("harness.py")
STARTUP_ALLOWANCE_S = 60.0  # interpreter start + importing torch on a loaded machine, outside the job's budget
UNAVAILABLE = (
    "Code exercises are not graded on this server: the sandbox (bubblewrap, `bwrap`) is not installed or cannot run. "
    "Nothing was executed."
)


class SandboxUnavailable(RuntimeError):
    pass


def _site_dirs() -> list[str]:
    """The site-packages folders of this interpreter (where numpy and torch live)."""
    dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(d for d in dirs if os.path.isdir(d))


def _python_prefix() -> str:
    return os.path.realpath(sys.base_prefix)


def _interpreter() -> str:
    exe = os.path.realpath(sys.executable)
    prefix = _python_prefix()
    if not exe.startswith(prefix + "/"):  # a venv's python is a symlink to the base interpreter
        exe = os.path.join(prefix, "bin", os.path.basename(exe))
    return exe


def bwrap_path() -> str | None:
    """The bubblewrap binary: ``$ACADEMY_SANDBOX_BWRAP`` (a name on PATH or a path; default ``bwrap``), or None."""
    return shutil.which(os.environ.get("ACADEMY_SANDBOX_BWRAP", "bwrap"))


def _command(stage: Path, as_root: bool) -> list[str]:
    """The full command line: [unshare … setpriv …] bwrap … python -I harness.py."""
    prefix, sites = _python_prefix(), _site_dirs()
    binds: list[tuple[str, str]] = [(prefix, prefix), (str(HARNESS), "/sandbox/harness.py")]
    binds += [(d, f"/sandbox/site{i}") for i, d in enumerate(sites)]
    argv = [bwrap_path() or "bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for link in ("lib", "lib64", "bin"):
        if os.path.islink(f"/{link}"):
            argv += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            argv += ["--ro-bind", f"/{link}", f"/{link}"]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(64 * 1024 * 1024), "--tmpfs", "/tmp"]
    argv += ["--setenv", "HOME", "/tmp", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8"]
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        argv += ["--setenv", var, "1"]
    argv += ["--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "PYTHONHASHSEED", "0"]
    wrapper: list[str] = []
    if as_root:
        # Stage every needed folder at a world-readable path in a private mount namespace, then drop to a fresh uid.
        mounts = []
        for i, (src, dest) in enumerate(binds):
            staged = stage / f"m{i}"
            if os.path.isdir(src):
                staged.mkdir()
            else:
                staged.touch()
            staged.chmod(0o755)
            mounts += [src, str(staged)]
            argv += ["--ro-bind", str(staged), dest]
        uid = 200_000 + secrets.randbelow(60_000)
        script = 'while [ "$1" != "--" ]; do mount --bind "$1" "$2" || exit 71; shift 2; done; shift; exec "$@"'
        wrapper = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", *mounts, "--"]
        wrapper += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    else:
        for src, dest in binds:
            argv += ["--ro-bind", src, dest]
    argv += ["--remount-ro", "/", "--chdir", "/tmp", _interpreter(), "-I", "-S", "/sandbox/harness.py"]
    return wrapper + argv


def run_jobs(jobs: list[Job], *, preload: tuple[str, ...] | None = None) -> list[RunResult]:
    """Run every job in ONE sandbox (one interpreter start, packages imported once, each job in its own forked
    process, folder and limits) and return one :class:`RunResult` per job, in order.

    ``preload`` defaults to the union of the jobs' ``imports``. Never raises for anything the submitted code does;
    returns ``unavailable`` results when there is no working sandbox, ``error`` results when the sandbox itself failed.
    """
    if not jobs:
        return []
    if not available():
        return [RunResult("unavailable", message=UNAVAILABLE) for _ in jobs]
    wanted = preload if preload is not None else tuple(sorted({m for j in jobs for m in j.imports}))
    request = {
        "site_dirs": [f"/sandbox/site{i}" for i in range(len(_site_dirs()))],
        "preload": list(wanted),
        "jobs": [j.to_dict() for j in jobs],
    }
    budget = sum(j.limits.time_s + 3 for j in jobs) + STARTUP_ALLOWANCE_S
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="academy-sandbox-") as tmp:
        stage = Path(tmp)
        stage.chmod(0o755)
        result_file = stage / "result.json"
        log_file = stage / "log.txt"
        with open(result_file, "w+b") as res, open(log_file, "w+b") as log:
            request["result_fd"] = res.fileno()
            try:
                proc = subprocess.Popen(
                    _command(stage, os.geteuid() == 0),
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(res.fileno(),),
                    start_new_session=True,
                )
            except OSError as exc:
                return [RunResult("unavailable", message=f"{UNAVAILABLE} ({exc})") for _ in jobs]
            try:
                proc.communicate(json.dumps(request).encode() + b"\n", timeout=budget)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                return [RunResult("error", message="the sandbox did not finish in time") for _ in jobs]
            finally:
                _kill_group(proc)
            res.seek(0)
            raw = res.read(16 * 1024 * 1024)
            log.seek(0)
            tail = log.read(4000).decode("utf-8", "replace")
    elapsed = (time.monotonic() - started) * 1000
    if os.environ.get("ACADEMY_SANDBOX_DEBUG"):
        print(tail, file=sys.stderr)
    try:
        data = json.loads(raw)
        if not isinstance(data, list) or len(data) != len(jobs):
            raise ValueError("wrong number of results")
        return [RunResult.from_dict(d) for d in data]
    except (ValueError, TypeError, KeyError):
        message = "the sandbox returned no result"
        if "bwrap:" in tail or proc.returncode == 71:
            message += f": {tail.strip().splitlines()[-1] if tail.strip() else 'namespace setup failed'}"
        return [RunResult("error", message=message, duration_ms=elapsed) for _ in jobs]


def run(job: Job) -> RunResult:
    """Run one job: in the warm sandbox for its packages (``sandbox.warm``; torch is imported once per worker), or
    in a fresh sandbox when ``ACADEMY_SANDBOX_WARM=0``. See :func:`run_jobs` for the results."""
    if os.environ.get("ACADEMY_SANDBOX_WARM", "1") == "0":
        return run_jobs([job])[0]
    from .warm import run_warm

    return run_warm([job])[0]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def available() -> bool:
    """True when ``bwrap`` exists and can create its namespaces here (checked once per binary by a trivial run)."""
    path = bwrap_path()
    return bool(path) and _works(path)


@functools.cache
def _works(path: str) -> bool:
    try:
        return bare_python(timeout=30) == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def bare_python(code: str = "pass", timeout: float = 30) -> int:
    """Run ``python -I -S -c code`` in the same sandbox (same mounts, namespaces and uid, no harness); returns the
    exit status. The baseline of ``bench/code_grading.py`` and the availability probe."""
    with tempfile.TemporaryDirectory(prefix="academy-sandbox-probe-") as tmp:
        stage = Path(tmp)
        stage.chmod(0o755)
        argv = _command(stage, os.geteuid() == 0)
        argv = argv[: argv.index("/sandbox/harness.py") - 2] + [_interpreter(), "-I", "-S", "-c", code]
        return subprocess.run(argv, capture_output=True, timeout=timeout).returncode
