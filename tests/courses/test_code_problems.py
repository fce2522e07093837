"""The `code` problem kind in the package format: validation, export round trip, check_course in the sandbox."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from courses.package import CourseFormatError, load_package
from sandbox.runner import available

CODE = {
    "slug": "double-it",
    "kind": "code",
    "concepts": ["counting"],
    "difficulty": 0.2,
    "prompt": "Write `double(x)`.",
    "files": {"solution.py": "def double(x):\n    raise NotImplementedError\n"},
    "tests": {"test_visible.py": "from solution import double\n\ndef test_two():\n    assert double(2) == 4\n"},
    "hidden_tests": {
        "test_hidden.py": "from solution import double\n\ndef test_neg():\n    assert double(-3) == -6, 'negative numbers too'\n"
    },
    "reference": {"solution.py": "def double(x):\n    return 2 * x\n"},
    "limits": {"time_s": 3},
    "hints": ["Multiply by two."],
    "solution": "`return 2 * x`",
}


def _with(example_package: Path, problem: dict) -> Path:
    path = example_package / "modules" / "01-counting" / "module.yaml"
    data = yaml.safe_load(path.read_text())
    data["steps"][0]["problems"].append(problem)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return example_package


def test_code_problem_loads_with_its_grading_data(example_package):
    pkg = load_package(_with(example_package, CODE))
    p = next(p for p in pkg.problems if p.slug == "double-it")
    assert p.kind == "code" and p.answer["reference"] == CODE["reference"] and p.answer["limits"] == {"time_s": 3}


def test_code_problem_errors_are_listed_with_their_line(example_package):
    broken = copy.deepcopy(CODE)
    del broken["tests"]
    broken["files"]["test_visible.py"] = "x = 1\n"
    broken["imports"] = ["requests"]
    with pytest.raises(CourseFormatError) as exc:
        load_package(_with(example_package, broken))
    text = str(exc.value)
    assert "missing required field 'tests'" in text and "'requests' is not one of ['numpy', 'torch']" in text
    assert "modules/01-counting/module.yaml:" in text


def test_export_round_trip_keeps_code_problems(tmp_path, example_package, db):
    from courses.services import import_course_from_path

    import_course_from_path(path=_with(example_package, CODE))
    call_command("export_course", "example", str(tmp_path / "out"))
    assert load_package(tmp_path / "out") == load_package(example_package)


@pytest.mark.skipif(not available(), reason="bubblewrap (bwrap) is not installed: `make sandbox`")
def test_check_course_runs_reference_and_starter(example_package, capsys):
    bad = copy.deepcopy(CODE)
    bad["reference"] = {"solution.py": "def double(x):\n    return x + 2\n"}  # right for 2, wrong for -3
    bad["files"] = {"solution.py": "def double(x):\n    return 2 * x\n"}  # a starter that already passes
    with pytest.raises(CommandError):
        call_command("check_course", str(_with(example_package, bad)))
    out = capsys.readouterr().out
    assert "the reference solution fails test_hidden.py::test_neg: negative numbers too" in out
    assert "the starter code already passes every test" in out


@pytest.mark.skipif(not available(), reason="bubblewrap (bwrap) is not installed: `make sandbox`")
def test_check_course_accepts_a_good_exercise(example_package, capsys):
    call_command("check_course", str(_with(example_package, CODE)))
    assert "(1 code problems run in the sandbox)" in capsys.readouterr().out
