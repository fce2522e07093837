"""Diagnostic placement: an adaptive probe that asks the most informative question about the knowledge state.

Model: the student's knowledge state is a *down-set* of the prerequisite DAG (knowing a concept implies knowing
its prerequisites; not knowing one implies not knowing anything that depends on it) — the "knowledge structure" of
Knowledge Space Theory (Doignon & Falmagne 1985, 1999; the basis of ALEKS). The posterior over down-sets is held as
weighted particles (importance sampling over a fixed prior sample): each particle is a DAG-consistent known set drawn
from a mixture of plausible learners (novices, ramp progress with gaps, the closure of a few random concepts, the
whole course). An answer to problem q re-weights every particle by P(answer | particle), with P(correct) = 1 - s_q if
all of q's concepts are in the particle and g_q otherwise (g, s from the knowledge model: ``model.guess_slip``).

Question choice: for each concept, its most discriminating not-yet-asked problem that tests only it and its
ancestors; among these, the one with maximum expected reduction of the summed per-concept entropies of
P(known) (expected information gain on what the result reports), evaluated on the `shortlist` best by mutual
information between the answer and the knowledge state (Lord 1980; Falmagne & Doignon 2011 for adaptive assessment).

Stops when the expected share of correctly classified concepts, mean_c max(P_c, 1 - P_c), reaches `confidence`, or
after `max_questions` (default 10). The state is (seed, settings, answers): `to_dict`/`from_dict` replay it exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any

import numpy as np

from tutor.knowledge.graph import CourseGraph, Problem
from tutor.knowledge.model import guess_slip
from tutor.knowledge.params import ModelParams
from tutor.knowledge.state import StudentConceptState
from tutor.knowledge.statuses import MasteryConfig


def _entropy(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def sample_down_sets(graph: CourseGraph, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, C) boolean matrix of DAG-consistent known sets (columns in graph.index order), from the prior mixture.

    Mixture: 10 % nothing known, 5 % everything, 55 % ramp progress u ~ U(0, 1) with each concept before u known
    with a soft edge and gaps (then closed downward), 30 % the ancestor-closure of 1-4 random concepts.
    """
    c = len(graph.concepts)
    kinds = rng.choice(4, size=n, p=[0.10, 0.05, 0.55, 0.30])
    known = np.zeros((n, c), dtype=bool)
    known[kinds == 1] = True
    ramp = np.array([graph.ramp_rank[s.slug] for s in graph.concepts])
    prog = kinds == 2
    u = rng.uniform(-0.05, 1.05, size=(n, 1))
    p_b = 1.0 / (1.0 + np.exp(-(u - ramp[None, :]) / 0.05))
    b = np.asfortranarray(rng.random((n, c)) < 0.97 * p_b)  # column-major: the closure below walks columns
    idx = graph.index
    for s in graph.topological_order:
        j = idx[s]
        for p in graph.prerequisites(s):
            b[:, j] &= b[:, idx[p]]
    known[prog] = b[prog]
    anc = graph.ancestor_matrix()
    rows = np.flatnonzero(kinds == 3)
    if c and rows.size:
        m = rng.integers(1, 5, size=rows.size)
        picks = rng.integers(0, c, size=(rows.size, 4))
        for slot in range(4):
            r = rows[m > slot]
            pk = picks[m > slot, slot]
            known[r, pk] = True
            known[r] |= anc[pk]
    return known


class Diagnostic:
    """Adaptive placement probe over a CourseGraph (see module docstring).

    max_questions: at most this many probes (default 10).  confidence: stop once the expected share of correctly
    classified concepts reaches it (default 0.95).  n_particles: posterior sample size.  seed: makes the prior sample,
    and so the whole probe, reproducible.  params: the knowledge model that gives each problem's guess/slip
    (default ``ModelParams()``, the cold start).
    """

    def __init__(
        self,
        graph: CourseGraph,
        *,
        max_questions: int = 10,
        confidence: float = 0.95,
        n_particles: int = 2048,
        seed: int = 0,
        params: ModelParams | None = None,
        shortlist: int = 24,
    ) -> None:
        self.graph = graph
        self.max_questions = max_questions
        self.confidence = confidence
        self.n_particles = n_particles
        self.seed = seed
        self.shortlist = shortlist
        self.params = params if params is not None else ModelParams()
        self.particles = sample_down_sets(graph, n_particles, np.random.default_rng(seed))
        self._pf = self.particles.astype(np.float64)
        self.logw = np.zeros(n_particles)
        self.answers: list[tuple[Hashable, bool]] = []
        self._asked: set[Hashable] = set()
        # Probes per concept: problems whose concepts are the concept and some of its ancestors, best first.
        self._probes: list[list[tuple[Problem, float, float]]] = []
        for s in graph.concepts:
            allowed = graph.ancestors(s.slug) | {s.slug}
            cand = []
            for p in graph.problems_by_concept[s.slug]:
                if set(p.concepts) <= allowed:
                    g, sl = self._guess_slip(p)
                    cand.append((p, g, sl))
            cand.sort(key=lambda x: (-(1 - x[1] - x[2]), x[0].difficulty, str(x[0].id)))
            self._probes.append(cand)

    def _guess_slip(self, p: Problem) -> tuple[float, float]:
        return guess_slip(self.params, p.concepts, p.id, p.difficulty)

    # ------------------------------------------------------------------ posterior
    def _weights(self) -> np.ndarray:
        w = np.exp(self.logw - self.logw.max())
        return w / w.sum()

    def _marginal_vector(self) -> np.ndarray:
        return np.einsum("k,kc->c", self._weights(), self._pf, optimize=False)

    def marginals(self) -> dict[str, float]:
        """P(known) in [0, 1] per concept slug under the current posterior."""
        m = self._marginal_vector()
        return {c.slug: float(m[i]) for i, c in enumerate(self.graph.concepts)}

    def expected_accuracy(self) -> float:
        """Expected share of concepts whose known/unknown classification (P >= 0.5) is right, in [0, 1]."""
        if not self.graph.concepts:
            return 1.0
        m = self._marginal_vector()
        return float(np.maximum(m, 1 - m).mean())

    @property
    def finished(self) -> bool:
        """True after max_questions answers, once confident, or when nothing is left to ask."""
        return (
            len(self.answers) >= self.max_questions
            or self.expected_accuracy() >= self.confidence
            or self._candidates()[0].size == 0
        )

    def _knows(self, problem: Problem) -> np.ndarray:
        cols = [self.graph.index[c] for c in problem.concepts]
        return self.particles[:, cols].all(axis=1)

    def answer(self, problem_id: Hashable, correct: bool) -> None:
        """Record the student's answer to a probe (or any problem of the course) and update the posterior."""
        p = self.graph.problem(problem_id)
        g, s = self._guess_slip(p)
        pk = np.where(self._knows(p), 1.0 - s, g)
        lik = pk if correct else 1.0 - pk
        self.logw += np.log(np.clip(lik, 1e-12, None))
        self.answers.append((problem_id, bool(correct)))
        self._asked.add(problem_id)

    # ------------------------------------------------------------------ question choice
    def _candidates(self) -> tuple[np.ndarray, list[Problem], np.ndarray, np.ndarray]:
        cols, probs, gs, ss = [], [], [], []
        for i, cand in enumerate(self._probes):
            for p, g, s in cand:
                if p.id not in self._asked:
                    cols.append(i)
                    probs.append(p)
                    gs.append(g)
                    ss.append(s)
                    break
        return np.array(cols, dtype=int), probs, np.array(gs), np.array(ss)

    def next_question(self) -> Problem | None:
        """The probe with the largest expected information gain, or None when finished.

        Uses that a probe's P(correct | particle) takes two values (1 - s if its concept is known, else g), so the
        mutual information needs only the marginals, and the posterior marginals after an answer need only the
        pairwise joints P(q known, c known) of the shortlisted probes: one (shortlist x K) @ (K x C) product.
        """
        if self.finished:
            return None
        cols, probs, g, s = self._candidates()
        w = self._weights()
        m = np.einsum("k,kc->c", w, self._pf, optimize=False)  # (C,) P(known)
        mq = m[cols]
        b = 1.0 - s - g
        py = g + b * mq  # (Q,) P(correct)
        mi = _entropy(py) - (mq * _entropy(s) + (1.0 - mq) * _entropy(g))
        top = np.argsort(-mi, kind="stable")[: self.shortlist]
        # (S, C): P(probe concept known, c known). einsum, not BLAS: these products are small, and a threaded BLAS
        # on a busy web server can be 10-50x slower than one core.
        joint = np.einsum("ks,kc->sc", self._pf[:, cols[top]] * w[:, None], self._pf, optimize=False)
        gt, bt, pyt = g[top, None], b[top, None], py[top, None]
        post1 = (gt * m[None, :] + bt * joint) / np.maximum(pyt, 1e-12)
        post0 = ((1.0 - gt) * m[None, :] - bt * joint) / np.maximum(1.0 - pyt, 1e-12)
        expected_h = py[top] * _entropy(post1).sum(axis=1) + (1.0 - py[top]) * _entropy(post0).sum(axis=1)
        return probs[int(top[int(np.argmin(expected_h))])]

    # ------------------------------------------------------------------ result and persistence
    def result(
        self, now: datetime | float, config: MasteryConfig = MasteryConfig(), floor: float = 0.01
    ) -> dict[str, StudentConceptState]:
        """Initial knowledge state: P(L) = P(known) clipped to [floor, 1 - floor] for every concept, no attempts.

        Concepts placed as mastered (P(L) >= mastery_threshold) are marked ``placed`` (the placement is their
        evidence) and start their forgetting clock at `now`.
        """
        out = {}
        for slug, m in self.marginals().items():
            m = min(1 - floor, max(floor, m))
            placed = m >= config.mastery_threshold
            out[slug] = StudentConceptState(mastery=m, last_practised=now if placed else None, placed=placed)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state (problem ids must be JSON values)."""
        return {
            "version": 1,
            "seed": self.seed,
            "n_particles": self.n_particles,
            "max_questions": self.max_questions,
            "confidence": self.confidence,
            "shortlist": self.shortlist,
            "answers": [[pid, correct] for pid, correct in self.answers],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], graph: CourseGraph, params: ModelParams | None = None) -> Diagnostic:
        """Rebuild a diagnostic from `to_dict()` output on the same graph (replays the answers)."""
        d = cls(
            graph,
            max_questions=int(data["max_questions"]),
            confidence=float(data["confidence"]),
            n_particles=int(data["n_particles"]),
            seed=int(data["seed"]),
            params=params,
            shortlist=int(data.get("shortlist", 24)),
        )
        for pid, correct in data["answers"]:
            d.answer(pid, bool(correct))
        return d
