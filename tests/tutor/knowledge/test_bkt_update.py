"""BKT update math (Corbett & Anderson 1995) against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.knowledge import bkt
from tutor.knowledge.bkt import BKTParams
from tutor.knowledge.bkt_em import BKTArrays, forward
from tutor.knowledge.model import apply_attempt, new_concept_state
from tutor.knowledge.params import ConceptParams, ModelParams
from tutor.knowledge.sequences import pack_sequences

P = BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1, forget=0.0)


def test_p_correct_by_hand():
    # 0.2 * 0.9 + 0.8 * 0.2
    assert bkt.p_correct(0.2, P) == pytest.approx(0.34)


def test_update_after_correct_by_hand():
    # posterior 0.18 / 0.34 = 0.5294..., then + (1 - 0.5294) * 0.15 = 0.6 exactly
    assert bkt.posterior(0.2, True, P) == pytest.approx(0.18 / 0.34)
    assert bkt.update(0.2, True, P) == pytest.approx(0.6)


def test_update_after_wrong_by_hand():
    # posterior 0.02 / (0.02 + 0.8 * 0.8) = 0.030303; then + 0.969697 * 0.15
    assert bkt.update(0.2, False, P) == pytest.approx(0.02 / 0.66 + (1 - 0.02 / 0.66) * 0.15)


def test_forgetting_transition_by_hand():
    pf = BKTParams(0.2, 0.15, 0.2, 0.1, forget=0.1)
    post = 0.18 / 0.34
    assert bkt.update(0.2, True, pf) == pytest.approx(post * 0.9 + (1 - post) * 0.15)


def test_correct_after_hint_counts_as_wrong():
    params = ModelParams(concepts={"c": ConceptParams(P)})
    state = {"c": new_concept_state(params, "c")}
    hinted = apply_attempt(params, state, correct=True, clean=False).concepts["c"]
    wrong = apply_attempt(params, state, correct=False).concepts["c"]
    assert hinted == wrong
    assert hinted.mastery == pytest.approx(bkt.update(0.2, False, P))
    assert (hinted.n_correct, hinted.n_wrong) == (0, 1)


def test_vectorised_forward_pass_equals_scalar_updates():
    obs = [[1, 0, 1, 1, 1], [0, 0, 1], [1]]
    seq = np.concatenate([[i] * len(o) for i, o in enumerate(obs)])
    y = np.concatenate(obs).astype(float)
    ps = pack_sequences(seq, np.zeros(len(seq), dtype=np.int64))
    pf = BKTParams(0.3, 0.2, 0.25, 0.1, 0.05)
    before, _, _ = forward(ps, ps.pack(y), BKTArrays.full(1, pf))
    before = ps.unpack(before)
    expected = []
    for o in obs:
        m = pf.prior
        for v in o:
            expected.append(m)
            m = bkt.update(m, bool(v), pf)
    np.testing.assert_allclose(before, expected, rtol=1e-12)
