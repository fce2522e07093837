"""The configuration under test matches the environment: embedded default without variables, PostgreSQL + Redis with them.
Both passes of `make test` run this, so each configuration is exercised for real."""

import os

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.database  # the channel layer and Celery settings are what the production pass is for


def test_database_backend_follows_database_url(db):
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_channel_layer_round_trip():
    layer = get_channel_layer()
    expected = "RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer"
    assert type(layer).__name__ == expected

    async def round_trip():
        name = await layer.new_channel()
        await layer.group_add("config-test", name)
        await layer.group_send("config-test", {"type": "ping", "n": 7})
        msg = await layer.receive(name)
        await layer.group_discard("config-test", name)
        return msg

    assert async_to_sync(round_trip)() == {"type": "ping", "n": 7}


@pytest.mark.slow
def test_a_consumer_that_hears_nothing_for_a_while_still_hears_the_next_message():
    """A websocket consumer waits on ``layer.receive`` while, say, the assistant thinks for tens of seconds: the wait
    outlives channels_redis's 5 s poll (and redis-py's default 5 s read timeout) and the late message still arrives."""
    import asyncio

    layer = get_channel_layer()

    async def late_message():
        name = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(name))
        await asyncio.sleep(12)
        assert not waiting.done()
        await layer.send(name, {"type": "answer", "n": 1})
        return await asyncio.wait_for(waiting, timeout=10)

    assert async_to_sync(late_message)() == {"type": "answer", "n": 1}


def test_hundreds_of_concurrent_sends_in_one_process_all_arrive():
    """Many live TA sessions on one ASGI process push at once: past redis-py 8's default pool cap of 100 connections
    every further send raised MaxConnectionsError (bench/ws_sessions.py saw 809). 300 concurrent sends all land."""
    import asyncio

    layer = get_channel_layer()

    async def burst():
        names = [await layer.new_channel() for _ in range(300)]
        await asyncio.gather(*(layer.send(n, {"type": "delta", "n": i}) for i, n in enumerate(names)))
        got = await asyncio.gather(*(asyncio.wait_for(layer.receive(n), timeout=30) for n in names))
        return [m["n"] for m in got]

    assert async_to_sync(burst)() == list(range(300))


def test_celery_is_eager_only_in_the_embedded_default():
    assert settings.CELERY_TASK_ALWAYS_EAGER == (not os.environ.get("REDIS_URL"))


@pytest.mark.skipif(bool(os.environ.get("DEBUG")), reason="DEBUG set explicitly")
def test_debug_is_off_by_default():
    assert settings.DEBUG is False
