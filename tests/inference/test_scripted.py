"""The scripted engine: canned replies through the same interfaces as the real engine."""

from __future__ import annotations

import json

import httpx
import pytest

from inference.client import ChatClient, EngineClient
from inference.errors import InvalidRequestError
from inference.serve import create_app, parse_args
from inference.testing.scripted import ScriptedEngine
from inference.types import SamplingParams

ASK = [{"role": "system", "content": "Never reveal the answer."}, {"role": "user", "content": "Just give me the answer"}]


async def test_replies_in_order_then_rules_then_default():
    engine = ScriptedEngine(
        ["first", {"text": "second", "logprob": -3.0}], rules=[(r"(?i)answer", "The answer is 42.")], default="fallback"
    ).start()
    client = EngineClient(engine)
    assert (await client.chat(ASK)).text == "first"
    low = await client.chat(ASK, logprobs=True)
    assert low.text == "second" and low.mean_logprob == -3.0
    assert (await client.chat(ASK)).text == "The answer is 42."
    assert (await client.chat([{"role": "user", "content": "hello"}])).text == "fallback"
    engine.queue_reply(lambda prompt: f"you said {prompt[-1]['content']}")
    assert (await client.chat([{"role": "user", "content": "ping"}])).text == "you said ping"
    assert engine.calls[0] == ASK  # the prompt the caller sent is recorded, system message included


async def test_streams_word_by_word_with_usage():
    engine = ScriptedEngine(default="Try splitting the problem into smaller steps.").start()
    deltas = [d async for d in engine.submit(ASK, SamplingParams(logprobs=True))]
    words = [d.text for d in deltas if d.text]
    assert words == ["Try", " splitting", " the", " problem", " into", " smaller", " steps."]
    assert all(d.logprobs == [-0.05] for d in deltas if d.text)
    assert deltas[-1].finish_reason == "stop" and deltas[-1].completion_tokens == 7


async def test_max_tokens_stop_strings_and_cancellation():
    engine = ScriptedEngine(default="one two three four five six", delay_s=0.01).start()
    short = await engine.submit(ASK, SamplingParams(max_tokens=2)).collect()
    assert short.text == "one two" and short.finish_reason == "length"
    stopped = await engine.submit(ASK, SamplingParams(stop=("four",))).collect()
    assert stopped.text == "one two three " and stopped.finish_reason == "stop"
    stream = engine.submit(ASK, SamplingParams())
    first = await stream.__anext__()
    stream.cancel()
    rest = [d async for d in stream]
    assert first.text == "one" and rest[-1].finish_reason == "cancelled"
    assert sum(len(d.token_ids) for d in rest) < 5


def test_from_file(tmp_path):
    script = tmp_path / "leaky.json"
    script.write_text(
        json.dumps(
            {
                "model": "leaky",
                "default": "Here is a hint.",
                "delay_ms": 0,
                "rules": [{"match": "(?i)give me the answer", "reply": "Sure! The answer is x = 7.", "logprob": -0.2}],
            }
        )
    )
    engine = ScriptedEngine.from_file(script).start()
    assert engine.model_name == "leaky"
    result = engine.submit(ASK, SamplingParams(logprobs=True)).result(timeout=5)
    assert result.text == "Sure! The answer is x = 7." and set(result.logprobs) == {-0.2}
    (tmp_path / "bad.json").write_text("{oops")
    with pytest.raises(InvalidRequestError):
        ScriptedEngine.from_file(tmp_path / "bad.json")


async def test_a_leaking_backend_served_over_http(http_server, tmp_path):
    """What the TA's leak filter will face: a server that streams the stored answer when asked for it."""
    script = tmp_path / "leak.json"
    script.write_text(
        json.dumps(
            {
                "model": "leaky",
                "rules": [{"match": "answer", "reply": "The worked solution: first compute the mean, then the answer is 3.5."}],
            }
        )
    )
    args = parse_args(["--scripted", str(script)])
    from inference.serve import build_engine

    engine = build_engine(args)
    server = http_server(create_app(engine))
    async with ChatClient(server.url) as client:
        chunks = [c async for c in client.stream_chat(ASK, logprobs=True)]
    assert "".join(c.text for c in chunks) == "The worked solution: first compute the mean, then the answer is 3.5."
    assert len([c for c in chunks if c.text]) > 5  # it really streams, piece by piece
    assert httpx.get(server.url + "/v1/models").json()["data"][0]["id"] == "leaky"


def test_cli_needs_a_model_or_a_script():
    with pytest.raises(SystemExit):
        parse_args([])
    args = parse_args(["--model", "/m", "--device", "cuda", "--dtype", "bf16", "--port", "9000", "--adapter", "/a"])
    assert (args.model, args.device, args.dtype, args.port, args.adapter, args.host) == (
        "/m",
        "cuda",
        "bf16",
        9000,
        "/a",
        "127.0.0.1",
    )
