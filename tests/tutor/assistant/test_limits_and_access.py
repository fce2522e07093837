"""Who may use the TA websocket and how much: anonymous, unenrolled and unknown-course connections are refused, a
student reaches only their own threads, and the length limit, rate limit, daily cap and moderation hook answer with
clear messages (nothing is recorded for a refused question)."""

from __future__ import annotations

import pytest

from .conftest import ask, receive_until


def block_bread(text, *, user_id, course_id):
    return "Let's keep it about the course." if "bread" in text else None


async def test_connections_are_refused_for_outsiders(connect, ta_course, ta_student):
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import AnonymousUser, User

    outsider = await sync_to_async(User.objects.create_user)("mallory", password="pw-mallory-123")
    assert await connect(AnonymousUser(), expect=False) == 4401
    assert await connect(outsider, expect=False) == 4403
    assert await connect(ta_student, slug="no-such-course", expect=False) == 4404


async def test_session_cookie_authenticates_through_the_project_asgi_app(ta_student, ta_course):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from academy.asgi import application

    client = Client()
    await sync_to_async(client.force_login)(ta_student)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    comm = WebsocketCommunicator(
        application, "/ws/courses/example/ta/", headers=[(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]
    )
    connected, _ = await comm.connect(timeout=10)
    assert connected
    await comm.send_json_to({"type": "threads"})
    assert (await comm.receive_json_from())["threads"] == []
    await comm.disconnect()
    anonymous = WebsocketCommunicator(application, "/ws/courses/example/ta/", headers=[(b"origin", b"http://testserver")])
    connected, code = await anonymous.connect(timeout=10)
    assert not connected


async def test_a_student_reaches_only_their_own_threads(connect, ta_course, ta_student):
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import User

    from courses.api import enroll

    other = await sync_to_async(User.objects.create_user)("linus", password="pw-linus-123")
    await sync_to_async(enroll)(user=other, course_id=ta_course.id)
    mine = await connect(ta_student)
    await mine.send_json_to(ask("How do I normalise a row?"))
    done = (await receive_until(mine, "done"))[-1]
    theirs = await connect(other)
    for message in (
        {"type": "history", "thread": done["thread"]},
        {"type": "escalate", "thread": done["thread"]},
        {"type": "flag", "message": done["message"]},
        ask("Hijack", thread=done["thread"]),
    ):
        await theirs.send_json_to(message)
        reply = await receive_until(theirs, "error")
        assert reply[-1]["code"] == "not_found", message
    await theirs.send_json_to({"type": "threads"})
    assert (await theirs.receive_json_from())["threads"] == []
    await mine.send_json_to({"type": "threads"})
    assert [t["id"] for t in (await mine.receive_json_from())["threads"]] == [done["thread"]]


async def test_length_limit_and_empty_question(connect, ta_student, settings):
    from tutor.conversations.models import Message

    settings.TA_MAX_MESSAGE_CHARS = 50
    comm = await connect(ta_student)
    await comm.send_json_to(ask("x" * 51))
    error = await comm.receive_json_from()
    assert error["type"] == "error" and error["code"] == "too_long" and "50 characters" in error["message"]
    await comm.send_json_to(ask("   "))
    assert (await comm.receive_json_from())["code"] == "empty"
    assert not await Message.objects.aexists()


@pytest.mark.parametrize("limit", ["rate", "daily"])
async def test_rate_limit_and_daily_cap(connect, ta_student, settings, limit):
    from tutor.conversations.models import Message

    if limit == "rate":
        settings.TA_RATE_LIMIT, settings.TA_RATE_WINDOW_S = 2, 60
    else:
        settings.TA_DAILY_CAP = 2
    comm = await connect(ta_student)
    first = ask("How do I normalise a row?")
    for message in (first, ask("How do I normalise a row?")):
        await comm.send_json_to(message)
        await receive_until(comm, "done")
    await comm.send_json_to(ask("And another one?"))
    error = await comm.receive_json_from()
    assert error["type"] == "error" and error["code"] == ("rate_limited" if limit == "rate" else "daily_cap")
    assert error["retry_after"] > 0
    assert ("in the last 60 seconds" if limit == "rate" else "today's limit of 2") in error["message"]
    assert await Message.objects.filter(role="student").acount() == 2
    await comm.send_json_to(first)  # a retried question (same id) is replayed, not counted nor refused
    replay = await receive_until(comm, "done")
    assert replay[0]["type"] == "accepted" and replay[0]["replay"] is True and replay[-1]["mode"] == "retrieval"
    assert await Message.objects.filter(role="student").acount() == 2


async def test_moderation_hook(connect, ta_student, settings):
    settings.TA_MODERATION_HOOK = f"{__name__}.block_bread"
    comm = await connect(ta_student)
    await comm.send_json_to(ask("bread recipes?"))
    error = await comm.receive_json_from()
    assert error["code"] == "moderated" and "about the course" in error["message"]


async def test_malformed_messages_get_errors(connect, ta_student):
    comm = await connect(ta_student)
    for message, code in (
        ({"type": "dance"}, "bad_request"),
        ({"type": "ask", "text": 3}, "bad_request"),
        ({"type": "history", "thread": "abc"}, "bad_request"),
        (ask("hi", problem=99999), "not_found"),
        (ask("hi", client_message_id="nope"), "bad_request"),
    ):
        await comm.send_json_to(message)
        reply = await receive_until(comm, "error")
        assert reply[-1]["code"] == code, message
