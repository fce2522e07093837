"""Async chat client for any OpenAI-compatible server — our `inference.serve`, vLLM, llama.cpp's `llama-server` —
and the same interface over an in-process engine (`EngineClient`, the embedded default: no HTTP, no second process).

    client = ChatClient("http://127.0.0.1:8001/v1")          # or EngineClient(engine)
    async for chunk in client.stream_chat(messages, max_tokens=256, temperature=0.2, logprobs=True):
        send(chunk.text)                    # chunk.logprobs: [TokenLogprob], last chunk: finish_reason, usage

Stopping the iteration early (``break``, task cancellation) closes the HTTP response, which makes the server cancel
the generation. Connection failures raise `BackendUnavailableError` (connects are retried `connect_retries` times,
nothing else is retried: a generation is not idempotent); HTTP errors and malformed streams raise
`BackendResponseError`. This module imports neither torch nor Django.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .errors import BackendResponseError, BackendUnavailableError, InferenceError

Messages = list[dict[str, Any]]


@dataclass
class TokenLogprob:
    """One generated token: its text, log-probability (natural log) and the requested top alternatives."""

    token: str
    logprob: float
    top: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass
class ChatChunk:
    """A piece of a streamed answer. The last chunk has `finish_reason` ("stop" | "length") and, when the server
    reports it, `usage`."""

    text: str = ""
    logprobs: list[TokenLogprob] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass
class ChatResult:
    """A whole answer (`chat`)."""

    text: str
    logprobs: list[TokenLogprob]
    finish_reason: str | None
    usage: Usage | None
    model: str | None = None

    @property
    def mean_logprob(self) -> float | None:
        """Mean token log-probability (the TA's confidence signal); None without logprobs."""
        return sum(t.logprob for t in self.logprobs) / len(self.logprobs) if self.logprobs else None

    @property
    def perplexity(self) -> float | None:
        """exp(−mean log-probability); None without logprobs."""
        m = self.mean_logprob
        return math.exp(-m) if m is not None else None


class ChatBackend(Protocol):
    """What the tutor needs from a model backend (implemented by `ChatClient` and `EngineClient`)."""

    model: str | None

    def stream_chat(
        self,
        messages: Messages,
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float = 1.0,
        logprobs: bool = False,
        top_logprobs: int = 0,
        seed: int | None = None,
        stop: list[str] | None = None,
        extra: dict | None = None,
    ) -> AsyncIterator[ChatChunk]: ...

    async def chat(self, messages: Messages, **kwargs) -> ChatResult: ...

    async def models(self) -> list[str]: ...

    async def health(self) -> bool: ...

    async def aclose(self) -> None: ...


async def _gather(chunks: AsyncIterator[ChatChunk], model: str | None) -> ChatResult:
    text, lps, finish, usage = [], [], None, None
    async for c in chunks:
        text.append(c.text)
        lps.extend(c.logprobs)
        finish = c.finish_reason or finish
        usage = c.usage or usage
    return ChatResult("".join(text), lps, finish, usage, model)


def _parse_logprobs(block: Any) -> list[TokenLogprob]:
    if not isinstance(block, dict):
        return []
    out = []
    for entry in block.get("content") or []:
        top = [(t.get("token", ""), float(t["logprob"])) for t in entry.get("top_logprobs") or [] if "logprob" in t]
        out.append(TokenLogprob(entry.get("token", ""), float(entry["logprob"]), top))
    return out


def _parse_usage(u: Any) -> Usage | None:
    if not isinstance(u, dict):
        return None
    p, c = int(u.get("prompt_tokens", 0)), int(u.get("completion_tokens", 0))
    return Usage(p, c, int(u.get("total_tokens", p + c)))


def _normalize_base_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


class ChatClient:
    """Client of an OpenAI-compatible chat-completions server.

    base_url: the server, with or without the trailing ``/v1`` (``http://127.0.0.1:8001``). model: the model name to
    request; None → the first one listed by ``GET /v1/models`` (looked up once). timeout: seconds allowed between two
    bytes of the answer (and for the whole of a non-streaming call's response to start); connect_timeout: seconds
    to establish the connection. api_key: sent as a Bearer token (vLLM ``--api-key``). transport: an httpx transport
    to use instead of the network (e.g. ``httpx.ASGITransport(app)`` in tests).
    """

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        api_key: str | None = None,
        connect_retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = _normalize_base_url(base_url)
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport or httpx.AsyncHTTPTransport(retries=connect_retries),
        )

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ helpers
    def _unavailable(self, exc: Exception) -> BackendUnavailableError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "is unreachable"
        return BackendUnavailableError(f"the model server at {self.base_url} {kind}: {type(exc).__name__}: {exc}")

    @staticmethod
    async def _raise_for_status(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        body = (await response.aread()).decode("utf-8", "replace")
        try:
            message = json.loads(body)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = body[:500] or response.reason_phrase
        raise BackendResponseError(f"HTTP {response.status_code}: {message}", status=response.status_code)

    async def _resolve_model(self) -> str:
        if self.model is None:
            names = await self.models()
            if not names:
                raise BackendResponseError("the server lists no model")
            self.model = names[0]
        return self.model

    def _payload(
        self,
        messages: Messages,
        *,
        max_tokens: int,
        temperature: float,
        top_p: float,
        logprobs: bool,
        top_logprobs: int,
        seed: int | None,
        stop: list[str] | None,
        stream: bool,
        extra: dict | None,
    ) -> dict:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "stream": stream,
        }
        if logprobs or top_logprobs:
            payload["logprobs"] = True
            if top_logprobs:
                payload["top_logprobs"] = top_logprobs
        if seed is not None:
            payload["seed"] = seed
        if stop:
            payload["stop"] = list(stop)
        if stream:
            payload["stream_options"] = {"include_usage": True}
        payload.update(extra or {})
        return payload

    # ------------------------------------------------------------------ API
    async def models(self) -> list[str]:
        """Model ids served (``GET /v1/models``)."""
        try:
            r = await self._http.get("/models")
        except httpx.TransportError as exc:
            raise self._unavailable(exc) from exc
        await self._raise_for_status(r)
        try:
            return [m["id"] for m in r.json()["data"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendResponseError(f"malformed /v1/models answer: {exc}") from exc

    async def health(self) -> bool:
        """True if the server answers ``GET /health`` (or, failing that, ``/v1/models``) with 200."""
        root = self.base_url[: -len("/v1")]
        try:
            r = await self._http.get(root + "/health")
            if r.status_code == 404:
                r = await self._http.get("/models")
        except httpx.TransportError:
            return False
        return r.status_code == 200

    async def stream_chat(
        self,
        messages: Messages,
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float = 1.0,
        logprobs: bool = False,
        top_logprobs: int = 0,
        seed: int | None = None,
        stop: list[str] | None = None,
        extra: dict | None = None,
    ) -> AsyncIterator[ChatChunk]:
        """Stream an answer as `ChatChunk`s (see module docstring). `extra`: more request fields, sent as they are
        (server-specific parameters such as vLLM's ``ignore_eos``)."""
        await self._resolve_model()
        payload = self._payload(
            messages,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            logprobs=logprobs,
            top_logprobs=top_logprobs,
            seed=seed,
            stop=stop,
            stream=True,
            extra=extra,
        )
        finished = False
        try:
            async with self._http.stream("POST", "/chat/completions", json=payload) as response:
                await self._raise_for_status(response)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, SSE comments / keep-alives
                    data = line[5:].strip()
                    if data == "[DONE]":
                        finished = True
                        break
                    try:
                        obj = json.loads(data)
                    except ValueError as exc:
                        raise BackendResponseError(f"malformed stream line: {data[:200]!r}") from exc
                    if "error" in obj:
                        err = obj["error"]
                        raise BackendResponseError(err.get("message", str(err)) if isinstance(err, dict) else str(err))
                    usage = _parse_usage(obj.get("usage"))
                    for choice in obj.get("choices") or []:
                        delta = choice.get("delta") or {}
                        yield ChatChunk(
                            text=delta.get("content") or "",
                            logprobs=_parse_logprobs(choice.get("logprobs")),
                            finish_reason=choice.get("finish_reason"),
                            usage=usage,
                        )
                        usage = None
                    if usage is not None:
                        yield ChatChunk(usage=usage)
        except httpx.TransportError as exc:
            raise self._unavailable(exc) from exc
        if not finished:
            raise BackendResponseError("the stream ended without [DONE] (server stopped mid-answer?)")

    async def chat(self, messages: Messages, **kwargs) -> ChatResult:
        """The whole answer at once (streams under the hood, so a timeout applies between tokens, not overall)."""
        return await _gather(self.stream_chat(messages, **kwargs), self.model)


class EngineClient:
    """`ChatClient`'s interface over an engine in this process (`Engine` or `ScriptedEngine`), without HTTP."""

    def __init__(self, engine, model: str | None = None) -> None:
        """model: the base model's name or one of the engine's adapters (a course's tuned assistant); default the base."""
        self.engine = engine
        self.model = model or engine.model_name
        resolve = getattr(engine, "resolve_model", None)
        self._adapter = resolve(self.model) if resolve else None
        if resolve and self._adapter is None:
            from .errors import InvalidRequestError

            raise InvalidRequestError(f"the engine does not serve {self.model!r} ({engine.served_models})")

    async def __aenter__(self) -> EngineClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Does not stop the engine (its owner does)."""

    async def models(self) -> list[str]:
        return [self.model]

    async def health(self) -> bool:
        return bool(self.engine.alive)

    async def stream_chat(
        self,
        messages: Messages,
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float = 1.0,
        logprobs: bool = False,
        top_logprobs: int = 0,
        seed: int | None = None,
        stop: list[str] | None = None,
        extra: dict | None = None,
    ) -> AsyncIterator[ChatChunk]:
        from .types import SamplingParams  # torch-free

        params = SamplingParams(
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            seed=seed,
            stop=tuple(stop or ()),
            logprobs=logprobs or bool(top_logprobs),
            top_logprobs=top_logprobs,
            ignore_eos=bool((extra or {}).get("ignore_eos")),
        )
        try:
            stream = self.engine.submit(messages, params, **({"adapter": self._adapter} if self._adapter else {}))
        except InferenceError:
            raise
        try:
            async for d in stream:
                if d.finish_reason in ("error", "cancelled"):
                    raise BackendResponseError(d.error or f"generation {d.finish_reason}")
                lps = []
                if params.wants_logprobs:
                    for i, lp in enumerate(d.logprobs):
                        top = [(t.token, t.logprob) for t in d.top_logprobs[i]] if d.top_logprobs else []
                        lps.append(TokenLogprob(d.tokens[i] if d.tokens else "", lp, top))
                usage = None
                if d.finish_reason is not None:
                    p, c = d.prompt_tokens or 0, d.completion_tokens or 0
                    usage = Usage(p, c, p + c)
                if d.text or lps or d.finish_reason:
                    yield ChatChunk(
                        text=d.text,
                        logprobs=lps,
                        finish_reason=None if d.finish_reason is None else ("length" if d.finish_reason == "length" else "stop"),
                        usage=usage,
                    )
        finally:
            stream.cancel()

    async def chat(self, messages: Messages, **kwargs) -> ChatResult:
        return await _gather(self.stream_chat(messages, **kwargs), self.model)
