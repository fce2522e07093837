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


# ---------------------------------------------------------------------------------------- course graphs (policy, diagnostic)
LLM101N = REPO_ROOT / "courses" / "packages" / "llm101n"


def llm101n_graph():
    """The real LLM101n concept DAG and problems, straight from its package (no database)."""
    from courses.package import load_package
    from tutor.knowledge.graph import CourseGraph

    pkg = load_package(LLM101N)
    concepts = [{"slug": c.slug, "name": c.name, "ramp": i, "prerequisites": c.prerequisites} for i, c in enumerate(pkg.concepts)]
    problems = [{"id": p.slug, "concepts": p.concepts, "difficulty": p.difficulty, "ramp": i} for i, p in enumerate(pkg.problems)]
    return CourseGraph.from_records(concepts=concepts, problems=problems)


@pytest.fixture(scope="session", params=["synthetic-80", "llm101n"])
def course_graph(request):
    """The course every simulator test runs on, twice: a synthetic ramp-shaped DAG of 80 concepts (4-8 problems each,
    trivial to hard) and the real LLM101n package (a few concepts with one problem, only practised inside a
    dependent's problems, or with no problem at all)."""
    from tutor.knowledge.synthetic import synthetic_course

    return synthetic_course(80, seed=1) if request.param == "synthetic-80" else llm101n_graph()
