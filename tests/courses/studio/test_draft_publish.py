"""Studio services on the real database: validated saves, version conflicts, publish, rollback, git round trip."""

from __future__ import annotations

import copy

import pytest

from courses.models import CourseVersion, Hint, Problem, Step
from courses.package import CourseFormatError, load_package
from courses.services import DraftPendingError, import_course, import_course_from_path
from courses.studio import document as docs
from courses.studio import services
from tests.conftest import EXAMPLE


@pytest.fixture
def faculty(course, make_user):
    return make_user("fiona", course=course, role="faculty")


def _messages(exc) -> list[str]:
    return [e.message for e in exc.value.errors]


def test_first_draft_is_the_published_course_and_version_one(course):
    draft = services.get_or_start_draft(course_id=course.id)
    assert draft.version == 1 and not draft.dirty
    assert [s.slug for s in docs.validate(draft.document).steps] == ["tally", "normalise"]
    assert CourseVersion.objects.get(course_id=course.id).number == 1


def test_cycle_is_refused_with_its_name_and_nothing_saved(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    with pytest.raises(CourseFormatError) as exc:
        services.edit_draft(
            course_id=course.id,
            base_version=draft.version,
            user=faculty,
            edit=docs.upsert_concept,
            folder="01-counting",
            slug="counting",
            name="Counting",
            prerequisites=["tables"],
            original="counting",
        )
    assert any("prerequisite cycle" in m and "counting" in m and "tables" in m for m in _messages(exc))
    draft.refresh_from_db()
    assert draft.version == 1 and not draft.dirty


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda p: p.update(answer="seven"), "is not a number"),
        (
            lambda p: p.update(kind="choice", options=[{"text": "a", "correct": False}, {"text": "b", "correct": False}]),
            "no correct option",
        ),
        (lambda p: p.update(concepts=["no-such-concept"]), "unknown concept"),
    ],
)
def test_bad_problem_is_refused(course, faculty, mutate, expected):
    draft = services.get_or_start_draft(course_id=course.id)
    doc = copy.deepcopy(draft.document)
    mutate(doc["modules"]["01-counting"]["steps"][0]["problems"][0])
    with pytest.raises(CourseFormatError) as exc:
        services.save_draft(course_id=course.id, document=doc, base_version=draft.version, user=faculty)
    assert any(expected in m for m in _messages(exc))


def test_step_using_a_concept_before_its_prerequisite_is_refused(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    doc = docs.reorder(draft.document, [["normalise"], ["tally"]])
    with pytest.raises(CourseFormatError) as exc:
        services.save_draft(course_id=course.id, document=doc, base_version=draft.version, user=faculty)
    assert any("before its prerequisite" in m for m in _messages(exc))


def test_second_faculty_saving_a_stale_version_is_told_who_changed_it(course, faculty, make_user):
    other = make_user("grace", course=course, role="faculty")
    draft = services.get_or_start_draft(course_id=course.id)
    services.edit_draft(
        course_id=course.id, base_version=draft.version, user=faculty, edit=docs.rename, kind="step", key="tally", title="Tallies"
    )
    with pytest.raises(services.StaleDraftError) as exc:
        services.edit_draft(
            course_id=course.id, base_version=draft.version, user=other, edit=docs.rename, kind="step", key="tally", title="Mine"
        )
    assert "changed by fiona" in str(exc.value)
    assert docs.find_step(services.get_or_start_draft(course_id=course.id).document, "tally")[2]["title"] == "Tallies"


def test_students_see_the_published_version_only_and_attempts_stay_attached(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    problem_pk = Problem.objects.get(slug="table-cells").pk
    services.edit_draft(
        course_id=course.id, base_version=draft.version, user=faculty, edit=docs.rename, kind="step", key="tally", title="Tallies"
    )
    assert Step.objects.get(slug="tally").title == "Tally marks"
    result = services.publish(course_id=course.id, user=faculty, note="retitle")
    assert Step.objects.get(slug="tally").title == "Tallies"
    assert result.version.number == 2 and "step 'tally' edited" in result.changes
    assert Problem.objects.get(slug="table-cells").pk == problem_pk
    services.rollback(course_id=course.id, number=1, user=faculty)
    assert Step.objects.get(slug="tally").title == "Tally marks"
    assert CourseVersion.objects.filter(course_id=course.id).count() == 3
    assert not services.get_or_start_draft(course_id=course.id).dirty


def test_hint_ladder_reorder_publishes(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    doc = copy.deepcopy(draft.document)
    hints = doc["modules"]["01-counting"]["steps"][0]["problems"][0]["hints"]
    hints.reverse()
    services.save_draft(course_id=course.id, document=doc, base_version=draft.version, user=faculty)
    services.publish(course_id=course.id, user=faculty)
    ladder = list(Hint.objects.filter(problem__slug="table-cells").order_by("position").values_list("body_md", flat=True))
    assert ladder == ["Rows times columns.", "How many rows are there?"]


def test_diff_names_the_changed_file(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    new = docs.rename(draft.document, kind="module", key="01-counting", title="Counting things")
    text = docs.diff(draft.document, new)
    assert "modules/01-counting/module.yaml" in text and "+title: Counting things" in text


def test_import_refuses_while_the_draft_has_unpublished_edits(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    services.edit_draft(
        course_id=course.id, base_version=draft.version, user=faculty, edit=docs.rename, kind="step", key="tally", title="Tallies"
    )
    with pytest.raises(DraftPendingError, match="unpublished studio edits"):
        import_course_from_path(path=EXAMPLE)
    assert docs.find_step(services.get_or_start_draft(course_id=course.id).document, "tally")[2]["title"] == "Tallies"


def test_published_export_imports_back_identically(course, faculty, tmp_path):
    draft = services.get_or_start_draft(course_id=course.id)
    services.edit_draft(
        course_id=course.id, base_version=draft.version, user=faculty, edit=docs.rename, kind="step", key="tally", title="Tallies"
    )
    services.publish(course_id=course.id, user=faculty)
    exported = services.document_of_course(course_from_id(course.id))
    assert exported == services.get_or_start_draft(course_id=course.id).document
    docs.write_folder(exported, tmp_path / "pkg")
    assert not import_course(package=load_package(tmp_path / "pkg")).changed


def course_from_id(pk):
    from courses.models import Course

    return Course.objects.get(pk=pk)


def test_module_reorder_is_validated_and_publishes(course, faculty):
    draft = services.get_or_start_draft(course_id=course.id)
    with pytest.raises(CourseFormatError) as exc:
        services.edit_draft(
            course_id=course.id,
            base_version=draft.version,
            user=faculty,
            edit=docs.move_module,
            folder="02-probability",
            delta=-1,
        )
    assert any("before its prerequisite" in m or "no step has taught" in m for m in _messages(exc))
    draft = services.edit_draft(
        course_id=course.id,
        base_version=draft.version,
        user=faculty,
        edit=docs.add_module,
        folder="03-extra",
        slug="extra",
        title="Extra",
        first_step_slug="aside",
        first_step_title="An aside",
    )
    draft = services.edit_draft(
        course_id=course.id, base_version=draft.version, user=faculty, edit=docs.move_module, folder="03-extra", delta=-1
    )
    assert draft.document["course"]["modules"] == ["01-counting", "03-extra", "02-probability"]
    services.publish(course_id=course.id, user=faculty)
    assert list(Step.objects.filter(course_id=course.id, archived=False).order_by("position").values_list("slug", flat=True)) == [
        "tally",
        "aside",
        "normalise",
    ]
