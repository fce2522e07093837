"""EM (Baum-Welch) recovers BKT parameters from simulated students and keeps fits non-degenerate."""

from __future__ import annotations

import numpy as np

from tutor.knowledge.bkt_em import MAX_GUESS, MAX_SLIP, fit_bkt_sequences, forward
from tutor.knowledge.sequences import pack_sequences

TRUTH = [(0.3, 0.15, 0.2, 0.1), (0.5, 0.05, 0.25, 0.05), (0.1, 0.3, 0.15, 0.2)]


def _log(simulate, truth, n_students=600, n_steps=25, forget=0.0, seed=0):
    rng = np.random.default_rng(seed)
    seq, grp, obs = [], [], []
    for k, p in enumerate(truth):
        o = simulate(rng, n_students, n_steps, *p, forget=forget)
        seq.append(np.repeat(np.arange(n_students) + k * n_students, n_steps))
        grp.append(np.full(n_students * n_steps, k))
        obs.append(o.ravel())
    return np.concatenate(seq), np.concatenate(grp), np.concatenate(obs)


def test_em_recovers_parameters_of_each_concept(simulate):
    seq, grp, obs = _log(simulate, TRUTH)
    fitted, _ = fit_bkt_sequences(seq, grp, obs, len(TRUTH))
    for k, (prior, learn, guess, slip) in enumerate(TRUTH):
        p = fitted.params(k)
        assert abs(p.prior - prior) < 0.06, (k, p)
        assert abs(p.learn - learn) < 0.05, (k, p)
        assert abs(p.guess - guess) < 0.05, (k, p)
        assert abs(p.slip - slip) < 0.05, (k, p)
        assert p.forget == 0.0


def test_em_recovers_forgetting(simulate):
    seq, grp, obs = _log(simulate, [(0.2, 0.25, 0.15, 0.1)], n_students=1500, n_steps=30, forget=0.08)
    p = fit_bkt_sequences(seq, grp, obs, 1, forgetting=True)[0].params(0)
    assert abs(p.forget - 0.08) < 0.04, p
    assert abs(p.learn - 0.25) < 0.06, p


def test_guess_and_slip_stay_within_bounds(simulate):
    # A concept whose students answer 65 % right while "unmastered" would fit guess ~ 0.65 unbounded.
    seq, grp, obs = _log(simulate, [(0.1, 0.05, 0.65, 0.4)], n_students=400, n_steps=15)
    p = fit_bkt_sequences(seq, grp, obs, 1)[0].params(0)
    assert p.guess <= MAX_GUESS + 1e-12 and p.slip <= MAX_SLIP + 1e-12
    assert p.guess < 1 - p.slip


def test_mastery_before_each_row_uses_only_earlier_rows(simulate):
    seq, grp, obs = _log(simulate, TRUTH[:1], n_students=50, n_steps=10)
    _, before = fit_bkt_sequences(seq, grp, obs, 1)
    first = np.r_[True, seq[1:] != seq[:-1]]
    assert np.allclose(before[first], before[first][0])  # every sequence starts at the prior
    flipped = obs.copy()
    flipped[9::10] = 1 - flipped[9::10]  # change only each student's last answer
    fitted, _ = fit_bkt_sequences(seq, grp, obs, 1)
    ps = pack_sequences(seq, grp)
    a = ps.unpack(forward(ps, ps.pack(obs.astype(float)), fitted)[0])
    b = ps.unpack(forward(ps, ps.pack(flipped.astype(float)), fitted)[0])
    np.testing.assert_array_equal(a, b)
