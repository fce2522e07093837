"""Practice mode against the real database: next problem with a reason, knowledge state updated with each attempt,
the knowledge map, the "I'm stuck" ladder and diagnostic placement."""

from __future__ import annotations

import re
import uuid

import pytest

from tutor.practice.models import Attempt, KnowledgeState, ServedProblem

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def answer(api_client, pid, value):
    return api_client.post(
        f"/api/problems/{pid}/attempts/", {"answer": value, "client_attempt_id": str(uuid.uuid4())}, format="json"
    )


def knowledge(api_client) -> dict[str, dict]:
    return {k["concept"]: k for k in api_client.get("/api/courses/example/knowledge/").json()}


def test_first_problem_comes_from_the_frontier_with_a_reason(api_client):
    r = api_client.get("/api/courses/example/next/").json()
    assert set(r["problem"]["concepts"]) <= {"counting", "tables"}  # `normalising` is locked behind `tables`
    assert "answer" not in r["problem"] and "solution" not in str(r)
    assert 0 < r["predicted_correct"] < 1 and "chance you get this one" in r["reason"]
    assert ServedProblem.objects.count() == 1


def test_knowledge_states_before_any_practice(api_client):
    k = knowledge(api_client)
    assert k["counting"]["state"] == "frontier" and k["normalising"]["state"] == "locked"
    assert all(0 <= v["mastery"] <= 1 for v in k.values())


def test_correct_answers_raise_mastery_in_the_same_transaction(api_client, problem_id):
    before = knowledge(api_client)["tables"]["mastery"]
    answer(api_client, problem_id("table-cells"), 9)
    row = KnowledgeState.objects.get(concept__slug="tables")
    assert row.mastery > before and row.n_correct == 1 and row.n_wrong == 0
    assert 0 < Attempt.objects.get().predicted_correct < 1  # the model's P(correct) just before the attempt
    answer(api_client, problem_id("table-cells"), 5)
    assert KnowledgeState.objects.get(concept__slug="tables").mastery < row.mastery


def test_hint_before_a_correct_answer_is_not_clean(api_client, make_user, course, problem_id):
    from rest_framework.test import APIClient

    pid = problem_id("table-cells")
    answer(api_client, pid, 9)
    clean = KnowledgeState.objects.get(concept__slug="tables", user__username="ada").mastery
    other = APIClient()
    other.force_authenticate(make_user("bo", course=course))
    other.post(f"/api/problems/{pid}/hints/")
    answer(other, pid, 9)
    hinted = KnowledgeState.objects.get(concept__slug="tables", user__username="bo").mastery
    assert hinted < clean


def test_mastering_the_prerequisites_unlocks_the_next_concept(api_client, problem_id):
    # table-cells (difficulty 0.2) is easy to guess, so a right answer to it is weak evidence: 6 are not mastery yet;
    # a concept with only such problems is mastered after 3 x 3 clean right answers (tutor/knowledge/statuses.py).
    for _ in range(6):
        answer(api_client, problem_id("table-cells"), 9)
        answer(api_client, problem_id("loop-output"), "2 3")
    assert knowledge(api_client)["tables"]["state"] == "frontier"
    for _ in range(3):
        answer(api_client, problem_id("table-cells"), 9)
        answer(api_client, problem_id("loop-output"), "2 3")
    k = knowledge(api_client)
    assert k["tables"]["state"] == "mastered" and k["normalising"]["state"] == "frontier"
    served = api_client.get("/api/courses/example/next/").json()
    assert served["problem"]["concepts"] == ["normalising"]


def test_next_needs_enrollment(client, course, make_user):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(make_user("zed"))
    assert c.get("/api/courses/example/next/").status_code == 403
    assert c.get("/api/courses/nope/next/").status_code == 404


def test_practice_page_shows_reason_and_the_mastery_bar_moves(student_client, problem_id):
    page = student_client.get("/courses/example/practice/").content.decode()
    assert 'id="reason"' in page and "chance you get this one" in page
    pid = int(re.search(r'data-problem="(\d+)"', page).group(1))
    before = float(re.search(r'data-mastery="([0-9.]+)"', page).group(1))
    slug_answers = {problem_id("table-cells"): "9", problem_id("loop-output"): "2 3"}
    r = student_client.post(
        f"/problems/{pid}/attempt/", {"answer": slug_answers[pid], "practice": "1", "client_attempt_id": str(uuid.uuid4())}, **HX
    ).content.decode()
    after = float(re.search(r'id="mastery-line"[^>]*hx-swap-oob="true".*?data-mastery="([0-9.]+)"', r, re.S).group(1))
    assert after > before and "Next problem" in r


def test_im_stuck_climbs_hints_then_solution_then_ta(student_client, problem_id):
    pid = problem_id("table-cells")
    first = student_client.post(f"/problems/{pid}/stuck/", {"practice": "1"}, **HX).content.decode()
    assert "How many rows are there?" in first
    student_client.post(f"/problems/{pid}/stuck/", {"practice": "1"}, **HX)
    locked = student_client.post(f"/problems/{pid}/stuck/", {"practice": "1"}, **HX).content.decode()
    assert "Give it one try" in locked and "Worked solution" not in locked and "Ask the TA" in locked
    student_client.post(f"/problems/{pid}/attempt/", {"answer": "4", "client_attempt_id": str(uuid.uuid4())}, **HX)
    solved = student_client.post(f"/problems/{pid}/stuck/", {"practice": "1"}, **HX).content.decode()
    assert "Worked solution" in solved and "Ask the TA" in solved


def test_knowledge_map_draws_every_concept_with_its_state(student_client):
    page = student_client.get("/courses/example/knowledge/").content.decode()
    assert page.count('class="kmap-node') == 3
    assert 'data-concept="normalising" data-state="locked"' in page
    assert 'data-concept="counting" data-state="frontier"' in page


def test_diagnostic_places_and_initialises_the_knowledge_state(api_client):
    step = api_client.post("/api/courses/example/diagnostic/").json()
    assert step["finished"] is False and step["problem"]["id"]
    answers = {"table-cells": 9, "loop-output": "2 3", "which-sums-to-one": [0, 1], "name-the-step": "normalisation"}
    asked = 0
    while not step["finished"]:
        asked += 1
        step = api_client.post(
            "/api/courses/example/diagnostic/answer/",
            {"problem_id": step["problem"]["id"], "answer": answers[step["problem"]["slug"]]},
            format="json",
        ).json()
    assert asked <= 10
    k = knowledge(api_client)
    assert k["counting"]["mastery"] > 0.5 and KnowledgeState.objects.count() == 3
    assert Attempt.objects.count() == 0  # placement answers are not practice attempts
    assert api_client.post("/api/courses/example/diagnostic/").json()["finished"] is True  # not restarted by accident


def test_diagnostic_dont_know_and_wrong_problem(api_client):
    step = api_client.post("/api/courses/example/diagnostic/").json()
    wrong = api_client.post("/api/courses/example/diagnostic/answer/", {"problem_id": 999999, "answer": 1}, format="json")
    assert wrong.status_code == 409
    while not step["finished"]:
        step = api_client.post(
            "/api/courses/example/diagnostic/answer/", {"problem_id": step["problem"]["id"]}, format="json"
        ).json()
    k = knowledge(api_client)
    assert k["counting"]["mastery"] < 0.5


def test_placement_page_offered_then_skippable(student_client):
    assert 'id="placement-link"' in student_client.get("/courses/example/").content.decode()
    page = student_client.get("/courses/example/placement/").content.decode()
    assert "Question 1 of at most 10" in page
    student_client.post("/courses/example/placement/skip/")
    assert 'id="placement-link"' not in student_client.get("/courses/example/").content.decode()
