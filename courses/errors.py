"""The one error convention of the platform: every refusal a service raises is a :class:`DomainError`.

Each subclass carries the HTTP ``status`` it maps to and a stable machine ``code``; ``errors`` optionally gives
field errors (``{field: [message, ...]}``). The REST edge turns any of them into one JSON body
(``academy.errors.exception_handler``: ``{"code", "detail", "errors"?}``) and the websocket edges into one frame
(``{"type": "error", "code", "message"}``, see :func:`ws_error`), so views and consumers carry no try/except of
their own. Both ``courses`` and ``tutor`` raise these (``tutor`` imports them through ``courses.api``).
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a clear message: ``str(exc)`` is shown to the user as is.

    ``status``: HTTP status (int); ``code``: machine-readable reason (str, snake_case); ``errors``: field errors or
    None; ``retry_after``: seconds until a retry may succeed (rate limits) or None.
    """

    status = 400
    code = "bad_request"

    def __init__(self, detail: str = "", *, code: str | None = None, errors: dict | None = None, retry_after: int | None = None):
        super().__init__(detail or self.__class__.__doc__ or self.code)
        if code is not None:
            self.code = code
        self.errors = errors
        self.retry_after = retry_after

    @property
    def detail(self) -> str:
        return str(self)


class BadRequest(DomainError):
    """The request is malformed or its values are invalid (400)."""

    status, code = 400, "bad_request"


class Forbidden(DomainError):
    """Known to exist, but not allowed for this user (403)."""

    status, code = 403, "forbidden"


class NotFound(DomainError):
    """No such thing — or not yours to see (404: never a hint that it exists)."""

    status, code = 404, "not_found"


class Conflict(DomainError):
    """Not possible in the current state (409): an illegal transition, a duplicate, a stale preview."""

    status, code = 409, "conflict"


class RateLimited(DomainError):
    """Too many requests (429); ``retry_after`` says when to try again."""

    status, code = 429, "rate_limited"


def ws_error(exc: DomainError, **extra) -> dict:
    """The websocket frame for a refusal: ``{"type": "error", "code", "message", "status", "retry_after"?}`` + extra."""
    frame = {"type": "error", "code": exc.code, "message": str(exc), "status": exc.status, **extra}
    if exc.retry_after is not None:
        frame["retry_after"] = exc.retry_after
    if exc.errors:
        frame["errors"] = exc.errors
    return frame
