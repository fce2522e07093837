"""The OpenAI-compatible server end to end (real uvicorn on a free port) with the client, and the in-process client."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from inference.client import ChatClient, EngineClient
from inference.errors import BackendResponseError, BackendUnavailableError
from inference.serve import create_app

MESSAGES = [{"role": "user", "content": "Why does my loss not go down?"}]


@pytest.fixture
def served(make_engine, http_server):
    """(engine, server) — the tiny model behind a live HTTP server."""
    engine = make_engine(max_batch_size=8)
    return engine, http_server(create_app(engine, model_name="tiny"))


def _events(body: str) -> list[str]:
    """The `data:` payloads of an SSE body; asserts every event is a single data line followed by a blank line."""
    blocks = body.split("\n\n")
    assert blocks[-1] == ""
    payloads = []
    for block in blocks[:-1]:
        assert block.startswith("data: ") and "\n" not in block, block
        payloads.append(block[len("data: ") :])
    return payloads


def test_sse_stream_format(served):
    engine, server = served
    payload = {
        "model": "tiny",
        "messages": MESSAGES,
        "stream": True,
        "max_tokens": 6,
        "temperature": 0,
        "logprobs": True,
        "top_logprobs": 2,
        "stream_options": {"include_usage": True},
    }
    with httpx.Client(base_url=server.url) as http:
        r = http.post("/v1/chat/completions", json=payload)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "tiny" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content = [c for c in chunks if c["choices"] and "content" in c["choices"][0]["delta"]][1:]
    entries = [e for c in content for e in c["choices"][0]["logprobs"]["content"]]
    assert len(entries) == 6 - sum(1 for c in chunks if c["choices"] and c["choices"][0]["finish_reason"] == "stop")
    for e in entries:
        assert e["logprob"] <= 0 and isinstance(e["token"], str) and e["bytes"] == list(e["token"].encode())
        assert len(e["top_logprobs"]) == 2
    final = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(final) == 1 and final[0]["choices"][0]["finish_reason"] in ("stop", "length")
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] <= 6


def test_non_streaming_completion(served):
    _, server = served
    with httpx.Client(base_url=server.url) as http:
        r = http.post("/v1/chat/completions", json={"messages": MESSAGES, "max_tokens": 5, "temperature": 0, "logprobs": True})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion"
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant" and isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("stop", "length")
    assert len(choice["logprobs"]["content"]) <= 5
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]


async def test_client_streams_and_matches_the_in_process_client(served):
    engine, server = served
    async with ChatClient(server.url) as client:  # model discovered from /v1/models
        chunks = [c async for c in client.stream_chat(MESSAGES, max_tokens=8, logprobs=True)]
        assert client.model == "tiny"
    remote_text = "".join(c.text for c in chunks)
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens <= 8
    assert any(c.finish_reason in ("stop", "length") for c in chunks)
    local = await EngineClient(engine).chat(MESSAGES, max_tokens=8, logprobs=True)
    assert local.text == remote_text
    assert [t.logprob for c in chunks for t in c.logprobs] == pytest.approx([t.logprob for t in local.logprobs])
    assert local.mean_logprob < 0 and local.usage.completion_tokens == chunks[-1].usage.completion_tokens


async def test_several_concurrent_streams_over_http(served):
    engine, server = served
    async with ChatClient(server.url, model="tiny") as client:
        questions = [[{"role": "user", "content": f"Question number {i}?"}] for i in range(5)]
        results = await asyncio.gather(*(client.chat(q, max_tokens=12, temperature=0) for q in questions))
    local = [await EngineClient(engine).chat(q, max_tokens=12) for q in questions]
    assert [r.text for r in results] == [r.text for r in local]
    assert all(r.finish_reason in ("stop", "length") for r in results)


async def test_client_disconnect_cancels_the_generation(served, eventually):
    engine, server = served
    async with ChatClient(server.url, model="tiny") as client:
        stream = client.stream_chat(MESSAGES, max_tokens=100_000, extra={"ignore_eos": True})
        async for chunk in stream:
            if chunk.text:
                break
        assert eventually(lambda: engine.active_sequences == 1)
        await stream.aclose()
    assert eventually(lambda: engine.active_sequences == 0)
    with httpx.Client(base_url=server.url) as http:
        metrics = http.get("/metrics").text
    assert 'inference_requests_total{finish_reason="cancelled"} 1.0' in metrics


@pytest.mark.parametrize(
    "body, param",
    [
        ("{not json", None),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
        ({"messages": MESSAGES, "temperature": 3}, "temperature"),
        ({"messages": MESSAGES, "max_tokens": 0}, "max_tokens"),
        ({"messages": MESSAGES, "n": 2}, "n"),
        ({"messages": MESSAGES, "top_logprobs": 3}, "top_logprobs"),
        ({"messages": MESSAGES, "stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"messages": MESSAGES, "tools": [{"type": "function"}]}, "tools"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "messages[0].content"),
    ],
)
def test_bad_payloads_get_400_with_an_openai_error(served, body, param):
    _, server = served
    with httpx.Client(base_url=server.url) as http:
        if isinstance(body, str):
            r = http.post("/v1/chat/completions", content=body, headers={"content-type": "application/json"})
        else:
            r = http.post("/v1/chat/completions", json=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"] and error["param"] == param


def test_unknown_model_is_404(served):
    _, server = served
    r = httpx.post(server.url + "/v1/chat/completions", json={"model": "gpt-9", "messages": MESSAGES})
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"


def test_models_health_and_metrics(served):
    engine, server = served
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/v1/models").json()["data"][0]["id"] == "tiny"
        health = http.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        http.post("/v1/chat/completions", json={"messages": MESSAGES, "max_tokens": 3})
        metrics = http.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    for name in (
        "inference_queue_depth",
        "inference_active_sequences",
        "inference_tokens_per_second",
        "inference_generated_tokens_total",
        "inference_time_to_first_token_seconds_bucket",
        "inference_request_duration_seconds_count",
        "inference_prefix_cache_hit_ratio",
        "inference_prefix_cache_bytes",
    ):
        assert name in text
    assert "inference_time_to_first_token_seconds_count 1.0" in text
    engine.close()
    assert httpx.get(server.url + "/health").status_code == 503
    r = httpx.post(server.url + "/v1/chat/completions", json={"messages": MESSAGES})
    assert r.status_code == 503


async def test_client_errors_are_clear():
    async with ChatClient("http://127.0.0.1:9", model="m", connect_retries=0, connect_timeout=1) as client:
        with pytest.raises(BackendUnavailableError, match="127.0.0.1:9"):
            await client.chat(MESSAGES)
        assert await client.health() is False


async def test_client_surfaces_http_errors(served):
    _, server = served
    async with ChatClient(server.url + "/v1/", model="gpt-9") as client:
        with pytest.raises(BackendResponseError) as info:
            await client.chat(MESSAGES)
    assert info.value.status == 404 and "gpt-9" in str(info.value)
