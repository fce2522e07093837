"""Package fields of the adaptive ramp (try_first, explain key points, misconceptions): validated with file:line
errors, and imported so the student pages can use them."""

from __future__ import annotations

import pytest
import yaml

from courses.package import CourseFormatError, load_package
from tests.tutor.ramp_package import build


def _edit(path, fn):
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def test_the_fields_load(tmp_path):
    pkg = load_package(build(tmp_path / "pkg"))
    step = next(s for s in pkg.steps if s.slug == "normalise")
    assert step.try_first == "which-sums-to-one"
    explain = next(p for p in pkg.problems if p.slug == "why-normalise")
    assert explain.kind == "explain" and explain.answer["key_points"][0]["terms"] == ["sum to one", "sums to 1", "add up to one"]
    choice = next(p for p in pkg.problems if p.slug == "which-sums-to-one")
    assert choice.answer["options"][2]["misconception"]["concept"] == "normalising"
    assert next(p for p in pkg.problems if p.slug == "table-cells").answer["mistakes"][0]["answer"] == 6


def test_bad_fields_are_reported_with_their_lines(tmp_path):
    root = build(tmp_path / "pkg")
    prob = root / "modules" / "02-probability" / "module.yaml"

    def spoil(d):
        step = d["steps"][0]
        step["try_first"] = "no-such-problem"
        step["problems"][0]["options"][2]["misconception"]["concept"] = "no-such-concept"
        step["problems"][1]["mistakes"] = [{"answer": 1, "feedback": "x"}]

    _edit(prob, spoil)
    with pytest.raises(CourseFormatError) as exc:
        load_package(root)
    text = str(exc.value)
    assert "try_first 'no-such-problem' is not one of this step's problems" in text
    assert "misconception names unknown concept 'no-such-concept'" in text
    assert "`mistakes` are for numeric problems" in text
    assert len(exc.value.errors) == 3 and all(e.line for e in exc.value.errors)


def test_an_explain_problem_needs_key_points(tmp_path):
    root = build(tmp_path / "pkg")
    _edit(root / "modules" / "02-probability" / "module.yaml", lambda d: d["steps"][0]["problems"][2].pop("key_points"))
    with pytest.raises(CourseFormatError) as exc:
        load_package(root)
    assert "missing required field 'key_points'" in str(exc.value) and exc.value.errors[0].line


def test_import_keeps_try_first_and_export_round_trips(tmp_path, db):
    from courses import api
    from courses.export import export_course
    from courses.services import import_course_from_path

    import_course_from_path(path=build(tmp_path / "pkg"))
    course = api.get_course("example")
    step = api.get_step(course.id, "normalise")
    assert step.try_first_problem_id == next(p.id for p in api.step_problems(step.id) if p.slug == "which-sums-to-one")
    out = export_course(slug="example", path=tmp_path / "out")
    again = load_package(out)
    assert next(s for s in again.steps if s.slug == "normalise").try_first == "which-sums-to-one"
    assert next(p for p in again.problems if p.slug == "why-normalise").answer["key_points"]
