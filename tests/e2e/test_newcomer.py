"""A newcomer's first session, in Debian's Chromium against the live ASGI server: sign up, enroll, read, answer,
hint, solution after trying, progress, and "Continue" on the way back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path
from tutor.practice.models import Attempt

from ..conftest import EXAMPLE  # noqa: TID252

pytestmark = pytest.mark.browser


def test_newcomer_path(live_asgi, page, shot):
    import_course_from_path(path=EXAMPLE)
    page.goto(live_asgi + "/")
    expect(page.get_by_role("heading", name="Courses")).to_be_visible()
    shot(page, "01-catalog")

    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "newcomer")
    page.fill("#id_password1", "a-Long-pass-42")
    page.fill("#id_password2", "a-Long-pass-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("newcomer")).to_be_visible()

    page.get_by_role("link", name="View course").click()
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("You are enrolled")).to_be_visible()
    shot(page, "02-course-enrolled")
    page.locator("#continue").click()
    shot(page, "02b-step")
    expect(page.locator("article.step h1").first).to_contain_text("Tally marks")

    cells = page.locator('section.problem[data-slug="table-cells"]')  # a locator: found again after every htmx swap
    expect(cells.get_by_text("unlocks after your first attempt")).to_be_visible()
    expect(cells.get_by_role("button", name="Show solution")).to_have_count(0)
    cells.locator("input[name=answer]").fill("nine")
    cells.get_by_role("button", name="Check").click()
    expect(cells.get_by_text("expected a number")).to_be_visible()

    cells.get_by_role("button", name="Hint").click()
    expect(page.get_by_text("How many rows are there?")).to_be_visible()
    cells.locator("input[name=answer]").fill("6")
    cells.get_by_role("button", name="Check").click()
    expect(page.get_by_text("too low")).to_be_visible()
    shot(page, "03-feedback-after-wrong-answer")

    cells.get_by_role("button", name="Show solution").click()
    expect(page.get_by_text("Worked solution")).to_be_visible()
    expect(page.locator(".solution .katex").first).to_be_visible()  # math rendered by the vendored KaTeX
    cells.locator("input[name=answer]").fill("9")
    cells.get_by_role("button", name="Check").click()
    expect(cells.get_by_text("Correct.")).to_be_visible()
    shot(page, "04-solved-with-solution")
    assert page.url.endswith("/steps/tally/")  # htmx swapped in place: no reload, no navigation

    a = Attempt.objects.filter(user__username="newcomer").order_by("id")
    assert [x.correct for x in a] == [False, True] and a[0].hints_seen == 1 and a[0].time_taken_ms > 0

    page.go_back()  # the back button returns to the course page
    expect(page.locator("#continue")).to_contain_text("Continue: Tally marks")
    page.goto(live_asgi + "/courses/example/")
    shot(page, "05-continue")
