"""The TA answered by the real shipped model (SmolLM2-135M-Instruct, what `make run` serves) in Debian's Chromium, and
the course faculty's Assistant model page. Skipped when the model is not installed (`make setup` installs it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path

from ..conftest import EXAMPLE  # noqa: TID252

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def smollm2(settings):
    from inference.base_model import CHECKPOINT_NAME, ensure_base_model, packaged_gguf
    from tutor.assistant import backends, index

    existing = Path(settings.BASE_DIR) / "var" / "models" / CHECKPOINT_NAME
    if not (existing / "config.json").is_file() and packaged_gguf() is None:
        pytest.skip("the shipped model is not installed (make setup)")
    settings.TA_MODEL_PATH = str(ensure_base_model(Path(settings.BASE_DIR) / "var" / "models"))
    settings.TA_BACKEND_URL = ""
    settings.TA_RETRIEVER = "bm25"
    settings.TA_MAX_TOKENS = 60
    settings.TA_MIN_MEAN_LOGPROB = -100.0
    index.invalidate()
    yield settings.TA_MODEL_PATH
    backends.shutdown()


def test_the_shipped_model_answers_on_a_step_page(live_asgi, page, shot, smollm2):
    from django.contrib.auth.models import User

    from courses import api
    from courses.api import enroll, grant_role
    from tutor.conversations.models import Message

    import_course_from_path(path=EXAMPLE)
    course = api.get_course("example")
    user = User.objects.create_user("ada", password="pw-ada-123")
    enroll(user=user, course_id=course.id)
    grant_role(user=user, course_id=course.id, role="faculty")
    page.goto(live_asgi + "/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pw-ada-123")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_asgi + "/courses/example/steps/normalise/")
    panel = page.locator("#ta-panel")
    expect(panel.locator(".ta-status")).to_have_text("connected")
    panel.locator("#ta-input").fill("Why do we divide each count by the row total?")
    panel.get_by_role("button", name="Ask", exact=True).click()
    body = panel.locator(".ta-msg.assistant .ta-body").last
    expect(body).not_to_have_class(re.compile("streaming"), timeout=180_000)
    expect(body).not_to_be_empty()
    stored = Message.objects.filter(role="assistant", thread__user=user).latest("id")
    for _ in range(600):
        if stored.status == "complete":
            break
        page.wait_for_timeout(300)
        stored.refresh_from_db()
    assert stored.mode == "model" and stored.model_name == "smollm2-135m-instruct" and stored.completion_tokens > 5
    expect(body).not_to_contain_text("course search only")
    shot(page, "ta-real-model-answer")

    page.goto(live_asgi + "/courses/example/staff/assistant/")
    expect(page.locator("#assistant-status")).to_contain_text("Not tuned yet")
    expect(page.get_by_role("button", name="Tune the assistant on this course")).to_be_enabled()
    shot(page, "ta-assistant-model-page")
