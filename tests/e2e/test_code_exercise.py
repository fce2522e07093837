"""A student writes code in the editor, runs the visible tests, submits, sees per-test results and finds the code
restored after a reload — through the real sandbox. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path
from sandbox.runner import available

from ..conftest import LLM101N  # noqa: TID252
from .test_llm101n_pages import login

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not available(), reason="bubblewrap (bwrap) is not installed")]

OVERWRITES = """def count_bigrams(words):
    counts = {}
    for w in words:
        s = "." + w + "."
        for a, b in zip(s, s[1:]):
            counts[(a, b)] = 1
    return counts
"""
RIGHT = OVERWRITES.replace("counts[(a, b)] = 1", "counts[(a, b)] = counts.get((a, b), 0) + 1")


@pytest.fixture
def eager():
    from academy.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the production pass has no worker running: grade in the request
    yield
    app.conf.task_always_eager = before


def _replace_code(page, problem, text):
    problem.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def test_write_run_submit_and_resume(live_asgi, page, shot, make_user, eager):
    import_course_from_path(path=LLM101N)
    from courses import api

    make_user("builder", course=api.get_course("llm101n"))
    login(page, live_asgi, "builder", "pw-builder-123")
    page.goto(live_asgi + "/courses/llm101n/steps/bigram-build/")
    problem = page.locator("section.problem[data-slug='bigram-code-count-pairs']")
    expect(problem.locator(".CodeMirror")).to_be_visible()
    expect(problem.locator(".CodeMirror .cm-keyword").first).to_have_text("def")  # Python highlighting
    shot(page, "code-exercise-starter")

    _replace_code(page, problem, OVERWRITES)
    problem.get_by_role("button", name="Run visible tests").click()
    results = problem.locator(".code-results")
    expect(results.locator(".code-summary")).to_contain_text("the test passed")
    expect(results.locator(".test.pass")).to_have_count(1)
    shot(page, "code-exercise-run")

    problem.get_by_role("button", name="Submit").click()
    problem = page.locator("section.problem[data-slug='bigram-code-count-pairs']")
    failed = problem.locator(".test.fail")
    expect(failed.first).to_contain_text("pairs from different words add up")
    expect(problem.locator(".badge").first).to_contain_text("1 attempt")
    expect(problem.get_by_role("button", name="Show solution")).to_be_visible()
    shot(page, "code-exercise-submit-failed")
    problem.screenshot(path=str(shot(page, "code-exercise-submit-failed")).replace(".png", "-problem.png"))

    _replace_code(page, problem, RIGHT)
    page.keyboard.press("Shift+Control+Enter")  # the editor's Submit shortcut
    problem = page.locator("section.problem[data-slug='bigram-code-count-pairs']")
    expect(problem.locator(".code-summary")).to_contain_text("all 5 tests passed")
    expect(problem.locator(".test.pass")).to_have_count(5)
    expect(problem.locator(".badge.ok")).to_have_text("solved")
    shot(page, "code-exercise-submit-passed")

    page.reload()
    problem = page.locator("section.problem[data-slug='bigram-code-count-pairs']")
    expect(problem.locator(".CodeMirror")).to_contain_text("counts.get((a, b), 0) + 1")
    expect(problem.locator(".code-summary")).to_contain_text("all 5 tests passed")
    shot(page, "code-exercise-restored")
