"""Studio form data <-> document parts, and placing validator errors next to the field they are about.

A problem is edited as its common fields (slug, kind, concepts, difficulty, prompt, hint ladder, worked solution)
plus its kind's own fields as a YAML mapping ("grading and kind fields"), so every kind the package format knows —
including fields this editor has no widget for — round-trips unchanged.
"""

from __future__ import annotations

import re

import yaml

from courses.package import PackageError

from .document import dump_yaml

COMMON = ("slug", "kind", "concepts", "difficulty", "prompt", "hints", "solution")
KINDS = ("numeric", "choice", "text", "code_output", "code")
STEP_KINDS = ("lesson", "exercise", "project")


class FormError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def slugs(text: str) -> list[str]:
    """Concept slugs typed as a comma- or space-separated list, in order, each once."""
    return list(dict.fromkeys(s for s in re.split(r"[\s,]+", text or "") if s))


def _number(text: str):
    try:
        return float(text) if text.strip() else text
    except ValueError:
        return text


def problem_to_form(p: dict) -> dict:
    """A raw problem mapping as the editor shows it."""
    extra = {k: v for k, v in p.items() if k not in COMMON}
    return {
        "slug": p.get("slug", ""),
        "kind": p.get("kind", "numeric"),
        "concepts": ", ".join(p.get("concepts", []) or []),
        "difficulty": p.get("difficulty", ""),
        "prompt": p.get("prompt", ""),
        "hints": list(p.get("hints", []) or []),
        "solution": p.get("solution", ""),
        "extra": dump_yaml(extra) if extra else "",
    }


def problem_from_form(post, prefix: str) -> dict | None:
    """The raw problem mapping from form fields ``<prefix>-*``; None when deleted (or a blank new problem).
    Raises FormError for kind fields that are not a YAML mapping."""
    get = lambda k: (post.get(f"{prefix}-{k}") or "").replace("\r\n", "\n")  # noqa: E731
    if post.get(f"{prefix}-delete") or not get("slug").strip():
        return None
    text = get("extra")
    try:
        extra = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise FormError(f"{prefix}-extra", f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(extra, dict):
        raise FormError(f"{prefix}-extra", "write the kind's fields as a YAML mapping (key: value lines)")
    out = {
        "slug": get("slug").strip(),
        "kind": get("kind"),
        "concepts": slugs(get("concepts")),
        "difficulty": _number(get("difficulty")),
        "prompt": get("prompt"),
    }
    out.update({k: v for k, v in extra.items() if k not in COMMON})
    out["hints"] = [h.replace("\r\n", "\n") for h in post.getlist(f"{prefix}-hint") if h.strip()]
    out["solution"] = get("solution")
    return out


def step_from_form(post) -> dict:
    """{title, kind, body, concepts, problems} of the step editor form (problems in form order)."""
    problems, errors = [], []
    for prefix in post.getlist("problem"):
        try:
            p = problem_from_form(post, prefix)
        except FormError as exc:
            errors.append(exc)
            continue
        if p is not None:
            problems.append(p)
    if errors:
        raise errors[0]
    return {
        "title": (post.get("title") or "").strip(),
        "kind": post.get("kind") or "lesson",
        "body": (post.get("body") or "").replace("\r\n", "\n"),
        "concepts": slugs(post.get("concepts", "")),
        "problems": problems,
    }


_QUOTED = re.compile(r"(problem|step|concept) '([^']+)'")
_WHERE = re.compile(r"^steps/(\d+)(?:/problems/(\d+))?")


def anchor(err: PackageError, doc: dict) -> str:
    """The form anchor an error belongs next to: ``problem:<slug>``, ``step:<slug>``, ``concept:<slug>``,
    ``module:<folder>`` or ``""`` (the page's error summary)."""
    m = _QUOTED.search(err.message)
    if m:
        return f"{m.group(1)}:{m.group(2)}"
    if err.message.startswith("prerequisite cycle: "):
        return "concept:" + err.message.removeprefix("prerequisite cycle: ").split(" -> ")[0]
    folder = err.file.removeprefix("modules/").removesuffix("/module.yaml")
    w = _WHERE.match(err.message)
    if w and folder in doc.get("modules", {}):
        steps = doc["modules"][folder].get("steps", [])
        si = int(w.group(1))
        if si < len(steps):
            if w.group(2) is not None:
                problems = steps[si].get("problems", []) or []
                pi = int(w.group(2))
                if pi < len(problems) and isinstance(problems[pi], dict):
                    return f"problem:{problems[pi].get('slug', '')}"
            return f"step:{steps[si].get('slug', '')}"
    if folder in doc.get("modules", {}):
        return f"module:{folder}"
    return ""


def by_anchor(errors: list[PackageError], doc: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in errors:
        out.setdefault(anchor(e, doc), []).append(e.message)
    return out
