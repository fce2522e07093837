"""Fit the course's knowledge model from its attempt log and store it as a :class:`tutor.models.KnowledgeModelFit`.

The model is ``tutor.knowledge`` BKT-LR: per-concept BKT by EM (Corbett & Anderson 1995) plus per-problem difficulty
(IRT b, shrunk toward the author's difficulty; Gervet et al. 2020) and count features: a logistic regression on the
observed attempts, so its P(correct) is calibrated on the course's own students. The whole model (``params["model"]``)
is what the app serves with (``learner.course_model``); ``course_attempt_log`` is the log the fit and the
serving/evaluation equality test read.
"""

from __future__ import annotations

import math
import time

import numpy as np
from django.db import transaction

from courses import api as courses
from tutor.knowledge.attempt_log import AttemptLog
from tutor.knowledge.fit import fit
from tutor.practice import learner as store
from tutor.practice.models import Attempt, KnowledgeModelFit

_SOLUTION_SEEN = "solution_seen" in {f.name for f in Attempt._meta.get_fields()}


def course_attempt_log(course_id: int, problems: dict | None = None) -> AttemptLog:
    """Every attempt of the course in time order as an AttemptLog (clean = no hint before it and, where recorded, not
    after the worked solution; timestamps in POSIX seconds). Raises ValueError when the course has no attempts."""
    problems = problems if problems is not None else {p.id: p for p in courses.course_problems(course_id)}
    fields = ["user_id", "problem_id", "correct", "hints_seen", "created_at"] + (["solution_seen"] if _SOLUTION_SEEN else [])
    rows = list(
        Attempt.objects.filter(course_id=course_id, problem_id__in=list(problems))
        .order_by("created_at", "id")
        .values_list(*fields)
    )
    if not rows:
        raise ValueError("this course has no attempts to fit on yet")
    cols = list(zip(*rows))
    user, item, correct, hints, when = cols[:5]
    return AttemptLog.with_clean(
        np.array(user),
        np.array(item),
        np.array(correct),
        np.array(hints) == 0,
        {pid: p.concept_slugs for pid, p in problems.items()},
        np.array([t.timestamp() for t in when]),
        np.array(cols[5], dtype=bool) if _SOLUTION_SEEN else None,
    )


@transaction.atomic
def fit_knowledge_model(*, course_id: int) -> KnowledgeModelFit:
    """Fit on every attempt of the course in time order (an attempt counts as correct only when clean: no hint before
    it). Returns the stored fit: ``params["model"]`` the whole model (``ModelParams.to_dict()``, what the app serves
    with), and for people reading it ``params["bkt"][concept slug]`` BKT parameters, ``params["difficulty"][problem
    id]`` the refined difficulty in [0,1], ``params["rows"][slug]`` data size per concept. Raises ValueError when the
    course has no attempts."""
    started = time.perf_counter()
    problems = {p.id: p for p in courses.course_problems(course_id)}
    log = course_attempt_log(course_id, problems)
    user = log.user
    model = fit(log, author_difficulty={pid: p.difficulty for pid, p in problems.items()})
    bkt = {
        str(slug): {"prior": c.bkt.prior, "learn": c.bkt.learn, "guess": c.bkt.guess, "slip": c.bkt.slip, "forget": c.bkt.forget}
        for slug, c in model.concepts.items()
        if c.n_attempts
    }
    difficulty = {str(pid): 1.0 / (1.0 + math.exp(-it.difficulty)) for pid, it in model.items.items() if it.n_attempts}
    counts = {str(slug): c.n_attempts for slug, c in model.concepts.items()}
    result = KnowledgeModelFit.objects.create(
        course_id=course_id,
        params={"bkt": bkt, "difficulty": difficulty, "rows": counts, "model": model.to_dict()},
        n_attempts=len(log),
        n_students=int(len(np.unique(user))),
        fit_seconds=time.perf_counter() - started,
    )
    transaction.on_commit(lambda: store.forget_graph(course_id))
    return result
