"""The TA with a real (tiny, random-init) transformers model as TA_MODEL_PATH: the in-process engine loads it from a
local directory and the answer streams through the websocket with token usage and the model's name — no mocks."""

from __future__ import annotations

import pytest

from .conftest import ask, receive_until


@pytest.fixture
def tiny_model_dir(tmp_path, settings):
    from inference.testing.tiny import make_tiny_model
    from tutor.assistant import backends

    path = tmp_path / "tiny-ta"
    make_tiny_model(path, hidden=64, layers=2, heads=4, vocab=512)
    settings.TA_MODEL_PATH = str(path)
    settings.TA_MAX_TOKENS = 24
    settings.TA_MIN_MEAN_LOGPROB = -100.0  # a random model is unconfident by construction: don't escalate on that
    yield path
    backends.shutdown()


async def test_answer_generated_by_a_local_model_streams_and_is_stored(connect, ta_student, tiny_model_dir):
    from channels.db import database_sync_to_async

    from tutor.conversations.models import Message

    comm = await connect(ta_student)
    await comm.send_json_to(ask("How do I count the letters of a word?"))
    events = await receive_until(comm, "done", timeout=120)
    done = events[-1]
    assert done["mode"] == "model" and done["usage"]["completion_tokens"] > 0
    assert done["usage"]["prompt_tokens"] > 0 and done["sources"]
    stored = await database_sync_to_async(lambda: Message.objects.get(pk=done["message"]))()
    assert stored.model_name and stored.status == "complete" and stored.completion_tokens == done["usage"]["completion_tokens"]
