"""Wiring between recorded attempts and the knowledge state: runs inside the attempt's transaction."""

from __future__ import annotations

from tutor.knowledge.model import apply_attempt
from tutor.knowledge.policy import problem_p_correct
from tutor.practice import learner as store
from tutor.practice.models import Attempt


def on_attempt(*, user, problem, attempt) -> float:
    """Update the student's knowledge state for one attempt with the knowledge model's one update
    (``tutor.knowledge.model.apply_attempt``: time decay, then BKT; counts for the logistic part), and record on the
    attempt the model's P(correct) just before it (``predicted_correct``, the number the evaluation scores).

    A hint before the answer makes it not clean; an attempt after the worked solution was revealed gives no mastery
    credit. Returns the predicted P(correct)."""
    graph, ids = store.course_graph(problem.course_id)
    if problem.id not in graph.problem_by_id:  # content changed since the graph was cached
        store.forget_graph(problem.course_id)
        graph, ids = store.course_graph(problem.course_id)
    params = store.model_params(problem.course_id)
    gp = graph.problem(problem.id)
    states = store.load_states(user, problem.course_id, gp.concepts)
    totals = store.load_totals(user, problem.course_id)
    predicted = problem_p_correct(params, gp, states, totals, attempt.created_at)
    update = apply_attempt(
        params,
        {c: states.get(c) for c in gp.concepts},
        totals,
        correct=attempt.correct,
        clean=attempt.hints_seen == 0,
        solution_seen=getattr(attempt, "solution_seen", False),
        when=attempt.created_at,
        author_difficulty=gp.difficulty,
    )
    store.save_states(user, problem.course_id, update.concepts, ids)
    store.save_totals(user, problem.course_id, update.totals)
    Attempt.objects.filter(pk=attempt.pk).update(predicted_correct=predicted)
    attempt.predicted_correct = predicted
    return predicted
