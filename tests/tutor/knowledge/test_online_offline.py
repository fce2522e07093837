"""The online per-attempt update and the offline (vectorised) replay give the same predictions: no leakage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tutor.knowledge.fit import fit, predict_log
from tutor.knowledge.model import apply_attempt, predict_correct
from tutor.knowledge.params import ModelParams


def _online(params, log):
    states, totals, out = {}, {}, []
    for u, i, y in zip(log.user.tolist(), log.item.tolist(), log.correct.tolist()):
        concept_states = {c: states.get((u, c)) for c in log.item_concepts[i]}
        out.append(predict_correct(params, concept_states, i, totals=totals.get(u)))
        update = apply_attempt(params, concept_states, totals.get(u), correct=bool(y))
        for c, s in update.concepts.items():
            states[(u, c)] = s
        totals[u] = update.totals
    return np.array(out)


def test_online_updates_reproduce_offline_predictions(multi_concept_log):
    params = fit(multi_concept_log)
    np.testing.assert_allclose(_online(params, multi_concept_log), predict_log(params, multi_concept_log), rtol=1e-9, atol=1e-12)


def test_prediction_ignores_the_answer_itself_and_later_rows(multi_concept_log):
    params = fit(multi_concept_log)
    log = multi_concept_log
    base = predict_log(params, log)
    cut = len(log) // 2
    flipped = type(log)(log.user, log.item, np.r_[log.correct[:cut], 1 - log.correct[cut:]], log.item_concepts)
    np.testing.assert_array_equal(predict_log(params, flipped)[:cut], base[:cut])
    # ... and other students' rows: predicting one student alone gives the same numbers.
    mask = log.user == log.user[0]
    np.testing.assert_allclose(predict_log(params, log.subset(mask)), base[mask], rtol=1e-12)


def test_practice_raises_predictions_after_success(multi_concept_log):
    params = fit(multi_concept_log)
    states = {0: None}
    before = predict_correct(params, states, 0)
    after = apply_attempt(params, states, correct=True)
    assert predict_correct(params, after.concepts, 0, totals=after.totals) > before
    assert after.concepts[0].mastery > params.concept(0).bkt.prior


def test_parameters_survive_json(multi_concept_log):
    params = fit(multi_concept_log)
    again = ModelParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again == params
    assert again.fitted_on["attempts"] == len(multi_concept_log)
    with pytest.raises(ValueError):
        ModelParams.from_dict({"model": "other"})


def test_time_decay_is_replayed_offline_like_online(multi_concept_log):
    log = multi_concept_log
    # Days between attempts vary per student, so decay matters; ids are strings (slugs) this time.
    rng = np.random.default_rng(5)
    ts = np.cumsum(rng.exponential(3 * 86400, size=len(log)))
    slugs = {f"p{i}": tuple(f"c{c}" for c in cs) for i, cs in log.item_concepts.items()}
    timed = type(log)(np.array([f"s{u}" for u in log.user]), np.array([f"p{i}" for i in log.item]), log.correct, slugs, ts)
    params = fit(timed)
    states, totals, online = {}, {}, []
    for u, i, y, t in zip(timed.user.tolist(), timed.item.tolist(), timed.correct.tolist(), ts.tolist()):
        concept_states = {c: states.get((u, c)) for c in slugs[i]}
        online.append(predict_correct(params, concept_states, i, totals=totals.get(u), now=t))
        update = apply_attempt(params, concept_states, totals.get(u), correct=bool(y), when=t)
        states.update({(u, c): s for c, s in update.concepts.items()})
        totals[u] = update.totals
    np.testing.assert_allclose(online, predict_log(params, timed), rtol=1e-9, atol=1e-12)
    untimed = predict_log(params, type(log)(timed.user, timed.item, timed.correct, slugs))
    assert np.abs(untimed - np.array(online)).max() > 1e-3  # the decay did change predictions


def test_concepts_unseen_in_fitting_keep_separate_states(multi_concept_log):
    log = multi_concept_log
    only_concept_0 = np.array([log.item_concepts[i] == (0,) for i in log.item.tolist()])
    params = fit(log.subset(only_concept_0))
    assert set(params.concepts) == {0}  # concepts 1 and 2 fall back to the default concept
    np.testing.assert_allclose(_online(params, log), predict_log(params, log), rtol=1e-9, atol=1e-12)


def test_attempts_after_the_worked_solution_replay_the_same_online_and_offline(multi_concept_log):
    """No mastery credit after the solution was seen: the vectorised replay holds P(L) exactly as apply_attempt does."""
    log = multi_concept_log
    params = fit(log)
    seen = np.random.default_rng(5).random(len(log)) < 0.25
    held = type(log)(log.user, log.item, np.where(seen, 0, log.correct).astype(np.int8), log.item_concepts, None, seen)
    states, totals, online = {}, {}, []
    for u, i, y, s in zip(held.user.tolist(), held.item.tolist(), held.correct.tolist(), seen.tolist()):
        cs = {c: states.get((u, c)) for c in held.item_concepts[i]}
        online.append(predict_correct(params, cs, i, totals=totals.get(u)))
        upd = apply_attempt(params, cs, totals.get(u), correct=bool(y), solution_seen=s)
        states.update({(u, c): st for c, st in upd.concepts.items()})
        totals[u] = upd.totals
    offline = predict_log(params, held)
    np.testing.assert_allclose(np.array(online), offline, rtol=1e-9, atol=1e-12)
    plain = type(log)(log.user, log.item, held.correct, log.item_concepts)
    assert not np.allclose(predict_log(params, plain), offline)  # the rule changes the replay


def test_per_problem_guess_and_slip_replay_the_same_online_and_offline(multi_concept_log):
    """With authors' difficulties (per-problem guess/slip in BKT), fitting and the vectorised replay still match the
    row-by-row online update."""
    log = multi_concept_log
    difficulty = {i: (i % 10) / 10 for i in log.item_concepts}
    params = fit(log, author_difficulty=difficulty)
    states, totals, online = {}, {}, []
    for u, i, y in zip(log.user.tolist(), log.item.tolist(), log.correct.tolist()):
        cs = {c: states.get((u, c)) for c in log.item_concepts[i]}
        online.append(predict_correct(params, cs, i, difficulty[i], totals=totals.get(u)))
        upd = apply_attempt(params, cs, totals.get(u), correct=bool(y), author_difficulty=difficulty[i])
        states.update({(u, c): st for c, st in upd.concepts.items()})
        totals[u] = upd.totals
    offline = predict_log(params, log, author_difficulty=difficulty)
    np.testing.assert_allclose(np.array(online), offline, rtol=1e-9, atol=1e-12)
    assert not np.allclose(predict_log(params, log), offline)  # the difficulties change the replay
