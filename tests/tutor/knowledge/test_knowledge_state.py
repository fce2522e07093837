"""The one knowledge state: updates by ``apply_attempt``, forgetting, honest credit, and the concept states shown."""

from tutor.knowledge.graph import CourseGraph
from tutor.knowledge.model import apply_attempt, predict_correct
from tutor.knowledge.params import ModelParams
from tutor.knowledge.state import DAY, StudentConceptState
from tutor.knowledge.statuses import ConceptStatus, MasteryConfig, concept_statuses, knowledge_map

NOW = 1_700_000_000.0
P = ModelParams()


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
            {"id": "mlp-1", "concepts": ["mlp"], "difficulty": 0.5},
            {"id": "att-1", "concepts": ["attention"], "difficulty": 0.5},
            {"id": "tok-1", "concepts": ["tokenizer"], "difficulty": 0.4},
        ],
    )


def mastered(t: float = NOW) -> StudentConceptState:
    return StudentConceptState(mastery=0.98, n_correct=3, last_practised=t, streak=3)


def practise(state, *, correct=True, clean=True, solution_seen=False, when=NOW, params=P):
    return apply_attempt(params, {"c": state}, correct=correct, clean=clean, solution_seen=solution_seen, when=when).concepts["c"]


def test_states_follow_the_dag():
    status, _ = concept_statuses(chain(), {"micrograd": mastered()}, NOW, P)
    assert status == {
        "micrograd": ConceptStatus.MASTERED,
        "mlp": ConceptStatus.FRONTIER,
        "attention": ConceptStatus.LOCKED,
        "tokenizer": ConceptStatus.FRONTIER,
    }


def test_mastered_concept_decays_into_review_due_but_still_unlocks_its_dependents():
    g = chain()
    states = {"micrograd": mastered(NOW - 30 * DAY)}
    status, mastery = concept_statuses(g, states, NOW, P)
    assert status["micrograd"] is ConceptStatus.REVIEW_DUE and mastery["micrograd"] < 0.85
    assert status["mlp"] is ConceptStatus.FRONTIER
    row = next(r for r in knowledge_map(g, states, NOW, P) if r["concept"] == "micrograd")
    assert row["state"] == "review_due" and 0 < row["mastery"] < 0.85


def test_correct_answers_raise_mastery_until_mastered_and_wrong_ones_lower_it():
    s, seen = None, []
    for i in range(4):
        s = practise(s, when=NOW + 60 * i)
        seen.append(s.mastery)
    assert seen == sorted(seen) and seen[-1] >= 0.95
    before = s.mastery
    s = practise(s, correct=False, when=NOW + 600)
    assert s.mastery < before and (s.n_correct, s.n_wrong) == (4, 1)


def test_correct_answer_after_a_hint_counts_as_not_clean():
    clean, hinted = practise(None), practise(None, clean=False)
    assert hinted.mastery < P.default_concept.bkt.prior < clean.mastery
    assert (hinted.n_correct, hinted.n_wrong) == (0, 1)


def test_a_correct_answer_after_the_worked_solution_is_recorded_but_earns_no_mastery():
    start = StudentConceptState(mastery=0.4, n_correct=1)
    after = practise(start, solution_seen=True)
    assert after.mastery == start.mastery  # no mastery credit (and no learning transition)
    assert (after.n_correct, after.n_wrong) == (1, 1)  # recorded, as not clean
    assert after.last_practised == NOW
    assert practise(start).mastery > start.mastery  # the same answer without the solution is credited
    # ...and it does not move the prediction for the next problem up either
    assert predict_correct(P, {"c": after}, "x") <= predict_correct(P, {"c": start}, "x")


def test_a_high_prior_alone_is_not_mastery_several_clean_answers_in_a_row_are():
    g = CourseGraph.from_records([{"slug": "c"}], [{"id": 1, "concepts": ["c"]}])

    def status(state, config=MasteryConfig()):
        return concept_statuses(g, {"c": state}, NOW, P, config)[0]["c"]

    assert status(StudentConceptState(mastery=0.99)) is ConceptStatus.FRONTIER  # a prior, no evidence
    assert status(StudentConceptState(mastery=0.99, n_correct=5, n_wrong=1, streak=2)) is ConceptStatus.FRONTIER
    assert status(StudentConceptState(mastery=0.99, n_correct=3, streak=3)) is ConceptStatus.MASTERED
    assert status(StudentConceptState(mastery=0.99, placed=True, last_practised=NOW)) is ConceptStatus.MASTERED
    assert status(StudentConceptState(mastery=0.99, n_correct=3, streak=3), MasteryConfig(min_clean_correct=4)) is (
        ConceptStatus.FRONTIER
    )
    # the streak is what apply_attempt keeps: right answers extend it, anything else ends it
    s = None
    for correct in (True, True, False, True, True, True):
        s = practise(s, correct=correct)
    assert s.streak == 3 and (s.n_correct, s.n_wrong) == (5, 1)
    assert practise(s, clean=False).streak == 0 and practise(s, solution_seen=True).streak == 0


def test_forgetting_is_slower_after_more_clean_successes():
    weak = StudentConceptState(mastery=0.98, n_correct=2, last_practised=NOW - 10 * DAY)
    strong = StudentConceptState(mastery=0.98, n_correct=8, last_practised=NOW - 10 * DAY)
    _, m = concept_statuses(chain(), {"micrograd": weak, "mlp": strong}, NOW, P)
    assert m["micrograd"] < m["mlp"] < 0.98
