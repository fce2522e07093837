"""Fixtures of the TA tests: the example course, an enrolled student, TA settings for fast deterministic runs
(BM25 retrieval, no model unless a test configures one), and websocket communicators on the real routing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "courses" / "packages" / "example"


@pytest.fixture(autouse=True)
def ta_settings(settings):
    from django.core.cache import cache

    from tutor.assistant import index

    settings.TA_RETRIEVER = "bm25"
    settings.TA_BACKEND_URL = ""
    settings.TA_MODEL_PATH = ""
    settings.TA_COALESCE_MS = 50
    settings.TA_RATE_LIMIT = 50
    settings.TA_DAILY_CAP = 500
    cache.clear()
    index.invalidate()
    yield settings
    index.invalidate()
    cache.clear()


@pytest.fixture
def ta_course(transactional_db):
    from courses import api
    from courses.services import import_course_from_path

    import_course_from_path(path=EXAMPLE)
    return api.get_course("example")


@pytest.fixture
def ta_student(ta_course):
    from django.contrib.auth.models import User

    from courses.api import enroll

    user = User.objects.create_user("grace", password="pw-grace-123")
    enroll(user=user, course_id=ta_course.id)
    return user


@pytest.fixture
def scripted(tmp_path, settings):
    """scripted(default=..., rules=[...], logprob=..., delay_ms=...) → configure a ScriptedEngine script as the TA's
    in-process model (TA_MODEL_PATH=<file>.json) and return the engine (its ``calls`` hold the prompts)."""
    from tutor.assistant import backends

    made = []

    def make(default="Let's think about it together.", *, rules=(), logprob=-0.05, delay_ms=0, replies=()):
        path = tmp_path / f"script-{uuid.uuid4().hex[:6]}.json"
        path.write_text(
            json.dumps(
                {
                    "model": "scripted-ta",
                    "default": default,
                    "logprob": logprob,
                    "delay_ms": delay_ms,
                    "replies": list(replies),
                    "rules": [{"match": m, "reply": r} for m, r in rules],
                }
            )
        )
        settings.TA_MODEL_PATH = str(path)
        made.append(str(path))
        return backends.engine_for(str(path))

    yield make
    backends.shutdown()


@pytest.fixture
async def connect(ta_course):
    """connect(user, slug="example") → a connected WebsocketCommunicator on /ws/courses/<slug>/ta/ (project routing)."""
    from channels.db import database_sync_to_async
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.db import connections

    from academy.routing import websocket_urlpatterns

    opened = []

    async def make(user, slug="example", expect=True):
        comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/courses/{slug}/ta/")
        comm.scope["user"] = user
        connected, code = await comm.connect(timeout=10)
        assert connected is expect, code
        opened.append(comm)
        return comm if expect else code

    yield make
    for comm in opened:
        try:
            await comm.disconnect()
        except Exception:  # already closed by the test
            pass
    # Async ORM calls leave a connection open in asgiref's shared sync thread: close it so that the test database
    # can be flushed and, on PostgreSQL, dropped at the end.
    await database_sync_to_async(connections.close_all)()


async def receive_until(comm, kind: str, timeout: float = 20.0) -> list[dict]:
    """All events up to and including the first of type ``kind``; a server error frame (unless awaited) fails at once."""
    events = []
    while True:
        event = await comm.receive_json_from(timeout=timeout)
        events.append(event)
        if event["type"] == kind:
            return events
        if event["type"] == "error" and event.get("code") == "server_error":
            raise AssertionError(f"the turn failed on the server: {event}")


def ask(text, **kw):
    return {"type": "ask", "text": text, "client_message_id": str(kw.pop("client_message_id", uuid.uuid4())), **kw}
