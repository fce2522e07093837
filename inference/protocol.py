"""The OpenAI chat-completions wire format: request validation and response / SSE chunk building.

Reference: OpenAI API reference, "Chat Completions" (create; the chat completion and chunk objects; `logprobs`
content with `token`, `logprob`, `bytes`, `top_logprobs`; `stream_options.include_usage`). Fields we do not
implement (tools, n > 1, response_format, logit_bias) are rejected; others that do not change a greedy answer are
ignored (e.g. `user`). `ignore_eos` is accepted as in vLLM (benchmarks).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRequestError
from .types import Completion, Delta, SamplingParams, TopToken

ROLES = {"system", "developer", "user", "assistant", "tool"}
_UNSUPPORTED = ("tools", "functions", "tool_choice", "response_format", "logit_bias")


class RequestValidationError(InvalidRequestError):
    """A chat-completions request body is invalid; `param` names the offending field (OpenAI error shape)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass
class ChatRequest:
    """A validated chat-completions request."""

    messages: list[dict[str, str]]
    params: SamplingParams
    stream: bool
    include_usage: bool
    model: str | None


def _content_text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise RequestValidationError("only text content parts are supported", where)
            parts.append(part["text"])
        return "".join(parts)
    raise RequestValidationError("content must be a string or a list of text parts", where)


def _number(body: dict, name: str, default, kind, lo=None, hi=None, lo_open=False):
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise RequestValidationError(f"{name} must be {'a number' if kind is float else 'an integer'}", name)
    if (lo is not None and (value < lo or (lo_open and value == lo))) or (hi is not None and value > hi):
        bounds = f"{'(' if lo_open else '['}{lo}, {hi if hi is not None else '∞'}]"
        raise RequestValidationError(f"{name} must be in {bounds}, got {value}", name)
    return kind(value)


def parse_chat_request(body: Any, *, default_max_tokens: int = 512) -> ChatRequest:
    """Validate a decoded JSON body; raises RequestValidationError (→ HTTP 400) with the offending `param`."""
    if not isinstance(body, dict):
        raise RequestValidationError("the request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestValidationError("messages must be a non-empty list", "messages")
    clean = []
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise RequestValidationError("each message must be an object", where)
        role = m.get("role")
        if role not in ROLES:
            raise RequestValidationError(f"role must be one of {sorted(ROLES)}", f"{where}.role")
        clean.append(
            {"role": "system" if role == "developer" else role, "content": _content_text(m.get("content"), f"{where}.content")}
        )
    for name in _UNSUPPORTED:
        if body.get(name):
            raise RequestValidationError(f"{name} is not supported by this server", name)
    if _number(body, "n", 1, int, 1) != 1:
        raise RequestValidationError("only n = 1 is supported", "n")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    max_tokens = (
        default_max_tokens
        if max_tokens is None
        else _number({"max_tokens": max_tokens}, "max_tokens", default_max_tokens, int, 1)
    )
    stop = body.get("stop")
    if stop is None:
        stop = ()
    elif isinstance(stop, str):
        stop = (stop,)
    elif not (isinstance(stop, list) and all(isinstance(s, str) and s for s in stop) and len(stop) <= 4):
        raise RequestValidationError("stop must be a string or a list of at most 4 non-empty strings", "stop")
    logprobs = body.get("logprobs", False)
    if not isinstance(logprobs, bool):
        raise RequestValidationError("logprobs must be a boolean", "logprobs")
    top_logprobs = _number(body, "top_logprobs", 0, int, 0, 20)
    if top_logprobs and not logprobs:
        raise RequestValidationError("top_logprobs requires logprobs: true", "top_logprobs")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise RequestValidationError("seed must be an integer", "seed")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise RequestValidationError("stream must be a boolean", "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise RequestValidationError("stream_options must be an object", "stream_options")
    ignore_eos = body.get("ignore_eos", False)  # vLLM extension, for benchmarks
    if not isinstance(ignore_eos, bool):
        raise RequestValidationError("ignore_eos must be a boolean", "ignore_eos")
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise RequestValidationError("model must be a string", "model")
    params = SamplingParams(
        max_tokens=max_tokens,
        temperature=_number(body, "temperature", 1.0, float, 0.0, 2.0),
        top_p=_number(body, "top_p", 1.0, float, 0.0, 1.0, lo_open=True),
        seed=seed,
        stop=tuple(stop),
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        ignore_eos=ignore_eos,
    )
    return ChatRequest(
        messages=clean, params=params, stream=stream, include_usage=bool(options.get("include_usage", False)), model=model
    )


# ---------------------------------------------------------------------- responses
def error_body(message: str, *, type_: str = "invalid_request_error", param: str | None = None, code: str | None = None) -> dict:
    """The OpenAI error object."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def new_completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def _token_entry(token: str, logprob: float) -> dict:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode("utf-8"))}


def logprobs_content(tokens: list[str] | None, logprobs: list[float], top: list[list[TopToken]] | None) -> list[dict]:
    """The ``logprobs.content`` list for the given tokens."""
    out = []
    for i, lp in enumerate(logprobs):
        entry = _token_entry(tokens[i] if tokens else "", lp)
        entry["top_logprobs"] = [_token_entry(t.token, t.logprob) for t in top[i]] if top else []
        out.append(entry)
    return out


def usage(prompt_tokens: int, completion_tokens: int) -> dict:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def finish_reason_for_client(reason: str | None) -> str | None:
    """Our finish reasons mapped to OpenAI's ("stop" | "length"); None while streaming."""
    return None if reason is None else ("length" if reason == "length" else "stop")


def chunk(
    completion_id: str, created: int, model: str, *, delta: dict, finish_reason: str | None = None, logprobs: dict | None = None
) -> dict:
    """One ``chat.completion.chunk`` object with a single choice."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}],
    }


def delta_chunk(completion_id: str, created: int, model: str, d: Delta, want_logprobs: bool) -> dict | None:
    """The chunk carrying a `Delta`'s text (and log-probabilities); None when there is nothing to send."""
    if not d.text and not (want_logprobs and d.logprobs):
        return None
    lp = {"content": logprobs_content(d.tokens, d.logprobs, d.top_logprobs)} if want_logprobs and d.logprobs else None
    return chunk(completion_id, created, model, delta={"content": d.text}, logprobs=lp)


def usage_chunk(completion_id: str, created: int, model: str, prompt_tokens: int, completion_tokens: int) -> dict:
    """The last chunk when ``stream_options.include_usage`` is set: no choices, usage filled."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def completion_body(completion_id: str, model: str, c: Completion, want_logprobs: bool) -> dict:
    """The non-streaming ``chat.completion`` object."""
    lp = {"content": logprobs_content(c.tokens, c.logprobs, c.top_logprobs)} if want_logprobs else None
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": c.text},
                "logprobs": lp,
                "finish_reason": finish_reason_for_client(c.finish_reason),
            }
        ],
        "usage": usage(c.prompt_tokens, c.completion_tokens),
    }
