"""The student's practice loop through the HTML pages and htmx partials, against the real database."""

from __future__ import annotations

import re

import pytest

from tutor.practice.models import Attempt, HintReveal

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def attempt_form_id(html: str, pid: int) -> str:
    block = html[html.index(f'id="problem-{pid}"') :]
    return re.search(r'name="client_attempt_id" value="([0-9a-f-]+)"', block).group(1)


def test_catalog_lists_courses_and_empty_state(client, db):
    assert "No courses yet" in client.get("/").content.decode()


def test_newcomer_enrolls_and_reads_a_step(client, course, make_user):
    user = make_user("grace", course=None)
    client.force_login(user)
    page = client.get("/courses/example/").content.decode()
    assert 'id="enroll"' in page and "Tally marks" in page
    assert client.get("/courses/example/steps/tally/").status_code == 302  # not enrolled yet: back to the course page
    client.post("/courses/example/enroll/")
    page = client.get("/courses/example/").content.decode()
    assert "Start: Tally marks" in page
    step = client.get("/courses/example/steps/tally/").content.decode()
    assert "<table>" in step and 'class="math inline"' in client.get("/courses/example/steps/normalise/").content.decode()


def test_anonymous_user_is_sent_to_log_in(client, course):
    r = client.get("/courses/example/steps/tally/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_answer_feedback_hints_and_solution_after_attempt(student_client, student, problem_id):
    pid = problem_id("table-cells")
    page = student_client.get("/courses/example/steps/tally/").content.decode()
    assert "unlocks after your first attempt" in page
    # the server refuses the solution before any attempt
    refused = student_client.post(f"/problems/{pid}/solution/", **HX).content.decode()
    assert "try the problem at least once" in refused and "Worked solution" not in refused
    # a non-number is not an attempt
    bad = student_client.post(
        f"/problems/{pid}/attempt/", {"answer": "nine", "client_attempt_id": attempt_form_id(page, pid)}, **HX
    )
    assert "expected a number" in bad.content.decode() and Attempt.objects.count() == 0
    hint = student_client.post(f"/problems/{pid}/hint/", **HX).content.decode()
    assert "How many rows are there?" in hint and "Rows times columns" not in hint
    wrong = student_client.post(
        f"/problems/{pid}/attempt/",
        {"answer": "6", "client_attempt_id": attempt_form_id(hint, pid), "time_taken_ms": "4200"},
        **HX,
    ).content.decode()
    assert "too low" in wrong and "Show solution" in wrong
    a = Attempt.objects.get()
    assert (a.correct, a.hints_seen, a.time_taken_ms, a.answer) == (False, 1, 4200, "6")
    solution = student_client.post(f"/problems/{pid}/solution/", **HX).content.decode()
    assert "Worked solution" in solution and "9" in solution
    right = student_client.post(
        f"/problems/{pid}/attempt/", {"answer": "9", "client_attempt_id": attempt_form_id(solution, pid)}, **HX
    ).content.decode()
    # honest credit: right after the worked solution is recorded, but does not count as solved
    assert "Correct." in right and "no credit" in right and 'badge ok">solved' not in right


def test_double_submitted_form_records_one_attempt(student_client, problem_id):
    pid = problem_id("table-cells")
    page = student_client.get("/courses/example/steps/tally/").content.decode()
    form = {"answer": "9", "client_attempt_id": attempt_form_id(page, pid)}
    student_client.post(f"/problems/{pid}/attempt/", form, **HX)
    student_client.post(f"/problems/{pid}/attempt/", form, **HX)
    assert Attempt.objects.count() == 1


def test_hint_ladder_ends(student_client, problem_id):
    pid = problem_id("table-cells")
    for _ in range(2):
        student_client.post(f"/problems/{pid}/hint/", **HX)
    last = student_client.post(f"/problems/{pid}/hint/", **HX).content.decode()
    assert "No more hints" in last and HintReveal.objects.count() == 2


def test_choice_problem_with_several_answers(student_client, problem_id):
    pid = problem_id("which-sums-to-one")
    page = student_client.get("/courses/example/steps/normalise/").content.decode()
    assert "Select all that apply" in page
    r = student_client.post(
        f"/problems/{pid}/attempt/", {"answer": ["0", "1"], "client_attempt_id": attempt_form_id(page, pid)}, **HX
    )
    assert "Correct." in r.content.decode()


def test_continue_resumes_where_the_student_left_off(student_client, problem_id):
    student_client.get("/courses/example/steps/tally/")
    page = student_client.get("/courses/example/").content.decode()
    assert "Continue: Tally marks" in page
    for slug, answer in (("table-cells", "9"), ("loop-output", "2 3")):
        student_client.post(
            f"/problems/{problem_id(slug)}/attempt/", {"answer": answer, "client_attempt_id": __import__("uuid").uuid4()}, **HX
        )
    page = student_client.get("/courses/example/").content.decode()
    assert "Continue: Normalise a row" in page
    assert "1 of 2 steps done" in page


def test_no_js_form_post_redirects_back_to_the_problem(student_client, problem_id):
    pid = problem_id("table-cells")
    r = student_client.post(
        f"/problems/{pid}/attempt/", {"answer": "9", "client_attempt_id": "6c1f9a4e-7f65-4a3b-9d0e-2b1f0c3d4e5f"}
    )
    assert r.status_code == 302 and r["Location"].endswith(f"/courses/example/steps/tally/#problem-{pid}")


def test_other_course_problems_are_not_reachable(client, course, make_user, problem_id):
    client.force_login(make_user("outsider"))
    assert client.post(f"/problems/{problem_id('table-cells')}/attempt/", {"answer": "9"}, **HX).status_code == 404
