"""Time forgetting of mastery for spaced review: exponential decay with a practice-dependent half-life."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tutor.knowledge.model import apply_attempt, decayed_mastery, predict_correct
from tutor.knowledge.params import ModelParams
from tutor.knowledge.state import DecayParams, StudentConceptState

T0 = datetime(2026, 1, 1, 12, 0)
PARAMS = ModelParams(decay=DecayParams(half_life_days=7.0, growth=0.5))


def test_mastery_halves_after_one_half_life():
    st = StudentConceptState(mastery=0.9, last_practised=T0)
    assert decayed_mastery(st, PARAMS, T0) == pytest.approx(0.9)
    assert decayed_mastery(st, PARAMS, T0 + timedelta(days=7)) == pytest.approx(0.45)
    assert decayed_mastery(st, PARAMS, None) == 0.9


def test_successful_practice_slows_forgetting():
    novice = StudentConceptState(mastery=0.9, n_correct=0, last_practised=T0)
    practised = StudentConceptState(mastery=0.9, n_correct=6, last_practised=T0)
    later = T0 + timedelta(days=14)
    assert decayed_mastery(practised, PARAMS, later) > decayed_mastery(novice, PARAMS, later)


def test_prediction_drops_with_time_and_update_starts_from_decayed_mastery():
    st = StudentConceptState(mastery=0.95, n_correct=3, last_practised=T0.timestamp())
    now = (T0 + timedelta(days=30)).timestamp()
    assert predict_correct(PARAMS, {"c": st}, "p", now=now) < predict_correct(PARAMS, {"c": st}, "p")
    fresh = apply_attempt(PARAMS, {"c": st}, correct=False, when=T0.timestamp()).concepts["c"]
    stale = apply_attempt(PARAMS, {"c": st}, correct=False, when=now).concepts["c"]
    assert stale.mastery < fresh.mastery
    assert stale.last_practised == now
