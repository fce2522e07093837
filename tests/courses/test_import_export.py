"""Importing by stable slugs: idempotent, updates keep attempts attached, export imports back to the same course."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from courses.models import Concept, Hint, Problem, Step
from courses.package import load_package
from courses.services import import_course_from_path

pytestmark = pytest.mark.django_db


def content_snapshot():
    """Everything a student could see of the course, independent of primary keys."""
    return {
        "steps": list(Step.objects.order_by("position").values_list("slug", "title", "kind", "body_md", "position", "archived")),
        "problems": list(
            Problem.objects.order_by("position").values_list(
                "slug", "kind", "prompt_md", "difficulty", "answer", "solution_md", "archived"
            )
        ),
        "hints": list(Hint.objects.order_by("problem__position", "position").values_list("problem__slug", "position", "body_md")),
        "concepts": sorted((c.slug, tuple(p.slug for p in c.prerequisites.all())) for c in Concept.objects.all()),
    }


def test_importing_twice_changes_nothing(example_package):
    first = import_course_from_path(path=example_package)
    assert first.created["problem"] == 4
    snap = content_snapshot()
    second = import_course_from_path(path=example_package)
    assert not second.changed, second.summary()
    assert content_snapshot() == snap


def test_update_keeps_attempts_attached(example_package, course, api_client, problem_id):
    pid = problem_id("table-cells")
    r = api_client.post(f"/api/problems/{pid}/attempts/", {"answer": 9, "client_attempt_id": str(uuid.uuid4())}, format="json")
    assert r.status_code == 201
    mod = example_package / "modules/01-counting/module.yaml"
    mod.write_text(mod.read_text().replace("How many cells does it have?", "How many cells does the table have?"))
    result = import_course_from_path(path=example_package)
    assert result.updated.get("problem") == 1
    assert Problem.objects.get(slug="table-cells").pk == pid
    assert "does the table have" in Problem.objects.get(pk=pid).prompt_md
    progress = api_client.get("/api/courses/example/progress/")
    assert progress.status_code == 200
    from tutor.practice.models import Attempt

    assert Attempt.objects.filter(problem_id=pid).count() == 1


def test_removed_problem_is_archived_not_deleted(example_package, course):
    mod = example_package / "modules/02-probability/module.yaml"
    text = mod.read_text()
    start = text.index("      - slug: name-the-step")
    mod.write_text(text[:start])
    result = import_course_from_path(path=example_package)
    assert result.archived == {"problem": 1}
    assert Problem.objects.get(slug="name-the-step").archived


def test_export_round_trip(tmp_path, course):
    call_command("export_course", "example", str(tmp_path / "out"))
    exported = load_package(tmp_path / "out")
    source = load_package(Path(__file__).resolve().parents[2] / "courses/packages/example")
    assert exported == source
    before = content_snapshot()
    assert not import_course_from_path(path=tmp_path / "out").changed
    assert content_snapshot() == before


def test_course_stats_command(course, capsys):
    call_command("course_stats", "example")
    stats = json.loads(capsys.readouterr().out)
    assert stats == {
        "modules": 2,
        "steps": 2,
        "concepts": 3,
        "problems": 4,
        "hints": 8,
        "problems_per_module": {"counting": 2, "probability": 2},
        "code_problems": 0,
        "code_problems_per_module": {"counting": 0, "probability": 0},
    }
