"""The adaptive ramp in Chromium on LLM101n: a student placed out of chapter 1 is sent past it by Continue (its steps
marked "you know this"), a try-first step unfolds its lesson after an attempt, and a written explain-back answer gets
its key-point feedback and the assistant's follow-up. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path

from ..conftest import LLM101N  # noqa: TID252
from .test_llm101n_pages import login

pytestmark = pytest.mark.browser


def place_out(user, course_id, slugs):
    """What a finished placement stores for the concepts it showed mastered."""
    from tutor.knowledge.state import StudentConceptState
    from tutor.practice import learner as store

    _, ids = store.course_graph(course_id)
    states = {s: StudentConceptState(mastery=0.97, last_practised=time.time(), placed=True) for s in slugs}
    store.save_states(user, course_id, states, ids)


@pytest.fixture
def terms_only():
    """Key points matched by their listed terms only: the page flow is under test here, the embedding match is in
    tests/tutor/test_explain_back.py (loading the model would cost this browser test half a minute)."""
    from tutor.practice import api as practice
    from tutor.practice import explain

    before = explain._encoder
    practice.set_sentence_encoder(None)
    yield
    practice.set_sentence_encoder(before)


def test_placed_out_continue_try_first_and_written_explain_back(live_asgi, page, make_user, terms_only):
    import_course_from_path(path=LLM101N)
    from courses import api

    course = api.get_course("llm101n")
    user = make_user("placed", course=course)
    chapter1 = [c.slug for c in api.concept_graph(course.id) if c.module_id == api.course_outline(course.id)[0].id]
    place_out(user, course.id, chapter1)
    login(page, live_asgi, "placed", "pw-placed-123")

    page.goto(live_asgi + "/courses/llm101n/")
    expect(page.locator("#continue")).to_contain_text("Continue: What a derivative tells you")
    n = len(api.course_outline(course.id)[0].steps)
    expect(page.locator("li.step-item.known")).to_have_count(n)  # every step of chapter 1
    expect(page.locator("#known-count")).to_contain_text(f"{n} you already know")
    page.screenshot(path=str(_artifact("ramp-01-placed-out-course")))
    page.locator("li.module").nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(_artifact("ramp-01b-placed-out-outline")))  # the viewport: chapter 1 known, "you are here"
    page.locator("#continue").click()
    expect(page.locator("article.step h1")).to_contain_text("What a derivative tells you")
    expect(page.locator(".reason").first).to_contain_text("chance you get this one")
    page.goto(live_asgi + "/courses/llm101n/steps/bigram-counting-pairs/")
    expect(page.locator("#known-badge")).to_be_visible()  # still open, marked

    page.goto(live_asgi + "/courses/llm101n/steps/bigram-scoring-nll/")
    first = page.locator(".try-first-block section.problem")
    expect(first).to_have_attribute("data-slug", "bigram-lm-sequence-prob")
    expect(page.locator("#step-body")).to_contain_text("unfolds here after your first attempt")
    page.screenshot(path=str(_artifact("ramp-02-try-first-before")))
    first.locator("input[name=answer]").fill("1.0")
    first.get_by_role("button", name="Check").click()
    expect(page.locator(".try-first-block .feedback")).to_contain_text("the probability of a sequence is their product")
    expect(page.locator(".try-first-block .revisit")).to_contain_text("Revisit: Language model")
    expect(page.locator("#step-body")).not_to_contain_text("unfolds here")
    expect(page.locator("#step-body h2").first).to_be_visible()
    page.screenshot(path=str(_artifact("ramp-03-try-first-unfolded")))

    page.goto(live_asgi + "/courses/llm101n/steps/bigram-counting-pairs/")
    problem = page.locator('section.problem[data-slug="bigram-why-marker"]')
    problem.locator("textarea[name=answer]").fill(
        "The dot before the name lets the table count which letters a name can start with, like .e for emma."
    )
    problem.get_by_role("button", name="Check").click()
    problem = page.locator('section.problem[data-slug="bigram-why-marker"]')
    expect(problem.locator(".feedback")).to_contain_text("You covered 1 of 2 key points")
    expect(problem.locator(".feedback")).to_contain_text("The assistant asks:")
    expect(problem.get_by_role("button", name="Send my explanation to a TA")).to_be_visible()
    problem.scroll_into_view_if_needed()
    problem.screenshot(path=str(_artifact("ramp-04-explain-back-feedback")))
    problem.get_by_role("button", name="Send my explanation to a TA").click()
    expect(page.locator("#review-sent")).to_be_visible()
    problem.screenshot(path=str(_artifact("ramp-05-explain-back-sent")))


def _artifact(name):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
