"""The author inbox: a course's anonymized shared threads grouped by module and step (with the concepts they touch),
the newest first, each group with its step's text one click away."""

from __future__ import annotations

from dataclasses import dataclass, field

from courses import api as courses
from tutor.staffing.models import SharedThread


@dataclass
class StepGroup:
    module_title: str
    step: courses.StepInfo | None
    concepts: list[str]
    threads: list[SharedThread] = field(default_factory=list)


def shared_threads(course_id: int, concept: str | None = None) -> list[dict]:
    """Ready shared threads of a course, newest first, as the API shows them (nothing about who shared them)."""
    out = []
    problems = {p.id: p for p in courses.course_problems(course_id)}
    steps: dict[int, courses.StepInfo | None] = {}
    for s in SharedThread.objects.filter(course_id=course_id, status=SharedThread.Status.READY).order_by("-shared_on", "-id"):
        if s.step_id not in steps:
            steps[s.step_id] = courses.get_step_by_id(s.step_id) if s.step_id else None
        step = steps[s.step_id]
        concepts = (
            list(problems[s.problem_id].concept_slugs) if s.problem_id in problems else list(step.concept_slugs if step else ())
        )
        if concept and concept not in concepts:
            continue
        out.append(
            {
                "id": s.id,
                "title": s.title,
                "asked_on": s.asked_on.isoformat(),
                "shared_on": s.shared_on.isoformat(),
                "module": step.module_title if step else None,
                "step": {"id": step.id, "slug": step.slug, "title": step.title} if step else None,
                "problem": {"id": s.problem_id, "slug": problems[s.problem_id].slug} if s.problem_id in problems else None,
                "concepts": concepts,
                "messages": s.messages,
            }
        )
    return out


def grouped(course_id: int, concept: str | None = None) -> list[dict]:
    """Shared threads grouped by (module, step): groups ordered by their newest thread, threads newest first.
    Each group: ``{module, step (StepInfo or None), concepts, threads}``."""
    groups: dict[int | None, dict] = {}
    for t in shared_threads(course_id, concept):
        key = t["step"]["id"] if t["step"] else None
        g = groups.get(key)
        if g is None:
            step = courses.get_step_by_id(key) if key else None
            g = groups[key] = {"module": t["module"] or "Not on a step", "step": step, "concepts": [], "threads": []}
        g["threads"].append(t)
        for c in t["concepts"]:
            if c not in g["concepts"]:
                g["concepts"].append(c)
    return list(groups.values())
