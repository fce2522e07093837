"""Knowledge update after one graded attempt (knowledge tracing), with spaced-review bookkeeping.

Rules, in order:
1. Evidence is `correct and clean`: a hint used before a correct answer counts as not clean, and is traced as
   incorrect (as OATutor and ASSISTments do).
2. Multi-concept problems use the conjunctive model (all concepts needed; Koedinger et al. 2011): for each concept c,
   P(correct | c known) = g + (1 - s - g) * prod_{j != c} P(L_j) and P(correct | c unknown) = g, with the problem's
   guess g and slip s from the predictor (see predict.py). Bayes' rule gives each concept's posterior; then the BKT
   transition (learn, forget; Corbett & Anderson 1995). A single-concept problem is exactly BKT with per-item g, s.
   The prior is the decayed P(L) (state.py), so a long-unpractised concept starts its update from what is left.
3. Spaced review: an attempt on a concept whose stored P(L) was already >= mastery_threshold is a review. A correct
   clean review is a successful retrieval: it restores the memory (the clock restarts and P(L) never ends below its
   stored value — forgetting is partial and relearning fast, so a right answer must not demote a mastered concept),
   and it multiplies the half-life by 1 + (growth - 1) * spacing, where spacing = min(1, (1 - R) / (1 - R_due))
   is how far the forgetting curve had fallen towards the due point (reviews taken when due earn the full growth,
   massed repetition earns ~none: the spacing effect, Cepeda et al. 2006). A failed review halves it (a lapse).
4. Prerequisites (fractional implicit repetition): the problem's concepts need their prerequisites too, so the
   attempt is also evidence on each direct prerequisite p (not itself in the problem), under the conjunctive model:
   P(correct | p known) = g + (1 - s - g) * prod_c P(L_c), P(correct | p unknown) = g. P(L_p) moves a fraction
   w = prerequisite_transfer of the way to its BKT-updated value. A wrong answer blames p only as much as the
   problem's own concepts fail to explain it (a shaky dependent absorbs most of the blame), so repeated failures on
   a dependent the student "should" know eventually send a falsely mastered prerequisite back to the frontier. For
   a mastered prerequisite, a correct answer also winds its forgetting clock back by a fraction
   w * (1 - g / P(correct | p known)) of the time elapsed, and grows its half-life by that fraction of a review's
   growth (only the part of the success that knowledge explains counts as an implicit review).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tutor.engine.graph import CourseGraph, Problem
from tutor.engine.predict import DifficultyBKT, Predictor, guess_slip
from tutor.engine.state import ConceptKnowledge, KnowledgeConfig, States, as_seconds, knowledge_for
from tutor.knowledge.bkt import BKTParams


def _params_for(predictor: Predictor, params: Mapping[str, BKTParams] | None, slug: str) -> BKTParams:
    if params is not None and slug in params:
        return params[slug]
    if isinstance(predictor, DifficultyBKT):
        return predictor.concept_params(slug)
    return BKTParams()


def _spacing(k: ConceptKnowledge, r: float, config: KnowledgeConfig) -> float:
    r_due = config.review_threshold / max(k.mastery, config.mastery_threshold)
    return min(1.0, max(0.0, (1.0 - r) / max(1e-9, 1.0 - r_due)))


def record_attempt(
    graph: CourseGraph,
    states: States,
    problem: Problem,
    correct: bool,
    now: datetime | float,
    *,
    clean: bool = True,
    predictor: Predictor | None = None,
    params: Mapping[str, BKTParams] | None = None,
    config: KnowledgeConfig = KnowledgeConfig(),
) -> dict[str, float]:
    """Update `states` in place for one graded attempt; return the new P(L) of every concept touched.

    correct: the attempt was graded correct.  clean: no hint was used before answering (see rule 1).
    predictor: per-problem P(correct) model (default DifficultyBKT(params)).  params: BKT parameters per concept
    (prior, learn, forget; default BKTParams()).  Raises KeyError for a concept not in `graph`.
    """
    predictor = predictor if predictor is not None else DifficultyBKT(params or {})
    t = as_seconds(now)
    observed = bool(correct) and bool(clean)
    g, s = guess_slip(predictor, problem)
    thr = config.mastery_threshold

    ks: dict[str, ConceptKnowledge] = {}
    eff: dict[str, float] = {}
    for c in problem.concepts:
        graph.index[c]  # KeyError for a concept outside the course
        bp = _params_for(predictor, params, c)
        k = knowledge_for(states, c, bp.prior, config)
        ks[c] = k
        eff[c] = k.effective_mastery(t)

    touched: dict[str, float] = {}
    for c, k in ks.items():
        bp = _params_for(predictor, params, c)
        others = 1.0
        for j in problem.concepts:
            if j != c:
                others *= eff[j]
        p_known = g + (1.0 - s - g) * others
        l1, l0 = (p_known, g) if observed else (1.0 - p_known, 1.0 - g)
        m = eff[c]
        den = m * l1 + (1.0 - m) * l0
        post = m * l1 / den if den > 0 else m
        new = post * (1.0 - bp.forget) + (1.0 - post) * bp.learn
        if k.mastery >= thr:  # a review
            r = k.retrievability(t)
            if observed:
                k.half_life_days *= 1.0 + (config.half_life_growth - 1.0) * _spacing(k, r, config)
                k.reviews += 1
                new = max(new, k.mastery)  # a successful retrieval restores the memory: never a demotion
            else:
                k.half_life_days = max(config.min_half_life_days, k.half_life_days / 2.0)
        k.mastery = min(1.0, max(0.0, new))
        k.last_practised = t
        k.attempts += 1
        k.correct += int(observed)
        touched[c] = k.mastery

    w = config.prerequisite_transfer
    if w > 0:
        # The problem's concepts need their prerequisites too (knowing c implies knowing its prerequisites), so the
        # attempt is evidence on each direct prerequisite p under the conjunctive model: P(correct | p known) =
        # g + (1 - s - g) * prod_c P(L_c) (the problem's concepts, before this update), P(correct | p unknown) = g.
        own = set(problem.concepts)
        m_all = 1.0
        for c in problem.concepts:
            m_all *= eff[c]
        p_known = g + (1.0 - s - g) * m_all
        l1, l0 = (p_known, g) if observed else (1.0 - p_known, 1.0 - g)
        seen: set[str] = set()
        for c in problem.concepts:
            for p in graph.prerequisites(c):
                if p in own or p in seen:
                    continue
                seen.add(p)
                bp = _params_for(predictor, params, p)
                k = knowledge_for(states, p, bp.prior, config)
                if k.mastery >= thr:
                    # Fractional implicit review of a mastered prerequisite: move stored P(L) w of the way to its
                    # updated value; on success also wind the forgetting clock back and grow the half-life, by w
                    # times the share of the success that knowledge explains (1 - g / P(correct | p known)): a
                    # likely guess on an easy dependent must not keep a falsely mastered prerequisite from review.
                    target = _update(k.mastery, l1, l0, bp)
                    if observed and k.last_practised is not None:
                        credit = w * max(0.0, 1.0 - g / p_known)
                        r = k.retrievability(t)
                        k.half_life_days *= 1.0 + credit * (config.half_life_growth - 1.0) * _spacing(k, r, config)
                        k.last_practised = t - (1.0 - credit) * (t - k.last_practised)
                    k.mastery = k.mastery + w * (target - k.mastery)
                else:
                    m = k.effective_mastery(t)
                    k.mastery = m + w * (_update(m, l1, l0, bp) - m)
                    k.last_practised = t
                touched[p] = k.effective_mastery(t)
    return touched


def _update(m: float, l1: float, l0: float, bp: BKTParams) -> float:
    """BKT update from likelihoods l1 = P(obs | known), l0 = P(obs | unknown): posterior, then learn/forget."""
    den = m * l1 + (1.0 - m) * l0
    post = m * l1 / den if den > 0 else m
    return post * (1.0 - bp.forget) + (1.0 - post) * bp.learn
