"""Plain data of the sandbox: what to run (:class:`Job`), under which :class:`Limits`, and what came back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

DEFAULT_TIME_S = 5.0
DEFAULT_MEMORY_MB = 512
STDOUT_KEEP_CHARS = 2000


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run.

    ``time_s``: wall-clock seconds for all the tests of a job together (the interpreter's start and the import of the
    allowed packages are not counted); ``memory_mb``: address space the code may add on top of the interpreter and the
    preloaded packages, in MiB; ``processes``: processes and threads of the sandbox user; ``output_kb``: what the code
    may print in total (KiB); ``file_mb``: largest file it may write (MiB) in its private ``/tmp``.
    """

    time_s: float = DEFAULT_TIME_S
    memory_mb: int = DEFAULT_MEMORY_MB
    processes: int = 64
    output_kb: int = 1024
    file_mb: int = 16


@dataclass(frozen=True)
class Job:
    """One submission to test: ``files`` {relative path: text} (the student's code), ``tests`` {file name: text}
    of test modules whose ``test_*`` functions are run in order, ``hidden`` the names of test files whose source
    lines are never echoed back, ``imports`` the third-party top-level packages the code may import (``numpy``,
    ``torch``; the standard library is always allowed)."""

    files: dict[str, str]
    tests: dict[str, str]
    hidden: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)

    def to_dict(self) -> dict:
        return {**asdict(self), "hidden": list(self.hidden), "imports": list(self.imports)}


@dataclass(frozen=True)
class TestResult:
    """One test: ``name`` (``file::function``), ``passed``, ``message`` (assertion message or error, '' when passed),
    ``stdout`` (what it printed, truncated to 2000 characters), ``hidden``, ``duration_ms``."""

    name: str
    passed: bool
    message: str = ""
    stdout: str = ""
    hidden: bool = False
    duration_ms: float = 0.0


@dataclass(frozen=True)
class RunResult:
    """The outcome of a job. ``status``: ``ok`` (the tests ran; see ``tests``), ``error`` (the code could not be
    tested, e.g. the time limit was exceeded; ``message`` says why in a sentence), ``unavailable`` (no sandbox on this
    server: nothing was run). ``passed`` is True only when every test passed."""

    status: str
    tests: tuple[TestResult, ...] = ()
    message: str = ""
    duration_ms: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "ok" and bool(self.tests) and all(t.passed for t in self.tests)

    @property
    def failures(self) -> tuple[TestResult, ...]:
        return tuple(t for t in self.tests if not t.passed)

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "passed": self.passed,
            "message": self.message,
            "duration_ms": round(self.duration_ms, 1),
            "tests": [asdict(t) for t in self.tests],
        }

    @classmethod
    def from_dict(cls, data: dict) -> RunResult:
        tests = tuple(TestResult(**{k: t[k] for k in TestResult.__dataclass_fields__ if k in t}) for t in data.get("tests", []))
        return cls(data.get("status", "error"), tests, data.get("message", ""), float(data.get("duration_ms", 0.0)))
