"""The TA on the site: every step page carries the TA panel, and a student's threads are readable as pages and through
the REST API — their own only."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def thread(ta_student, ta_course):
    from courses.models import Step
    from tutor.conversations import services

    step = Step.objects.get(slug="tally")
    started = services.start_turn(
        user=ta_student, course_id=ta_course.id, text="Why count **pairs**?", client_message_id=uuid.uuid4(), step_id=step.id
    )
    services.finish_answer(
        answer_id=started.answer.id,
        text="Because of [1].",
        raw_text="Because of [1].",
        status="partial",
        mode="model",
        sources=[{"n": 1, "title": "Tally marks", "url": "/x/#ta-sec-0", "kind": "step", "step": step.id, "problem": None}],
    )
    return started.thread


def test_step_page_has_the_ta_panel(client, ta_student, ta_course):
    client.force_login(ta_student)
    html = client.get("/courses/example/steps/tally/").content.decode()
    assert 'id="ta-panel"' in html and 'data-ws-path="/ws/courses/example/ta/"' in html
    assert "js/ta.js" in html and "Ask a human" in html


def test_thread_pages(client, ta_student, thread):
    client.force_login(ta_student)
    listing = client.get("/courses/example/ta/").content.decode()
    assert "Why count **pairs**?" in listing and f"/courses/example/ta/threads/{thread.id}/" in listing
    page = client.get(f"/courses/example/ta/threads/{thread.id}/").content.decode()
    assert 'href="/x/#ta-sec-0" rel="noopener noreferrer">[1]</a>' in page and "Answer cut off (partial)" in page


def test_threads_api_and_privacy(client, ta_student, ta_course, thread):
    from django.contrib.auth.models import User

    from courses.api import enroll

    client.force_login(ta_student)
    rows = client.get("/api/courses/example/ta/threads/").json()
    assert [r["id"] for r in rows] == [thread.id]
    detail = client.get(f"/api/courses/example/ta/threads/{thread.id}/").json()
    assert [m["role"] for m in detail["messages"]] == ["student", "assistant"]
    assert detail["messages"][1]["status"] == "partial" and "raw_text" not in detail["messages"][1]

    other = User.objects.create_user("eve", password="pw-eve-123")
    enroll(user=other, course_id=ta_course.id)
    client.force_login(other)
    assert client.get(f"/api/courses/example/ta/threads/{thread.id}/").status_code == 404
    assert client.get(f"/courses/example/ta/threads/{thread.id}/").status_code == 404
    assert client.get("/api/courses/example/ta/threads/").json() == []
