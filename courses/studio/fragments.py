"""HTML fragments the studio repeats for every step of a course, built in Python: on a 51-step course a template loop
costs most of the outline's time (thousands of variable lookups); here every value is escaped once."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def step_items(steps: list[dict], step_base: str) -> SafeString:
    """The ``<li>`` rows of a module's steps in the outline: drag handle, link to the editor, kind, problem count,
    concept chips, and ↑ ↓ Archive buttons (submitting the page's shared ``move-form`` / ``archive-step-form``)."""
    out = []
    for s in steps:
        slug, title = escape(s["slug"]), escape(s["title"])
        n = s["problems"]
        chips = "".join(f'<span class="chip">{escape(c)}</span>' for c in s["concepts"])
        out.append(
            f'<li class="studio-step" data-slug="{slug}"><span class="handle" title="Drag to reorder" aria-hidden="true">⠿</span>'
            f'<a href="{escape(step_base)}{slug}/" class="step-title">{title}</a><span class="kind">{escape(s["kind"])}</span>'
            f'<span class="muted small">{n} problem{"" if n == 1 else "s"}</span><span class="chips">{chips}</span>'
            f'<span class="step-tools">'
            f'<button form="move-form" name="move" value="up:{slug}" class="ghost small" aria-label="Move {title} up">↑</button>'
            f'<button form="move-form" name="move" value="down:{slug}" class="ghost small" aria-label="Move {title} down">↓</button>'
            f'<button form="archive-step-form" name="step" value="{slug}" class="ghost small" aria-label="Archive {title}">Archive</button>'
            "</span></li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
