"""LLM101n in the browser: a step from each of chapters 1–5 renders (math by KaTeX, highlighted code), and the
practice page and knowledge map work for a student. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path

from ..conftest import LLM101N  # noqa: TID252

pytestmark = pytest.mark.browser
CHAPTER_STEPS = ["bigram", "micrograd", "mlp", "attention", "transformer"]


def login(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(username)).to_be_visible()


def test_llm101n_steps_practice_and_knowledge_map(live_asgi, page, shot, make_user):
    import_course_from_path(path=LLM101N)
    from courses import api

    course = api.get_course("llm101n")
    make_user("learner", course=course)
    login(page, live_asgi, "learner", "pw-learner-123")
    outline = api.course_outline(course.id)
    for module in outline:
        if module.slug not in CHAPTER_STEPS:
            continue
        step = module.steps[0]
        page.goto(f"{live_asgi}/courses/llm101n/steps/{step.slug}/")
        expect(page.locator("article.step h1")).to_contain_text(step.title)
        if page.locator(".math").count():
            expect(page.locator(".katex").first).to_be_visible()
            assert page.locator(".katex-error").count() == 0
        shot(page, f"llm101n-{module.slug}-{step.slug}")

    page.goto(live_asgi + "/courses/llm101n/practice/")
    expect(page.locator("#reason")).to_contain_text("chance you get this one")
    shot(page, "llm101n-practice")
    page.goto(live_asgi + "/courses/llm101n/knowledge/")
    expect(page.locator(".kmap-node")).to_have_count(len(api.concept_graph(course.id)))
    assert page.locator(".kmap-node.frontier").count() >= 1
    shot(page, "llm101n-knowledge-map")
    page.goto(live_asgi + "/courses/llm101n/placement/")
    expect(page.get_by_text("Question 1 of at most 10")).to_be_visible()
    page.get_by_role("button", name="I don't know").click()
    expect(page.get_by_text("Question 2 of at most 10")).to_be_visible()
    shot(page, "llm101n-placement")
