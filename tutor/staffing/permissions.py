"""Who may see what of the people side of the TA loop: the course's TAs work the queue, its faculty read the
anonymized shared threads and aggregate stats. Anything else reads as "no such page" (404), never as a hint that
the resource exists."""

from __future__ import annotations

from django.http import Http404

from courses import api as courses
from courses.api import Role, member_course_id


def course_for(user, slug: str, role: str) -> courses.CourseInfo:
    """The course ``slug`` if ``user`` holds ``role`` ("ta" or "faculty") in it; raises Http404 otherwise."""
    if member_course_id(user, slug, role) is None:
        raise Http404("No such course")
    course = courses.get_course(slug)
    if course is None:  # pragma: no cover - membership implies the course exists
        raise Http404("No such course")
    return course


def ta_course(user, slug: str) -> courses.CourseInfo:
    """The course if ``user`` is one of its TAs (the escalation queue is theirs); else Http404."""
    return course_for(user, slug, Role.TA)


def faculty_course(user, slug: str) -> courses.CourseInfo:
    """The course if ``user`` is one of its faculty (author inbox, stuck-map); else Http404."""
    return course_for(user, slug, Role.FACULTY)


def student_course(user, slug: str) -> courses.CourseInfo:
    """The course if ``user`` is enrolled in it as a student (sharing their own threads); else Http404."""
    return course_for(user, slug, Role.STUDENT)
