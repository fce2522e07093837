"""The test harness that runs INSIDE the sandbox (standard library only; executed as a script, never imported by the
server).

Protocol: one JSON line on stdin ``{"site_dirs": [...], "preload": [...], "result_fd": n, "jobs": [Job.to_dict(), ...]}``;
one JSON list of results (``RunResult.to_dict()`` shapes) written to the inherited file descriptor ``result_fd``. The allowed packages are imported once,
then every job runs in a forked child with its own folder under the private ``/tmp``, its own rlimits and a wall-clock
budget; after each job every other process in the sandbox's PID namespace is killed, so a fork bomb or a background
process cannot outlive its job. With ``"serve": true`` the harness stays up as a warm sandbox (see ``serve``).
"""

import builtins
import importlib
import json
import os
import resource
import shutil
import signal
import site
import sys
import time
import traceback

STDOUT_KEEP = 2000
GRACE_S = 2.0
RESULT_FD = None  # set by main(); closed in every job process so submitted code can never forge a result
_jobs_run = 0


class TimeLimitExceeded(BaseException):
    """Raised by the per-job alarm; a BaseException so a student's ``except Exception`` does not swallow it."""


class OutputLimitExceeded(BaseException):
    pass


class CappedOutput:
    """A text stream that keeps the first ``STDOUT_KEEP`` characters of each test and raises past the job's total."""

    def __init__(self, total_limit):
        self.total_limit = total_limit
        self.total = 0
        self.parts = []
        self.kept = 0

    def write(self, text):
        text = str(text)
        self.total += len(text)
        if self.kept < STDOUT_KEEP:
            piece = text[: STDOUT_KEEP - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        if self.total > self.total_limit:
            raise OutputLimitExceeded()
        return len(text)

    def take(self):
        out = "".join(self.parts)
        self.parts, self.kept = [], 0
        return out

    def flush(self):
        pass

    def isatty(self):
        return False


def _vm_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _where(tb, workdir, hidden_files):
    """'file, line N' of the innermost frame in the student's folder (hidden test files are never located)."""
    for frame in reversed(traceback.extract_tb(tb)):
        if frame.filename.startswith(workdir + "/"):
            rel = frame.filename[len(workdir) + 1 :]
            if rel in hidden_files:
                return ""
            return f" ({rel}, line {frame.lineno})"
    return ""


def _message(exc, tb, workdir, hidden_files, limits):
    if isinstance(exc, TimeLimitExceeded):
        return f"time limit {limits['time_s']:g} s exceeded"
    if isinstance(exc, OutputLimitExceeded):
        return f"output limit {limits['output_kb']} KB exceeded: print less"
    text = str(exc)
    if isinstance(exc, MemoryError) or "can't allocate memory" in text or "std::bad_alloc" in text:
        return f"memory limit {limits['memory_mb']} MB exceeded"
    if isinstance(exc, AssertionError):
        if text:
            return text
        for frame in reversed(traceback.extract_tb(tb)):
            if frame.filename.startswith(workdir + "/"):
                rel = frame.filename[len(workdir) + 1 :]
                if rel in hidden_files:
                    return "assertion failed"
                return f"assertion failed: {frame.line} ({rel}, line {frame.lineno})"
        return "assertion failed"
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} ({os.path.basename(exc.filename or '?')}, line {exc.lineno})"
    return f"{type(exc).__name__}: {text}{_where(tb, workdir, hidden_files)}"[:1000]


def _guard_imports(workdir, allowed):
    original = builtins.__import__

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and globals and str(globals.get("__file__") or "").startswith(workdir + "/"):
            top = name.partition(".")[0]
            if top not in allowed:
                raise ImportError(f"import of {top!r} is not allowed in this exercise")
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded


def _safe_path(rel):
    parts = rel.replace("\\", "/").split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad file name {rel!r}")
    return "/".join(parts)


def run_job(job, index, result_path):
    """In the forked child: write the files, limit resources, run every test, write the results to ``result_path``."""
    my_pid = os.getpid()
    limits = job["limits"]
    workdir = f"/tmp/job{index}"
    os.makedirs(workdir)
    for rel, text in list(job["files"].items()) + list(job["tests"].items()):
        path = os.path.join(workdir, _safe_path(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    os.chdir(workdir)
    sys.path.insert(0, workdir)
    hidden = set(job.get("hidden", []))
    local = {_safe_path(r).split("/")[0].removesuffix(".py") for r in list(job["files"]) + list(job["tests"])}
    allowed = set(sys.stdlib_module_names) | set(job.get("imports", [])) | local
    _guard_imports(workdir, allowed)

    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + limits["memory_mb"] * mb,) * 2)
    cpu = int(limits["time_s"]) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    out = CappedOutput(limits["output_kb"] * 1024)
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = out
    sys.stdin = open(os.devnull)

    def on_alarm(signum, frame):
        raise TimeLimitExceeded()

    signal.signal(signal.SIGALRM, on_alarm)
    deadline = time.monotonic() + limits["time_s"]
    signal.setitimer(signal.ITIMER_REAL, limits["time_s"])
    results = []
    timed_out = False

    def record(name, passed, message, started, is_hidden):
        if os.getpid() != my_pid:  # a process the student forked: never reports
            os._exit(0)
        results.append(
            {
                "name": name,
                "passed": passed,
                "message": message,
                "stdout": out.take(),
                "hidden": is_hidden,
                "duration_ms": round((time.monotonic() - started) * 1000, 2),
            }
        )

    for test_file in job["tests"]:
        mod_name = _safe_path(test_file).removesuffix(".py").replace("/", ".")
        is_hidden = test_file in hidden
        started = time.monotonic()
        try:
            if timed_out:
                raise TimeLimitExceeded()
            module = importlib.import_module(mod_name)
            tests = [
                (n, f)
                for n, f in vars(module).items()
                if n.startswith("test_") and callable(f) and getattr(f, "__module__", None) == mod_name
            ]
        except BaseException as exc:  # noqa: BLE001 - everything the code does ends as a result
            timed_out = timed_out or isinstance(exc, TimeLimitExceeded)
            record(f"{test_file}::<import>", False, _message(exc, exc.__traceback__, workdir, hidden, limits), started, is_hidden)
            continue
        for name, fn in tests:
            started = time.monotonic()
            try:
                if timed_out or time.monotonic() > deadline:
                    raise TimeLimitExceeded()
                fn()
            except BaseException as exc:  # noqa: BLE001
                timed_out = timed_out or isinstance(exc, TimeLimitExceeded)
                record(
                    f"{test_file}::{name}", False, _message(exc, exc.__traceback__, workdir, hidden, limits), started, is_hidden
                )
            else:
                record(f"{test_file}::{name}", True, "", started, is_hidden)
    signal.setitimer(signal.ITIMER_REAL, 0)
    if os.getpid() != my_pid:
        os._exit(0)
    tmp = result_path + ".part"
    with open(tmp, "w") as f:
        json.dump({"status": "ok", "tests": results, "message": "time limit exceeded" if timed_out else ""}, f)
    os.rename(tmp, result_path)
    os._exit(0)


def _kill_others():
    """SIGKILL every process of the PID namespace but its init and this harness, and reap our own children."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break


def _clean_tmp():
    """Remove everything the job left in /tmp (every other process is already dead), so the next job starts clean."""
    for name in os.listdir("/tmp"):
        path = os.path.join("/tmp", name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        except OSError:
            pass


def supervise(job):
    """Fork the job, wait at most its time budget plus a grace, and turn whatever happened into a result dict."""
    global _jobs_run
    index = _jobs_run = _jobs_run + 1
    result_path = f"/tmp/result{index}.json"
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            if RESULT_FD is not None:
                os.close(RESULT_FD)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)  # the request pipe: a job never sees the next one
            run_job(job, index, result_path)
        except BaseException:  # noqa: BLE001
            os.write(2, traceback.format_exc().encode()[-4000:])
        os._exit(70)
    limit = job["limits"]["time_s"]
    deadline = started + limit + GRACE_S
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.005)
    else:
        status = None
    _kill_others()
    elapsed = (time.monotonic() - started) * 1000
    data = None
    if status is not None and os.path.exists(result_path):
        try:
            with open(result_path) as f:
                data = json.load(f)
            data["duration_ms"] = elapsed
        except (OSError, ValueError):
            data = {"status": "error", "message": "the program overwrote its result", "tests": [], "duration_ms": elapsed}
    _clean_tmp()
    if status is None:
        return {"status": "error", "message": f"time limit {limit:g} s exceeded", "tests": [], "duration_ms": elapsed}
    if data is not None:
        return data
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or sig == signal.SIGKILL:
            message = f"time limit {limit:g} s exceeded"
        else:
            message = f"the program crashed ({signal.Signals(sig).name})"
    else:
        message = f"the tests could not be run (harness exit status {os.WEXITSTATUS(status)})"
    return {"status": "error", "message": message, "tests": [], "duration_ms": elapsed}


def _not_dumpable():
    """PR_SET_DUMPABLE 0: no job process (same uid) may open this harness's /proc/<pid>/fd or memory."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def serve(request):
    """Warm mode: after the preload, answer one JSON line per request line on stdin, each {"nonce", "jobs"} →
    {"nonce", "results"} on RESULT_FD, until stdin closes. The packages are imported once; every job is still a
    fresh fork with its own limits, and /tmp is emptied and every other process killed between jobs."""
    stdin = sys.stdin.buffer
    os.write(RESULT_FD, b'{"ready": true}\n')
    while True:
        line = stdin.readline()
        if not line:
            return
        req = json.loads(line)
        results = [supervise(job) for job in req["jobs"]]
        os.write(RESULT_FD, (json.dumps({"nonce": req["nonce"], "results": results}) + "\n").encode())


def main():
    global RESULT_FD
    _not_dumpable()
    request = json.loads(sys.stdin.buffer.readline())
    RESULT_FD = request["result_fd"]
    for d in request.get("site_dirs", []):
        site.addsitedir(d)
    for name in request.get("preload", []):
        try:
            module = importlib.import_module(name)
            if name == "torch":
                module.set_num_threads(1)
        except ImportError:
            pass
    os.set_inheritable(RESULT_FD, False)
    if request.get("serve"):
        serve(request)
        return
    results = [supervise(job) for job in request["jobs"]]
    with os.fdopen(RESULT_FD, "w") as out:
        json.dump(results, out)


if __name__ == "__main__":
    main()
