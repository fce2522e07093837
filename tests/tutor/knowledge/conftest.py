"""Fixtures for the knowledge-tracing tests: simulated BKT students and the shared research data folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tutor.knowledge.attempt_log import AttemptLog

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def simulate_bkt(rng, n_students, n_steps, prior, learn, guess, slip, forget=0.0):
    """(n_students, n_steps) 0/1 responses of students following BKT dynamics."""
    known = rng.random(n_students) < prior
    out = np.empty((n_students, n_steps), dtype=np.int8)
    for t in range(n_steps):
        out[:, t] = np.where(known, rng.random(n_students) > slip, rng.random(n_students) < guess)
        known = np.where(known, rng.random(n_students) > forget, rng.random(n_students) < learn)
    return out


@pytest.fixture
def simulate():
    """The BKT student simulator ``simulate_bkt(rng, n_students, n_steps, prior, learn, guess, slip, forget)``."""
    return simulate_bkt


@pytest.fixture
def shared_data() -> Path:
    """../shared/data beside the repository root; tests using it are skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} not found")
    return SHARED_DATA


@pytest.fixture
def multi_concept_log():
    """A small log with interleaved students, 3 concepts and some two-concept items, in time order."""
    rng = np.random.default_rng(7)
    item_concepts = {i: (i % 3,) for i in range(30)}
    item_concepts.update({30 + i: (i % 3, (i + 1) % 3) for i in range(6)})
    users, items, correct = [], [], []
    ability = rng.normal(size=40)
    for step in range(25):
        for u in range(40):
            if rng.random() < 0.8:
                it = int(rng.integers(0, 36))
                p = 1 / (1 + np.exp(-(ability[u] + 0.08 * step - 0.03 * it)))
                users.append(u)
                items.append(it)
                correct.append(int(rng.random() < p))
    return AttemptLog(np.array(users), np.array(items), np.array(correct, dtype=np.int8), item_concepts)
