"""Calling the ORM from the TA's async code."""

from __future__ import annotations

import functools

from channels.db import database_sync_to_async
from django.db import close_old_connections


def db(fn, *, thread_sensitive: bool = True):
    """``database_sync_to_async(fn)`` that also cleans up connections *inside* the call. asgiref ≥ 3.10 runs ``fn`` in
    a copied context, where the connection it opens lives; channels' cleanup runs outside that context and misses it,
    which leaves the connection open (on PostgreSQL: sessions that outlive the worker thread)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            close_old_connections()

    return database_sync_to_async(run, thread_sensitive=thread_sensitive)
