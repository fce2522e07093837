"""The authoring studio in Debian's Chromium against the live ASGI server, as the course's faculty: add a step and
drag it above another, add a concept with a prerequisite, try a cycle and see it refused, add a problem with a hint
ladder (reordered), preview the draft as a student, publish and see a student's page change, roll back; a student and
a TA are refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.services import import_course_from_path

from ..conftest import EXAMPLE  # noqa: TID252

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TA_RETRIEVER = "bm25"
    settings.TA_MODEL_PATH = ""
    settings.TA_BACKEND_URL = ""


def _login(pg, base, name):
    pg.goto(base + "/accounts/login/")
    pg.fill("#id_username", name)
    pg.fill("#id_password", f"pw-{name}-123")
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(lambda u: "/accounts/login/" not in u)


def _step_titles(pg, folder):
    return pg.locator(f'.studio-steps[data-folder="{folder}"] .studio-step .step-title').all_inner_texts()


def test_faculty_author_preview_publish_rollback(live_asgi, browser, page, shot):
    from django.contrib.auth.models import User

    from courses import api
    from courses.api import grant_role

    import_course_from_path(path=EXAMPLE)
    course = api.get_course("example")
    for name, role in (("fay", "faculty"), ("sam", "student"), ("tom", "ta")):
        u = User.objects.create_user(name, password=f"pw-{name}-123")
        grant_role(user=u, course_id=course.id, role=role)
    base = live_asgi
    _login(page, base, "fay")

    # the course page links to the studio
    page.goto(f"{base}/courses/example/")
    page.locator("#studio-link").click()
    expect(page.get_by_role("heading", name="Outline")).to_be_visible()
    expect(page.locator('.studio-step[data-slug="tally"]')).to_contain_text("2 problems")

    # add a step to module 2, then drag it above "normalise"
    module2 = page.locator('section.studio-module[data-folder="02-probability"]')
    add = module2.locator("details.add-step")
    add.get_by_text("Add a step to").click()
    add.locator('input[name="slug"]').fill("recap")
    add.locator('input[name="title"]').fill("Recap of counting")
    add.get_by_role("button", name="Add step").click()
    expect(page.get_by_text("Saved to the draft.")).to_be_visible()
    assert _step_titles(page, "02-probability")[-1] == "Recap of counting"
    before = _step_titles(page, "02-probability")
    page.locator('.studio-step[data-slug="recap"] .handle').drag_to(page.locator('.studio-step[data-slug="normalise"] .handle'))
    page.wait_for_load_state("load")
    expect(page.locator('.studio-steps[data-folder="02-probability"] .studio-step').first).to_have_attribute("data-slug", "recap")
    shot(page, "studio-01-outline-reordered")
    # keyboard alternative: move it back down
    page.get_by_role("button", name="Move Recap of counting down").click()
    expect(page.get_by_text("Saved to the draft.")).to_be_visible()
    expect(page.locator('.studio-steps[data-folder="02-probability"] .studio-step').last).to_have_attribute("data-slug", "recap")
    assert _step_titles(page, "02-probability") == before

    # concepts: add one with a prerequisite, then try a cycle
    page.get_by_role("link", name="Concepts").click()
    form = page.locator("#concept-form")
    form.locator('select[name="folder"]').select_option("01-counting")
    form.locator('input[name="slug"]').fill("rows")
    form.locator('input[name="name"]').fill("Rows of a table")
    form.locator('input[name="prerequisites"]').fill("counting")
    form.get_by_role("button", name="Save concept").click()
    expect(page.get_by_text("Concepts saved to the draft.")).to_be_visible()
    expect(page.locator('.dag-node[data-slug="rows"]')).to_be_visible()
    page.get_by_role("button", name="Edit counting").click()
    expect(page.locator("#concept-form-title")).to_have_text("Change concept counting")
    form.locator('input[name="prerequisites"]').fill("rows")
    form.get_by_role("button", name="Save concept").click()
    expect(page.get_by_test_id("concept-errors")).to_contain_text("prerequisite cycle")
    expect(page.get_by_test_id("concept-errors")).to_contain_text("counting")
    shot(page, "studio-02-cycle-refused")

    # a problem with a hint ladder, in the step editor (live preview of the body)
    page.goto(f"{base}/studio/example/steps/tally/")
    page.locator('textarea[name="body"]').fill("# Tally marks\n\nCounting is the first model, with $x^2$ maths.")
    expect(page.get_by_test_id("body-preview")).to_contain_text("Counting is the first model")
    expect(page.locator("#body-preview .katex")).to_be_visible()
    page.get_by_text("Add a problem").click()
    new = page.locator("#problem-new")
    new.locator('input[name="new-slug"]').fill("two-letters")
    new.locator('input[name="new-concepts"]').fill("tables")
    new.locator('input[name="new-difficulty"]').fill("0.4")
    new.locator('textarea[name="new-prompt"]').fill("How many cells does a table for a 2-letter alphabet have?")
    new.locator('textarea[name="new-extra"]').fill("answer: 4\ntolerance: 0\ncheck: print(2 * 2)\n")
    new.get_by_role("button", name="+ Add hint").click()
    new.locator(".hint-row textarea").last.fill("Rows times columns.")
    new.get_by_role("button", name="+ Add hint").click()
    new.locator(".hint-row textarea").last.fill("How many rows are there?")
    new.locator(".hint-row").last.get_by_role("button", name="↑").click()  # the rows hint comes first
    new.locator('textarea[name="new-solution"]').fill("$2 \\times 2 = 4$ cells.")
    # first a bad answer: refused next to the problem, nothing lost
    new.locator('textarea[name="new-extra"]').fill("answer: four\ntolerance: 0\ncheck: print(2 * 2)\n")
    page.get_by_role("button", name="Save to draft").click()
    expect(page.get_by_test_id("not-saved")).to_be_visible()
    expect(page.locator("#problem-new .field-errors")).to_contain_text("is not a number")
    shot(page, "studio-03-bad-answer-refused")
    page.locator('textarea[name="new-extra"]').fill("answer: 4\ntolerance: 0\ncheck: print(2 * 2)\n")
    assert page.locator("#problem-new .hint-row textarea").first.input_value() == "How many rows are there?"
    page.get_by_role("button", name="Save to draft").click()
    expect(page.get_by_text("saved to the draft")).to_be_visible()
    expect(page.locator('input[name="p2-slug"]')).to_have_value("two-letters")
    shot(page, "studio-04-step-editor")

    # preview as a student: the draft through the normal student pages
    page.get_by_test_id("preview").click()
    expect(page).to_have_url(f"{base}/courses/example--preview/steps/tally/")
    expect(page.get_by_text("How many cells does a table for a 2-letter alphabet have?")).to_be_visible()
    shot(page, "studio-05-preview-as-student")

    # a student sees the published version only
    student = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    _login(student, base, "sam")
    student.goto(f"{base}/courses/example/steps/tally/")
    expect(student.get_by_text("2-letter alphabet")).to_have_count(0)
    assert student.goto(f"{base}/courses/example--preview/").status == 404

    # publish with the summary of changes
    page.goto(f"{base}/studio/example/publish/")
    expect(page.get_by_test_id("changes")).to_contain_text("problem 'two-letters' added")
    expect(page.get_by_test_id("changes")).to_contain_text("concept 'rows' added")
    shot(page, "studio-06-publish")
    page.get_by_test_id("publish").click()
    expect(page.get_by_text("Published version 2")).to_be_visible()
    student.goto(f"{base}/courses/example/steps/tally/")
    expect(student.get_by_text("How many cells does a table for a 2-letter alphabet have?")).to_be_visible()
    shot(student, "studio-07-student-after-publish")

    # roll back to version 1
    page.get_by_test_id("rollback-1").click()
    expect(page.get_by_text("Rolled back")).to_be_visible()
    shot(page, "studio-08-versions")
    student.goto(f"{base}/courses/example/steps/tally/")
    expect(student.get_by_text("2-letter alphabet")).to_have_count(0)

    # a student and a TA are refused
    assert student.goto(f"{base}/studio/example/").status == 404
    ta = browser.new_context().new_page()
    _login(ta, base, "tom")
    assert ta.goto(f"{base}/studio/example/").status == 404
    assert ta.goto(f"{base}/studio/example/steps/tally/").status == 404
