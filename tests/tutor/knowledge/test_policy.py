"""next_problem: frontier only, difficulty targeting, recency, reviews, jumping ahead, reasons."""

import random
import re

import pytest

from tutor.knowledge.graph import CourseGraph
from tutor.knowledge.params import ModelParams
from tutor.knowledge.policy import next_problem, problem_p_correct
from tutor.knowledge.state import DAY, StudentConceptState
from tutor.knowledge.statuses import ConceptStatus, concept_statuses

NOW = 1_700_000_000.0
P = ModelParams()  # the cold start: the knowledge model with its unfitted defaults


def K(mastery: float, last_practised: float | None = None, attempts: int | None = None, correct: int = 0):
    """A concept state; a high P(L) comes with the clean answers that earned it (3) unless counts are given."""
    if attempts is None:
        n = 3 if mastery >= 0.95 else 0
        return StudentConceptState(mastery, n, 0, last_practised=last_practised, streak=n)
    return StudentConceptState(mastery, correct, attempts - correct, last_practised=last_practised)


def course() -> CourseGraph:
    return CourseGraph.from_records(
        concepts=[
            {"slug": "micrograd", "name": "Micrograd"},
            {"slug": "mlp", "name": "MLP", "prerequisites": ["micrograd"]},
            {"slug": "attention", "name": "Attention", "prerequisites": ["mlp"]},
        ],
        problems=[
            {"id": "mg-easy", "concepts": ["micrograd"], "difficulty": 0.1},
            {"id": "mg-mid", "concepts": ["micrograd"], "difficulty": 0.5},
            {"id": "mg-hard", "concepts": ["micrograd"], "difficulty": 0.9},
            {"id": "mlp-easy", "concepts": ["mlp"], "difficulty": 0.1},
            {"id": "mlp-mid", "concepts": ["mlp"], "difficulty": 0.4},
            {"id": "mlp-hard", "concepts": ["mlp"], "difficulty": 0.8},
            {"id": "att-1", "concepts": ["attention"], "difficulty": 0.3},
            {"id": "att-2", "concepts": ["attention"], "difficulty": 0.6},
        ],
    )


def test_new_student_starts_at_the_bottom_of_the_ramp_with_a_reason():
    sel = next_problem(course(), P, {}, NOW, rng=random.Random(0))
    assert sel.kind == "frontier" and sel.concept == "micrograd"
    assert re.fullmatch(r"next on your ramp: Micrograd — \d+ % chance you get this one", sel.reason)
    assert f"{round(100 * sel.predicted_correct)} %" in sel.reason


def test_picks_the_problem_closest_to_the_target_success_rate():
    g = course()
    states = {"micrograd": K(0.98, NOW), "mlp": K(0.7)}
    for target in (0.55, 0.7, 0.85):
        sel = next_problem(g, P, states, NOW, target=target, rng=random.Random(0))
        assert sel.concept == "mlp"
        gaps = {p.id: abs(problem_p_correct(P, p, states, now=NOW) - target) for p in g.problems_by_concept["mlp"]}
        assert gaps[sel.problem.id] <= min(gaps.values()) + 0.02


def test_locked_concepts_are_never_served_without_a_jump():
    g = course()
    states: dict = {}
    rng = random.Random(1)
    for _ in range(50):
        sel = next_problem(g, P, states, NOW, rng=rng)
        status, _ = concept_statuses(g, states, NOW, P)
        assert all(status[c] is not ConceptStatus.LOCKED for c in sel.problem.concepts)
        assert sel.concept == "micrograd"


def test_the_problem_just_seen_is_not_served_again():
    g = course()
    states = {"micrograd": K(0.5)}
    first = next_problem(g, P, states, NOW, rng=random.Random(0))
    second = next_problem(g, P, states, NOW, [first.problem.id], rng=random.Random(0))
    assert second.problem.id != first.problem.id
    third = next_problem(g, P, states, NOW, [second.problem.id, first.problem.id], rng=random.Random(0))
    assert third.problem.id not in (second.problem.id,)


def test_a_lone_problem_is_repeated_rather_than_serving_nothing():
    g = CourseGraph.from_records([{"slug": "a"}], [{"id": 1, "concepts": ["a"]}])
    assert next_problem(g, P, {}, NOW, [1]).problem.id == 1


def test_due_review_is_served_with_how_long_ago_it_was_practised():
    g = course()
    states = {"micrograd": K(0.98, NOW - 6 * DAY), "mlp": K(0.5)}
    sel = next_problem(g, P, states, NOW, review_share=1.0, rng=random.Random(0))
    assert sel.kind == "review" and sel.concept == "micrograd"
    assert sel.reason == "review: Micrograd, last practised 6 days ago"


def test_reviews_are_mixed_in_at_the_configured_share():
    g = course()
    states = {"micrograd": K(0.98, NOW - 6 * DAY), "mlp": K(0.5)}
    rng = random.Random(7)
    kinds = [next_problem(g, P, states, NOW, review_share=0.2, rng=rng).kind for _ in range(1000)]
    share = kinds.count("review") / len(kinds)
    assert 0.16 < share < 0.24
    assert set(kinds) == {"review", "frontier"}


def test_review_is_served_when_the_frontier_is_empty():
    g = course()
    states = {s: K(0.99, NOW - 9 * DAY) for s in ("micrograd", "mlp", "attention")}
    sel = next_problem(g, P, states, NOW, review_share=0.0, rng=random.Random(0))
    assert sel.kind == "review" and "last practised 9 days ago" in sel.reason


def test_when_everything_is_mastered_and_fresh_it_keeps_it_fresh():
    g = course()
    states = {s: K(0.99, NOW - 3600) for s in ("micrograd", "mlp", "attention")}
    sel = next_problem(g, P, states, NOW, rng=random.Random(0))
    assert sel.kind == "review" and sel.reason.startswith("keep it fresh: ")


def test_jumping_ahead_serves_a_locked_concept_and_says_so():
    g = course()
    sel = next_problem(g, P, {}, NOW, jump_to="attention", rng=random.Random(0))
    assert sel.kind == "jump" and sel.concept == "attention"
    assert sel.reason.startswith("jumping ahead: Attention (builds on MLP)")
    with pytest.raises(ValueError, match="unknown concept"):
        next_problem(g, P, {}, NOW, jump_to="nope")


def test_empty_course_has_nothing_to_serve():
    assert next_problem(CourseGraph.from_records([{"slug": "a"}], []), P, {}, NOW) is None


def test_selection_unpacks_as_problem_reason_prediction_kind():
    problem, reason, predicted, kind = next_problem(course(), P, {}, NOW, rng=random.Random(0))
    assert problem.id.startswith("mg-") and reason.startswith("next on your ramp") and 0 < predicted < 1
    assert kind == "frontier"


def shared() -> CourseGraph:
    """'vocab' is practised only inside 'counts' problems; 'lm' has no problem at all (like LLM101n's first concepts)."""
    return CourseGraph.from_records(
        concepts=[
            {"slug": "lm", "name": "Language model"},
            {"slug": "vocab", "name": "Vocabulary"},
            {"slug": "counts", "name": "Bigram counts", "prerequisites": ["lm", "vocab"]},
            {"slug": "probs", "name": "Probabilities", "prerequisites": ["counts"]},
        ],
        problems=[
            {"id": "both-1", "concepts": ["counts", "vocab"], "difficulty": 0.2},
            {"id": "both-2", "concepts": ["vocab", "counts"], "difficulty": 0.4},
            {"id": "counts-1", "concepts": ["counts"], "difficulty": 0.1},
            {"id": "counts-2", "concepts": ["counts"], "difficulty": 0.5},
            {"id": "probs-1", "concepts": ["probs"], "difficulty": 0.3},
        ],
    )


def test_a_concept_practised_only_with_its_dependent_is_served_through_their_shared_problems():
    g = shared()
    assert g.practisable_alone == {"counts", "probs"}
    assert g.practised_with == {"lm": None, "vocab": {"counts"}}
    served = []
    for i in range(30):
        sel = next_problem(g, P, {}, NOW, served[:1], rng=random.Random(i))
        served.insert(0, sel.problem.id)
    # Not a dead end, and not a problem of 'counts' alone while the student may not know the vocabulary it needs.
    assert set(served) == {"both-1", "both-2"}
    status, _ = concept_statuses(g, {}, NOW, P)
    assert status["vocab"] is ConceptStatus.FRONTIER and status["counts"] is ConceptStatus.FRONTIER
    assert status["probs"] is ConceptStatus.LOCKED


def test_once_the_shared_prerequisite_is_mastered_the_dependent_is_practised_alone_too():
    g = shared()
    states = {"vocab": K(0.97, NOW), "counts": K(0.5)}
    recents = (["both-1", "both-2"], ["both-2", "both-1"])
    seen = {next_problem(g, P, states, NOW, r, rng=random.Random(0)).problem.id for r in recents}
    assert seen & {"counts-1", "counts-2"}


def test_a_concept_without_problems_unlocks_its_dependents_and_is_mastered_with_them():
    g = shared()
    status, mastery = concept_statuses(g, {}, NOW, P)
    assert status["lm"] is ConceptStatus.FRONTIER and status["counts"] is ConceptStatus.FRONTIER
    states = {"counts": K(0.97, NOW)}
    status, mastery = concept_statuses(g, states, NOW, P)
    # Knowing bigram counts implies knowing what they build on (the DAG's down-set assumption).
    assert status["lm"] is ConceptStatus.MASTERED and status["vocab"] is ConceptStatus.MASTERED
    assert mastery["lm"] == mastery["counts"]
    assert status["probs"] is ConceptStatus.FRONTIER


def test_a_lone_frontier_problem_is_not_repeated_back_to_back_when_a_review_can_come_between():
    g = CourseGraph.from_records(
        concepts=[{"slug": "a", "name": "A"}, {"slug": "b", "name": "B", "prerequisites": ["a"]}],
        problems=[{"id": "a1", "concepts": ["a"]}, {"id": "a2", "concepts": ["a"]}, {"id": "b1", "concepts": ["b"]}],
    )
    states = {"a": K(0.99, NOW - 3600), "b": K(0.4)}
    sel = next_problem(g, P, states, NOW, ["b1"], rng=random.Random(0))
    assert sel.problem.id in ("a1", "a2") and sel.kind == "review" and sel.reason.startswith("keep it fresh: A")
    assert next_problem(g, P, states, NOW, [sel.problem.id, "b1"], rng=random.Random(0)).problem.id == "b1"


def test_a_student_failing_what_builds_on_a_prerequisite_gets_a_check_of_it():
    g = course()
    states = {
        "micrograd": K(0.96, NOW - 3600),
        "mlp": K(0.3, attempts=4, correct=1),  # last answer wrong (streak 0)
    }
    sel = next_problem(g, P, states, NOW, ["mlp-easy"], rng=random.Random(0))
    assert sel.kind == "check" and sel.concept == "micrograd" and sel.problem.id.startswith("mg-")
    assert sel.reason.startswith("quick check: Micrograd, which MLP builds on — ")
    # Checked a moment ago, or already confirmed: back to the frontier.
    assert next_problem(g, P, states, NOW, [sel.problem.id, "mlp-easy"], rng=random.Random(0)).kind == "frontier"
    states["micrograd"] = StudentConceptState(0.995, 6, 0, last_practised=NOW - 3600, streak=6)  # confirmed
    assert next_problem(g, P, states, NOW, ["mlp-easy"], rng=random.Random(0)).kind == "frontier"
    # A student still early on the concept, or whose last answer on it was right, is not interrupted.
    states = {"micrograd": K(0.96, NOW), "mlp": K(0.3, attempts=2)}
    assert next_problem(g, P, states, NOW, ["mlp-easy"], rng=random.Random(0)).kind == "frontier"
    states = {"micrograd": K(0.96, NOW), "mlp": StudentConceptState(0.5, 2, 3, streak=1)}
    assert next_problem(g, P, states, NOW, ["mlp-easy"], rng=random.Random(0)).kind == "frontier"
