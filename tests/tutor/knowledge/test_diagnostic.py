"""Diagnostic placement: informative probes over DAG-consistent knowledge states, resumable, accurate."""

import json

import numpy as np

from tutor.knowledge.diagnostic import Diagnostic, sample_down_sets
from tutor.knowledge.params import ModelParams
from tutor.knowledge.simulator import PRIOR_KINDS, SimulatedCourse, diagnostic_accuracy, run_diagnostic
from tutor.knowledge.statuses import ConceptStatus, concept_statuses


def test_prior_knowledge_states_are_dag_consistent(course_graph):
    known = sample_down_sets(course_graph, 300, np.random.default_rng(0))
    slugs = [c.slug for c in course_graph.concepts]
    for row in known[:300:7]:
        assert course_graph.is_down_set(s for s, k in zip(slugs, row) if k)


def test_stops_after_ten_questions_and_never_asks_twice(course_graph):
    d = Diagnostic(course_graph, confidence=1.0)
    asked = []
    while (q := d.next_question()) is not None:
        asked.append(q.id)
        d.answer(q.id, len(asked) % 2 == 0)
    assert len(asked) == 10 and len(set(asked)) == 10
    assert d.finished


def test_a_student_who_knows_nothing_is_placed_at_the_start(course_graph):
    d = Diagnostic(course_graph)
    while (q := d.next_question()) is not None:
        d.answer(q.id, False)
    assert len(d.answers) <= 10
    status, _ = concept_statuses(course_graph, d.result(0.0), 0.0, ModelParams())
    first = course_graph.ramp_order[0]
    assert status[first] is ConceptStatus.FRONTIER
    assert sum(s is ConceptStatus.MASTERED for s in status.values()) == 0


def test_state_round_trips_through_json_and_resumes_identically(course_graph):
    a = Diagnostic(course_graph, seed=5)
    for correct in (True, False, True):
        a.answer(a.next_question().id, correct)
    b = Diagnostic.from_dict(json.loads(json.dumps(a.to_dict())), course_graph)
    assert b.answers == a.answers
    assert b.marginals() == a.marginals()
    assert b.next_question().id == a.next_question().id


def test_failing_a_concept_implies_not_knowing_its_dependents(course_graph):
    d = Diagnostic(course_graph)
    # A hard single-concept problem of the concept nearest the middle of the ramp that has one and has dependents.
    order = course_graph.ramp_order
    half = len(order) // 2
    mid, probe = next(
        (s, p)
        for s in sorted(order, key=lambda s: abs(order.index(s) - half))
        if course_graph.descendants(s)
        for p in course_graph.problems_by_concept[s]
        if p.concepts == (s,) and p.difficulty > 0.6
    )
    before = d.marginals()
    d.answer(probe.id, False)
    after = d.marginals()
    for dep in course_graph.descendants(mid):
        assert after[dep] <= before[dep]
    d2 = Diagnostic(course_graph)
    d2.answer(probe.id, True)
    assert all(d2.marginals()[a] >= before[a] for a in course_graph.ancestors(mid))


def test_classifies_most_concept_states_within_ten_questions(course_graph):
    course = SimulatedCourse(course_graph, seed=2)
    accuracies, questions = [], []
    for kind in PRIOR_KINDS:
        for i in range(5):
            student = course.student(np.random.default_rng(500 + i), kind)
            d = run_diagnostic(student, seed=i)
            questions.append(len(d.answers))
            accuracies.append(diagnostic_accuracy(d, student.known))
    print(
        f"\ndiagnostic: mean accuracy {np.mean(accuracies):.3f} (min {min(accuracies):.3f}), "
        f"{np.mean(questions):.1f} questions on average"
    )
    assert max(questions) <= 10
    assert np.mean(accuracies) >= 0.85
