"""A bad package is rejected whole, with every error listed with its file and line, and the database unchanged."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.models import Course, Problem
from courses.package import CourseFormatError, load_package

MOD1 = "modules/01-counting/module.yaml"
MOD2 = "modules/02-probability/module.yaml"


def edit(pkg, rel, old, new):
    path = pkg / rel
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def errors(pkg) -> list[str]:
    with pytest.raises(CourseFormatError) as exc:
        load_package(pkg)
    return [str(e) for e in exc.value.errors]


def test_example_package_is_valid(example_package):
    pkg = load_package(example_package)
    assert [m.slug for m in pkg.modules] == ["counting", "probability"]
    assert len(pkg.problems) == 4


def test_unparseable_yaml_names_file_and_line(example_package):
    edit(example_package, MOD1, "title: Counting\n", "title: [Counting\n")
    errs = errors(example_package)
    assert any(e.startswith(MOD1 + ":") and "unparseable YAML" in e for e in errs), errs


def test_missing_required_field(example_package):
    edit(example_package, MOD2, "title: From counts to probabilities\n", "")
    errs = errors(example_package)
    assert any(MOD2 in e and "missing required field 'title'" in e for e in errs), errs


def test_unknown_concept_reference(example_package):
    edit(example_package, MOD2, "concepts: [normalising]\n    problems:", "concepts: [normalising, entropy]\n    problems:")
    errs = errors(example_package)
    assert any(e.startswith(MOD2 + ":") and "unknown concept 'entropy'" in e for e in errs), errs


def test_unknown_prerequisite(example_package):
    edit(example_package, MOD2, "prerequisites: [tables]", "prerequisites: [tables, calculus]")
    assert any("unknown prerequisite 'calculus'" in e for e in errors(example_package))


def test_duplicate_slug(example_package):
    edit(example_package, MOD2, "slug: name-the-step", "slug: table-cells")
    errs = errors(example_package)
    assert any(e.startswith(MOD2 + ":") and "duplicate problem slug 'table-cells'" in e and MOD1 in e for e in errs), errs


def test_prerequisite_cycle_is_named(example_package):
    edit(example_package, MOD1, "    prerequisites: []\n", "    prerequisites: [normalising]\n")
    errs = errors(example_package)
    cycle = [e for e in errs if "prerequisite cycle" in e]
    assert cycle and all(s in cycle[0] for s in ("counting", "tables", "normalising")), errs


def test_concept_practised_before_its_prerequisites(example_package):
    # the first step practises `normalising`, whose prerequisite `tables` is only introduced in the same list after it
    edit(example_package, MOD1, "concepts: [counting, tables]", "concepts: [counting, normalising, tables]")
    errs = errors(example_package)
    assert any(MOD1 in e and "practises 'normalising' before its prerequisite(s) tables" in e for e in errs), errs


def test_numeric_answer_not_a_number(example_package):
    edit(example_package, MOD1, "answer: 9\n", "answer: nine\n")
    errs = errors(example_package)
    assert any(MOD1 in e and "numeric answer 'nine' is not a number" in e for e in errs), errs


def test_choice_without_correct_option(example_package):
    text = (example_package / MOD2).read_text().replace("correct: true", "correct: false")
    (example_package / MOD2).write_text(text)
    assert any("choice problem has no correct option" in e for e in errors(example_package))


def test_missing_body_file(example_package):
    (example_package / "modules/02-probability/01-normalise.md").unlink()
    assert any(MOD2 in e and "body file '01-normalise.md' not found" in e for e in errors(example_package))


def test_every_error_is_listed_at_once(example_package):
    edit(example_package, MOD1, "answer: 9\n", "answer: nine\n")
    edit(example_package, MOD2, "slug: name-the-step", "slug: table-cells")
    edit(example_package, MOD2, "prerequisites: [tables]", "prerequisites: [tables, calculus]")
    errs = errors(example_package)
    assert len(errs) >= 3


def test_line_numbers_point_at_the_offending_line(example_package):
    edit(example_package, MOD1, "answer: 9\n", "answer: nine\n")
    (err,) = [e for e in errors(example_package) if "not a number" in e]
    line = int(err.split(":")[1])
    assert (example_package / MOD1).read_text().splitlines()[line - 1].strip() == "answer: nine"


@pytest.mark.django_db
def test_bad_package_changes_nothing_in_the_database(example_package, course):
    before = (Course.objects.count(), Problem.objects.count(), Problem.objects.get(slug="table-cells").prompt_md)
    edit(example_package, MOD1, "A table has one row", "CHANGED A table has one row")
    edit(example_package, MOD1, "answer: 9\n", "answer: nine\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_course", str(example_package))
    after = (Course.objects.count(), Problem.objects.count(), Problem.objects.get(slug="table-cells").prompt_md)
    assert after == before


def test_check_course_command_lists_errors(example_package, capsys):
    edit(example_package, MOD1, "answer: 9\n", "answer: nine\n")
    with pytest.raises(CommandError, match="1 error"):
        call_command("check_course", str(example_package))
    assert "not a number" in capsys.readouterr().out


def test_exponent_without_sign_is_still_a_number(example_package):
    # PyYAML reads `7.44e18` as a string; authors mean a number
    edit(example_package, MOD1, "answer: 9\n", "answer: 9e0\n")
    pkg = load_package(example_package)
    assert next(p for p in pkg.problems if p.slug == "table-cells").answer["answer"] == 9.0
