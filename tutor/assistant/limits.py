"""Per-student limits on questions to the TA, counted in the Django cache (Redis in production): a rate limit
(TA_RATE_LIMIT questions per TA_RATE_WINDOW_S seconds, fixed window) and a daily cap (TA_DAILY_CAP per UTC day);
plus the message length limit (TA_MAX_MESSAGE_CHARS)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


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


async def _hit(key: str, ttl: int) -> int:
    await cache.aadd(key, 0, ttl)
    try:
        return await cache.aincr(key)
    except ValueError:  # expired between add and incr
        await cache.aset(key, 1, ttl)
        return 1


async def take(user_id: int) -> Refusal | None:
    """Count one question for the student; a Refusal (not counted) if a limit is reached."""
    now = time.time()
    per = int(getattr(settings, "TA_RATE_LIMIT", 6))
    window = int(getattr(settings, "TA_RATE_WINDOW_S", 60))
    cap = int(getattr(settings, "TA_DAILY_CAP", 100))
    start = int(now // window) * window
    rate_key = f"ta:rate:{user_id}:{start}"
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    day_key = f"ta:day:{user_id}:{day}"
    if per and (await cache.aget(rate_key, 0)) >= per:
        wait = int(start + window - now) + 1
        return Refusal(
            "rate_limited",
            f"You've asked {per} questions in the last {window} seconds. "
            f"Take a moment with the material and ask again in {wait} s.",
            wait,
        )
    if cap and (await cache.aget(day_key, 0)) >= cap:
        tomorrow = (int(now // 86400) + 1) * 86400
        return Refusal(
            "daily_cap",
            f"You've reached today's limit of {cap} questions to the automated TA. "
            'It resets at midnight UTC; a human TA can still help ("Ask a human").',
            int(tomorrow - now),
        )
    if per:
        await _hit(rate_key, window + 5)
    if cap:
        await _hit(day_key, 86400 + 60)
    return None
