"""The four concept states the student sees, read from the knowledge state (``state.StudentConceptState``).

Mastery is P(L) from Bayesian Knowledge Tracing (Corbett & Anderson 1995), decayed by the model's one forgetting
rule (``state.decay_mastery``: half-life regression, Settles & Meeder 2016) when read.

Concept states (`ConceptStatus`):
- mastered: stored P(L) >= mastery_threshold, backed by evidence (the last ``min_clean_correct`` answers on the
  concept's testing problems clean and right — see ``model.apply_attempt``'s streak —, or a diagnostic placement:
  never a prior or a lucky answer alone), and the decayed P(L) >= review_threshold;
- review_due: stored P(L) >= mastery_threshold but the decayed P(L) fell below review_threshold;
- frontier: not mastered, and every prerequisite is mastered or review_due (or provisionally satisfied, below);
- locked: some prerequisite is neither mastered nor review_due.
A concept that cannot be practised on its own — no problem at all, or only problems shared with a concept that
builds on it (`CourseGraph.practisable_alone`) — would be a dead end if it had to be mastered first. Once its
prerequisites are satisfied it counts as satisfied for the dependents it shares problems with
(`CourseGraph.practised_with`; all of them when it has no problem at all), so those shared problems become servable
(nothing in them is locked) while its other dependents wait until it is mastered; until then the policy serves
those partners only through the shared problems (`concept_statuses_detail`'s waits), since a partner's own problems
need what the student is still learning. Its mastery is read through the DAG: knowing a concept implies knowing its
prerequisites (the down-set assumption of Knowledge Space Theory, Doignon & Falmagne 1985, which the diagnostic uses
too), so P(L_c) >= P(L_d) for every descendant d, and such a concept's P(L) is taken as max(its own, its
descendants'), stored and decayed alike. Its own P(L) still moves with the evidence of the problems it shares
(``model.apply_attempt``), but a concept only ever practised through what builds on it is mastered once one of those is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from tutor.knowledge.bkt import difficulty_shift, item_params
from tutor.knowledge.graph import CourseGraph
from tutor.knowledge.model import TESTING_GUESS, decayed_mastery, new_concept_state
from tutor.knowledge.params import ModelParams
from tutor.knowledge.state import StudentConceptState

States = Mapping[str, StudentConceptState]


class ConceptStatus(str, Enum):
    MASTERED = "mastered"
    FRONTIER = "frontier"
    LOCKED = "locked"
    REVIEW_DUE = "review_due"


@dataclass(frozen=True)
class MasteryConfig:
    """Thresholds on P(L).

    mastery_threshold: stored P(L) at which a concept counts as mastered (default 0.95, Corbett & Anderson 1995).
    review_threshold: decayed P(L) below which a mastered concept is due for review.
    min_clean_correct: clean correct answers in a row a concept needs before it can count as mastered (a placement
      also counts): mastery comes from evidence, never from a high prior or a fitted learning rate alone.
    """

    mastery_threshold: float = 0.95
    review_threshold: float = 0.85
    min_clean_correct: int = 3


_TESTABLE: dict[int, tuple[CourseGraph, ModelParams, frozenset[str]]] = {}


def testable_concepts(graph: CourseGraph, params: ModelParams) -> frozenset[str]:
    """Concepts with at least one problem that tests them (guess <= ``model.TESTING_GUESS`` under ``params``) and
    needs nothing but the concept and its ancestors; cached per (graph, params) pair of objects."""
    hit = _TESTABLE.get(id(graph))
    if hit is not None and hit[0] is graph and hit[1] is params:
        return hit[2]
    out = frozenset(
        c
        for c, problems in graph.problems_by_concept.items()
        if any(
            item_params(params.concept(c).bkt, difficulty_shift(p.difficulty)).guess <= TESTING_GUESS
            and all(x == c or x in graph.ancestors(c) for x in p.concepts)  # servable before what builds on c
            for p in problems
        )
    )
    if len(_TESTABLE) > 64:
        _TESTABLE.clear()
    _TESTABLE[id(graph)] = (graph, params, out)
    return out


def _evidenced(k: StudentConceptState | None, config: MasteryConfig, testable: bool) -> bool:
    """Placed, or the last ``min_clean_correct`` answers on problems that test it were clean and right; a concept
    whose problems are all easy to guess gets there with three times as many clean right answers in all."""
    return k is not None and (
        k.placed or k.streak >= config.min_clean_correct or (not testable and k.n_correct >= 3 * config.min_clean_correct)
    )


def concept_statuses(
    graph: CourseGraph,
    states: States,
    now: datetime | float | None,
    params: ModelParams,
    config: MasteryConfig = MasteryConfig(),
) -> tuple[dict[str, ConceptStatus], dict[str, float]]:
    """(status per concept slug, decayed mastery per concept slug) in topological order.

    Concepts absent from `states` are at their prior P(L0) and never practised. O(concepts + prerequisite edges), plus
    the descendants of the few concepts not practisable alone.
    """
    status, mastery, _ = concept_statuses_detail(graph, states, now, params, config)
    return status, mastery


def concept_statuses_detail(
    graph: CourseGraph,
    states: States,
    now: datetime | float | None,
    params: ModelParams,
    config: MasteryConfig = MasteryConfig(),
) -> tuple[dict[str, ConceptStatus], dict[str, float], dict[str, frozenset[str]]]:
    """`concept_statuses` plus, per frontier concept unlocked only provisionally, the prerequisites not mastered yet
    that it shares problems with: until those are mastered, only problems that practise them too are useful (the
    policy serves nothing else for it — a problem of the dependent alone would need what the student is still
    learning)."""
    waits: dict[str, frozenset[str]] = {}
    status: dict[str, ConceptStatus] = {}
    mastery: dict[str, float] = {}
    satisfied: set[str] = set()  # mastered or review_due
    provisional: dict[str, frozenset[str] | None] = {}  # frontier, not practisable alone: satisfied for these (None: all)
    alone = graph.practisable_alone
    thr, rthr = config.mastery_threshold, config.review_threshold
    prereqs = graph.concept_by_slug
    decayed = {c: decayed_mastery(k, params, now) for c, k in states.items()}  # each state decayed once
    testable = testable_concepts(graph, params)
    for s in graph.topological_order:
        k = states.get(s)
        if k is None:
            m = eff = new_concept_state(params, s).mastery
            ev = False
        else:
            m = k.mastery
            eff = decayed[s]
            ev = _evidenced(k, config, s in testable)
        if s not in alone:  # only practised through what builds on it: implied by its descendants (see above)
            for d in graph.descendants(s):
                kd = states.get(d)
                if kd is not None and kd.mastery > eff:  # decayed <= stored: otherwise neither can raise
                    m = max(m, kd.mastery)
                    eff = max(eff, decayed[d])
                    ev = ev or _evidenced(kd, config, d in testable)
        mastery[s] = eff
        if m >= thr and ev:
            st = ConceptStatus.MASTERED if eff >= rthr else ConceptStatus.REVIEW_DUE
            satisfied.add(s)
        else:
            st = ConceptStatus.FRONTIER
            pending: list[str] = []
            for p in prereqs[s].prerequisites:
                if p in satisfied:
                    continue
                with_ = provisional.get(p, ())
                if with_ is None:  # no problem at all: taught by the lessons and what builds on it
                    continue
                if s in with_:
                    pending.append(p)
                    continue
                st = ConceptStatus.LOCKED
                break
            if st is ConceptStatus.FRONTIER:
                if pending:
                    waits[s] = frozenset(pending)
                if s not in alone:
                    provisional[s] = graph.practised_with[s]
        status[s] = st
    return status, mastery, waits


def knowledge_map(
    graph: CourseGraph,
    states: States,
    now: datetime | float | None,
    params: ModelParams,
    config: MasteryConfig = MasteryConfig(),
) -> list[dict[str, object]]:
    """Per concept in ramp order: ``{"concept": slug, "mastery": decayed P(L), "state": status}`` (the API's shape)."""
    status, mastery = concept_statuses(graph, states, now, params, config)
    return [{"concept": s, "mastery": round(mastery[s], 4), "state": status[s].value} for s in graph.ramp_order]
