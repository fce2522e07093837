"""Export a course from the database as a package folder (docs/course-format.md) that imports back to the same course."""

from __future__ import annotations

from pathlib import Path

import yaml

from .models import Course


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data, path: Path) -> None:
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def _problem(p) -> dict:
    out = {
        "slug": p.slug,
        "kind": p.kind,
        "concepts": [c.slug for c in p.ordered_concepts],
        "difficulty": p.difficulty,
        "prompt": p.prompt_md,
    }
    out.update(p.answer)
    if p.check_code:
        out["check"] = p.check_code
    if p.unverifiable:
        out["unverifiable"] = p.unverifiable
    out["hints"] = [h.body_md for h in p.hints.all()]
    out["solution"] = p.solution_md
    if p.tags:
        out["tags"] = list(p.tags)
    return out


def export_course(*, slug: str, path: str | Path) -> Path:
    """Write course ``slug`` (its non-archived content) as a package under ``path``; returns the folder.

    Raises Course.DoesNotExist for an unknown slug.
    """
    course = Course.objects.get(slug=slug)
    root = Path(path)
    (root / "modules").mkdir(parents=True, exist_ok=True)
    modules = list(course.modules.filter(archived=False).order_by("position"))
    head = {"slug": course.slug, "title": course.title, "summary": course.summary}
    if course.description_md:
        head["description"] = course.description_md
    head["target_success"] = course.target_success
    head["modules"] = [m.folder for m in modules]
    _dump(head, root / "course.yaml")
    for m in modules:
        folder = root / "modules" / m.folder
        folder.mkdir(parents=True, exist_ok=True)
        data = {"slug": m.slug, "title": m.title}
        if m.summary:
            data["summary"] = m.summary
        concepts = m.concepts.filter(archived=False).order_by("position").prefetch_related("prerequisite_links__prerequisite")
        data["concepts"] = [
            {
                "slug": c.slug,
                "name": c.name,
                "description": c.description,
                "prerequisites": [link.prerequisite.slug for link in c.prerequisite_links.all()],
            }
            for c in concepts
        ]
        data["steps"] = []
        steps = m.steps.filter(archived=False).order_by("position").prefetch_related("stepconcept_set__concept")
        for s in steps:
            (folder / s.body_file).write_text(s.body_md, encoding="utf-8")
            step = {
                "slug": s.slug,
                "title": s.title,
                "kind": s.kind,
                "body": s.body_file,
                "concepts": [sc.concept.slug for sc in s.stepconcept_set.all()],
            }
            if s.try_first:
                step["try_first"] = s.try_first
            problems = (
                s.problems.filter(archived=False).order_by("position").prefetch_related("hints", "problemconcept_set__concept")
            )
            for p in problems:
                p.ordered_concepts = [pc.concept for pc in p.problemconcept_set.all()]
            if problems:
                step["problems"] = [_problem(p) for p in problems]
            data["steps"].append(step)
        _dump(data, folder / "module.yaml")
    return root
