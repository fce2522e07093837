"""Several LoRA adapters over one base model in one engine: each request is served by the adapter it names, in the
same batch as the others, and gives exactly what that adapter merged into the weights gives alone."""

from __future__ import annotations

import asyncio

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from inference.engine import Engine  # noqa: E402
from inference.errors import InvalidRequestError  # noqa: E402
from inference.loading import load_model  # noqa: E402
from inference.types import SamplingParams  # noqa: E402

PROMPT = [{"role": "user", "content": "How do I pick the batch size?"}]


@pytest.fixture(scope="module")
def adapters(tiny_model_dir, tmp_path_factory):
    from inference.testing.tiny import make_tiny_adapter

    root = tmp_path_factory.mktemp("adapters")
    return {
        "course-a": make_tiny_adapter(tiny_model_dir, root / "a", seed=1),
        "course-b": make_tiny_adapter(tiny_model_dir, root / "b", seed=2, target_modules=("q_proj", "v_proj", "o_proj")),
    }


def _alone(model_dir, adapter, n, *, text=False):
    model, tok = load_model(model_dir, adapter_path=adapter)
    with Engine(model, tok, model_name="alone") as engine:
        result = engine.submit(PROMPT, SamplingParams(max_tokens=n, ignore_eos=True)).result(60)
    return result.text if text else result.token_ids


async def test_each_request_gets_its_own_adapter_in_one_batch(tiny_model_dir, adapters):
    n = 12
    expected = {name: _alone(tiny_model_dir, path, n) for name, path in adapters.items()}
    expected["base"] = _alone(tiny_model_dir, None, n)
    assert expected["course-a"] != expected["base"] and expected["course-b"] != expected["course-a"]
    engine = Engine.from_pretrained(tiny_model_dir, adapters=adapters, model_name="tiny").start()
    try:
        assert engine.served_models == ["tiny", "course-a", "course-b"]
        params = SamplingParams(max_tokens=n, ignore_eos=True)
        order = ["course-a", "base", "course-b", "course-a", "base", "course-b"]
        streams = [engine.submit(PROMPT, params, adapter=None if name == "base" else name) for name in order]
        results = await asyncio.gather(*(s.collect() for s in streams))
    finally:
        engine.close()
    for name, result in zip(order, results):
        assert result.token_ids == expected[name], name


def test_unknown_adapter_is_refused(tiny_model_dir, adapters):
    engine = Engine.from_pretrained(tiny_model_dir, adapters=adapters, model_name="tiny").start()
    try:
        with pytest.raises(InvalidRequestError, match="unknown adapter"):
            engine.submit(PROMPT, adapter="course-z")
        assert engine.resolve_model("tiny") == "__base__" and engine.resolve_model("course-b") == "course-b"
        assert engine.resolve_model("course-z") is None
    finally:
        engine.close()


async def test_the_server_routes_by_model_name(tiny_model_dir, adapters, http_server):
    from inference.client import ChatClient
    from inference.serve import create_app

    engine = Engine.from_pretrained(tiny_model_dir, adapters=adapters, model_name="tiny").start()
    server = http_server(create_app(engine, close_engine_on_shutdown=True))
    async with ChatClient(f"{server.url}/v1", model="course-b") as client:
        assert await client.models() == ["tiny", "course-a", "course-b"]
        answer = await client.chat(PROMPT, max_tokens=12, extra={"ignore_eos": True})
    assert answer.model == "course-b"
    assert answer.text == _alone(tiny_model_dir, adapters["course-b"], 12, text=True)
    async with ChatClient(f"{server.url}/v1", model="course-z") as client:
        with pytest.raises(Exception, match="does not exist"):
            await client.chat(PROMPT, max_tokens=4)
