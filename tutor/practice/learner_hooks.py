"""Wiring between recorded attempts and the knowledge state: runs inside the attempt's transaction."""

from __future__ import annotations

from tutor.engine.state import knowledge_for
from tutor.engine.tracing import record_attempt
from tutor.practice import learner as store


def on_attempt(*, user, problem, attempt) -> None:
    """Update the student's knowledge state for one attempt (BKT with forgetting, conjunctive multi-concept rule and
    prerequisite transfer — see tutor/engine/tracing.py). Hints used before the answer make it not clean.

    Honest credit: a correct answer after the worked solution was revealed (``attempt.solution_seen``) earns no
    mastery credit — the state is left as it was (a wrong one after the solution is still evidence, traced as usual).
    The knowledge model's ``apply_attempt(..., solution_seen=...)`` takes the same flag."""
    solution_seen = getattr(attempt, "solution_seen", False)
    if solution_seen and attempt.correct:
        return
    graph, ids = store.course_graph(problem.course_id)
    if problem.id not in graph.problem_by_id:  # content changed since the graph was cached
        store.forget_graph(problem.course_id)
        graph, ids = store.course_graph(problem.course_id)
    gp = graph.problem(problem.id)
    touched = set(gp.concepts) | {q for c in gp.concepts for q in graph.prerequisites(c)}
    states = store.load_states(user, problem.course_id, touched)
    pred = store.predictor(problem.course_id)
    for slug in touched:
        knowledge_for(states, slug, prior=store.prior(pred, slug), config=store.knowledge_config())
    record_attempt(
        graph,
        states,
        gp,
        attempt.correct,
        attempt.created_at,
        clean=attempt.hints_seen == 0 and not solution_seen,
        predictor=pred,
        config=store.knowledge_config(),
    )
    store.save_states(user, problem.course_id, states, touched, ids)
