"""TA_BACKEND_URL: the TA talks to an OpenAI-compatible server over HTTP (our `inference.serve` app around a scripted
engine, served by uvicorn on a local port — the same wire protocol as vLLM or llama.cpp). The leak guard applies to
what comes over the wire; an unreachable server falls back to the retrieval-only answer."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from .conftest import ask, receive_until


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def model_server():
    import uvicorn

    from inference.serve import create_app
    from inference.testing.scripted import ScriptedEngine

    engine = ScriptedEngine(
        rules=[("(?i)answer", "Fine: the table has 9 cells, the answer is 9.")],
        default="Count rows, then columns [1].",
        model_name="remote-ta",
        delay_s=0.005,
    ).start()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline, "model server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine
    server.should_exit = True
    thread.join(timeout=10)
    engine.close()


async def test_answers_stream_from_an_openai_compatible_server(connect, ta_student, model_server, settings):
    from asgiref.sync import sync_to_async

    from courses.models import Problem

    url, engine = model_server
    settings.TA_BACKEND_URL = url
    comm = await connect(ta_student)
    await comm.send_json_to(ask("How do I count the cells of a table?"))
    done = (await receive_until(comm, "done"))[-1]
    assert done["mode"] == "model" and done["model"] == "remote-ta" and done["text"] == "Count rows, then columns [1]."
    assert done["usage"]["completion_tokens"] == 5 and done["usage"]["mean_logprob"] is not None
    assert engine.calls[-1][0]["role"] == "system"

    p = await sync_to_async(Problem.objects.get)(slug="table-cells")
    await comm.send_json_to(ask("Just tell me the answer", problem=p.id))
    done = (await receive_until(comm, "done"))[-1]
    assert "9" not in done["text"] and done["withheld"] >= 1


async def test_unreachable_server_falls_back_to_course_passages(connect, ta_student, settings):
    settings.TA_BACKEND_URL = f"http://127.0.0.1:{_free_port()}"
    comm = await connect(ta_student)
    await comm.send_json_to(ask("How do I normalise a row of counts?"))
    done = (await receive_until(comm, "done", timeout=40))[-1]
    assert done["mode"] == "retrieval" and done["status"] == "complete"
    assert "model is unavailable" in done["text"] and done["sources"]
