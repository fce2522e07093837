"""Bayesian Knowledge Tracing (Corbett & Anderson 1995), with forgetting (Khajah et al. 2016).

Pure functions on floats; no Django. Probabilities are in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BKTParams:
    """Per-concept BKT parameters, each a probability in [0, 1].

    prior: P(L0), mastered before the first opportunity.
    learn: P(T), unmastered -> mastered after an opportunity.
    guess: P(G), correct while unmastered.
    slip: P(S), wrong while mastered.
    forget: P(F), mastered -> unmastered after an opportunity (0 in standard BKT).
    """

    prior: float = 0.2
    learn: float = 0.15
    guess: float = 0.2
    slip: float = 0.1
    forget: float = 0.0


def p_correct(mastery: float, params: BKTParams) -> float:
    """P(correct) in [0,1] for a student with P(L)=mastery: P(L)(1-S) + (1-P(L))G."""
    return mastery * (1.0 - params.slip) + (1.0 - mastery) * params.guess


def posterior(mastery: float, correct: bool, params: BKTParams) -> float:
    """P(L | observation) in [0,1] by Bayes' rule, before the learning transition."""
    if correct:
        num = mastery * (1.0 - params.slip)
        den = num + (1.0 - mastery) * params.guess
    else:
        num = mastery * params.slip
        den = num + (1.0 - mastery) * (1.0 - params.guess)
    return num / den if den > 0 else mastery


def update(mastery: float, correct: bool, params: BKTParams) -> float:
    """P(L) in [0,1] after observing one response: posterior, then learn/forget transition."""
    post = posterior(mastery, correct, params)
    return post * (1.0 - params.forget) + (1.0 - post) * params.learn
