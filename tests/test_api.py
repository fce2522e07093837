"""REST API under /api/: courses, enrollment, attempts (idempotent), hints, solution, progress, schema."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tutor.practice.models import Attempt

pytestmark = pytest.mark.django_db


def test_course_list_and_detail_hide_answers(client, course):
    assert [c["slug"] for c in client.get("/api/courses/").json()] == ["example"]
    detail = client.get("/api/courses/example/").json()
    assert [m["slug"] for m in detail["modules"]] == ["counting", "probability"]
    assert {c["slug"]: c["prerequisites"] for c in detail["concepts"]}["normalising"] == ["tables"]
    text = str(detail)
    for leaked in ("correct", "solution", "accepted", "'answer'", "Rows times columns"):
        assert leaked not in text
    choice = next(p for p in detail["problems"] if p["kind"] == "choice")
    assert choice["options"] == ["[0.5, 0.5]", "[0.2, 0.3, 0.5]", "[0.6, 0.6]"] and choice["multiple"]
    assert client.get("/api/courses/nope/").status_code == 404


def test_enroll_is_idempotent_and_needs_login(course, make_user):
    c = APIClient()
    assert c.post("/api/courses/example/enroll/").status_code in (401, 403)
    c.force_authenticate(make_user("lin"))
    assert c.post("/api/courses/example/enroll/").status_code == 201
    assert c.post("/api/courses/example/enroll/").status_code == 200


def test_retried_attempt_is_recorded_once(api_client, problem_id):
    pid = problem_id("table-cells")
    body = {"answer": 9, "client_attempt_id": str(uuid.uuid4())}
    first = api_client.post(f"/api/problems/{pid}/attempts/", body, format="json")
    again = api_client.post(f"/api/problems/{pid}/attempts/", body, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["attempt_id"] == again.json()["attempt_id"] and again.json()["correct"] is True
    assert Attempt.objects.count() == 1


def test_reusing_an_attempt_id_for_another_problem_conflicts(api_client, problem_id):
    body = {"answer": 9, "client_attempt_id": str(uuid.uuid4())}
    api_client.post(f"/api/problems/{problem_id('table-cells')}/attempts/", body, format="json")
    r = api_client.post(f"/api/problems/{problem_id('loop-output')}/attempts/", body, format="json")
    assert r.status_code == 409


@pytest.mark.parametrize(
    "body,field",
    [
        ({"answer": 9}, "client_attempt_id"),
        ({"answer": 9, "client_attempt_id": "not-a-uuid"}, "client_attempt_id"),
        ({"client_attempt_id": str(uuid.uuid4())}, "answer"),
        ({"answer": "nine", "client_attempt_id": str(uuid.uuid4())}, "answer"),
        ({"answer": {"x": 1}, "client_attempt_id": str(uuid.uuid4())}, "answer"),
        ({"answer": 9, "client_attempt_id": str(uuid.uuid4()), "time_taken_ms": -5}, "time_taken_ms"),
    ],
)
def test_bad_payload_is_a_400_with_field_errors(api_client, problem_id, body, field):
    r = api_client.post(f"/api/problems/{problem_id('table-cells')}/attempts/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] in ("bad_request", "invalid_answer") and field in r.json()["errors"]
    assert Attempt.objects.count() == 0


def test_unknown_problem_is_404(api_client):
    r = api_client.post("/api/problems/999999/attempts/", {"answer": 1, "client_attempt_id": str(uuid.uuid4())}, format="json")
    assert r.status_code == 404


def test_hints_then_conflict_when_exhausted(api_client, problem_id):
    pid = problem_id("table-cells")
    assert api_client.post(f"/api/problems/{pid}/hints/").json() == {
        "index": 0,
        "html": "<p>How many rows are there?</p>\n",
        "remaining": 1,
    }
    assert api_client.post(f"/api/problems/{pid}/hints/").json()["index"] == 1
    assert api_client.post(f"/api/problems/{pid}/hints/").status_code == 409


def test_solution_is_409_until_attempted(api_client, problem_id):
    pid = problem_id("table-cells")
    assert api_client.get(f"/api/problems/{pid}/solution/").status_code == 409
    api_client.post(f"/api/problems/{pid}/attempts/", {"answer": 1, "client_attempt_id": str(uuid.uuid4())}, format="json")
    r = api_client.get(f"/api/problems/{pid}/solution/")
    assert r.status_code == 200 and "9" in r.json()["html"]


def test_progress_and_other_students_data(api_client, course, make_user, problem_id):
    api_client.post(
        f"/api/problems/{problem_id('table-cells')}/attempts/",
        {"answer": 9, "client_attempt_id": str(uuid.uuid4())},
        format="json",
    )
    p = api_client.get("/api/courses/example/progress/").json()
    assert p["total_steps"] == 2 and p["continue_step"] == "tally"
    other = APIClient()
    other.force_authenticate(make_user("eve"))
    assert other.get("/api/courses/example/progress/").status_code == 404  # not enrolled: nothing to see
    assert Attempt.objects.filter(user__username="eve").count() == 0


def test_token_authentication(student, problem_id):
    token = Token.objects.create(user=student)
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    r = c.post(
        f"/api/problems/{problem_id('table-cells')}/attempts/",
        {"answer": 9, "client_attempt_id": str(uuid.uuid4())},
        format="json",
    )
    assert r.status_code == 201


def test_openapi_schema_lists_the_endpoints(client, db):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    paths = (
        r.json()["paths"]
        if r["Content-Type"].startswith("application/json")
        else __import__("yaml").safe_load(r.content)["paths"]
    )
    for p in ("/api/problems/{problem_id}/attempts/", "/api/problems/{problem_id}/solution/", "/api/courses/{slug}/progress/"):
        assert p in paths
