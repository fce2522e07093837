"""One REST error convention (wired in ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): every refusal answers
``{"code": str, "detail": str, "errors"?: {field: [message]}}`` with its HTTP status.

- ``courses.errors.DomainError`` (what services raise) → its ``status``/``code``/``errors``; ``Retry-After`` when set.
- ``Http404`` / DRF's ``NotFound`` → 404 ``not_found``; ``PermissionDenied`` → 403; ``NotAuthenticated`` → 401/403.
- DRF ``ValidationError`` → 400 ``bad_request`` with the field errors under ``errors``.
- ``Throttled`` (DRF throttling) → 429 ``rate_limited`` with a sentence saying when to retry and ``Retry-After``.
- Anything else is a bug: DRF leaves it to Django (500, logged).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from courses.api import DomainError


def _body(code: str, detail: str, errors=None) -> dict:
    body = {"code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def exception_handler(exc, context):
    """DRF exception handler: the convention above. Returns None (→ 500) only for unexpected exceptions."""
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(_body(exc.code, str(exc), exc.errors), status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = drf.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied(str(exc) or None)
    if isinstance(exc, drf.Throttled):
        wait = int(exc.wait or 1)
        exc.detail = f"Too many requests: try again in {wait} second{'s' if wait != 1 else ''}."
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = _body("bad_request", "Invalid input: see errors.", errors)
    elif isinstance(exc, drf.Throttled):
        response.data = _body("rate_limited", str(exc.detail))
    else:
        codes = exc.get_codes() if isinstance(exc, drf.APIException) else "error"
        response.data = _body(codes if isinstance(codes, str) else "error", str(getattr(exc, "detail", exc)))
    return response
