"""Knowledge state per concept, forgetting, and the four concept states the student sees.

Mastery is P(L) from Bayesian Knowledge Tracing (Corbett & Anderson 1995). Between practice it decays with
exponential forgetting, R(t) = 2^(-t / h), with a per-concept half-life h that grows with well-spaced successful
reviews (half-life regression, Settles & Meeder 2016; spacing effect, Ebbinghaus 1885 / Cepeda et al. 2006). The
decay is applied lazily when read: the stored P(L) is the value at `last_practised`.

Concept states (`ConceptStatus`):
- mastered: stored P(L) >= mastery_threshold and the decayed P(L) >= review_threshold;
- review_due: stored P(L) >= mastery_threshold but the decayed P(L) fell below review_threshold;
- frontier: not mastered, and every prerequisite is mastered or review_due;
- locked: some prerequisite is neither mastered nor review_due.
A concept with no problems cannot be practised; once its prerequisites are satisfied it counts as satisfied for its
dependents (so the ramp has no dead end), while it is still shown as frontier.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from .graph import CourseGraph

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

    Concepts absent from `states` are at `prior` and never practised. O(concepts + prerequisite edges).
    """
    t = as_seconds(now)
    status: dict[str, ConceptStatus] = {}
    mastery: dict[str, float] = {}
    satisfied: set[str] = set()  # mastered or review_due, or an unpractisable concept whose prerequisites are met
    thr, rthr = config.mastery_threshold, config.review_threshold
    prereqs = graph.concept_by_slug
    for s in graph.topological_order:
        k = states.get(s)
        if k is None:
            m = eff = prior
        else:
            m = k.mastery
            eff = k.effective_mastery(t)
        mastery[s] = eff
        if m >= thr:
            st = ConceptStatus.MASTERED if eff >= rthr else ConceptStatus.REVIEW_DUE
            satisfied.add(s)
        elif all(p in satisfied for p in prereqs[s].prerequisites):
            st = ConceptStatus.FRONTIER
            if not graph.problems_by_concept[s]:
                satisfied.add(s)
        else:
            st = ConceptStatus.LOCKED
        status[s] = st
    return status, mastery


def knowledge_map(
    graph: CourseGraph,
    states: Mapping[str, ConceptKnowledge],
    now: datetime | float,
    config: KnowledgeConfig = KnowledgeConfig(),
) -> list[dict[str, object]]:
    """Per concept in ramp order: ``{"concept": slug, "mastery": decayed P(L), "state": status}`` (the API's shape)."""
    status, mastery = concept_statuses(graph, states, now, config)
    return [{"concept": s, "mastery": round(mastery[s], 4), "state": status[s].value} for s in graph.ramp_order]
