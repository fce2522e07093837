"""Code problems and the sandbox: the job that tests a set of files against a problem's tests, and the author-time
check that every reference solution passes every test while every starter fails at least one.

A code problem's grading data (``Problem.answer``, see docs/course-format.md) is
``{"files": {path: starter}, "tests": {file: visible tests}, "hidden_tests": {...}, "reference": {...},
"imports": ["numpy" | "torch"], "limits": {"time_s": s, "memory_mb": MiB}}``.
"""

from __future__ import annotations

from sandbox import Job, Limits, RunResult, run_jobs

from .package import CoursePackage, PackageError


def limits_of(spec: dict) -> Limits:
    given = spec.get("limits") or {}
    base = Limits()
    return Limits(time_s=float(given.get("time_s", base.time_s)), memory_mb=int(given.get("memory_mb", base.memory_mb)))


def code_job(spec: dict, files: dict[str, str], *, include_hidden: bool) -> Job:
    """The sandbox job testing ``files`` (only the problem's own file names are taken; missing ones get the starter)
    against the visible tests, plus the hidden ones when ``include_hidden``."""
    merged = {name: str(files.get(name, starter)) for name, starter in spec["files"].items()}
    tests = dict(spec["tests"])
    hidden = tuple(spec.get("hidden_tests") or {}) if include_hidden else ()
    if include_hidden:
        tests.update(spec.get("hidden_tests") or {})
    return Job(files=merged, tests=tests, hidden=hidden, imports=tuple(spec.get("imports") or ()), limits=limits_of(spec))


def check_code_problems(pkg: CoursePackage) -> list[PackageError]:
    """Run every code problem's reference (must pass all tests) and starter (must fail one) in one sandbox batch.

    Returns the errors found (empty when all is well); a problem without a reference only has its starter checked.
    Raises RuntimeError when the sandbox is unavailable (nothing can be checked).
    """
    where = {p.slug: f"modules/{m.folder}/module.yaml" for m in pkg.modules for s in m.steps for p in s.problems}
    errors = []
    for (slug, which), result in batch_results(pkg).items():
        if result.status == "unavailable":
            raise RuntimeError(result.message)
        errors.extend(PackageError(where[slug], None, f"problem {slug!r}: {m}") for m in verdict(which, result))
    return errors


def verdict(which: str, result: RunResult) -> list[str]:
    """What is wrong with a reference ("reference") or starter ("starter") run, as sentences; [] when fine."""
    if which == "reference":
        if result.status != "ok":
            return [f"the reference solution could not be tested: {result.message}"]
        return [f"the reference solution fails {t.name}: {t.message}" for t in result.failures]
    if result.status == "ok" and result.passed:
        return ["the starter code already passes every test (it must fail at least one)"]
    return []


def batch_results(pkg: CoursePackage) -> dict[tuple[str, str], RunResult]:
    """{(problem slug, "reference" | "starter"): result} for every code problem (one sandbox batch)."""
    jobs, labels = [], []
    for p in pkg.problems:
        if p.kind != "code":
            continue
        for which, files in (("reference", p.answer.get("reference")), ("starter", p.answer["files"])):
            if files:
                jobs.append(code_job(p.answer, files, include_hidden=True))
                labels.append((p.slug, which))
    return dict(zip(labels, run_jobs(jobs)))
