"""Reads of course content shared by views, the API and commands."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Course, Hint, Module


def course_stats(*, slug: str) -> dict | None:
    """Counts of active content: {"modules", "steps", "concepts", "problems", "hints", "problems_per_module":
    {module slug: n} in ramp order, "code_problems", "code_problems_per_module": {module slug: n}}; None for an unknown slug."""
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        return None
    modules = (
        Module.objects.filter(course=course, archived=False)
        .order_by("position")
        .annotate(n=Count("steps__problems", filter=Q(steps__archived=False, steps__problems__archived=False)))
        .annotate(
            n_code=Count(
                "steps__problems",
                filter=Q(steps__archived=False, steps__problems__archived=False, steps__problems__kind="code"),
            )
        )
    )
    return {
        "modules": modules.count(),
        "steps": course.steps.filter(archived=False).count(),
        "concepts": course.concepts.filter(archived=False).count(),
        "problems": course.problems.filter(archived=False).count(),
        "hints": Hint.objects.filter(problem__course=course, problem__archived=False).count(),
        "problems_per_module": {m.slug: m.n for m in modules},
        "code_problems": course.problems.filter(archived=False, kind="code").count(),
        "code_problems_per_module": {m.slug: m.n_code for m in modules},
    }
