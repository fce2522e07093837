"""Studio reads: what the outline, step editor and concept pages show, computed from the draft document."""

from __future__ import annotations

from . import document as docs
from . import forms
from .models import CourseDraft, CourseVersion


def outline(draft: CourseDraft) -> dict:
    """{"draft", "modules": [{folder, slug, title, steps: [{slug, title, kind, concepts, problems}]}], "latest"}."""
    modules = []
    for folder, m in docs.ordered_modules(draft.document):
        steps = [
            {
                "slug": s["slug"],
                "title": s["title"],
                "kind": s["kind"],
                "concepts": list(s.get("concepts", []) or []),
                "problems": len(s.get("problems", []) or []),
            }
            for s in m.get("steps", [])
        ]
        modules.append({"folder": folder, "slug": m.get("slug"), "title": m.get("title"), "steps": steps})
    latest = CourseVersion.objects.filter(course_id=draft.course_id).order_by("-number").only("number", "published_at").first()
    return {"draft": draft, "modules": modules, "latest": latest, "step_kinds": forms.STEP_KINDS}


def step_form(doc: dict, folder: str, step: dict) -> dict:
    return {
        "slug": step["slug"],
        "title": step["title"],
        "kind": step["kind"],
        "body": docs.step_body(doc, folder, step),
        "concepts": ", ".join(step.get("concepts", []) or []),
        "problems": [{**forms.problem_to_form(p), "prefix": f"p{i}"} for i, p in enumerate(step.get("problems", []) or [])],
        "new": {**forms.problem_to_form({"kind": "numeric", "difficulty": 0.3}), "prefix": "new"},
    }


def step_form_from_post(post, step: dict, errors: dict) -> dict:
    """The editor re-filled with what was typed (so a refused save loses nothing)."""

    def problem(prefix: str) -> dict:
        g = lambda k: post.get(f"{prefix}-{k}", "")  # noqa: E731
        return {
            "slug": g("slug"),
            "kind": g("kind"),
            "concepts": g("concepts"),
            "difficulty": g("difficulty"),
            "prompt": g("prompt"),
            "hints": [h for h in post.getlist(f"{prefix}-hint") if h.strip()],
            "solution": g("solution"),
            "extra": g("extra"),
            "delete": bool(post.get(f"{prefix}-delete")),
            "prefix": prefix,
        }

    prefixes = [p for p in post.getlist("problem") if p != "new"]
    return {
        "slug": step["slug"],
        "title": post.get("title", ""),
        "kind": post.get("kind", "lesson"),
        "body": post.get("body", ""),
        "concepts": post.get("concepts", ""),
        "problems": [problem(p) for p in prefixes],
        "new": problem("new"),
        "new_open": bool(post.get("new-slug", "").strip()),
    }


def step_context(doc: dict, step_slug: str) -> dict:
    """Neighbouring steps, the concepts known at this step (introduced by it or earlier) and all concept slugs."""
    flat = [(f, s) for f, m in docs.ordered_modules(doc) for s in m.get("steps", [])]
    idx = next(i for i, (_f, s) in enumerate(flat) if s["slug"] == step_slug)
    known = []
    for _f, s in flat[: idx + 1]:
        known.extend(s.get("concepts", []) or [])
    return {
        "prev": flat[idx - 1][1] if idx > 0 else None,
        "next": flat[idx + 1][1] if idx + 1 < len(flat) else None,
        "position": idx + 1,
        "total": len(flat),
        "known_concepts": list(dict.fromkeys(known)),
        "all_concepts": [c["slug"] for _f, c in docs.concepts(doc)],
        "problem_kinds": forms.KINDS,
        "step_kinds": forms.STEP_KINDS,
    }


def concept_rows(doc: dict) -> dict:
    intro = docs.introducing_step(doc)
    rows = [
        {
            "folder": f,
            "slug": c["slug"],
            "name": c.get("name", ""),
            "description": c.get("description", "") or "",
            "prerequisites": list(c.get("prerequisites", []) or []),
            "step": intro.get(c["slug"], ""),
        }
        for f, c in docs.concepts(doc)
    ]
    modules = [(f, m.get("title", f)) for f, m in docs.ordered_modules(doc)]
    return {"concepts": rows, "modules": modules}


def attach_errors(form: dict, errors: dict[str, list[str]]) -> dict:
    """Spread validator messages over the editor form: ``step_errors`` (the step's fields), each problem's
    ``errors`` (by slug or form prefix) and ``general_errors`` (everything else, shown at the top)."""
    used = set()
    form["step_errors"] = errors.get(f"step:{form['slug']}", [])
    used.add(f"step:{form['slug']}")
    for p in form["problems"] + [form["new"]]:
        prefix = p.get("prefix", "new")
        keys = [f"problem:{p['slug']}", f"{prefix}-extra"]
        p["errors"] = [m for k in keys for m in errors.get(k, [])]
        used.update(keys)
    form["general_errors"] = [m for k, ms in errors.items() if k not in used for m in ms]
    return form
