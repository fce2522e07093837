"""Writes for accounts and roles."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Membership


@transaction.atomic
def enroll(*, user, course_id: int) -> tuple[Membership, bool]:
    """Enroll ``user`` as a student; idempotent. Returns (membership, created)."""
    return grant_role(user=user, course_id=course_id, role=Membership.Role.STUDENT)


def grant_role(*, user, course_id: int, role: str) -> tuple[Membership, bool]:
    """Give ``user`` a role in a course; idempotent (a concurrent duplicate is absorbed by the unique constraint)."""
    try:
        with transaction.atomic():
            return Membership.objects.get_or_create(user=user, course_id=course_id, role=role)
    except IntegrityError:
        return Membership.objects.get(user=user, course_id=course_id, role=role), False
