"""Studio writes: save the draft (validated, version-checked), publish it as a version, roll back, preview.

Every save runs the package validator on the whole draft (``document.validate``); a refused save raises
``CourseFormatError`` and stores nothing. Saves name the draft version they edited; a stale version raises
:class:`StaleDraftError` naming who changed the draft, never overwriting their edit.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from courses.export import export_course
from courses.models import Course, Membership
from courses.package import CourseFormatError
from courses.services import grant_role, import_course

from . import document as docs
from .models import CourseDraft, CourseVersion


class StaleDraftError(Exception):
    """The draft changed since the editor loaded it. ``by`` (username or None), ``version`` (the current one)."""

    def __init__(self, *, by: str | None, version: int, when):
        self.by, self.version, self.when = by, version, when
        super().__init__(
            f"The draft was changed by {by or 'someone else'} at {when:%H:%M:%S} (now version {version}) after you "
            "opened it; your edit was not saved. Reload to see their changes, then apply yours again."
        )


def document_of_course(course: Course) -> dict:
    """The published course (database rows) as a document, through the package exporter."""
    with tempfile.TemporaryDirectory(prefix="studio-") as tmp:
        export_course(slug=course.slug, path=tmp)
        return docs.read_folder(tmp)


def _next_number(course_id: int) -> int:
    return (CourseVersion.objects.filter(course_id=course_id).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def get_or_start_draft(*, course_id: int) -> CourseDraft:
    """The course's draft; the first call copies the published course into it (and records it as a version when the
    database differs from the latest one, e.g. after a package import)."""
    draft = CourseDraft.objects.filter(course_id=course_id).first()
    if draft is not None:
        return draft
    course = Course.objects.select_for_update().get(pk=course_id)
    draft = CourseDraft.objects.filter(course_id=course_id).first()
    if draft is not None:
        return draft
    doc = document_of_course(course)
    latest = CourseVersion.objects.filter(course_id=course_id).order_by("-number").first()
    if latest is None or latest.document != doc:
        summary = (
            "initial version" if latest is None else "imported from a package: " + "; ".join(docs.summarize(latest.document, doc))
        )
        CourseVersion.objects.create(
            course_id=course_id, number=_next_number(course_id), document=doc, digest=docs.digest(doc), summary=summary
        )
    return CourseDraft.objects.create(course_id=course_id, document=doc)


@transaction.atomic
def _save(*, course_id: int, base_version: int, user, make) -> CourseDraft:
    locked = CourseDraft.objects.select_for_update(of=("self",)).select_related("updated_by")
    draft = locked.filter(course_id=course_id).first()
    if draft is None:
        get_or_start_draft(course_id=course_id)
        draft = locked.get(course_id=course_id)
    if draft.version != base_version:
        raise StaleDraftError(
            by=draft.updated_by.get_username() if draft.updated_by else None, version=draft.version, when=draft.updated_at
        )
    document = make(draft.document)
    try:
        docs.validate(document, previous=draft.document)
    except CourseFormatError as exc:
        exc.document = document  # lets callers place each message next to its field
        raise
    draft.version += 1
    draft.dirty = draft.dirty or document != draft.document  # edits saved since the last publish (cheap: shared parts)
    draft.document = document
    draft.updated_by = user if getattr(user, "is_authenticated", False) else None
    draft.save()
    return draft


def save_draft(*, course_id: int, document: dict, base_version: int, user) -> CourseDraft:
    """Replace the draft's document after validating it; returns the draft at its new version.

    Raises StaleDraftError when ``base_version`` is not the current version, CourseFormatError (nothing saved) when
    the document fails the package checks.
    """
    return _save(course_id=course_id, base_version=base_version, user=user, make=lambda _current: document)


def edit_draft(*, course_id: int, base_version: int, user, edit, **kwargs) -> CourseDraft:
    """Apply ``edit`` (a ``courses.studio.document`` edit function) to the current draft and save it (see
    :func:`save_draft`). Raises EditError for an edit that cannot apply."""
    return _save(course_id=course_id, base_version=base_version, user=user, make=lambda current: edit(current, **kwargs))


class NothingToPublishError(Exception):
    """The draft is the published version: publishing would record an empty version."""


@dataclass(frozen=True)
class PublishResult:
    version: CourseVersion
    changes: list[str]
    import_summary: str


@transaction.atomic
def publish(*, course_id: int, user, note: str = "", document: dict | None = None) -> PublishResult:
    """Validate the draft (or ``document``, for a rollback), import it into the course students see (rows matched by
    slug, removed content archived, attempts kept) and record a new version with the summary of changes.
    Raises CourseFormatError (nothing changed) or NothingToPublishError (the draft is the live version)."""
    get_or_start_draft(course_id=course_id)
    draft = CourseDraft.objects.select_for_update().get(course_id=course_id)
    doc = draft.document if document is None else document
    package = docs.validate(doc)
    latest = CourseVersion.objects.filter(course_id=course_id).order_by("-number").first()
    if latest is not None and latest.digest == docs.digest(doc):
        raise NothingToPublishError(f"the draft is version {latest.number} already: nothing to publish")
    result = import_course(package=package, allow_draft=True)
    changes = docs.summarize(latest.document, doc) if latest else ["initial version"]
    version = CourseVersion.objects.create(
        course_id=course_id,
        number=_next_number(course_id),
        document=doc,
        digest=docs.digest(doc),
        summary="; ".join(changes) or "no changes",
        note=note[:300],
        published_by=user if getattr(user, "is_authenticated", False) else None,
    )
    draft.document = doc
    draft.version += 1
    draft.dirty = False
    draft.updated_by = version.published_by
    draft.save()
    return PublishResult(version, changes, result.summary())


def rollback(*, course_id: int, number: int, user) -> PublishResult:
    """Publish version ``number``'s snapshot again as a new version (the draft becomes that snapshot).
    Raises CourseVersion.DoesNotExist."""
    old = CourseVersion.objects.get(course_id=course_id, number=number)
    return publish(course_id=course_id, user=user, note=f"rollback to version {number}", document=old.document)


@transaction.atomic
def discard_draft(*, course_id: int, user) -> CourseDraft:
    """Throw away unpublished edits: the draft becomes the latest published version again."""
    draft = get_or_start_draft(course_id=course_id)
    latest = CourseVersion.objects.filter(course_id=course_id).order_by("-number").first()
    draft.document = latest.document
    draft.version += 1
    draft.dirty = False
    draft.updated_by = user
    draft.save()
    return draft


def preview_slug(slug: str) -> str:
    return f"{slug}--preview"[:50]


@transaction.atomic
def preview(*, course_id: int, user) -> Course:
    """Import the draft into the course's hidden preview copy (only the course's faculty are members, as students)
    and return it; its pages are the normal student pages."""
    course = Course.objects.get(pk=course_id)
    draft = get_or_start_draft(course_id=course_id)
    package = docs.validate(draft.document)
    package.slug = preview_slug(course.slug)
    package.title = f"{package.title} (draft preview)"
    copy, _ = Course.objects.get_or_create(
        slug=package.slug, defaults={"title": package.title, "summary": package.summary, "preview_of": course}
    )
    if copy.preview_of_id != course.id:
        raise ValueError(f"slug {package.slug!r} is taken by another course")
    import_course(package=package, allow_draft=True)
    faculty = Membership.objects.filter(course_id=course_id, role=Membership.Role.FACULTY).values_list("user_id", flat=True)
    Membership.objects.filter(course=copy).exclude(user_id__in=list(faculty)).delete()
    grant_role(user=user, course_id=copy.id, role=Membership.Role.STUDENT)
    return copy
