"""PostgreSQL drops every connection of a running server (what a database restart does, here with
``pg_terminate_backend`` on the test database only): the next requests reconnect, no server restart (issue 14)."""

from __future__ import annotations

import httpx
import pytest
from django.db import connection, connections


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates PostgreSQL backends")
def test_requests_recover_after_postgres_drops_the_servers_connections(course, make_user, live_asgi):
    from rest_framework.authtoken.models import Token

    ada = make_user("ada", course=course)
    headers = {"Authorization": f"Token {Token.objects.create(user=ada).key}"}
    with connection.cursor() as cur:  # only backends opened from here on are the server's (others are this process's own)
        cur.execute("SELECT clock_timestamp()")
        started = cur.fetchone()[0]
    saved = dict(connections.settings["default"])
    connections.settings["default"].update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)  # persistent, as in production
    try:
        url = f"{live_asgi}/api/courses/example/progress/"
        assert httpx.get(url, headers=headers, timeout=10).status_code == 200
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_start >= %s",
                [started],
            )
            assert cur.fetchone()[0] >= 1  # the server's persistent connection is gone
        codes = [httpx.get(url, headers=headers, timeout=10).status_code for _ in range(3)]
        assert codes == [200, 200, 200], codes
    finally:
        connections.settings["default"].clear()
        connections.settings["default"].update(saved)
        with connection.cursor() as cur:  # the server thread's persistent connections would outlive the test database
            cur.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_start >= %s",
                [started],
            )
