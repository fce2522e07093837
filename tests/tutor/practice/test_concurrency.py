"""Concurrency on PostgreSQL (issue 14): many clients at once over the real API, each attempt recorded exactly once,
and the knowledge state equal to a sequential replay of the same answers. Skipped on SQLite (its test database locks
whole tables, so there is no concurrency to test)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The attempt throttle (60/m per user) stays on: no client here submits more than 50 a minute."""
    from django.core.cache import cache

    cache.clear()


def _post(user, url, body):
    try:
        c = APIClient()
        c.force_authenticate(user)
        r = c.post(url, body, format="json")
        return r.status_code, r.json()
    finally:
        connection.close()


@pytest.fixture
def setup(transactional_db):
    from django.contrib.auth.models import User

    from courses import api
    from courses.api import grant_role
    from courses.models import Problem
    from courses.services import import_course_from_path
    from tests.conftest import EXAMPLE

    import_course_from_path(path=EXAMPLE)
    course = api.get_course("example")

    def make(name):
        u = User.objects.create_user(name, password="x")
        grant_role(user=u, course_id=course.id, role="student")
        return u

    return course, make, Problem.objects.get(slug="table-cells").pk


def test_fifty_concurrent_retries_of_one_attempt_record_one_row(setup):
    from tutor.practice.models import Attempt, KnowledgeState

    course, make, pid = setup
    ada = make("ada")
    body = {"answer": 9, "client_attempt_id": str(uuid.uuid4())}
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda _: _post(ada, f"/api/problems/{pid}/attempts/", body), range(50)))
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and codes.count(200) == 49, codes
    assert len({r["attempt_id"] for _, r in results}) == 1  # every retry got the first result
    assert Attempt.objects.filter(user=ada).count() == 1
    counts = [ks.n_correct + ks.n_wrong for ks in KnowledgeState.objects.filter(user=ada)]
    assert counts and max(counts) == 1  # counted once


def test_twenty_clients_times_ten_attempts_match_a_sequential_replay(setup):
    from tutor.practice.models import Attempt, KnowledgeState

    course, make, pid = setup
    clients = [make(f"student{i}") for i in range(20)]
    answers = {u.pk: [9 if (u.pk + k) % 3 else 8 for k in range(10)] for u in clients}
    jobs = [(u, a, str(uuid.uuid4())) for u in clients for a in answers[u.pk]]
    with ThreadPoolExecutor(max_workers=20) as pool:  # all 200 at once, a client's own attempts racing each other too
        codes = list(
            pool.map(
                lambda j: _post(j[0], f"/api/problems/{pid}/attempts/", {"answer": j[1], "client_attempt_id": j[2]})[0], jobs
            )
        )
    assert codes == [201] * 200
    assert Attempt.objects.filter(user__in=clients).count() == 200
    assert {str(x) for x in Attempt.objects.values_list("client_attempt_id", flat=True)} >= {j[2] for j in jobs}

    def state(user):
        return {
            ks.concept_id: (round(ks.mastery, 3), ks.n_correct + ks.n_wrong, ks.n_correct)
            for ks in KnowledgeState.objects.filter(user=user).order_by("concept_id")
        }

    for u in clients[:2]:  # replay two of them one answer at a time, in the order the server applied them
        twin = make(f"twin-{u.username}")
        for a in Attempt.objects.filter(user=u).order_by("created_at", "id").values_list("answer", flat=True):
            assert _post(twin, f"/api/problems/{pid}/attempts/", {"answer": a, "client_attempt_id": str(uuid.uuid4())})[0] == 201
        assert state(u) == state(twin), u.username
        assert max(v[1] for v in state(u).values()) == 10  # the concept the problem practises counted all ten
