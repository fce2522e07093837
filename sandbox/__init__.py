"""Academy's code sandbox: run a submission's tests in bubblewrap and get structured results. No Django, no app.

``run(Job(files={"solution.py": ...}, tests={"test_visible.py": ...}))`` → :class:`RunResult`; see ``runner`` for the
isolation it provides and ``harness`` for the test protocol.
"""

from .runner import UNAVAILABLE, available, run, run_jobs  # noqa: F401
from .types import Job, Limits, RunResult, TestResult  # noqa: F401
