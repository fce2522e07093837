"""The permission matrix of the learning side (pages, forms and API of practice), next to the people side's
(tests/tutor/staffing/test_permission_matrix.py): anonymous users are sent to sign in (pages) or refused (401/403,
API); a signed-in user who is not enrolled is sent to the course page (pages), refused with 403 ``not_enrolled`` or
404 (API); an enrolled student gets the page. No role ever gets a 500."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

# (kind, method, url, {"nobody": status, "ada": status}); anonymous: login redirect (page) or 401/403 (api)
MATRIX = [
    ("page", "get", "/courses/example/", {"anonymous": 200, "nobody": 200, "ada": 200}),
    ("page", "get", "/courses/example/steps/tally/", {"nobody": 302, "ada": 200}),
    ("page", "get", "/courses/example/practice/", {"nobody": 302, "ada": 200}),
    ("page", "get", "/courses/example/knowledge/", {"nobody": 302, "ada": 200}),
    ("page", "get", "/courses/example/placement/", {"nobody": 302, "ada": 200}),
    ("page", "post", "/courses/example/placement/skip/", {"nobody": 302, "ada": 302}),
    ("page", "post", "/problems/{p}/attempt/", {"nobody": 404, "ada": 302}),
    ("page", "post", "/problems/{p}/hint/", {"nobody": 404, "ada": 302}),
    ("page", "post", "/problems/{p}/solution/", {"nobody": 404, "ada": 302}),
    ("page", "post", "/problems/{p}/stuck/", {"nobody": 404, "ada": 302}),
    ("page", "get", "/notifications/", {"nobody": 200, "ada": 200}),
    ("api", "get", "/api/courses/", {"anonymous": 200, "nobody": 200, "ada": 200}),
    ("api", "get", "/api/courses/example/", {"anonymous": 200, "nobody": 200, "ada": 200}),
    ("api", "get", "/api/courses/example/progress/", {"nobody": 404, "ada": 200}),
    ("api", "post", "/api/problems/{p}/attempts/", {"nobody": 403, "ada": 201}),
    ("api", "post", "/api/problems/{p}/hints/", {"nobody": 403, "ada": 201}),
    ("api", "get", "/api/problems/{p}/solution/", {"nobody": 403, "ada": 409}),  # locked until an attempt
    ("api", "get", "/api/courses/example/next/", {"nobody": 403, "ada": 200}),
    ("api", "get", "/api/courses/example/knowledge/", {"nobody": 403, "ada": 200}),
    ("api", "post", "/api/courses/example/diagnostic/", {"nobody": 403, "ada": 201}),
    ("api", "post", "/api/courses/example/diagnostic/answer/", {"nobody": 403, "ada": 409}),  # no probe open
]


@pytest.mark.parametrize("kind, method, url, expected", MATRIX, ids=[f"{m[1]} {m[2]}" for m in MATRIX])
def test_matrix(course, make_user, problem_id, client, kind, method, url, expected):
    users = {"nobody": make_user("nobody"), "ada": make_user("ada", course=course)}
    p = problem_id("table-cells")
    url = url.format(p=p)
    for role in ("anonymous", "nobody", "ada"):
        body = {"answer": 9, "client_attempt_id": str(uuid.uuid4()), "problem_id": p} if method == "post" else None
        if kind == "api":
            c = APIClient()
            if role != "anonymous":
                c.force_authenticate(users[role])
            r = getattr(c, method)(url, body, format="json") if body else getattr(c, method)(url)
        else:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            r = getattr(client, method)(url, body) if body else getattr(client, method)(url)
        if role in expected:
            assert r.status_code == expected[role], (url, role, r.status_code)
        elif kind == "page":
            assert r.status_code == 302 and "/accounts/login/" in r["Location"], (url, role, r.status_code)
        else:
            assert r.status_code in (401, 403) and r.json()["code"] == "not_authenticated", (url, role, r.status_code)
        if kind == "api" and r.status_code >= 400:
            assert set(r.json()) >= {"code", "detail"}, (url, role, r.json())  # the one error convention


def test_outsider_gets_not_enrolled_code(course, make_user, problem_id):
    c = APIClient()
    c.force_authenticate(make_user("nobody"))
    r = c.post(f"/api/problems/{problem_id('table-cells')}/attempts/", {"answer": 9, "client_attempt_id": str(uuid.uuid4())})
    assert r.status_code == 403 and r.json()["code"] == "not_enrolled"
