"""The one way a tutor domain sends an event: after the transaction that produced it commits, never before.

A websocket event goes to a channel-layer group (``group_send_on_commit``); a domain signal (``signal_on_commit``)
lets another domain react without the sender importing it (e.g. the assistant re-indexes when an answer is endorsed).
Inside ``transaction.atomic`` the send waits for the commit and is dropped on rollback; outside one, Django runs it at
once. With no channel layer configured, group events are dropped (nothing listens).
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import Signal


def group_send_on_commit(group: str, event: dict) -> None:
    """Send ``event`` (a dict with a ``type``, as Channels expects) to channel-layer ``group`` after commit."""
    layer = get_channel_layer()
    if layer is not None:
        transaction.on_commit(lambda: async_to_sync(layer.group_send)(group, event))


def signal_on_commit(signal: Signal, **kwargs) -> None:
    """Send the domain ``signal`` with ``kwargs`` after commit (receivers must not raise: errors are not caught)."""
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
