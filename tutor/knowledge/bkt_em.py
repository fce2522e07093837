"""Fitting BKT per concept by expectation-maximisation (Baum-Welch), vectorised over all sequences.

Model: the two-state hidden Markov model of Bayesian Knowledge Tracing (Corbett & Anderson 1995), with the
optional forgetting transition of Khajah, Lindsey & Mozer (2016). EM for HMMs: Baum et al. (1970), Rabiner (1989)
(scaled forward-backward). All concepts are fitted at once: each (student, concept) response sequence is one HMM
sequence, parameters are looked up by the sequence's concept, and the M-step sums expected counts per concept
with ``np.bincount``. Degenerate fits are avoided with guess <= 0.3 and slip <= 0.3 (Baker, Corbett & Aleven
2008 call fits with guess or slip above 0.5 "model degeneracy") and small Beta pseudo-counts (a MAP estimate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutor.knowledge.bkt import GUESS_SLOPE, MAX_GUESS_PLUS_SLIP, SLIP_SLOPE, BKTParams
from tutor.knowledge.sequences import PackedSequences, pack_sequences

MAX_GUESS = 0.3
MAX_SLIP = 0.3
_EPS = 1e-6


@dataclass
class BKTArrays:
    """BKT parameters of K concepts as (K,) float arrays (probabilities)."""

    prior: np.ndarray
    learn: np.ndarray
    guess: np.ndarray
    slip: np.ndarray
    forget: np.ndarray

    @classmethod
    def full(cls, k: int, p: BKTParams) -> BKTArrays:
        return cls(*(np.full(k, float(v)) for v in (p.prior, p.learn, p.guess, p.slip, p.forget)))

    def params(self, k: int) -> BKTParams:
        return BKTParams(
            float(self.prior[k]), float(self.learn[k]), float(self.guess[k]), float(self.slip[k]), float(self.forget[k])
        )

    def take(self, idx: np.ndarray) -> BKTArrays:
        return BKTArrays(self.prior[idx], self.learn[idx], self.guess[idx], self.slip[idx], self.forget[idx])


@dataclass
class EMResult:
    """Fitted parameters per group, the final log-likelihood per group (nats) and iterations run."""

    params: BKTArrays
    log_likelihood: np.ndarray
    n_iter: int


def _sig(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _lgt(p):
    p = np.clip(p, 1e-6, 1.0 - 1e-6)
    return np.log(p / (1.0 - p))


def item_guess_slip(g: np.ndarray, s: np.ndarray, shift: np.ndarray | None):
    """Elementwise per-problem guess and slip from the concept's (``bkt.item_params``, vectorised)."""
    if shift is None:
        return g, s
    g = np.where(shift == 0.0, g, _sig(_lgt(g) - GUESS_SLOPE * shift))
    s = np.where(shift == 0.0, s, _sig(_lgt(s) + SLIP_SLOPE * shift))
    tot = g + s
    scale = np.where(tot > MAX_GUESS_PLUS_SLIP, MAX_GUESS_PLUS_SLIP / np.maximum(tot, 1e-12), 1.0)
    return g * scale, s * scale


def _emissions(obs: np.ndarray, g: np.ndarray, s: np.ndarray):
    """P(obs | unmastered), P(obs | mastered) per element."""
    e0 = np.where(obs > 0, g, 1.0 - g)
    e1 = np.where(obs > 0, 1.0 - s, s)
    return e0, e1


def forward(
    ps: PackedSequences,
    obs: np.ndarray,
    prm: BKTArrays,
    retain: np.ndarray | None = None,
    hold: np.ndarray | None = None,
    shift: np.ndarray | None = None,
):
    """Scaled forward pass (filtering) over packed sequences.

    obs: (N,) packed observations in {0, 1}. prm: per-group parameters. retain: optional (N,) packed factor in
    [0, 1] multiplying P(L) between the previous response and this one (time forgetting; 1 = none).
    hold: optional (N,) packed bool, responses that carry no evidence (made after seeing the worked solution):
    P(L) after them is P(L) before them, with no learning transition (``model.apply_attempt``'s rule).
    shift: optional (N,) packed ``bkt.difficulty_shift`` of each response's problem (per-problem guess/slip).
    Returns (p_before, p_after, lik), each (N,) packed: P(L_t | o_<t) (the mastery a tutor holds *before* the
    response, i.e. what online prediction sees), P(L_t | o_<=t), and P(o_t | o_<t).
    """
    gi = ps.elem_group
    e0, e1 = _emissions(obs, *item_guess_slip(prm.guess[gi], prm.slip[gi], shift))
    learn, forget = prm.learn[gi], prm.forget[gi]
    n = len(obs)
    p_before = np.empty(n)
    p_after = np.empty(n)
    lik = np.empty(n)
    b0 = int(ps.batch[0]) if ps.n_steps else 0
    p_before[:b0] = prm.prior[ps.seq_group[:b0]]
    for t in range(ps.n_steps):
        sl = ps.step(t)
        p = p_before[sl]
        num = p * e1[sl]
        c = num + (1.0 - p) * e0[sl]
        f = num / c
        lik[sl] = c
        p_after[sl] = f
        if t + 1 < ps.n_steps:
            nb = int(ps.batch[t + 1])
            lo = sl.start
            fn = f[:nb]
            nxt = ps.step(t + 1)
            p_before[nxt] = fn * (1.0 - forget[lo : lo + nb]) + (1.0 - fn) * learn[lo : lo + nb]
            if hold is not None:
                h = hold[lo : lo + nb]
                if h.any():
                    p_before[nxt] = np.where(h, p[:nb], p_before[nxt])
            if retain is not None:
                p_before[nxt] *= retain[nxt]
    return p_before, p_after, lik


def _backward(ps: PackedSequences, prm: BKTArrays, e0, e1, lik):
    """Scaled backward variables (b0, b1) with gamma_t(j) = alpha_hat_t(j) * b_t(j) (Rabiner 1989)."""
    gi = ps.elem_group
    learn, forget = prm.learn[gi], prm.forget[gi]
    n = len(lik)
    b0 = np.ones(n)
    b1 = np.ones(n)
    for t in range(ps.n_steps - 2, -1, -1):
        nb = int(ps.batch[t + 1])
        if nb == 0:
            continue
        lo = int(ps.offsets[t])
        cur = slice(lo, lo + nb)
        nxt = ps.step(t + 1)
        w0 = e0[nxt] * b0[nxt] / lik[nxt]
        w1 = e1[nxt] * b1[nxt] / lik[nxt]
        b0[cur] = (1.0 - learn[cur]) * w0 + learn[cur] * w1
        b1[cur] = forget[cur] * w0 + (1.0 - forget[cur]) * w1
    return b0, b1


def _next_weights(ps: PackedSequences, e0, e1, b0, b1, lik):
    """Per element with a successor: e_j(o_{t+1}) b_{t+1}(j) / c_{t+1} for j = 0, 1 (0 elsewhere)."""
    n = len(lik)
    w0 = np.zeros(n)
    w1 = np.zeros(n)
    for t in range(ps.n_steps - 1):
        nb = int(ps.batch[t + 1])
        lo = int(ps.offsets[t])
        nxt = ps.step(t + 1)
        w0[lo : lo + nb] = e0[nxt] * b0[nxt] / lik[nxt]
        w1[lo : lo + nb] = e1[nxt] * b1[nxt] / lik[nxt]
    return w0, w1


def em_fit(
    ps: PackedSequences,
    obs: np.ndarray,
    n_groups: int,
    init: BKTArrays,
    *,
    forgetting: bool = False,
    max_iter: int = 60,
    tol: float = 1e-5,
    pseudo: float = 1.0,
    shift: np.ndarray | None = None,
) -> EMResult:
    """Baum-Welch for BKT on packed sequences.

    obs: (N,) packed observations in {0, 1}; n_groups: number of concepts K; init: (K,) starting parameters.
    forgetting: fit P(F) (else it stays at init.forget, normally 0). pseudo: Beta pseudo-count added to each
    side of every M-step ratio, pulling concepts with little data toward 0.5 / the bounds (MAP-EM).
    tol: stop when the total log-likelihood improves by less than tol * N nats.
    shift: optional (N,) packed difficulty shifts (per-problem guess/slip, ``bkt.item_params``); the guess and
    slip M-steps are then one Newton step on the concept's logit per iteration (generalised EM, Dempster et al.
    1977), the pseudo-counts entering as one success and one failure at shift 0.
    Returns an EMResult with guess, slip <= 0.3 and all probabilities in [1e-6, 1 - 1e-6].
    """
    obs = obs.astype(np.float64)
    gi = ps.elem_group
    prm = BKTArrays(*(a.astype(np.float64).copy() for a in (init.prior, init.learn, init.guess, init.slip, init.forget)))
    first = slice(0, int(ps.batch[0])) if ps.n_steps else slice(0, 0)
    first_group = ps.seq_group
    n_seq = np.bincount(first_group, minlength=n_groups)
    prev_ll = -np.inf
    ll_g = np.zeros(n_groups)
    it = 0
    for it in range(1, max_iter + 1):
        e0, e1 = _emissions(obs, *item_guess_slip(prm.guess[gi], prm.slip[gi], shift))
        _, f, lik = forward(ps, obs, prm, shift=shift)
        ll_g = np.bincount(gi, weights=np.log(lik), minlength=n_groups)
        b0, b1 = _backward(ps, prm, e0, e1, lik)
        g1 = f * b1
        g0 = (1.0 - f) * b0
        tot = g0 + g1
        g0 /= tot
        g1 /= tot
        w0, w1 = _next_weights(ps, e0, e1, b0, b1, lik)
        xi01 = (1.0 - f) * prm.learn[gi] * w1
        xi00 = (1.0 - f) * (1.0 - prm.learn[gi]) * w0
        xi10 = f * prm.forget[gi] * w0
        xi11 = f * (1.0 - prm.forget[gi]) * w1

        def ratio(num_w, den_w, lo=_EPS, hi=1.0 - _EPS):
            num = np.bincount(gi, weights=num_w, minlength=n_groups)
            den = np.bincount(gi, weights=den_w, minlength=n_groups)
            return np.clip((num + pseudo) / (den + 2.0 * pseudo), lo, hi)

        prior_num = np.bincount(first_group[: first.stop], weights=g1[first], minlength=n_groups)
        prm.prior = np.clip((prior_num + pseudo) / (n_seq + 2.0 * pseudo), _EPS, 1.0 - _EPS)
        prm.learn = ratio(xi01, xi00 + xi01)
        if forgetting:
            prm.forget = ratio(xi10, xi10 + xi11, hi=0.5)
        if shift is None:
            prm.guess = ratio(g0 * obs, g0, hi=MAX_GUESS)
            prm.slip = ratio(g1 * (1.0 - obs), g1, hi=MAX_SLIP)
        else:
            prm.guess = _newton_logit(prm.guess, gi, n_groups, g0, obs, -GUESS_SLOPE * shift, pseudo, MAX_GUESS)
            prm.slip = _newton_logit(prm.slip, gi, n_groups, g1, 1.0 - obs, SLIP_SLOPE * shift, pseudo, MAX_SLIP)
        ll = float(ll_g.sum())
        if ll - prev_ll < tol * max(len(obs), 1):
            break
        prev_ll = ll
    return EMResult(prm, ll_g, it)


def _newton_logit(p, gi, n_groups, weight, event, offset, pseudo, hi):
    """One Newton step on logit(p) per group for the weighted Bernoulli likelihood of ``event`` with
    P(event) = sigmoid(logit p + offset), plus one pseudo success and failure at offset 0; clipped to [1e-6, hi]."""
    theta = _lgt(p)
    q = _sig(theta[gi] + offset)
    grad = np.bincount(gi, weights=weight * (event - q), minlength=n_groups) + pseudo * (1.0 - 2.0 * p)
    hess = np.bincount(gi, weights=weight * q * (1.0 - q), minlength=n_groups) + 2.0 * pseudo * p * (1.0 - p)
    return np.clip(_sig(theta + grad / np.maximum(hess, 1e-9)), _EPS, hi)


def fit_bkt_sequences(
    seq_id: np.ndarray,
    group: np.ndarray,
    correct: np.ndarray,
    n_groups: int,
    *,
    forgetting: bool = False,
    inits: tuple[BKTParams, ...] | None = None,
    max_iter: int = 60,
    shift: np.ndarray | None = None,
) -> tuple[BKTArrays, np.ndarray]:
    """Fit one BKT per group (concept) from rows in time order.

    seq_id: (N,) key of the row's (student, concept) sequence; group: (N,) concept index in [0, n_groups);
    correct: (N,) {0,1} (clean first-attempt correctness). inits: starting points; EM runs from each (all at
    once, as replicated groups) and the best log-likelihood per concept wins.
    shift: optional (N,) ``bkt.difficulty_shift`` per row (per-problem guess/slip).
    Returns (params as (n_groups,) arrays, p_before as (N,) in row order: the filtered P(L) before each row
    under the fitted parameters, which is what the online update would have held).
    """
    inits = inits or (
        BKTParams(0.4, 0.15, 0.2, 0.1, 0.05 if forgetting else 0.0),
        BKTParams(0.15, 0.3, 0.25, 0.15, 0.02 if forgetting else 0.0),
    )
    group = np.asarray(group, dtype=np.int64)
    correct = np.asarray(correct, dtype=np.float64)
    r = len(inits)
    # Replicate the data once per start: group g of start j becomes g + j * n_groups.
    seq_rep = np.concatenate([np.asarray(seq_id, dtype=np.int64) * r + j for j in range(r)])
    grp_rep = np.concatenate([group + j * n_groups for j in range(r)])
    ps = pack_sequences(seq_rep, grp_rep)
    obs = ps.pack(np.tile(correct, r))
    init = BKTArrays(
        *(
            np.concatenate([np.full(n_groups, getattr(p, name)) for p in inits])
            for name in ("prior", "learn", "guess", "slip", "forget")
        )
    )
    shift_p = None if shift is None else ps.pack(np.tile(np.asarray(shift, dtype=np.float64), r))
    res = em_fit(ps, obs, n_groups * r, init, forgetting=forgetting, max_iter=max_iter, shift=shift_p)
    best = np.argmax(res.log_likelihood.reshape(r, n_groups), axis=0)
    chosen = best * n_groups + np.arange(n_groups)
    params = res.params.take(chosen)
    ps1 = pack_sequences(seq_id, group)
    shift1 = None if shift is None else ps1.pack(np.asarray(shift, dtype=np.float64))
    p_before, _, _ = forward(ps1, ps1.pack(correct), params, shift=shift1)
    return params, ps1.unpack(p_before)
