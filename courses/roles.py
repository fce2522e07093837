"""Who may do what in a course (reads); enrollment and grants (writes) are in ``courses.services``; other apps use both through ``courses.api``."""

from __future__ import annotations

from .models import Membership

Role = Membership.Role


def roles(user, course_id: int) -> set[str]:
    """The set of roles ('student', 'ta', 'faculty') ``user`` holds in the course; empty for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, course_id=course_id).values_list("role", flat=True))


def is_enrolled(user, course_id: int) -> bool:
    return Role.STUDENT in roles(user, course_id)


def is_staff_of(user, course_id: int) -> bool:
    """True for the course's TAs and faculty."""
    return bool(roles(user, course_id) & {Role.TA, Role.FACULTY})


def course_ids(user, role: str) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user, role=role).values_list("course_id", flat=True))


def member_course_id(user, slug: str, role: str) -> int | None:
    """Id of the course ``slug`` if ``user`` holds ``role`` in it, else None (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, role=role, course__slug=slug).values_list("course_id", flat=True).first()


def student_ids(course_id: int) -> list[int]:
    """User ids of the course's enrolled students (one query)."""
    return list(Membership.objects.filter(course_id=course_id, role=Role.STUDENT).values_list("user_id", flat=True))
