"""Studio pages (the course's faculty only; everyone else gets 404, anonymous users the login page).

Thin: parse the form, call a service, render. A refused save re-renders the editor with what was typed and each
validator message next to its field — nothing is stored.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.markdown import render_markdown
from courses.models import Course, CourseVersion, Membership
from courses.package import CourseFormatError

from . import document as docs
from . import forms, fragments, graph, selectors, services


def faculty_course(request, slug: str) -> Course:
    """The course ``slug`` when the user is one of its faculty; else Http404 (students, TAs, other faculty)."""
    course = Course.objects.filter(slug=slug, preview_of=None).first()
    if course is None or not Membership.objects.filter(user=request.user, course=course, role=Membership.Role.FACULTY).exists():
        raise Http404("No such course in your studio")
    return course


def diff_lines(text: str) -> list[tuple[str, str]]:
    """(css class, line) pairs for a unified diff: add, del, file, hunk or ""."""
    out = []
    for line in text.splitlines():
        cls = "file" if line.startswith(("+++", "---")) else "add" if line[:1] == "+" else "del" if line[:1] == "-" else ""
        out.append(("hunk" if line.startswith("@@") else cls, line))
    return out


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _refused(request, exc) -> None:
    if isinstance(exc, CourseFormatError):
        for e in exc.errors:
            messages.error(request, f"Not saved: {e.message}")
    else:
        messages.error(request, f"Not saved: {exc}")


@login_required
@require_GET
def outline(request, slug):
    course = faculty_course(request, slug)
    draft = services.get_or_start_draft(course_id=course.id)
    step_base = reverse("studio-step", args=[slug, "x"])[:-2]
    ctx = selectors.outline(draft)
    for m in ctx["modules"]:
        m["items"] = fragments.step_items(m["steps"], step_base)
    return render(request, "courses/studio/outline.html", {"course": course, **ctx})


_OUTLINE_EDITS = {
    "reorder": lambda p: (docs.reorder, {"order": json.loads(p.get("order") or "[]")}),
    "move": lambda p: (
        docs.move_step,
        {"slug": p.get("move", "").partition(":")[2], "delta": -1 if p.get("move", "").startswith("up:") else 1},
    ),
    "move-module": lambda p: (
        docs.move_module,
        {"folder": p.get("move", "").partition(":")[2], "delta": -1 if p.get("move", "").startswith("up:") else 1},
    ),
    "add-step": lambda p: (
        docs.add_step,
        {
            "folder": p.get("folder", ""),
            "slug": p.get("slug", "").strip(),
            "title": p.get("title", "").strip(),
            "kind": p.get("kind", "lesson"),
        },
    ),
    "add-module": lambda p: (
        docs.add_module,
        {
            "folder": p.get("folder", "").strip(),
            "slug": p.get("slug", "").strip(),
            "title": p.get("title", "").strip(),
            "first_step_slug": p.get("step_slug", "").strip(),
            "first_step_title": p.get("step_title", "").strip(),
        },
    ),
    "rename-step": lambda p: (docs.rename, {"kind": "step", "key": p.get("step", ""), "title": p.get("title", "").strip()}),
    "rename-module": lambda p: (docs.rename, {"kind": "module", "key": p.get("folder", ""), "title": p.get("title", "").strip()}),
    "archive-step": lambda p: (docs.archive_step, {"slug": p.get("step", "")}),
    "archive-module": lambda p: (docs.archive_module, {"folder": p.get("folder", "")}),
}


@login_required
@require_POST
def outline_action(request, slug, action):
    course = faculty_course(request, slug)
    if action not in _OUTLINE_EDITS:
        raise Http404("No such action")
    try:
        edit, kwargs = _OUTLINE_EDITS[action](request.POST)
        services.edit_draft(course_id=course.id, base_version=_version(request), user=request.user, edit=edit, **kwargs)
    except (CourseFormatError, services.StaleDraftError, docs.EditError, ValueError) as exc:
        _refused(request, exc)
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    else:
        messages.success(request, "Saved to the draft.")
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("studio-outline", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def step_editor(request, slug, step_slug):
    course = faculty_course(request, slug)
    draft = services.get_or_start_draft(course_id=course.id)
    try:
        folder, _i, step = docs.find_step(draft.document, step_slug)
    except docs.EditError as exc:
        raise Http404(str(exc)) from exc
    errors: dict[str, list[str]] = {}
    version = draft.version
    if request.method == "POST":
        version = _version(request)
        try:
            fields = forms.step_from_form(request.POST)
        except forms.FormError as exc:
            errors = {exc.field: [str(exc)]}
            fields = None
        if fields is not None:
            try:
                services.edit_draft(
                    course_id=course.id, base_version=version, user=request.user, edit=docs.update_step, slug=step_slug, **fields
                )
            except CourseFormatError as exc:
                errors = forms.by_anchor(exc.errors, getattr(exc, "document", draft.document))
            except services.StaleDraftError as exc:
                errors = {"": [str(exc)]}
            else:
                messages.success(request, f"Step “{fields['title']}” saved to the draft.")
                return redirect("studio-step", slug=slug, step_slug=step_slug)
        form = selectors.step_form_from_post(request.POST, step, errors)
    else:
        form = selectors.step_form(draft.document, folder, step)
    selectors.attach_errors(form, errors)
    ctx = {"course": course, "draft": draft, "version": version, "form": form, "errors": errors, "folder": folder}
    ctx.update(selectors.step_context(draft.document, step_slug))
    return render(request, "courses/studio/step.html", ctx, status=400 if errors else 200)


@login_required
@require_POST
def markdown_preview(request, slug):
    faculty_course(request, slug)
    return HttpResponse(render_markdown(request.POST.get("body", "")))


@login_required
@require_http_methods(["GET", "POST"])
def concepts(request, slug):
    course = faculty_course(request, slug)
    draft = services.get_or_start_draft(course_id=course.id)
    errors: dict[str, list[str]] = {}
    typed = {}
    if request.method == "POST":
        p = request.POST
        typed = {k: p.get(k, "") for k in ("folder", "slug", "name", "description", "prerequisites", "original")}
        try:
            if p.get("archive"):
                edit, kwargs = docs.archive_concept, {"slug": p["archive"]}
            else:
                edit = docs.upsert_concept
                kwargs = {
                    "folder": typed["folder"],
                    "slug": typed["slug"].strip(),
                    "name": typed["name"].strip(),
                    "description": typed["description"].strip(),
                    "prerequisites": forms.slugs(typed["prerequisites"]),
                    "original": typed["original"],
                }
            services.edit_draft(course_id=course.id, base_version=_version(request), user=request.user, edit=edit, **kwargs)
        except CourseFormatError as exc:
            errors = {"form": [e.message for e in exc.errors]}
        except (services.StaleDraftError, docs.EditError) as exc:
            errors = {"form": [str(exc)]}
        else:
            messages.success(request, "Concepts saved to the draft.")
            return redirect("studio-concepts", slug=slug)
        draft.refresh_from_db()
    ctx = {
        "course": course,
        "draft": draft,
        "errors": errors,
        "typed": typed,
        "svg": graph.svg(draft.document),
        "step_base": reverse("studio-step", args=[slug, "x"])[:-2],
    }
    ctx.update(selectors.concept_rows(draft.document))
    return render(request, "courses/studio/concepts.html", ctx, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, slug):
    course = faculty_course(request, slug)
    draft = services.get_or_start_draft(course_id=course.id)
    latest = CourseVersion.objects.filter(course=course).order_by("-number").first()
    if request.method == "POST":
        if _version(request) != draft.version:
            messages.error(request, "The draft changed since you reviewed it; review the changes again before publishing.")
            return redirect("studio-publish", slug=slug)
        try:
            result = services.publish(course_id=course.id, user=request.user, note=request.POST.get("note", "").strip())
        except (CourseFormatError, services.NothingToPublishError) as exc:
            _refused(request, exc)
            return redirect("studio-publish", slug=slug)
        messages.success(request, f"Published version {result.version.number}: {result.version.summary}.")
        return redirect("studio-versions", slug=slug)
    changes = docs.summarize(latest.document, draft.document) if latest else []
    diff = docs.diff(latest.document, draft.document, old_label=f"v{latest.number}", new_label="draft") if latest else ""
    return render(
        request,
        "courses/studio/publish.html",
        {"course": course, "draft": draft, "latest": latest, "changes": changes, "diff": diff_lines(diff)},
    )


@login_required
@require_POST
def discard(request, slug):
    course = faculty_course(request, slug)
    services.discard_draft(course_id=course.id, user=request.user)
    messages.success(request, "Draft reset to the published version.")
    return redirect("studio-outline", slug=slug)


@login_required
@require_GET
def versions(request, slug):
    course = faculty_course(request, slug)
    rows = CourseVersion.objects.filter(course=course).select_related("published_by").defer("document").order_by("-number")
    draft = services.get_or_start_draft(course_id=course.id)
    return render(request, "courses/studio/versions.html", {"course": course, "versions": rows, "draft": draft})


@login_required
@require_GET
def version_diff(request, slug, number):
    course = faculty_course(request, slug)
    new = get_object_or_404(CourseVersion, course=course, number=number)
    against = request.GET.get("against")
    old = CourseVersion.objects.filter(course=course, number__lt=number).order_by("-number").first()
    if against:
        old = get_object_or_404(CourseVersion, course=course, number=int(against) if against.isdigit() else -1)
    text = docs.diff(old.document, new.document, old_label=f"v{old.number}", new_label=f"v{new.number}") if old else ""
    return render(request, "courses/studio/diff.html", {"course": course, "new": new, "old": old, "diff": diff_lines(text)})


@login_required
@require_POST
def rollback(request, slug, number):
    course = faculty_course(request, slug)
    try:
        result = services.rollback(course_id=course.id, number=number, user=request.user)
    except CourseVersion.DoesNotExist as exc:
        raise Http404("No such version") from exc
    except services.NothingToPublishError as exc:
        messages.error(request, f"Not rolled back: {exc}")
        return redirect("studio-versions", slug=slug)
    messages.success(request, f"Rolled back: version {result.version.number} republishes version {number}.")
    return redirect("studio-versions", slug=slug)


@login_required
@require_POST
def preview(request, slug):
    course = faculty_course(request, slug)
    try:
        copy = services.preview(course_id=course.id, user=request.user)
    except (CourseFormatError, ValueError) as exc:
        _refused(request, exc)
        return redirect("studio-outline", slug=slug)
    step = request.POST.get("step")
    if step:
        return redirect(reverse("tutor:step", kwargs={"slug": copy.slug, "step_slug": step}))
    return redirect(reverse("tutor:course", kwargs={"slug": copy.slug}))
