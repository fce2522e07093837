"""Moderation hook for questions to the TA. Out of scope for now: `check` allows everything. To plug a filter in,
point TA_MODERATION_HOOK at a function ``(text, *, user_id, course_id) -> str | None`` returning a refusal message."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def allow_all(text: str, *, user_id: int, course_id: int) -> str | None:
    """The default hook: no moderation."""
    return None


def check(text: str, *, user_id: int, course_id: int) -> str | None:
    """None if the question may go to the TA, else the message to show the student."""
    hook = getattr(settings, "TA_MODERATION_HOOK", "") or "tutor.assistant.moderation.allow_all"
    return import_string(hook)(text, user_id=user_id, course_id=course_id)
