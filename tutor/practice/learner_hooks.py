"""Wiring between recorded attempts and the knowledge state: runs inside the attempt's transaction."""

from __future__ import annotations

from datetime import datetime

from tutor.knowledge.model import apply_attempt
from tutor.knowledge.policy import problem_p_correct
from tutor.practice import learner as store


class KnowledgeUpdate:
    """One attempt's knowledge-state update, in two halves around the attempt's INSERT.

    Constructing it reads the student's states on the problem's concepts and their course totals (two queries) and
    sets ``predicted``: the model's P(correct) in [0, 1] just before the attempt at ``when`` (recorded on the attempt
    as ``predicted_correct``, the number the evaluation scores). :meth:`apply` then runs the knowledge model's one
    update (``tutor.knowledge.model.apply_attempt``: time decay, then BKT; counts for the logistic part) and upserts
    the result (two statements). A hint before the answer makes it not clean; an attempt after the worked solution
    was revealed gives no mastery credit."""

    def __init__(self, *, user, problem, when: datetime):
        graph, self._ids = store.course_graph(problem.course_id)
        if problem.id not in graph.problem_by_id:  # content changed since the graph was cached
            store.forget_graph(problem.course_id)
            graph, self._ids = store.course_graph(problem.course_id)
        self._user, self._course_id, self._when = user, problem.course_id, when
        self._params = store.model_params(problem.course_id)
        self._problem = graph.problem(problem.id)
        self._states = store.load_states(user, problem.course_id, self._problem.concepts)
        self._totals = store.load_totals(user, problem.course_id)
        self.predicted = problem_p_correct(self._params, self._problem, self._states, self._totals, when)

    def apply(self, *, correct: bool, clean: bool, solution_seen: bool) -> None:
        update = apply_attempt(
            self._params,
            {c: self._states.get(c) for c in self._problem.concepts},
            self._totals,
            correct=correct,
            clean=clean,
            solution_seen=solution_seen,
            when=self._when,
            author_difficulty=self._problem.difficulty,
        )
        store.save_states(self._user, self._course_id, update.concepts, self._ids)
        store.save_totals(self._user, self._course_id, update.totals)
