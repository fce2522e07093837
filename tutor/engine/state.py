"""Knowledge state per concept, forgetting, and the four concept states the student sees.

Mastery is P(L) from Bayesian Knowledge Tracing (Corbett & Anderson 1995). Between practice it decays with
exponential forgetting, R(t) = 2^(-t / h), with a per-concept half-life h that grows with well-spaced successful
reviews (half-life regression, Settles & Meeder 2016; spacing effect, Ebbinghaus 1885 / Cepeda et al. 2006). The
decay is applied lazily when read: the stored P(L) is the value at `last_practised`.

Concept states (`ConceptStatus`):
- mastered: stored P(L) >= mastery_threshold and the decayed P(L) >= review_threshold;
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
(tracing.py), but a concept only ever practised through what builds on it is mastered once one of those is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from tutor.engine.graph import CourseGraph

DAY = 86400.0


def as_seconds(t: datetime | float | int) -> float:
    """POSIX seconds from an aware datetime or a number of seconds."""
    return t.timestamp() if isinstance(t, datetime) else float(t)


class ConceptStatus(str, Enum):
    MASTERED = "mastered"
    FRONTIER = "frontier"
    LOCKED = "locked"
    REVIEW_DUE = "review_due"


@dataclass(frozen=True)
class KnowledgeConfig:
    """Thresholds and forgetting constants.

    mastery_threshold: P(L) at which a concept counts as mastered (default 0.95, Corbett & Anderson 1995).
    review_threshold: decayed P(L) below which a mastered concept is due for review.
    initial_half_life_days / min_half_life_days: half-life of a freshly mastered concept, and its floor.
    half_life_growth: factor by which a successful review, taken when due, multiplies the half-life.
    prerequisite_transfer: weight in [0, 1] of the damped update a correct clean answer gives each direct
      prerequisite of the problem's concepts (fractional implicit repetition).
    """

    mastery_threshold: float = 0.95
    review_threshold: float = 0.85
    initial_half_life_days: float = 4.0
    min_half_life_days: float = 0.5
    half_life_growth: float = 2.5
    prerequisite_transfer: float = 0.5


@dataclass(slots=True)
class ConceptKnowledge:
    """One student's knowledge of one concept.

    mastery: P(L) in [0, 1] at `last_practised` (before decay).  last_practised: POSIX seconds or None (never).
    half_life_days: forgetting half-life in days.  attempts / correct: counts of graded attempts on the concept.
    reviews: successful reviews counted so far.
    """

    mastery: float = 0.2
    last_practised: float | None = None
    half_life_days: float = 4.0
    attempts: int = 0
    correct: int = 0
    reviews: int = 0

    def __post_init__(self) -> None:
        if self.last_practised is not None:
            self.last_practised = as_seconds(self.last_practised)

    def retrievability(self, now: float) -> float:
        """R in (0, 1]: 2^(-days since last practice / half-life); 1 if never practised."""
        if self.last_practised is None:
            return 1.0
        days = max(0.0, now - self.last_practised) / DAY
        return math.exp(-math.log(2.0) * days / self.half_life_days)

    def effective_mastery(self, now: float) -> float:
        """P(L) now, in [0, 1]: stored P(L) times retrievability."""
        return self.mastery * self.retrievability(now)


States = MutableMapping[str, ConceptKnowledge]


def knowledge_for(states: States, slug: str, prior: float = 0.2, config: KnowledgeConfig = KnowledgeConfig()) -> ConceptKnowledge:
    """The student's ConceptKnowledge for `slug`, created at the prior if absent."""
    k = states.get(slug)
    if k is None:
        k = ConceptKnowledge(mastery=prior, half_life_days=config.initial_half_life_days)
        states[slug] = k
    return k


def concept_statuses(
    graph: CourseGraph,
    states: Mapping[str, ConceptKnowledge],
    now: datetime | float,
    config: KnowledgeConfig = KnowledgeConfig(),
    prior: float = 0.2,
) -> tuple[dict[str, ConceptStatus], dict[str, float]]:
    """(status per concept slug, decayed mastery per concept slug) in topological order.

    Concepts absent from `states` are at `prior` and never practised. O(concepts + prerequisite edges), plus the
    descendants of the few concepts not practisable alone.
    """
    status, mastery, _ = concept_statuses_detail(graph, states, now, config, prior)
    return status, mastery


def concept_statuses_detail(
    graph: CourseGraph,
    states: Mapping[str, ConceptKnowledge],
    now: datetime | float,
    config: KnowledgeConfig = KnowledgeConfig(),
    prior: float = 0.2,
) -> tuple[dict[str, ConceptStatus], dict[str, float], dict[str, frozenset[str]]]:
    """`concept_statuses` plus, per frontier concept unlocked only provisionally, the prerequisites not mastered yet
    that it shares problems with: until those are mastered, only problems that practise them too are useful (the
    policy serves nothing else for it — a problem of the dependent alone would need what the student is still
    learning)."""
    t = as_seconds(now)
    waits: dict[str, frozenset[str]] = {}
    status: dict[str, ConceptStatus] = {}
    mastery: dict[str, float] = {}
    satisfied: set[str] = set()  # mastered or review_due
    provisional: dict[str, frozenset[str] | None] = {}  # frontier, not practisable alone: satisfied for these (None: all)
    alone = graph.practisable_alone
    thr, rthr = config.mastery_threshold, config.review_threshold
    prereqs = graph.concept_by_slug
    for s in graph.topological_order:
        k = states.get(s)
        if k is None:
            m = eff = prior
        else:
            m = k.mastery
            eff = k.effective_mastery(t)
        if s not in alone:  # only practised through what builds on it: implied by its descendants (see above)
            for d in graph.descendants(s):
                kd = states.get(d)
                if kd is not None and kd.mastery > eff:  # decayed <= stored: otherwise neither can raise
                    m = max(m, kd.mastery)
                    eff = max(eff, kd.effective_mastery(t))
        mastery[s] = eff
        if m >= thr:
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
    states: Mapping[str, ConceptKnowledge],
    now: datetime | float,
    config: KnowledgeConfig = KnowledgeConfig(),
) -> list[dict[str, object]]:
    """Per concept in ramp order: ``{"concept": slug, "mastery": decayed P(L), "state": status}`` (the API's shape)."""
    status, mastery = concept_statuses(graph, states, now, config)
    return [{"concept": s, "mastery": round(mastery[s], 4), "state": status[s].value} for s in graph.ramp_order]
