"""Degraded mode: when Redis (cache, rate-limit counters, channel layer, Celery broker) is unreachable, the web tier
answers with a clear 503 — ``{"code": "degraded", "detail"}`` under /api/, a page elsewhere — and ``Retry-After``,
instead of a bare 500. Nothing is kept across requests, so the first request after Redis is back works again
(recovery needs no restart). PostgreSQL outages are handled the same way (``django.db.OperationalError``).

It is also the HTML side of the one error convention: a ``courses.errors.DomainError`` that a page view did not turn
into a message answers its own status with its sentence (a page; JSON under /api/), never a 500."""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render

from courses.api import DomainError

log = logging.getLogger(__name__)
DETAIL = {
    "redis": "Part of Academy is temporarily unavailable (our live-features store is down). Your work is safe; "
    "please try again in a minute.",
    "database": "Academy cannot reach its database right now. Nothing was saved from this request; please try again in a minute.",
}


def _outage(exc: Exception) -> str | None:
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        redis = None
    if redis is not None and isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return "redis"
    if isinstance(exc, OperationalError):
        return "database"
    return None


def _refusal(request, exc: DomainError):
    if request.path.startswith("/api/"):
        body = {"code": exc.code, "detail": str(exc), **({"errors": exc.errors} if exc.errors else {})}
        return JsonResponse(body, status=exc.status)
    return render(request, "refusal.html", {"detail": str(exc), "status": exc.status}, status=exc.status)


class DegradedModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, DomainError):  # a refusal no view caught: its status and message, never a 500
            return _refusal(request, exc)
        what = _outage(exc)
        if what is None:
            return None
        log.error("degraded: %s unreachable (%s: %s) on %s", what, exc.__class__.__name__, str(exc)[:200], request.path)
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "degraded", "detail": DETAIL[what]}, status=503)
        else:
            response = render(request, "503.html", {"detail": DETAIL[what]}, status=503)
        response["Retry-After"] = "30"
        return response
