"""Per-problem P(correct): the protocol the policy and the diagnostic use, and a default model.

`Predictor` is the plug-in point: any callable ``predict(problem, mastery) -> float`` where `mastery` maps concept
slugs to the student's current (decayed) P(L). The policy, the knowledge update and the diagnostic read only this:
the diagnostic and the update take P(correct | concepts known) = predict(problem, all 1) and
P(correct | not known) = predict(problem, all 0) as the problem's 1 - slip and guess.

Default (`DifficultyBKT`): conjunctive BKT with per-problem guess/slip shifted from the concept's BKT guess/slip by
the author's difficulty on the logit scale, in the spirit of KT-IDEM (Pardos & Heffernan 2011, per-item guess/slip)
and the conjunctive model of Koedinger et al. 2011 ("Avoiding problem selection thrashing with conjunctive
knowledge tracing", EDM):

    P(correct) = g_p + (1 - s_p - g_p) * prod_c P(L_c)
    logit g_p = logit G_c - guess_slope * (d - 0.5),   logit s_p = logit S_c + slip_slope * (d - 0.5)

so a problem of difficulty 0.5 has the concept's own BKT guess and slip, an easy one is easy to guess and hard to slip.
Cold-start slopes (guess 6, slip 3: with BKT's default G = 0.2, S = 0.1, a trivial d = 0.05 problem has g = 0.79,
s = 0.03 and a hard d = 0.9 one g = 0.02, s = 0.27) were chosen on the simulator (simulator.py); fitted per-problem
parameters should replace them.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from tutor.engine.graph import Problem
from tutor.knowledge.bkt import BKTParams


class Predictor(Protocol):
    """P(correct) in [0, 1] that this student answers `problem` right, given decayed P(L) per concept slug."""

    def __call__(self, problem: Problem, mastery: Mapping[str, float]) -> float: ...


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def guess_slip(predictor: Predictor, problem: Problem) -> tuple[float, float]:
    """(guess, slip) of a problem under any predictor: P(correct | nothing known), 1 - P(correct | all known)."""
    if isinstance(predictor, DifficultyBKT):
        return predictor.guess_slip(problem)
    g = predictor(problem, {c: 0.0 for c in problem.concepts})
    s = 1.0 - predictor(problem, {c: 1.0 for c in problem.concepts})
    return g, s


@dataclass
class DifficultyBKT:
    """Default predictor: conjunctive BKT with difficulty-shifted guess/slip (see module docstring).

    params: BKT parameters per concept slug (missing ones use `default`).  guess_slope / slip_slope: logit shift of
    guess / slip per unit of difficulty.
    Guess/slip are cached by problem id and checked against the Problem object, so one instance can serve several
    courses (a different object under the same id is recomputed).
    """

    params: Mapping[str, BKTParams] = field(default_factory=dict)
    default: BKTParams = field(default_factory=BKTParams)
    guess_slope: float = 6.0
    slip_slope: float = 3.0
    _cache: dict[Hashable, tuple[Problem, float, float]] = field(default_factory=dict, init=False, repr=False)

    def concept_params(self, slug: str) -> BKTParams:
        return self.params.get(slug, self.default)

    def guess_slip(self, problem: Problem) -> tuple[float, float]:
        """(guess, slip) of a problem, each in (0, 1) with guess + slip <= 0.98."""
        hit = self._cache.get(problem.id)
        if hit is not None and hit[0] is problem:
            return hit[1], hit[2]
        # Base guess/slip: the mean logit over the problem's concepts (their own BKT guess/slip).
        ps = [self.concept_params(c) for c in problem.concepts]
        lg = sum(_logit(bp.guess) for bp in ps) / len(ps)
        ls = sum(_logit(bp.slip) for bp in ps) / len(ps)
        shift = problem.difficulty - 0.5
        g = _sigmoid(lg - self.guess_slope * shift)
        s = _sigmoid(ls + self.slip_slope * shift)
        if g + s > 0.98:  # keep the item informative: P(correct | known) > P(correct | unknown)
            scale = 0.98 / (g + s)
            g, s = g * scale, s * scale
        self._cache[problem.id] = (problem, g, s)
        return g, s

    def __call__(self, problem: Problem, mastery: Mapping[str, float]) -> float:
        hit = self._cache.get(problem.id)
        if hit is not None and hit[0] is problem:
            g, s = hit[1], hit[2]
        else:
            g, s = self.guess_slip(problem)
        cs = problem.concepts
        if len(cs) == 1:
            m = mastery.get(cs[0], 0.0)
        else:
            m = 1.0
            for c in cs:
                m *= mastery.get(c, 0.0)
        return g + (1.0 - s - g) * m
