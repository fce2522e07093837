"""The automated TA in Debian's Chromium against the live ASGI server (real websocket): a student asks on a step page
and watches a cited answer stream in — retrieval-only (no model configured), then with a scripted model that streams
slowly and tries to leak a problem's answer; "Ask a human" escalates."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path
from tutor.conversations.models import Escalation, Message

from ..conftest import EXAMPLE  # noqa: TID252

pytestmark = pytest.mark.browser


@pytest.fixture
def enrolled_student(live_asgi, page):
    from django.contrib.auth.models import User

    from courses import api
    from courses.api import enroll

    import_course_from_path(path=EXAMPLE)
    user = User.objects.create_user("ada", password="pw-ada-123")
    enroll(user=user, course_id=api.get_course("example").id)
    page.goto(live_asgi + "/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pw-ada-123")
    page.get_by_role("button", name="Log in").click()
    return user


@pytest.fixture(autouse=True)
def bm25(settings):
    from tutor.assistant import backends, index

    settings.TA_RETRIEVER = "bm25"
    settings.TA_MODEL_PATH = ""
    settings.TA_BACKEND_URL = ""
    index.invalidate()
    yield
    backends.shutdown()


def _ask(page, text):
    panel = page.locator("#ta-panel")
    expect(panel.locator(".ta-status")).to_have_text("connected")
    panel.locator("#ta-input").fill(text)
    panel.get_by_role("button", name="Ask", exact=True).click()
    return panel


def test_retrieval_only_answer_streams_in_with_sources(live_asgi, page, shot, enrolled_student):
    page.goto(live_asgi + "/courses/example/steps/normalise/")
    panel = _ask(page, "How do I turn a row of counts into probabilities?")
    answer = panel.locator(".ta-msg.assistant").last
    expect(answer).to_contain_text("course search only")
    expect(answer.locator(".ta-body a", has_text="Normalise a row").first).to_be_visible()
    shot(page, "ta-01-retrieval-only-answer")
    stored = Message.objects.get(role="assistant", thread__user=enrolled_student)
    assert stored.mode == "retrieval" and stored.status == "complete"

    # The source link leads back to the step; a reload shows the thread as it was stored.
    page.reload()
    expect(page.locator("#ta-panel .ta-msg.assistant")).to_have_count(1)
    expect(page.locator("#ta-panel .ta-msg.student")).to_contain_text("row of counts")
    shot(page, "ta-05-thread-after-reload")
    answer = page.locator("#ta-panel .ta-msg.assistant").last
    answer.locator(".ta-body a", has_text="Normalise a row").first.click()
    expect(page).to_have_url(re.compile(r"/steps/normalise/#"))


def test_scripted_model_streams_is_guarded_and_escalates(live_asgi, page, shot, enrolled_student, settings, tmp_path):
    script = tmp_path / "ta.json"
    script.write_text(
        json.dumps(
            {
                "model": "scripted-ta",
                "delay_ms": 40,
                "default": "Good question. Think of a smaller alphabet first [1].",
                "rules": [
                    {
                        "match": "(?i)answer",
                        "reply": "Fine, here it is: 3 x 3 = 9 cells, so the answer is 9. "
                        "Can you see why rows times columns works? It is the idea in [1].",
                    }
                ],
            }
        )
    )
    settings.TA_MODEL_PATH = str(script)
    page.goto(live_asgi + "/courses/example/steps/tally/")
    problem = page.locator('section.problem[data-slug="table-cells"]')
    problem.get_by_role("button", name="Ask the TA about this problem").click()
    expect(page.locator("#ta-panel .ta-context")).to_be_visible()
    panel = _ask(page, "Just give me the answer please")
    body = panel.locator(".ta-msg.assistant .ta-body").last
    expect(body).to_have_class(re.compile("streaming"))
    expect(body).to_contain_text("Fine, here it is")  # text arrives while the answer is still streaming
    assert "streaming" in (body.get_attribute("class") or "")
    shot(page, "ta-02-streaming")
    expect(body).not_to_have_class(re.compile("streaming"), timeout=20_000)
    expect(body).to_contain_text("withheld")
    expect(body).not_to_contain_text("9")
    expect(body.locator("a", has_text="[1]")).to_be_visible()  # citations become links
    shot(page, "ta-03-guarded-answer")

    panel.get_by_role("button", name="This didn't help").last.click()
    expect(panel.locator(".ta-msg.notice")).to_contain_text("human TA")
    assert Escalation.objects.get(student=enrolled_student).reason == "flagged"
    shot(page, "ta-04-flagged")

    page.get_by_role("link", name="All my questions").click()
    page.get_by_role("link", name="Just give me the answer please").click()
    expect(page.locator(".ta-msg.assistant")).to_contain_text("withheld")
    expect(page.locator(".ta-msg.notice")).to_contain_text("human TA")
    shot(page, "ta-06-thread-page")
