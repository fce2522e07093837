"""Code exercises through the pages: Run (visible tests), Submit (all tests, an attempt), restore, the TA's view.

Real database, real sandbox (skipped where bwrap is missing, except the "not graded" case), Celery eager.
"""

from __future__ import annotations

import re
import uuid

import pytest
import yaml

from sandbox.runner import available

HX = {"HTTP_HX_REQUEST": "true"}
needs_sandbox = pytest.mark.skipif(not available(), reason="bubblewrap (bwrap) is not installed: `make sandbox`")

CODE_PROBLEM = {
    "slug": "count-letters",
    "kind": "code",
    "concepts": ["counting"],
    "difficulty": 0.3,
    "prompt": "Write `count(word, letter)`: how many times `letter` occurs in `word`.",
    "files": {"solution.py": "def count(word, letter):\n    return 0\n"},
    "tests": {"test_visible.py": "from solution import count\n\ndef test_simple():\n    assert count('banana', 'a') == 3\n"},
    "hidden_tests": {
        "test_hidden.py": "from solution import count\n\ndef test_absent():\n    assert count('kiwi', 'z') == 0, 'a letter that does not occur counts 0'\n\ndef test_empty():\n    assert count('', 'a') == 0, 'the empty word has no letters'\n"
    },
    "reference": {"solution.py": "def count(word, letter):\n    return sum(1 for ch in word if ch == letter)\n"},
    "hints": ["Walk over the letters of the word and compare each with `letter`."],
    "solution": "Loop and add one for each match: `sum(1 for ch in word if ch == letter)`.",
}


@pytest.fixture
def code_course(db, example_package):
    from courses import api
    from courses.services import import_course_from_path

    path = example_package / "modules" / "01-counting" / "module.yaml"
    data = yaml.safe_load(path.read_text())
    data["steps"][0]["problems"].append(CODE_PROBLEM)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    import_course_from_path(path=example_package)
    return api.get_course("example")


@pytest.fixture
def eager():
    from academy.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def coder(client, code_course, make_user):
    client.force_login(make_user("lin", course=code_course))
    return client


def _pid():
    from courses.models import Problem

    return Problem.objects.get(slug="count-letters").pk


def _post(client, pid, code, mode, client_id=None):
    return client.post(
        f"/problems/{pid}/code/",
        {"mode": mode, "client_id": str(client_id or uuid.uuid4()), "file:solution.py": code},
        **HX,
    )


def test_hidden_tests_and_reference_never_reach_the_page(coder):
    page = coder.get("/courses/example/steps/tally/").content.decode()
    assert "data-code-editor" in page and "def count(word, letter):" in page
    assert "test_simple" in page  # visible tests are shown
    assert "test_absent" not in page and "sum(1 for ch" not in page


@needs_sandbox
@pytest.mark.django_db(transaction=True)
def test_run_shows_visible_results_and_records_no_attempt(coder, eager):
    from tutor.practice.models import Attempt

    pid = _pid()
    r = _post(coder, pid, "def count(word, letter):\n    print('counting', word)\n    return word.count(letter)\n", "run")
    html = r.content.decode()
    assert r.status_code == 200 and "the test passed" in html and "counting banana" in html
    assert "test_absent" not in html  # Run = visible tests only
    assert Attempt.objects.count() == 0


@needs_sandbox
@pytest.mark.django_db(transaction=True)
def test_submit_grades_all_tests_as_an_attempt_and_is_idempotent(coder, eager):
    from tutor.practice.models import Attempt, CodeSubmission, KnowledgeState

    pid = _pid()
    wrong = "def count(word, letter):\n    return word.count(letter) or 1\n"  # the classic: never 0
    key = uuid.uuid4()
    html = _post(coder, pid, wrong, "submit", key).content.decode()
    assert "test_absent" in html and "a letter that does not occur counts 0" in html
    assert "1 attempt" in html and "Show solution" in html  # solution unlocks after an attempt
    _post(coder, pid, wrong, "submit", key)  # a retried request grades and records nothing twice
    assert Attempt.objects.count() == 1 and CodeSubmission.objects.count() == 1
    attempt = Attempt.objects.get()
    assert not attempt.correct and attempt.answer["files"]["solution.py"] == wrong
    assert KnowledgeState.objects.filter(concept__slug="counting").exists()

    right = CODE_PROBLEM["reference"]["solution.py"]
    html = _post(coder, pid, right, "submit").content.decode()
    assert "all 3 tests passed" in html and "solved" in html
    page = coder.get("/courses/example/steps/tally/").content.decode()
    assert "sum(1 for ch in word if ch == letter)" in page  # the last submission is restored in the editor


@needs_sandbox
@pytest.mark.django_db(transaction=True)
def test_the_assistant_sees_the_code_and_the_failures(coder, eager):
    from courses import api as courses
    from tutor.assistant.prompt import Focus, _focus_block
    from tutor.practice import selectors

    pid = _pid()
    _post(coder, pid, "def count(word, letter):\n    return 1\n", "submit")
    user = coder.get("/").wsgi_request.user
    state = selectors.problem_states(user, [pid])[pid]
    block = _focus_block(Focus(step=None, problem=courses.get_problem(pid), state=state))
    assert "return 1" in block and "failed test_hidden.py::test_absent: a letter that does not occur counts 0" in block


def test_bad_input_is_a_clear_400_and_records_nothing(coder):
    from tutor.practice.models import CodeSubmission

    pid = _pid()
    r = coder.post(f"/problems/{pid}/code/", {"mode": "explode", "file:solution.py": "x = 1"}, **HX)
    assert r.status_code == 400 and "mode must be run or submit" in r.content.decode()
    r = coder.post(f"/problems/{pid}/code/", {"mode": "run", "file:solution.py": "x" * 100_001}, **HX)
    assert r.status_code == 400 and "longer than" in r.content.decode()
    assert CodeSubmission.objects.count() == 0


def test_regular_attempt_endpoint_cannot_forge_a_code_grade(coder):
    from tutor.practice.models import Attempt

    pid = _pid()
    r = coder.post(f"/problems/{pid}/attempt/", {"answer": "all passed", "client_attempt_id": str(uuid.uuid4())}, **HX)
    assert "graded in the sandbox" in r.content.decode()
    assert Attempt.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_without_bwrap_code_is_not_graded_and_says_so(coder, eager, monkeypatch):
    from tutor.practice.models import Attempt

    monkeypatch.setenv("ACADEMY_SANDBOX_BWRAP", "no-such-bwrap")  # a server where bubblewrap is not installed
    page = coder.get("/courses/example/steps/tally/").content.decode()
    assert "not graded on this server" in page and "disabled>Run visible tests" in page  # said before any try
    html = _post(coder, _pid(), "import os\nos.system('echo pwned')\n", "submit").content.decode()
    assert "not graded on this server" in html and "Nothing was executed" in html
    assert Attempt.objects.count() == 0
    assert not re.search(r"\d+ attempt", html)


def test_placement_never_asks_a_code_exercise(coder, code_course):
    from tutor.practice import adaptive

    user = coder.get("/").wsgi_request.user
    step = adaptive.start_diagnostic(user=user, course_slug="example", max_questions=10)
    asked = []
    while not step.finished:
        asked.append(step.problem.kind)
        step = adaptive.answer_diagnostic(user=user, course_slug="example", problem_id=step.problem.id, answer=None)
    assert asked and "code" not in asked


@needs_sandbox
@pytest.mark.django_db(transaction=True)
def test_api_runs_submits_and_replays(code_course, make_user, eager):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user("api-coder", course=code_course))
    pid = _pid()
    body = {"mode": "submit", "client_id": str(uuid.uuid4()), "files": {"solution.py": CODE_PROBLEM["reference"]["solution.py"]}}
    r = api.post(f"/api/problems/{pid}/code/", body, format="json")
    assert r.status_code == 201 and r.data["status"] == "done" and r.data["result"]["passed"] and r.data["attempt_id"]
    again = api.post(f"/api/problems/{pid}/code/", body, format="json")
    assert again.status_code == 200 and again.data["id"] == r.data["id"]
    assert api.get(f"/api/code-submissions/{r.data['id']}/").data["result"]["tests"][0]["passed"]
    bad = api.post(
        f"/api/problems/{pid}/code/", {**body, "client_id": str(uuid.uuid4()), "files": {"evil.py": "x"}}, format="json"
    )
    assert bad.status_code == 400 and "unknown file(s) evil.py" in bad.data["files"][0]
    assert api.post(f"/api/problems/{pid}/code/", {"mode": "explode"}, format="json").status_code == 400
