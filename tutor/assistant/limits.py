"""Per-student limits on questions to the TA, counted by django-ratelimit in the Django cache (Redis in production):
a rate limit (TA_RATE_LIMIT questions per TA_RATE_WINDOW_S seconds) and a daily cap (TA_DAILY_CAP per 24 h window);
plus the message length limit (TA_MAX_MESSAGE_CHARS)."""

from __future__ import annotations

from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Refusal:
    code: str  # "too_long", "empty", "rate_limited", "daily_cap"
    message: str
    retry_after: int | None = None


def check_text(text: str) -> Refusal | None:
    limit = int(getattr(settings, "TA_MAX_MESSAGE_CHARS", 2000))
    if not text.strip():
        return Refusal("empty", "Type a question first.")
    if len(text) > limit:
        return Refusal(
            "too_long",
            f"Questions are limited to {limit} characters (yours has {len(text)}). "
            "Shorten it, or split it into several questions.",
        )
    return None


def _usage(group: str, user_id: int, rate: str, increment: bool) -> tuple[bool, int]:
    """(limit reached, seconds until the window ends) of a django-ratelimit counter keyed by the student."""
    usage = get_usage(None, group=group, key=lambda _group, _request: str(user_id), rate=rate, increment=increment)
    if usage is None:  # RATELIMIT_ENABLE is off
        return False, 0
    return usage["count"] >= usage["limit"], max(1, int(usage["time_left"]))


def _take(user_id: int, per: int, window: int, cap: int) -> Refusal | None:
    rate, day = f"{per}/{window}s", f"{cap}/d"
    if per:
        reached, wait = _usage("ta.rate", user_id, rate, increment=False)
        if reached:
            return Refusal(
                "rate_limited",
                f"You've asked {per} questions in the last {window} seconds. "
                f"Take a moment with the material and ask again in {wait} s.",
                wait,
            )
    if cap:
        reached, wait = _usage("ta.day", user_id, day, increment=False)
        if reached:
            return Refusal(
                "daily_cap",
                f"You've reached today's limit of {cap} questions to the automated TA. "
                f'It resets in about {max(1, round(wait / 3600))} h; a human TA can still help ("Ask a human").',
                wait,
            )
    if per:
        _usage("ta.rate", user_id, rate, increment=True)
    if cap:
        _usage("ta.day", user_id, day, increment=True)
    return None


async def take(user_id: int) -> Refusal | None:
    """Count one question for the student; a Refusal (not counted) if a limit is reached. The counters are
    django-ratelimit's (``get_usage``: fixed windows in the cache, shared by every ASGI worker; RATELIMIT_ENABLE=0
    turns them off): TA_RATE_LIMIT per TA_RATE_WINDOW_S seconds and TA_DAILY_CAP per 24 h (0 turns either off)."""
    per = int(getattr(settings, "TA_RATE_LIMIT", 6))
    window = int(getattr(settings, "TA_RATE_WINDOW_S", 60))
    cap = int(getattr(settings, "TA_DAILY_CAP", 100))
    return await sync_to_async(_take)(user_id, per, window, cap)
