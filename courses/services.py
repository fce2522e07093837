"""Writes to courses: import a validated package (create or update by stable slugs); enrollment and staff roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from .markdown import render_markdown
from .models import (
    Concept,
    ConceptPrerequisite,
    Course,
    CourseDraft,
    Hint,
    Membership,
    Module,
    Problem,
    ProblemConcept,
    Step,
    StepConcept,
)
from .package import CoursePackage, load_package
from .signals import course_imported


@dataclass
class ImportResult:
    """What an import changed: counts of rows ``created``, ``updated`` and ``archived`` (removed from the package)."""

    course_id: int
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    archived: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.archived.values())

    def summary(self) -> str:
        fmt = lambda d: ", ".join(f"{k}: {v}" for k, v in d.items() if v) or "none"  # noqa: E731
        return f"created {fmt(self.created)}; updated {fmt(self.updated)}; archived {fmt(self.archived)}"


class _Upserter:
    def __init__(self, result: ImportResult):
        self.result = result
        self.fresh: set[tuple[str, int]] = set()  # rows created by this import: their links are part of creating them

    def save(self, model, lookup: dict, values: dict):
        """Create or update one row; saves only when a value differs, so re-importing changes nothing."""
        name = model.__name__.lower()
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.fresh.add((name, obj.pk))
            self.result.created[name] = self.result.created.get(name, 0) + 1
            return obj
        dirty = [k for k, v in values.items() if getattr(obj, k) != v]
        if dirty:
            for k in dirty:
                setattr(obj, k, values[k])
            obj.save(update_fields=dirty)
            self.result.updated[name] = self.result.updated.get(name, 0) + 1
        return obj

    def links(self, through, owner_field: str, owner, target_field: str, targets: list) -> None:
        """Make the ordered link rows ``owner -> targets`` exactly match (a change counts as one update of owner)."""
        current = list(
            through.objects.filter(**{owner_field: owner}).order_by("position").values_list(f"{target_field}_id", flat=True)
        )
        wanted = [t.pk for t in targets]
        if current == wanted:
            return
        through.objects.filter(**{owner_field: owner}).delete()
        through.objects.bulk_create(
            [through(**{owner_field: owner, target_field: t, "position": i}) for i, t in enumerate(targets)]
        )
        name = type(owner).__name__.lower()
        if (name, owner.pk) not in self.fresh:
            self.result.updated[name] = self.result.updated.get(name, 0) + 1

    def archive(self, queryset) -> None:
        n = queryset.filter(archived=False).update(archived=True)
        if n:
            name = queryset.model.__name__.lower()
            self.result.archived[name] = self.result.archived.get(name, 0) + n


class DraftPendingError(Exception):
    """The course has studio edits that are not published; importing a package now would leave them stale."""


@transaction.atomic
def import_course(*, package: CoursePackage, allow_draft: bool = False) -> ImportResult:
    """Create or update the course described by a validated ``package`` in one transaction.

    Raises :class:`DraftPendingError` (nothing written) when the course has unpublished studio edits, unless
    ``allow_draft`` (the studio's own publish); a draft without edits is dropped so the studio restarts from the import.

    Rows are matched by slug, so students' attempts stay attached to updated problems; modules, steps, problems and
    concepts missing from the package are archived (hidden), not deleted. Importing the same package twice changes
    nothing (the second result has ``changed == False``).
    """
    draft = CourseDraft.objects.select_for_update().filter(course__slug=package.slug).first()
    if draft is not None and not allow_draft:
        if draft.dirty:
            by = draft.updated_by.get_username() if draft.updated_by else "someone"
            raise DraftPendingError(
                f"course {package.slug!r} has unpublished studio edits (by {by}, draft version {draft.version}); "
                "publish or discard them in the studio before importing"
            )
        draft.delete()
    result = ImportResult(course_id=0)
    up = _Upserter(result)
    course = up.save(
        Course,
        {"slug": package.slug},
        {
            "title": package.title,
            "summary": package.summary,
            "description_md": package.description,
            "description_html": render_markdown(package.description),
            "target_success": package.target_success,
        },
    )
    result.course_id = course.pk
    concepts: dict[str, Concept] = {}
    modules, steps, problems = [], [], []
    step_pos = problem_pos = concept_pos = 0
    for m_pos, m in enumerate(package.modules):
        module = up.save(
            Module,
            {"course": course, "slug": m.slug},
            {
                "folder": m.folder,
                "title": m.title,
                "summary": m.summary,
                "position": m_pos,
                "archived": False,
            },
        )
        modules.append(module.pk)
        for c in m.concepts:
            concepts[c.slug] = up.save(
                Concept,
                {"course": course, "slug": c.slug},
                {
                    "module": module,
                    "name": c.name,
                    "description": c.description,
                    "position": concept_pos,
                    "archived": False,
                },
            )
            concept_pos += 1
        for s in m.steps:
            step = up.save(
                Step,
                {"course": course, "slug": s.slug},
                {
                    "module": module,
                    "title": s.title,
                    "kind": s.kind,
                    "body_file": s.body_file,
                    "body_md": s.body,
                    "body_html": render_markdown(_without_title(s.body, s.title)),
                    "position": step_pos,
                    "archived": False,
                },
            )
            step_pos += 1
            steps.append((step, s))
            for p in s.problems:
                problem = up.save(
                    Problem,
                    {"course": course, "slug": p.slug},
                    {
                        "step": step,
                        "kind": p.kind,
                        "prompt_md": p.prompt,
                        "prompt_html": render_markdown(p.prompt),
                        "difficulty": p.difficulty,
                        "answer": p.answer,
                        "solution_md": p.solution,
                        "solution_html": render_markdown(p.solution),
                        "tags": p.tags,
                        "check_code": p.check,
                        "unverifiable": p.unverifiable,
                        "position": problem_pos,
                        "archived": False,
                    },
                )
                problem_pos += 1
                problems.append((problem, p))
    for m in package.modules:
        for c in m.concepts:
            up.links(ConceptPrerequisite, "concept", concepts[c.slug], "prerequisite", [concepts[q] for q in c.prerequisites])
    for step, s in steps:
        up.links(StepConcept, "step", step, "concept", [concepts[c] for c in s.concepts])
    for problem, p in problems:
        up.links(ProblemConcept, "problem", problem, "concept", [concepts[c] for c in p.concepts])
        _sync_hints(up, problem, p.hints)
    up.archive(Module.objects.filter(course=course).exclude(pk__in=modules))
    up.archive(Concept.objects.filter(course=course).exclude(pk__in=[c.pk for c in concepts.values()]))
    up.archive(Step.objects.filter(course=course).exclude(pk__in=[s.pk for s, _ in steps]))
    up.archive(Problem.objects.filter(course=course).exclude(pk__in=[p.pk for p, _ in problems]))
    if result.changed:
        transaction.on_commit(lambda: course_imported.send(sender=Course, course_id=course.pk))
    return result


def _without_title(body: str, title: str) -> str:
    """The body without a leading ``# <title>`` line: the page already shows the step's title."""
    first, _, rest = body.lstrip().partition("\n")
    if first.startswith("# ") and first[2:].strip().casefold() == title.strip().casefold():
        return rest
    return body


def _sync_hints(up: _Upserter, problem: Problem, hints: list[str]) -> None:
    for i, text in enumerate(hints):
        up.save(Hint, {"problem": problem, "position": i}, {"body_md": text, "body_html": render_markdown(text)})
    extra = Hint.objects.filter(problem=problem, position__gte=len(hints))
    n = extra.count()
    if n:
        extra.delete()
        up.result.updated["hint"] = up.result.updated.get("hint", 0) + n


def import_course_from_path(*, path: str | Path) -> ImportResult:
    """Validate the package at ``path`` and import it; raises CourseFormatError (nothing written) when invalid."""
    return import_course(package=load_package(path))


@transaction.atomic
def enroll(*, user, course_id: int) -> tuple[Membership, bool]:
    """Enroll ``user`` as a student; idempotent. Returns (membership, created). Raises PermissionDenied for a
    studio preview copy (only its course's faculty, added by the studio, may see it)."""
    if Course.objects.filter(pk=course_id).exclude(preview_of=None).exists():
        raise PermissionDenied("This is a draft preview; only the course's faculty can open it.")
    return grant_role(user=user, course_id=course_id, role=Membership.Role.STUDENT)


def grant_role(*, user, course_id: int, role: str) -> tuple[Membership, bool]:
    """Give ``user`` a role in a course; idempotent (a concurrent duplicate is absorbed by the unique constraint)."""
    try:
        with transaction.atomic():
            return Membership.objects.get_or_create(user=user, course_id=course_id, role=role)
    except IntegrityError:
        return Membership.objects.get(user=user, course_id=course_id, role=role), False
