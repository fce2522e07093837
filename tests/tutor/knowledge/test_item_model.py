"""Per-problem difficulty: cold start from the author's difficulty, shrinkage toward it, Elo-style updates."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.knowledge.attempt_log import AttemptLog
from tutor.knowledge.fit import fit
from tutor.knowledge.model import author_difficulty_logit, item_difficulty, predict_correct, update_item
from tutor.knowledge.params import ModelParams


def test_author_difficulty_maps_to_logit():
    assert author_difficulty_logit(0.5) == pytest.approx(0.0)
    assert author_difficulty_logit(0.8) == pytest.approx(np.log(4))
    assert author_difficulty_logit(None) == 0.0
    with pytest.raises(ValueError):
        author_difficulty_logit(1.5)


def test_unseen_problem_follows_author_difficulty(multi_concept_log):
    params = fit(multi_concept_log)
    states = {0: None}
    easy = predict_correct(params, states, "new-problem", 0.2)
    average = predict_correct(params, states, "new-problem", 0.5)
    hard = predict_correct(params, states, "new-problem", 0.9)
    assert easy > average > hard
    assert item_difficulty(params, "new-problem", 0.9) == pytest.approx(author_difficulty_logit(0.9))


def test_difficulty_is_shrunk_toward_author_prior_with_few_attempts():
    # 200 students answer item 0 (author: easy), 60 %/40 % overall; item 1 seen twice, both wrong.
    rng = np.random.default_rng(3)
    users, items, correct = [], [], []
    for u in range(200):
        users.append(u), items.append(0), correct.append(int(rng.random() < 0.7))
        users.append(u), items.append(2), correct.append(int(rng.random() < 0.5))
    for u in range(2):
        users.append(u), items.append(1), correct.append(0)
    order = np.argsort(users, kind="stable")
    log = AttemptLog(
        np.array(users)[order], np.array(items)[order], np.array(correct, np.int8)[order], {0: ("a",), 1: ("a",), 2: ("a",)}
    )
    author = {0: 0.3, 1: 0.3, 2: 0.5}
    params = fit(log, author_difficulty=author)
    # Few data: item 1 stays close to its prior despite 0/2 correct; the data size is recorded.
    assert params.items[1].n_attempts == 2
    assert abs(params.items[1].difficulty - author_difficulty_logit(0.3)) < 1.0
    # More data on item 1 (all wrong) pushes it well above its prior.
    many = AttemptLog(
        np.r_[log.user, np.arange(300, 400)],
        np.r_[log.item, np.ones(100, int)],
        np.r_[log.correct, np.zeros(100, np.int8)],
        log.item_concepts,
    )
    params_many = fit(many, author_difficulty=author)
    assert params_many.items[1].difficulty > params.items[1].difficulty + 1.0


def test_elo_update_moves_less_as_data_accumulates():
    params = ModelParams(item_penalty=1.0)
    first = update_item(params, "p", predicted=0.8, correct=False, author_difficulty=0.5)
    assert first.difficulty > 0 and first.n_attempts == 1
    seasoned = ModelParams(item_penalty=1.0, items={"p": type(first)(0.0, 500)})
    later = update_item(seasoned, "p", predicted=0.8, correct=False)
    assert 0 < later.difficulty < first.difficulty / 10
    # A correct answer after a hint is not clean: same update as a wrong answer.
    assert update_item(params, "p", predicted=0.8, correct=True, clean=False) == first
