"""Recompute every numeric and code_output answer of the LLM101n course package, and run every code exercise.

For each problem in every ``modules/*/module.yaml`` of ``courses/packages/llm101n``:

- ``numeric``: run ``check`` (Python that prints the answer) in-process and compare the last printed
  number with ``answer`` within ``tolerance`` (absolute, default 1e-9) or ``relative_tolerance``.
- ``code_output``: run ``check`` if present, else the ``code`` shown to the student, and compare its
  stdout with ``answer`` after stripping trailing whitespace on each line and trailing blank lines
  (the same normalisation the grader uses, see docs/course-format.md).
- a problem marked ``unverifiable`` must give a non-empty reason instead.

Snippets run with plain Python in fresh globals; numpy and CPU torch are imported by the snippets that
need them, so a package without torch-using checks never pays for importing it. Test ids are
``<module folder>/<problem slug>``.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from pathlib import Path

import pytest
import yaml

PACKAGE = Path(__file__).resolve().parents[2] / "courses" / "packages" / "llm101n"
VERIFIED_KINDS = ("numeric", "code_output")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan", re.IGNORECASE)


def _problems():
    """Yield (test id, problem dict) for every problem of every module.yaml, in ramp order."""
    for module_yaml in sorted(PACKAGE.glob("modules/*/module.yaml")):
        data = yaml.safe_load(module_yaml.read_text(encoding="utf-8")) or {}
        for step in data.get("steps") or []:
            for problem in step.get("problems") or []:
                if isinstance(problem, dict):
                    yield f"{module_yaml.parent.name}/{problem.get('slug')}", problem


PROBLEMS = list(_problems())


def _run(source: str) -> str:
    """Execute ``source`` in fresh globals and return what it printed."""
    buffer = io.StringIO()
    namespace = {"__name__": "__llm101n_check__"}
    with contextlib.redirect_stdout(buffer):
        exec(compile(source, "<check>", "exec"), namespace)  # noqa: S102 - course-authored snippets
    return buffer.getvalue()


def _normalise_output(text: str) -> str:
    """Strip trailing whitespace on each line and trailing blank lines (the code_output grading rule)."""
    lines = [line.rstrip() for line in str(text).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _last_number(output: str) -> float:
    """The last number printed, e.g. ``'loss 2.45\\n'`` -> 2.45; fails if nothing numeric was printed."""
    numbers = _NUMBER.findall(output)
    assert numbers, f"check printed no number: {output!r}"
    return float(numbers[-1])


def test_package_has_problems():
    assert PACKAGE.is_dir(), f"missing package folder {PACKAGE}"
    assert PROBLEMS, "no problems found in the LLM101n package"


def test_problem_slugs_unique():
    slugs = [problem.get("slug") for _, problem in PROBLEMS]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    assert not duplicates, f"duplicate problem slugs: {duplicates}"


@pytest.mark.parametrize(
    "problem",
    [pytest.param(problem, id=test_id) for test_id, problem in PROBLEMS if problem.get("kind") in VERIFIED_KINDS],
)
def test_answer_recomputes(problem):
    if "unverifiable" in problem:
        reason = problem["unverifiable"]
        assert isinstance(reason, str) and reason.strip(), "unverifiable needs a non-empty reason"
        return

    if problem["kind"] == "numeric":
        assert problem.get("check"), "numeric problem needs `check:` (or `unverifiable: reason`)"
        got = _last_number(_run(problem["check"]))
        expected = float(problem["answer"])
        if "relative_tolerance" in problem:
            rel = float(problem["relative_tolerance"])
            assert math.isclose(got, expected, rel_tol=rel, abs_tol=0.0), (
                f"check printed {got}, answer is {expected} (relative tolerance {rel})"
            )
        else:
            tol = float(problem.get("tolerance", 1e-9))
            assert abs(got - expected) <= tol, f"check printed {got}, answer is {expected} (tolerance {tol})"
    else:
        source = problem.get("check") or problem.get("code")
        assert source, "code_output problem needs `code:` or `check:` (or `unverifiable: reason`)"
        got = _normalise_output(_run(source))
        expected = _normalise_output(problem.get("answer", ""))
        assert got == expected, f"output differs:\n--- printed ---\n{got}\n--- answer ---\n{expected}"


# ---- code problems: every reference passes every test and every starter fails one, through the real sandbox ----

CODE_PROBLEMS = [(test_id, p) for test_id, p in PROBLEMS if p.get("kind") == "code"]


@pytest.fixture(scope="module")
def code_runs():
    """One sandbox batch for the whole course (torch imported once; each run still in its own process and limits)."""
    from courses.code_check import batch_results
    from courses.package import load_package
    from sandbox.runner import available

    if not available():
        pytest.skip("bubblewrap (bwrap) is not installed: `make sandbox`")
    return batch_results(load_package(PACKAGE))


def test_code_exercises_per_chapter():
    per_module: dict[str, int] = {}
    for test_id, _ in CODE_PROBLEMS:
        folder = test_id.split("/")[0]
        per_module[folder] = per_module.get(folder, 0) + 1
    chapters = sorted(p.parent.name for p in PACKAGE.glob("modules/*/module.yaml"))
    for folder in chapters:
        number = int(folder.split("-")[0])
        want = 3 if number <= 5 else 6 if "capstone" in folder else 1
        assert per_module.get(folder, 0) >= want, f"{folder} has {per_module.get(folder, 0)} code exercises, wants {want}"


@pytest.mark.parametrize("problem", [pytest.param(p, id=test_id) for test_id, p in CODE_PROBLEMS])
def test_code_reference_passes_and_starter_fails(problem, code_runs):
    from courses.code_check import verdict

    assert problem.get("reference"), "every LLM101n code exercise has a reference solution"
    assert problem.get("hidden_tests"), "every LLM101n code exercise has hidden tests"
    for which in ("reference", "starter"):
        result = code_runs[(problem["slug"], which)]
        problems = verdict(which, result)
        assert not problems, f"{which}: " + "; ".join(problems)
