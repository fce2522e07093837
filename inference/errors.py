"""Exceptions raised by the inference package.

Every error a caller of `inference` is expected to handle derives from `InferenceError`, so the tutor can catch one
class and fall back to the retrieval-only TA.
"""

from __future__ import annotations


class InferenceError(Exception):
    """Base class of every error raised by `inference`."""


class ModelLoadError(InferenceError):
    """The model directory (or LoRA adapter directory) is missing, incomplete or not a causal LM with a chat template."""


class EngineClosedError(InferenceError):
    """A request was submitted to an engine that is stopped (or whose worker thread died)."""


class EngineOverloadedError(InferenceError):
    """The engine's waiting queue is full; the caller should retry later (HTTP 503)."""


class InvalidRequestError(InferenceError, ValueError):
    """A request's parameters are invalid (empty prompt, max_tokens < 1, temperature < 0, prompt too long...)."""


class BackendUnavailableError(InferenceError):
    """The OpenAI-compatible backend could not be reached (connection refused, DNS, connect timeout)."""


class BackendResponseError(InferenceError):
    """The backend answered, but with an HTTP error or a malformed stream. `status` is the HTTP status (or None)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
