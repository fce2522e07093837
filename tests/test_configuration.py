"""The configuration under test matches the environment: embedded default without variables, PostgreSQL + Redis with them.
Both passes of `make test` run this, so each configuration is exercised for real."""

import os

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection


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


def test_celery_is_eager_only_in_the_embedded_default():
    assert settings.CELERY_TASK_ALWAYS_EAGER == (not os.environ.get("REDIS_URL"))


@pytest.mark.skipif(bool(os.environ.get("DEBUG")), reason="DEBUG set explicitly")
def test_debug_is_off_by_default():
    assert settings.DEBUG is False
