"""Faults the web tier must survive without a restart (issue 14): Redis unreachable → a clear 503 and nothing half
saved, then recovery as soon as it is back. (PostgreSQL dropping connections under a running server:
tests/e2e/test_db_reconnect.py.)"""

from __future__ import annotations

import uuid

DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


def test_redis_down_gives_a_clear_degraded_answer_and_recovers(api_client, problem_id, settings, client):
    from tutor.practice.models import Attempt

    url = f"/api/problems/{problem_id('table-cells')}/attempts/"
    normal = settings.CACHES
    settings.CACHES = DEAD_REDIS
    r = api_client.post(url, {"answer": 9, "client_attempt_id": str(uuid.uuid4())}, format="json")
    assert r.status_code == 503 and r.json()["code"] == "degraded" and "try again" in r.json()["detail"], r.content
    assert r["Retry-After"] == "30"
    assert Attempt.objects.count() == 0  # refused before anything was written
    page = client.post("/accounts/login/", {"username": "ada", "password": "whatever"})
    assert page.status_code == 503 and b"temporarily unavailable" in page.content
    settings.CACHES = normal  # Redis is back: the very next request works, no restart
    r = api_client.post(url, {"answer": 9, "client_attempt_id": str(uuid.uuid4())}, format="json")
    assert r.status_code == 201 and Attempt.objects.count() == 1
