"""Online use of the per-problem P(correct) model ("BKT-LR"): predict, then update after each attempt.

P(correct) for a student on a problem with concepts K is sigmoid(z), with

    z = intercept - difficulty(problem)
        + sum_k [bias_k + w_correct_k log(1 + n_correct_k) + w_wrong_k log(1 + n_wrong_k)]
        + w_recent_correct sum_k recent_correct_k + w_recent_wrong sum_k recent_wrong_k
        + mean_k [w_mastery_k logit(P_BKT,k(correct))]
        + w_total_correct log(1 + N_correct) + w_total_wrong log(1 + N_wrong)
        + w_total_recent_correct R_correct + w_total_recent_wrong R_wrong

i.e. a logistic model (Best-LR, Gervet et al. 2020: item difficulty + log-scaled per-concept and overall
correct/wrong counts) that also sees BKT mastery (Corbett & Anderson 1995) and recency-weighted counts.

Multi-concept rule: counts are *compensatory* (summed over the problem's concepts, as in PFA and Best-LR),
mastery enters as the *mean of the concepts' logits*, and after the attempt every concept of the problem gets
the same observation (full credit or blame, as when ASSISTments' multi-skill rows are duplicated per skill).

Hint use before a correct answer makes the attempt not clean; a non-clean attempt counts as incorrect for
knowledge tracing (ASSISTments, OATutor). An attempt made after the worked solution was revealed
(``solution_seen``) is recorded in the counts as not clean but gives no mastery credit: P(L) keeps its decayed
value (no Bayes update, no learning transition). One update touches only the problem's concepts: O(|K|).

This is the only P(correct) model and the only update of the tutor: the app (``tutor.practice``), the policy,
the diagnostic (its guess/slip per problem come from ``guess_slip``), the simulator, the fit and the evaluation
all call these functions; the unfitted ``ModelParams()`` is the cold start.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from tutor.knowledge import bkt
from tutor.knowledge.params import ItemParams, ModelParams
from tutor.knowledge.state import Moment, StudentConceptState, StudentTotals, decay_mastery

TESTING_GUESS = 0.5  # a right answer extends the streak only on a problem that tests: P(correct | not known) <= this
ITEM_INFORMATION = 0.2  # ~ p(1 - p) of one response at p ~ 0.72, Fisher information per attempt
P_MIN = 1e-6  # probabilities are clipped to [P_MIN, 1 - P_MIN] before a logit


def logit(p: float) -> float:
    """log(p / (1 - p)), with p clipped to [1e-6, 1 - 1e-6]."""
    p = min(max(p, P_MIN), 1.0 - P_MIN)
    return math.log(p / (1.0 - p))


def author_difficulty_logit(author_difficulty: float | None) -> float:
    """Prior item difficulty (logit scale) from an author's difficulty in [0, 1].

    The author's number is read as the share of typical students who fail the problem: 0.5 -> 0 (an average
    problem), 0.8 -> +1.39 (harder), 0.2 -> -1.39; clipped to [0.05, 0.95]. None -> 0.
    Raises ValueError outside [0, 1].
    """
    if author_difficulty is None:
        return 0.0
    if not 0.0 <= author_difficulty <= 1.0:
        raise ValueError("author difficulty must be in [0, 1]")
    return logit(min(max(author_difficulty, 0.05), 0.95))


def item_difficulty(params: ModelParams, item_id: Hashable, author_difficulty: float | None = None) -> float:
    """Difficulty (logit) of a problem: the fitted value (already shrunk toward the author's prior) or, for a
    problem never fitted, the author's prior (cold start)."""
    ip = params.items.get(item_id)
    return ip.difficulty if ip is not None else author_difficulty_logit(author_difficulty)


def new_concept_state(params: ModelParams, concept_id: Hashable) -> StudentConceptState:
    """The state of a student who never practised the concept: mastery = the concept's BKT prior P(L0)."""
    return StudentConceptState(mastery=params.concept(concept_id).bkt.prior)


def decayed_mastery(state: StudentConceptState, params: ModelParams, now: Moment) -> float:
    """P(L) in [0,1] at ``now`` after time forgetting (see ``state.decay_mastery``: exponential decay toward
    0 with a half-life that grows with clean successes; Ebbinghaus 1885, Settles & Meeder 2016)."""
    return decay_mastery(state, params.decay, now)


def problem_logit(
    params: ModelParams,
    concept_states: Mapping[Hashable, StudentConceptState | None],
    item_id: Hashable,
    author_difficulty: float | None = None,
    *,
    totals: StudentTotals | None = None,
    now: Moment = None,
) -> float:
    """The logit z of P(correct) (see the module docstring). Raises ValueError without concepts."""
    if not concept_states:
        raise ValueError("a problem needs at least one concept")
    w = params.weights
    t = totals or StudentTotals()
    shift = bkt.difficulty_shift(author_difficulty)
    z = w.intercept - item_difficulty(params, item_id, author_difficulty)
    z += (
        w.w_total_correct * math.log1p(t.n_correct)
        + w.w_total_wrong * math.log1p(t.n_wrong)
        + w.w_total_recent_correct * t.recent_correct
        + w.w_total_recent_wrong * t.recent_wrong
    )
    mastery_term = 0.0
    for cid, st in concept_states.items():
        cp = params.concept(cid)
        st = st or new_concept_state(params, cid)
        m = decayed_mastery(st, params, now)
        z += cp.bias + cp.w_correct * math.log1p(st.n_correct) + cp.w_wrong * math.log1p(st.n_wrong)
        z += w.w_recent_correct * st.recent_correct + w.w_recent_wrong * st.recent_wrong
        mastery_term += cp.w_mastery * logit(bkt.p_correct(m, bkt.item_params(cp.bkt, shift)))
    return z + mastery_term / len(concept_states)


def predict_correct(
    params: ModelParams,
    concept_states: Mapping[Hashable, StudentConceptState | None],
    item_id: Hashable,
    author_difficulty: float | None = None,
    *,
    totals: StudentTotals | None = None,
    now: Moment = None,
) -> float:
    """P(correct) in [0,1] that this student answers this problem right on the first try without a hint.

    concept_states: the student's state for *every* concept of the problem (None or a fresh state for a
    concept never practised). item_id: the problem; author_difficulty in [0, 1] is used when the problem was
    never fitted. totals: the student's course totals (None = no attempts yet). now: apply time decay to
    mastery (None = no decay).
    """
    z = problem_logit(params, concept_states, item_id, author_difficulty, totals=totals, now=now)
    return 1.0 / (1.0 + math.exp(-z))


def guess_slip(params: ModelParams, concepts, item_id: Hashable, author_difficulty: float | None = None) -> tuple[float, float]:
    """(guess, slip) of a problem under the model for a student with no history: guess = P(correct) with every
    concept at P(L) = 0, slip = 1 - P(correct) with every concept at P(L) = 1 (what the diagnostic needs)."""
    lo = predict_correct(params, {c: StudentConceptState(0.0) for c in concepts}, item_id, author_difficulty)
    hi = predict_correct(params, {c: StudentConceptState(1.0) for c in concepts}, item_id, author_difficulty)
    return lo, 1.0 - max(hi, lo)


@dataclass(frozen=True)
class AttemptUpdate:
    """New states after one attempt: ``concepts`` (id -> StudentConceptState, the problem's concepts only)
    and the new course ``totals``."""

    concepts: dict
    totals: StudentTotals


def apply_attempt(
    params: ModelParams,
    concept_states: Mapping[Hashable, StudentConceptState | None],
    totals: StudentTotals | None = None,
    *,
    correct: bool,
    clean: bool = True,
    solution_seen: bool = False,
    when: Moment = None,
    author_difficulty: float | None = None,
) -> AttemptUpdate:
    """Update the knowledge state with one attempt on a problem with the concepts in ``concept_states``.

    correct: the answer was graded right; clean: no hint was taken before it (correct and not clean counts as
    incorrect). solution_seen: the attempt came after the worked solution was revealed: it is counted as not
    clean and gives no mastery credit (P(L) stays at its decayed value). when: attempt time; mastery first
    decays from ``last_practised`` to ``when``, then gets the BKT update (posterior, then learn/forget
    transition) with the problem's guess and slip (``bkt.item_params`` of ``author_difficulty`` in [0, 1]; None:
    the concept's own). ``streak`` counts clean right answers in a row; one on a problem that is easy to guess
    (guess > ``TESTING_GUESS``) neither extends nor breaks it. A hint or the solution breaks every concept's
    streak; a wrong answer on a problem of several concepts breaks only the streak of the least-known one (the
    conjunctive reading of the failure, Koedinger et al. 2011: a mastered prerequisite is not thrown back to the
    frontier because the new concept beside it is not known yet). ``placed`` is kept. O(number of the problem's
    concepts).
    """
    y = bool(correct) and bool(clean) and not solution_seen
    shift = bkt.difficulty_shift(author_difficulty)
    lam = params.recent_decay
    new = {}
    states = {cid: st or new_concept_state(params, cid) for cid, st in concept_states.items()}
    decayed = {cid: decay_mastery(st, params.decay, when) for cid, st in states.items()}
    least = min(decayed.values()) if decayed else 0.0
    for cid, st in states.items():
        m = decayed[cid]
        bp = bkt.item_params(params.concept(cid).bkt, shift)
        if y:
            streak = st.streak + (bp.guess <= TESTING_GUESS)
        elif correct is False and clean and not solution_seen and len(states) > 1 and m > least:
            streak = st.streak  # a wrong answer is blamed on the least-known concept of the problem
        else:
            streak = 0
        new[cid] = StudentConceptState(
            mastery=m if solution_seen else bkt.update(m, y, bp),
            n_correct=st.n_correct + y,
            n_wrong=st.n_wrong + (not y),
            recent_correct=lam * st.recent_correct + y,
            recent_wrong=lam * st.recent_wrong + (not y),
            last_practised=when if when is not None else st.last_practised,
            placed=st.placed,
            streak=streak,
        )
    t = totals or StudentTotals()
    lt = params.total_recent_decay
    new_totals = StudentTotals(
        n_correct=t.n_correct + y,
        n_wrong=t.n_wrong + (not y),
        recent_correct=lt * t.recent_correct + y,
        recent_wrong=lt * t.recent_wrong + (not y),
    )
    return AttemptUpdate(new, new_totals)


def update_item(
    params: ModelParams,
    item_id: Hashable,
    *,
    predicted: float,
    correct: bool,
    clean: bool = True,
    author_difficulty: float | None = None,
) -> ItemParams:
    """Elo-style online update of a problem's difficulty after one attempt (Pelanek 2016, Elo with an
    uncertainty-based step): difficulty += (predicted - y) / (item_penalty + 0.2 * n), n += 1.

    The step is one Newton step on the Gaussian-prior posterior, so a problem with few attempts moves a lot
    and a well-measured one barely moves. predicted: P(correct) from ``predict_correct`` before the attempt.
    Returns the new ItemParams (the caller stores it, e.g. in ``params.items``).
    """
    y = 1.0 if (correct and clean) else 0.0
    ip = params.items.get(item_id) or ItemParams(author_difficulty_logit(author_difficulty), 0)
    step = 1.0 / (params.item_penalty + ITEM_INFORMATION * (ip.n_attempts + 1))
    return ItemParams(ip.difficulty + (predicted - y) * step, ip.n_attempts + 1)
