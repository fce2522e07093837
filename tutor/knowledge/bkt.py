"""Bayesian Knowledge Tracing (Corbett & Anderson 1995), with forgetting (Khajah et al. 2016) and per-problem
guess/slip shifted by the problem's author difficulty.

Per-problem guess and slip (KT-IDEM, Pardos & Heffernan 2011) from the concept's by a logit shift in the author's
difficulty d in [0, 1]: logit g_p = logit G - GUESS_SLOPE (d - 0.5), logit s_p = logit S + SLIP_SLOPE (d - 0.5), so a
right answer to a trivial problem (easy to guess) is weak evidence of mastery and a slip on a hard one is forgiven.
A problem of difficulty 0.5, or of unknown difficulty (None, e.g. ASSISTments), has the concept's own guess and slip.
Pure functions on floats; no Django. Probabilities are in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

GUESS_SLOPE = 6.0
SLIP_SLOPE = 3.0
MAX_GUESS_PLUS_SLIP = 0.98  # keeps every problem informative: P(correct | known) > P(correct | unknown)


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


def difficulty_shift(author_difficulty: float | None) -> float:
    """d - 0.5 for an author difficulty d in [0, 1]; 0 for None."""
    return 0.0 if author_difficulty is None else float(author_difficulty) - 0.5


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def item_params(params: BKTParams, shift: float) -> BKTParams:
    """The concept's BKT parameters with the guess and slip of one problem (see the module docstring);
    shift = ``difficulty_shift(author difficulty)``."""
    if shift == 0.0:
        g, s = params.guess, params.slip
    else:
        g = _sigmoid(_logit(params.guess) - GUESS_SLOPE * shift)
        s = _sigmoid(_logit(params.slip) + SLIP_SLOPE * shift)
    if g + s > MAX_GUESS_PLUS_SLIP:
        scale = MAX_GUESS_PLUS_SLIP / (g + s)
        g, s = g * scale, s * scale
    if g == params.guess and s == params.slip:
        return params
    return replace(params, guess=g, slip=s)


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
