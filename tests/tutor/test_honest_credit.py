"""Honest credit: a correct answer after the worked solution earns nothing, revealed solutions never finish a step,
progress counts only earned credit, and throwaway attempts (empty, or the same wrong answer again in under a second)
do not unlock the worked solution. Real database, real services and pages."""

from __future__ import annotations

import uuid

import pytest

from tutor.practice import selectors, services
from tutor.practice.grading import InvalidAnswer
from tutor.practice.models import Attempt, KnowledgeState

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def submit(user, pid, answer, ms=5000):
    return services.submit_attempt(user=user, problem_id=pid, answer=answer, client_attempt_id=uuid.uuid4(), time_taken_ms=ms)


def mastery(user):
    return dict(KnowledgeState.objects.filter(user=user).values_list("concept__slug", "mastery"))


def test_correct_after_solution_is_recorded_without_mastery_credit(student, problem_id):
    pid = problem_id("table-cells")
    submit(student, pid, "6")
    services.reveal_solution(user=student, problem_id=pid)
    before = mastery(student)
    result = submit(student, pid, "9")
    a = Attempt.objects.get(pk=result.attempt_id)
    assert a.correct and a.solution_seen and not result.earned  # recorded, flagged
    after = mastery(student)
    assert after.keys() == before.keys()
    assert all(after[c] == pytest.approx(before[c], abs=1e-6) for c in before)  # no mastery credit (time decay only)
    state = selectors.problem_states(student, [pid])[pid]
    assert state.solved and not state.earned


def test_honest_correct_answer_earns_mastery(student, problem_id):
    pid = problem_id("table-cells")
    result = submit(student, pid, "9")
    assert result.earned and not Attempt.objects.get(pk=result.attempt_id).solution_seen
    assert mastery(student)["tables"] > 0.3  # above the prior: the clean right answer counted


def test_revealed_solutions_never_finish_a_step_and_progress_counts_earned_only(student_client, student, course, problem_id):
    student_client.get("/courses/example/steps/tally/")
    for slug, wrong in (("table-cells", "6"), ("loop-output", "1 1")):
        pid = problem_id(slug)
        submit(student, pid, wrong)
        services.reveal_solution(user=student, problem_id=pid)
    assert selectors.course_progress(student, course.id).done_steps == 0
    submit(student, problem_id("table-cells"), "9")  # right, but after the solution
    submit(student, problem_id("loop-output"), "2 3")
    progress = selectors.course_progress(student, course.id)
    assert progress.done_steps == 0 and progress.percent == 0
    page = student_client.get("/courses/example/").content.decode()
    assert "0 of 2 steps done" in page and 'aria-valuenow="0"' in page


def test_earned_step_counts_in_the_progress_bar(student_client, student, course, problem_id):
    student_client.get("/courses/example/steps/tally/")
    submit(student, problem_id("table-cells"), "9")
    submit(student, problem_id("loop-output"), "2 3")
    progress = selectors.course_progress(student, course.id)
    assert progress.done_steps == 1 and progress.percent == 50
    assert "1 of 2 steps done" in student_client.get("/courses/example/").content.decode()


def test_an_empty_answer_is_no_attempt_and_unlocks_nothing(student, problem_id):
    pid = problem_id("name-the-step")
    with pytest.raises(InvalidAnswer):
        submit(student, pid, "   ")
    assert not Attempt.objects.exists()
    with pytest.raises(services.SolutionLocked):
        services.reveal_solution(user=student, problem_id=pid)


def test_the_same_wrong_answer_in_under_a_second_unlocks_nothing(student, problem_id):
    first, second = problem_id("table-cells"), problem_id("name-the-step")
    submit(student, first, "7")  # a genuine wrong attempt on one problem
    junk = submit(student, second, "7", ms=400)  # the same answer pasted into the next problem at once
    assert junk.throwaway and "real try" in junk.feedback
    with pytest.raises(services.SolutionLocked):
        services.reveal_solution(user=student, problem_id=second)
    assert not selectors.problem_states(student, [second])[second].can_see_solution
    # a considered attempt (slower, or a different answer) does unlock it
    assert not submit(student, second, "7", ms=4000).throwaway
    assert services.reveal_solution(user=student, problem_id=second)  # the worked solution's HTML
    assert selectors.problem_states(student, [second])[second].can_see_solution


def test_a_repeated_quick_wrong_answer_does_not_move_the_knowledge_state(student, problem_id):
    pid = problem_id("table-cells")
    submit(student, pid, "7")
    before = mastery(student)
    assert submit(student, pid, "7", ms=300).throwaway
    assert mastery(student) == before


def test_page_shows_no_credit_after_solution(student_client, student, problem_id):
    pid = problem_id("table-cells")
    submit(student, pid, "6")
    services.reveal_solution(user=student, problem_id=pid)
    submit(student, pid, "9")
    page = student_client.get("/courses/example/steps/tally/").content.decode()
    assert "correct after solution · no credit" in page and 'badge ok">solved' not in page


def test_the_api_reports_credit_honestly(api_client, problem_id):
    pid = problem_id("table-cells")
    api_client.post(f"/api/problems/{pid}/attempts/", {"answer": 6, "client_attempt_id": str(uuid.uuid4())}, format="json")
    assert api_client.get(f"/api/problems/{pid}/solution/").status_code == 200
    r = api_client.post(f"/api/problems/{pid}/attempts/", {"answer": 9, "client_attempt_id": str(uuid.uuid4())}, format="json")
    body = r.json()
    assert body["correct"] is True and body["solution_seen"] is True and body["earned"] is False
    progress = api_client.get("/api/courses/example/progress/").json()
    assert progress["done_steps"] == 0 and progress["known_steps"] == 0
