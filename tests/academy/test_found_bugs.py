"""The three bugs found by trying the platform as a new user would (issue 14), each pinned by a test."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
# The production settings documented in docs/operations.md ("Security").
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-" + "y" * 20,
    "ALLOWED_HOSTS": "academy.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://academy.example.org",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


@pytest.fixture
def ada(course, make_user):
    return make_user("ada", course=course)


def _client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("body", [[None, None], "not an object", {"token": ["a", "list"]}, {"token": "x" * 500}])
def test_share_with_a_body_that_is_not_an_object_is_a_400_not_a_500(course, ada, body):
    from tutor.conversations.models import Message, Thread

    t = Thread.objects.create(user=ada, course_id=course.id, title="q")
    Message.objects.create(thread=t, role="student", author=ada, text="How?", client_message_id=uuid.uuid4())
    r = _client(ada).post(f"/api/courses/example/ta/threads/{t.id}/share/", body, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "bad_request"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("thread_id", ["0", "999999", "99999999999999999999"])
def test_sharing_an_unknown_thread_is_a_404_in_the_error_convention(ada, method, thread_id):
    r = getattr(_client(ada), method)(f"/api/courses/example/ta/threads/{thread_id}/share/", {}, format="json")
    assert r.status_code == 404, r.content
    assert r.json()["code"] == "not_found" and r.json()["detail"]


def test_unknown_api_url_answers_json_not_an_html_page(db):
    r = APIClient().get("/api/no/such/thing/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json") and r.json()["code"] == "not_found"


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION_ENV, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout + out.stderr


def test_shared_title_never_keeps_part_of_an_address_cut_by_the_title_length(course, make_user):
    from tutor.conversations import services as conversations
    from tutor.staffing import services as sharing

    ada = make_user("ada", course=course)
    filler = "I am confused about normalising rows of the count table and what the sum should be, please "
    text = filler + "help zelda.quintanilla@example.com with this question about rows"
    assert len(filler) < 120 < len(filler) + len("help zelda.quintanilla@example.com")  # the cut falls inside the address
    started = conversations.start_turn(user=ada, course_id=course.id, text=text, client_message_id=uuid.uuid4())
    p = sharing.preview(user=ada, course_id=course.id, thread_id=started.thread.id)
    assert "zelda" not in p.title.lower() and "quintanil" not in p.title.lower(), p.title
    assert "zelda" not in p.messages[0]["text"].lower()
    assert len(p.title) <= 120 and p.title.startswith("I am confused")


def test_derived_titles_are_cut_at_a_word_boundary():
    from tutor.conversations.services import TITLE_CHARS, derive_title

    assert derive_title("  short   question \n") == "short question"
    assert derive_title("a" * 50 + " " + "b" * 100) == "a" * 50 + "…"  # the cut word is dropped, not kept in part
    assert len(derive_title("word " * 30 + "zelda.quintanilla@example.com")) <= TITLE_CHARS
    assert len(derive_title("x" * 500)) == TITLE_CHARS


def test_skipping_placement_when_not_enrolled_sends_to_the_course_not_a_500(course, make_user, client):
    client.force_login(make_user("nobody"))
    r = client.post("/courses/example/placement/skip/")
    assert r.status_code == 302 and r["Location"].endswith("/courses/example/")
