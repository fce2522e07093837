"""Security headers, CSRF on every state-changing form, rate limits with clear 429s, and IDOR attempts across
students and courses (issue 14). Against the real database; no mocks."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_pages_carry_the_security_headers(db):
    r = Client().get("/")
    csp = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives["script-src"] == "'self'", csp  # no 'unsafe-inline', no 'unsafe-eval'
    assert "'none'" in directives["frame-ancestors"] and "'none'" in directives["object-src"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_an_inline_script_or_handler():
    """The CSP forbids inline scripts, so none may exist: every script is a static file."""
    bad = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in m.group(0):
                bad.append(f"{path.name}: {m.group(0)}")
        bad += [f"{path.name}: {h}" for h in re.findall(r"\son[a-z]+\s*=", text)]
        bad += [f"{path.name}: javascript: URL" for _ in re.findall(r"javascript:", text, re.I)]
    assert not bad, bad


# Every state-changing form (POST), as a signed-in user without a CSRF token → 403.
FORMS = [
    "/accounts/logout/",
    "/courses/example/enroll/",
    "/problems/{problem}/attempt/",
    "/problems/{problem}/hint/",
    "/problems/{problem}/solution/",
    "/problems/{problem}/stuck/",
    "/courses/example/ta/threads/1/share/",
    "/courses/example/ta/threads/1/unshare/",
    "/courses/example/staff/escalations/1/claim/",
    "/courses/example/staff/escalations/1/answer/",
    "/courses/example/staff/messages/1/endorse/",
    "/courses/example/placement/",
    "/courses/example/placement/skip/",
    "/api/courses/example/enroll/",
    "/api/problems/{problem}/attempts/",
    "/api/problems/{problem}/hints/",
]


def test_csrf_is_required_on_every_state_changing_form(course, make_user, problem_id):
    user = make_user("ada", course=course)
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    for url in FORMS:
        r = c.post(url.format(problem=problem_id("table-cells")), {"answer": "9"})
        assert r.status_code == 403, (url, r.status_code)
    anon = Client(enforce_csrf_checks=True)
    for url in ("/accounts/login/", "/accounts/signup/"):
        assert anon.post(url, {"username": "x", "password": "y"}).status_code == 403, url


def test_login_is_rate_limited_with_a_clear_429(db, settings, make_user):
    settings.LOGIN_RATE = "3/m"
    make_user("ada")
    c = Client()
    codes = [c.post("/accounts/login/", {"username": "ada", "password": f"wrong-{i}"}).status_code for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429], codes
    r = c.post("/accounts/login/", {"username": "ada", "password": "pw-ada-123"})
    assert r.status_code == 429 and b"Too many attempts" in r.content and r["Retry-After"] == "60"


def test_signup_is_rate_limited_per_ip(db, settings):
    settings.SIGNUP_RATE = "2/h"
    c = Client()
    form = {"password1": "a-long-pass-phrase-91", "password2": "a-long-pass-phrase-91", "email": "x@example.org"}
    codes = [c.post("/accounts/signup/", {**form, "username": f"newbie{i}"}).status_code for i in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2], codes


def test_attempts_are_throttled_per_user_with_retry_after(api_client, problem_id):
    from rest_framework.throttling import ScopedRateThrottle

    from tutor.practice.models import Attempt

    original = ScopedRateThrottle.THROTTLE_RATES  # a class attribute read at import: set and restore it directly
    ScopedRateThrottle.THROTTLE_RATES = {"attempts": "3/m", "hints": "3/m"}
    try:
        url = f"/api/problems/{problem_id('table-cells')}/attempts/"
        codes = [api_client.post(url, {"answer": 9, "client_attempt_id": str(uuid.uuid4())}, format="json") for _ in range(4)]
        assert [r.status_code for r in codes[:3]] == [201, 201, 201]
        refused = codes[3]
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert "try again in" in refused.json()["detail"] and int(refused["Retry-After"]) > 0
        assert Attempt.objects.count() == 3  # the refused one is not recorded
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original


def test_idor_across_students_and_courses(course, make_user):
    """Ids of another student's thread, another course's escalation: never readable, never writable (404)."""
    from courses.models import Course
    from tutor.conversations import services as conversations
    from tutor.conversations.models import Message, Thread

    ada, bob = make_user("ada", course=course), make_user("bob", course=course)
    other = Course.objects.create(slug="other", title="Other", summary="x")
    otto = make_user("otto", course=other, role="ta")
    t = Thread.objects.create(user=ada, course_id=course.id, title="Ada's question")
    q = Message.objects.create(thread=t, role="student", author=ada, text="my secret question", client_message_id=uuid.uuid4())
    Message.objects.create(thread=t, role="assistant", reply_to=q, text="an answer", mode="retrieval")
    esc, _, _ = conversations.escalate(user=ada, thread_id=t.id, reason="asked_human")
    as_bob, as_otto = APIClient(), APIClient()
    as_bob.force_authenticate(bob)
    as_otto.force_authenticate(otto)
    for r in (
        as_bob.get(f"/api/courses/example/ta/threads/{t.id}/"),
        as_bob.get(f"/api/courses/example/ta/threads/{t.id}/share/"),
        as_bob.post(f"/api/courses/example/ta/threads/{t.id}/share/", {}, format="json"),
        as_otto.get(f"/api/courses/example/staff/escalations/{esc.id}/"),
        as_otto.post(f"/api/courses/example/staff/escalations/{esc.id}/claim/", {}, format="json"),
        as_otto.get(f"/api/courses/other/staff/escalations/{esc.id}/"),
        as_otto.post(f"/api/courses/other/staff/escalations/{esc.id}/claim/", {}, format="json"),
    ):
        assert r.status_code == 404, (r.request["PATH_INFO"], r.status_code)
        assert b"my secret question" not in r.content
    c = Client()
    c.force_login(bob)
    assert c.get(f"/courses/example/ta/threads/{t.id}/").status_code == 404
