"""The ramp adapts: Continue skips what placement showed the student knows ("you know this", still open), a step's
problems come in the tutor's order with practice mode's reason line, and a try-first step unfolds its explanation only
after an attempt. Real database, the pages and htmx partials."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django.utils import timezone

from tests.tutor.ramp_package import import_ramp_course
from tutor.knowledge.policy import problem_p_correct
from tutor.knowledge.state import StudentConceptState
from tutor.practice import learner as store
from tutor.practice import services
from tutor.practice.ramp import concept_states

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ramp_course(tmp_path, db):
    return import_ramp_course(tmp_path)


@pytest.fixture
def learner(ramp_course, make_user, client):
    user = make_user("lin", course=ramp_course)
    client.force_login(user)
    return user


def place_out(user, course_id, slugs):
    """What a finished placement stores: the concepts it showed mastered."""
    _, ids = store.course_graph(course_id)
    states = {s: StudentConceptState(mastery=0.97, last_practised=time.time(), placed=True) for s in slugs}
    store.save_states(user, course_id, states, ids)


def order_on_page(html):
    return re.findall(r'data-slug="([a-z0-9-]+)"', html)


def test_newcomer_continue_starts_at_the_first_step(client, learner):
    page = client.get("/courses/example/").content.decode()
    assert "Start: Tally marks" in page and "you know this" not in page


def test_placed_out_student_continues_past_what_they_know(client, learner, ramp_course):
    place_out(learner, ramp_course.id, ["counting", "tables"])
    assert concept_states(learner, ramp_course.id)["normalising"][0] == "frontier"
    page = client.get("/courses/example/").content.decode()
    assert 'id="continue"' in page and "Continue: Normalise a row" in page
    assert re.search(r'class="step-item\s+known[^"]*" data-step="tally"', page)
    assert "0 of 2 steps done" in page and "1 you already know" in page  # known is shown, never counted as done
    step = client.get("/courses/example/steps/tally/")  # still open
    assert step.status_code == 200 and 'id="known-badge"' in step.content.decode()


def test_practice_mastery_also_marks_a_step_known(client, learner, ramp_course):
    place_out(learner, ramp_course.id, ["counting", "tables", "normalising"])
    page = client.get("/courses/example/").content.decode()
    assert page.count('<span class="badge known">you know this</span>') == 2


def test_step_problems_are_ordered_by_the_tutor_with_a_reason(client, learner, ramp_course):
    from tutor.practice.ramp import rank_step_problems

    place_out(learner, ramp_course.id, ["counting", "tables"])
    html = client.get("/courses/example/steps/tally/").content.decode()
    model = store.course_model(ramp_course.id)
    target = model.course.target_success
    states, totals, now = store.load_states(learner, ramp_course.id), store.load_totals(learner, ramp_course.id), timezone.now()
    problems = [p for p in model.problems.values() if p.step_slug == "tally"]

    def pc(p):
        return problem_p_correct(model.params, model.graph.problem_by_id[p.id], states, totals, now)

    expected = sorted(problems, key=lambda p: (abs(pc(p) - target), p.position))
    assert order_on_page(html) == [p.slug for p in expected]
    assert [r.problem.slug for r in rank_step_problems(learner, ramp_course.id, problems)] == [p.slug for p in expected]
    reasons = re.findall(r"data-reason>([^<]+)<", html)
    assert len(reasons) == 2 and all(
        re.search(r"(keep it fresh|next on your ramp): .+ — \d+ % chance you get this one", r) for r in reasons
    )


def test_a_problem_ahead_of_the_ramp_says_what_it_builds_on(client, learner):
    """A newcomer's first step also holds a problem on a concept not yet unlocked: it comes after the one they can
    work on now, and its line names the missing prerequisite instead of sounding like a jump the student chose."""
    html = client.get("/courses/example/steps/tally/").content.decode()
    reasons = re.findall(r"data-reason>([^<]+)<", html)
    assert reasons[0].startswith("next on your ramp: Counting — "), reasons
    assert reasons[1].startswith("ahead of your ramp: Count tables (builds on Counting) — "), reasons
    assert order_on_page(html) == ["loop-output", "table-cells"]


def test_a_solved_problem_moves_behind_the_open_ones(client, learner, problem_id):
    first = order_on_page(client.get("/courses/example/steps/tally/").content.decode())[0]
    services.submit_attempt(
        user=learner,
        problem_id=problem_id(first),
        answer="9" if first == "table-cells" else "2 3",
        client_attempt_id=uuid.uuid4(),
    )
    assert order_on_page(client.get("/courses/example/steps/tally/").content.decode())[-1] == first


def test_try_first_step_unfolds_after_an_attempt(client, learner, problem_id):
    html = client.get("/courses/example/steps/normalise/").content.decode()
    assert "Try it first" in html and "unfolds here after your first attempt" in html
    assert order_on_page(html)[0] == "which-sums-to-one"  # the try-first problem opens the step
    assert "row's total" not in html  # the explanation is folded away
    pid = problem_id("which-sums-to-one")
    form = re.search(r'name="client_attempt_id" value="([0-9a-f-]+)"', html).group(1)
    r = client.post(f"/problems/{pid}/attempt/", {"answer": ["0"], "client_attempt_id": form}, **HX).content.decode()
    assert 'id="step-body"' in r and 'hx-swap-oob="true"' in r and "row's total" in r  # the explanation unfolds
    again = client.get("/courses/example/steps/normalise/").content.decode()
    assert "unfolds here after your first attempt" not in again
