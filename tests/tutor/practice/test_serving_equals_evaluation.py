"""The model we evaluate is the model that serves: replaying attempts through the app's service (``submit_attempt`` on
the real database) records, on each attempt, exactly the P(correct) that ``tutor.knowledge.evaluate`` computes for
that row (``fit.predict_log``, the vectorised replay it scores)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from courses import api as courses
from tutor.knowledge.attempt_log import AttemptLog
from tutor.knowledge.fit import fit, predict_log
from tutor.practice import services
from tutor.practice.fitting import course_attempt_log
from tutor.practice.learner import forget_graph
from tutor.practice.models import Attempt, KnowledgeModelFit

pytestmark = pytest.mark.django_db

RIGHT = {"table-cells": 9, "loop-output": "2 3", "which-sums-to-one": [0, 1], "name-the-step": "normalisation"}
WRONG = {"table-cells": 4, "loop-output": "1", "which-sums-to-one": [2], "name-the-step": "tokenising"}


def _fitted_params(problems):
    """A model fitted on a synthetic log of this course's problems (so every weight is non-trivial)."""
    rng = np.random.default_rng(3)
    ids = sorted(problems)
    users, items, correct = [], [], []
    for u in range(30):
        skill = rng.normal()
        for t in range(12):
            pid = ids[int(rng.integers(len(ids)))]
            users.append(u)
            items.append(pid)
            correct.append(int(rng.random() < 1 / (1 + np.exp(-(skill + 0.2 * t - 1)))))
    log = AttemptLog(np.array(users), np.array(items), np.array(correct, np.int8), {p: problems[p].concept_slugs for p in ids})
    return fit(log, author_difficulty={p: problems[p].difficulty for p in ids})


def test_submit_attempt_records_the_evaluations_prediction(course, make_user):
    problems = {p.id: p for p in courses.course_problems(course.id)}
    slugs = {p.id: p.slug for p in problems.values()}
    params = _fitted_params(problems)
    KnowledgeModelFit.objects.create(
        course_id=course.id, params={"model": params.to_dict()}, n_attempts=1, n_students=1, fit_seconds=0
    )
    forget_graph(course.id)

    rng = np.random.default_rng(11)
    students = [make_user(f"s{i}", course=course) for i in range(4)]
    for _ in range(40):  # students interleave; some answers right, some wrong, some after a hint
        user = students[int(rng.integers(len(students)))]
        pid = int(rng.choice(sorted(problems)))
        if rng.random() < 0.2:
            services.reveal_hint(user=user, problem_id=pid)
        answer = (RIGHT if rng.random() < 0.6 else WRONG)[slugs[pid]]
        services.submit_attempt(user=user, problem_id=pid, answer=answer, client_attempt_id=uuid.uuid4())

    served = np.array(
        Attempt.objects.filter(course_id=course.id).order_by("created_at", "id").values_list("predicted_correct", flat=True)
    )
    log = course_attempt_log(course.id)
    assert len(log) == 40 and not np.isnan(served.astype(float)).any()
    assert 0 < log.correct.sum() < 40 and log.timestamp is not None
    evaluated = predict_log(params, log, author_difficulty={p: problems[p].difficulty for p in problems})
    np.testing.assert_allclose(served.astype(float), evaluated, rtol=0, atol=1e-9)
    assert np.ptp(evaluated) > 0.05  # the states really moved: not a constant prediction
