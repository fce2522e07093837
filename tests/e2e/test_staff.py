"""The people side in Debian's Chromium against the live ASGI server: a student's question escalates ("Ask a human",
retrieval-only TA), a TA's dashboard in a second browser context shows it live, the TA claims and answers, and the
student's open step page shows the answer without a reload; the student shares the thread (after the preview) and the
author inbox shows it without any of the personal data planted in the conversation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path

from ..conftest import EXAMPLE  # noqa: TID252

pytestmark = pytest.mark.browser

PLANTED = (
    "Hi, I'm Ada Lovelace (adalove), ada.lovelace@gmail.com, phone +44 20 7946 0958. My repo "
    "https://github.com/adalove/bigram fails: why do my softmax rows not sum to 1?"
)
SECRETS = ("Ada", "Lovelace", "adalove", "gmail", "7946", "github")


@pytest.fixture(autouse=True)
def retrieval_only(settings):
    from academy.celery import app
    from tutor.assistant import backends, index

    settings.TA_RETRIEVER = "bm25"
    settings.TA_MODEL_PATH = ""
    settings.TA_BACKEND_URL = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    index.invalidate()
    yield
    app.conf.task_always_eager = eager
    backends.shutdown()


def _login(pg, base, name):
    pg.goto(base + "/accounts/login/")
    pg.fill("#id_username", name)
    pg.fill("#id_password", f"pw-{name}-123")
    pg.get_by_role("button", name="Log in").click()


def test_escalation_live_answer_and_anonymized_sharing(live_asgi, browser, page, shot):
    from django.contrib.auth.models import User

    from courses import api
    from courses.api import grant_role

    import_course_from_path(path=EXAMPLE)
    course = api.get_course("example")
    for name, first, last, role in (
        ("adalove", "Ada", "Lovelace", "student"),
        ("tom", "Tom", "Tutor", "ta"),
        ("fay", "Fay", "Faculty", "faculty"),
    ):
        u = User.objects.create_user(
            name, password=f"pw-{name}-123", email=f"{name}@example.org", first_name=first, last_name=last
        )
        grant_role(user=u, course_id=course.id, role=role)

    # The TA opens the dashboard first (second browser context), from the course page's staff link.
    ta_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    ta = ta_ctx.new_page()
    ta.set_default_timeout(15_000)
    _login(ta, live_asgi, "tom")
    ta.goto(live_asgi + "/courses/example/")
    ta.get_by_role("link", name="TA dashboard").click()
    expect(ta.locator("#queue-live")).to_have_text("live")
    expect(ta.locator("#queue-list .empty")).to_be_visible()

    # The student asks a human on a step page.
    _login(page, live_asgi, "adalove")
    page.goto(live_asgi + "/courses/example/steps/normalise/")
    panel = page.locator("#ta-panel")
    expect(panel.locator(".ta-status")).to_have_text("connected")
    panel.locator("#ta-input").fill(PLANTED)
    panel.get_by_role("button", name="Ask a human").click()
    expect(panel.locator(".ta-msg.assistant").last).to_contain_text("human TAs")

    # It appears on the TA's dashboard without a reload.
    item = ta.locator("#queue-list [data-escalation]")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("My repo")
    shot(ta, "staff-01-ta-dashboard-live")
    item.locator("a").click()
    ta.locator("#claim").click()
    expect(ta.locator("#esc-status")).to_have_text("claimed")
    ta.fill("#answer-text", "Check which axis you sum over: `sum(1, keepdim=True)` keeps the **row** totals.")
    ta.locator("#send-answer").click()
    expect(ta.locator("#esc-status")).to_have_text("answered")
    shot(ta, "staff-02-escalation-answered")

    # The student's open page shows the answer without a reload.
    human = panel.locator(".ta-msg.human_ta")
    expect(human).to_contain_text("row totals")
    shot(page, "staff-03-student-sees-human-answer")

    # The student shares the thread: preview first, exactly what will be shared, no personal data.
    page.get_by_role("link", name="All my questions").click()
    page.locator(".ta-thread-list a").first.click()
    expect(page.locator("#notifications-link")).to_be_visible()
    page.locator("#share-link").click()
    preview = page.locator("#share-preview")
    expect(preview).to_contain_text("softmax rows")
    for s in SECRETS:
        expect(preview).not_to_contain_text(s)
    shot(page, "staff-04-share-preview")
    page.locator("#share-confirm").click()
    expect(page.locator("#share-box")).to_contain_text("Shared with the course's authors")

    # The author inbox has it, anonymized.
    author_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    author = author_ctx.new_page()
    _login(author, live_asgi, "fay")
    author.goto(live_asgi + "/courses/example/")
    author.get_by_role("link", name="Author inbox").click()
    shared = author.locator(".shared-thread")
    expect(shared).to_have_count(1)
    expect(shared).to_contain_text("softmax rows")
    expect(shared).to_contain_text("row totals")
    text = author.locator("main").inner_text()
    for s in SECRETS:
        assert s.lower() not in text.lower(), s
    author.locator(".step-text summary").click()
    shot(author, "staff-05-author-inbox")
    author.get_by_role("link", name="Stuck-map").first.click()
    expect(author.locator("#stuck-map rect").first).to_be_attached()
    shot(author, "staff-06-stuck-map")
    ta_ctx.close()
    author_ctx.close()
