"""Fit the course's knowledge model from its attempt log: one BKT per concept by EM (Baum-Welch; Corbett & Anderson
1995), stored as a :class:`tutor.models.KnowledgeModelFit` with the data size it was fitted on."""
from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from django.db import transaction

from courses import api as courses
from tutor.knowledge.bkt_em import fit_bkt_sequences

from . import knowledge_store as store
from .models import Attempt, KnowledgeModelFit

MIN_ROWS_PER_CONCEPT = 30


@transaction.atomic
def fit_knowledge_model(*, course_id: int, min_rows: int = MIN_ROWS_PER_CONCEPT) -> KnowledgeModelFit:
    """Fit per-concept BKT (prior, learn, guess, slip) on every attempt of the course in time order; an attempt counts
    as correct only when clean (no hint before it). Concepts with fewer than ``min_rows`` rows keep the defaults.
    Returns the stored fit; ``params["bkt"][slug]`` holds the parameters and ``params["rows"][slug]`` the data size."""
    started = time.perf_counter()
    concept_of = {p.id: p.concept_slugs for p in courses.course_problems(course_id)}
    rows = Attempt.objects.filter(course_id=course_id, problem_id__in=list(concept_of)).order_by("id") \
        .values_list("user_id", "problem_id", "correct", "hints_seen")
    seq_key: dict[tuple[int, str], int] = {}
    slugs: list[str] = []
    slug_index: dict[str, int] = {}
    seq, grp, obs = [], [], []
    users = set()
    for user_id, problem_id, correct, hints in rows.iterator():
        users.add(user_id)
        for slug in concept_of[problem_id]:
            g = slug_index.setdefault(slug, len(slugs))
            if g == len(slugs):
                slugs.append(slug)
            seq.append(seq_key.setdefault((user_id, slug), len(seq_key)))
            grp.append(g)
            obs.append(1 if correct and hints == 0 else 0)
    params: dict[str, dict] = {}
    counts: dict[str, int] = defaultdict(int)
    for g in grp:
        counts[slugs[g]] += 1
    if obs:
        fitted, _ = fit_bkt_sequences(np.array(seq), np.array(grp), np.array(obs), len(slugs))
        for i, slug in enumerate(slugs):
            if counts[slug] >= min_rows:
                p = fitted.params(i)
                params[slug] = {"prior": float(p.prior), "learn": float(p.learn), "guess": float(p.guess),
                                "slip": float(p.slip), "forget": float(p.forget)}
    fit = KnowledgeModelFit.objects.create(
        course_id=course_id, params={"bkt": params, "rows": dict(counts)}, n_attempts=rows.count(),
        n_students=len(users), fit_seconds=time.perf_counter() - started,
    )
    transaction.on_commit(lambda: store.forget_graph(course_id))
    return fit
