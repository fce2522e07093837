"""Fixtures of the people-side tests: the example course with a student, a second student, a TA and a faculty
member (plus a TA of another course), eager Celery (also under REDIS_URL), BM25 retrieval without a model, and
websocket communicators on the project's routing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "courses" / "packages" / "example"


@pytest.fixture(autouse=True)
def staff_settings(settings):
    from django.core.cache import cache

    from academy.celery import app
    from tutor.assistant import index

    settings.TA_RETRIEVER = "bm25"
    settings.TA_BACKEND_URL = ""
    settings.TA_MODEL_PATH = ""
    settings.TA_RATE_LIMIT = 0
    settings.TA_DAILY_CAP = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # six users per test: keep it fast
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    cache.clear()
    index.invalidate()
    yield settings
    app.conf.task_always_eager = eager
    index.invalidate()
    cache.clear()


@pytest.fixture
def people(db):
    """The example course and its people: ada (student), bob (student), tom (TA), fay (faculty), otto (TA of another
    course), nobody (logged in, no role). Returns a namespace with the users and ``course``/``other``."""
    from types import SimpleNamespace

    from django.contrib.auth.models import User

    from courses import api
    from courses.api import grant_role
    from courses.models import Course
    from courses.services import import_course_from_path

    import_course_from_path(path=EXAMPLE)
    course = api.get_course("example")
    other = Course.objects.create(slug="other", title="Other course", summary="x")

    def user(name, first="", last="", course_id=None, role=None):
        u = User.objects.create_user(
            name, password=f"pw-{name}-123", email=f"{name}@mail.example.com", first_name=first, last_name=last
        )
        if course_id and role:
            grant_role(user=u, course_id=course_id, role=role)
        return u

    return SimpleNamespace(
        course=course,
        other=api.get_course("other"),
        ada=user("adalove", "Ada", "Lovelace", course.id, "student"),
        bob=user("bob", "Bob", "Builder", course.id, "student"),
        tom=user("tom", "Tom", "Tutor", course.id, "ta"),
        fay=user("fay", "Fay", "Faculty", course.id, "faculty"),
        otto=user("otto", "Otto", "Other", other.id, "ta"),
        nobody=user("nobody"),
    )


def make_thread(
    user,
    course_id,
    text="How do I normalise a row of counts?",
    *,
    escalate=True,
    answer="Divide by the row total [1].",
    step_slug="normalise",
):
    """A thread with a question and a complete AI answer (on a step), escalated when asked. Returns (thread, esc)."""
    from courses import api
    from tutor.conversations import services
    from tutor.conversations.models import Message, Thread

    step = api.get_step(course_id, step_slug)
    t = Thread.objects.create(user=user, course_id=course_id, step_id=step.id if step else None, title=text[:120])
    q = Message.objects.create(
        thread=t, role="student", author=user, text=text, client_message_id=uuid.uuid4(), step_id=t.step_id
    )
    Message.objects.create(
        thread=t,
        role="assistant",
        reply_to=q,
        text=answer,
        html=f"<p>{answer}</p>",
        mode="retrieval",
        step_id=t.step_id,
        sources=[{"n": 1, "title": "Normalise", "url": "/courses/example/steps/normalise/"}],
    )
    esc = None
    if escalate:
        esc, _, _ = services.escalate(user=user, thread_id=t.id, reason="asked_human")
    return t, esc


@pytest.fixture
async def ws(transactional_db, people):
    """ws(user, path) → (connected, communicator or close code) on the project's websocket routing."""
    from channels.db import database_sync_to_async
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.db import connections

    from academy.routing import websocket_urlpatterns

    opened = []

    async def make(user, path):
        from django.contrib.auth.models import AnonymousUser

        comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        comm.scope["user"] = user or AnonymousUser()
        connected, code = await comm.connect(timeout=10)
        opened.append(comm)
        return connected, (comm if connected else code)

    yield make
    for comm in opened:
        try:
            await comm.disconnect()
        except Exception:
            pass
    await database_sync_to_async(connections.close_all)()
