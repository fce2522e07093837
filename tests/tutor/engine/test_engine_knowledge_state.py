"""Knowledge state: BKT updates, forgetting, concept states, prerequisite transfer."""

from tutor.engine.graph import CourseGraph
from tutor.engine.state import DAY, ConceptKnowledge, ConceptStatus, concept_statuses, knowledge_map
from tutor.engine.tracing import record_attempt

NOW = 1_700_000_000.0


def chain() -> CourseGraph:
    return CourseGraph.from_records(
        concepts=[
            {"slug": "micrograd", "name": "Micrograd"},
            {"slug": "mlp", "name": "MLP", "prerequisites": ["micrograd"]},
            {"slug": "attention", "name": "Attention", "prerequisites": ["mlp"]},
            {"slug": "tokenizer", "name": "Tokenizer"},
        ],
        problems=[
            {"id": "mg-1", "concepts": ["micrograd"], "difficulty": 0.3},
            {"id": "mg-2", "concepts": ["micrograd"], "difficulty": 0.6},
            {"id": "mlp-1", "concepts": ["mlp"], "difficulty": 0.5},
            {"id": "mlp-2", "concepts": ["micrograd", "mlp"], "difficulty": 0.6},
            {"id": "att-1", "concepts": ["attention"], "difficulty": 0.5},
            {"id": "tok-1", "concepts": ["tokenizer"], "difficulty": 0.4},
        ],
    )


def mastered(t: float = NOW) -> ConceptKnowledge:
    return ConceptKnowledge(mastery=0.98, last_practised=t)


def test_states_follow_the_dag():
    g = chain()
    status, _ = concept_statuses(g, {"micrograd": mastered()}, NOW)
    assert status == {
        "micrograd": ConceptStatus.MASTERED,
        "mlp": ConceptStatus.FRONTIER,
        "attention": ConceptStatus.LOCKED,
        "tokenizer": ConceptStatus.FRONTIER,
    }


def test_mastered_concept_decays_into_review_due_but_still_unlocks_its_dependents():
    g = chain()
    states = {"micrograd": mastered(NOW - 6 * DAY)}
    status, mastery = concept_statuses(g, states, NOW)
    assert status["micrograd"] is ConceptStatus.REVIEW_DUE
    assert mastery["micrograd"] < 0.85
    assert status["mlp"] is ConceptStatus.FRONTIER
    row = next(r for r in knowledge_map(g, states, NOW) if r["concept"] == "micrograd")
    assert row["state"] == "review_due" and 0 < row["mastery"] < 0.85


def test_correct_answers_raise_mastery_until_mastered_and_wrong_ones_lower_it():
    g = chain()
    states: dict = {}
    seen = []
    for i in range(8):
        record_attempt(g, states, g.problem("mg-2"), True, NOW + 60 * i)
        seen.append(states["micrograd"].mastery)
    assert seen == sorted(seen) and seen[-1] >= 0.95
    before = states["micrograd"].mastery
    record_attempt(g, states, g.problem("mg-2"), False, NOW + 600)
    assert states["micrograd"].mastery < before
    assert states["micrograd"].attempts == 9 and states["micrograd"].correct == 8


def test_correct_answer_after_a_hint_counts_less_than_a_clean_one():
    g = chain()
    clean, hinted = {}, {}
    record_attempt(g, clean, g.problem("mg-2"), True, NOW)
    record_attempt(g, hinted, g.problem("mg-2"), True, NOW, clean=False)
    assert hinted["micrograd"].mastery < 0.2 < clean["micrograd"].mastery


def test_easy_problem_is_weaker_evidence_than_hard_one():
    g = chain()
    easy, hard = {}, {}
    record_attempt(g, easy, g.problem("mg-1"), True, NOW)
    record_attempt(g, hard, g.problem("mg-2"), True, NOW)
    assert easy["micrograd"].mastery < hard["micrograd"].mastery


def test_failed_two_concept_problem_blames_the_shakier_concept_more():
    g = chain()
    states = {"micrograd": ConceptKnowledge(mastery=0.9), "mlp": ConceptKnowledge(mastery=0.5)}
    record_attempt(g, states, g.problem("mlp-2"), False, NOW)
    drop_mg = 0.9 - states["micrograd"].mastery
    drop_mlp = 0.5 - states["mlp"].mastery
    assert drop_mlp > drop_mg > 0


def test_correct_answer_on_a_dependent_refreshes_its_prerequisite():
    g = chain()
    states = {"micrograd": mastered(NOW - 5 * DAY), "mlp": ConceptKnowledge(mastery=0.6)}
    before = states["micrograd"].effective_mastery(NOW)
    record_attempt(g, states, g.problem("mlp-1"), True, NOW)
    after = states["micrograd"].effective_mastery(NOW)
    assert after > before
    status, _ = concept_statuses(g, states, NOW)
    assert status["micrograd"] is not ConceptStatus.FRONTIER  # still mastered, only fresher


def test_spaced_review_grows_the_half_life_massed_review_does_not():
    g = chain()
    spaced = {"micrograd": mastered(NOW - 2 * DAY)}
    massed = {"micrograd": mastered(NOW - 60)}
    h0 = spaced["micrograd"].half_life_days
    record_attempt(g, spaced, g.problem("mg-2"), True, NOW)
    record_attempt(g, massed, g.problem("mg-2"), True, NOW)
    assert spaced["micrograd"].half_life_days > 2 * h0
    assert massed["micrograd"].half_life_days < 1.05 * h0


def test_failed_review_shortens_the_half_life():
    g = chain()
    states = {"micrograd": mastered(NOW - 2 * DAY)}
    h0 = states["micrograd"].half_life_days
    record_attempt(g, states, g.problem("mg-2"), False, NOW)
    assert states["micrograd"].half_life_days == h0 / 2
