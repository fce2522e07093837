"""An attempt log as numpy arrays, the input of offline fitting and evaluation.

One row per graded first attempt, in time order within each student. ``correct`` is the *clean* outcome used
for knowledge tracing: correct on the first try without a hint (ASSISTments' and OATutor's convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class AttemptLog:
    """Attempts as parallel arrays.

    user: (N,) student ids (any hashable numpy dtype: ints or strings).
    item: (N,) problem ids.
    correct: (N,) int8 in {0, 1}, clean first-attempt correctness.
    item_concepts: dict item id -> tuple of concept ids (the Q-matrix; at least one concept per item).
    timestamp: (N,) float seconds, or None when unknown (ASSISTments 2009 has none).
    solution_seen: (N,) bool, the attempt came after the worked solution was revealed (no mastery credit;
        ``correct`` must then be 0), or None when no row did.
    Rows must be in time order within each user (users may interleave).
    """

    user: np.ndarray
    item: np.ndarray
    correct: np.ndarray
    item_concepts: dict
    timestamp: np.ndarray | None = None
    solution_seen: np.ndarray | None = None

    def __post_init__(self):
        n = len(self.user)
        if len(self.item) != n or len(self.correct) != n:
            raise ValueError("user, item and correct must have the same length")
        if self.timestamp is not None and len(self.timestamp) != n:
            raise ValueError("timestamp must have one entry per row")
        if self.solution_seen is not None and len(self.solution_seen) != n:
            raise ValueError("solution_seen must have one entry per row")

    def __len__(self) -> int:
        return len(self.user)

    @classmethod
    def with_clean(cls, user, item, correct, clean, item_concepts, timestamp=None, solution_seen=None) -> AttemptLog:
        """Build a log where a correct answer counts only if ``clean`` (no hint before it) and not after the
        worked solution (``solution_seen``, optional (N,) bool)."""
        eff = np.asarray(correct).astype(bool) & np.asarray(clean).astype(bool)
        seen = None
        if solution_seen is not None:
            seen = np.asarray(solution_seen).astype(bool)
            eff &= ~seen
            seen = seen if seen.any() else None
        return cls(np.asarray(user), np.asarray(item), eff.astype(np.int8), item_concepts, timestamp, seen)

    def concept_rows(self):
        """Expand rows to (row, concept) pairs.

        Returns (row, concept): two (M,) arrays; row indexes this log, concept is the concept id; pairs are in
        row order, and each row's concepts in the order of ``item_concepts``.
        """
        counts = np.fromiter((len(self.item_concepts[i]) for i in self.item.tolist()), dtype=np.int64, count=len(self.item))
        if len(counts) and counts.min() < 1:
            raise ValueError("every item needs at least one concept")
        rows = np.repeat(np.arange(len(self.item)), counts)
        concepts = np.array([c for i in self.item.tolist() for c in self.item_concepts[i]])
        return rows, concepts

    def subset(self, mask: np.ndarray) -> AttemptLog:
        ts = None if self.timestamp is None else self.timestamp[mask]
        seen = None if self.solution_seen is None else self.solution_seen[mask]
        return AttemptLog(self.user[mask], self.item[mask], self.correct[mask], self.item_concepts, ts, seen)


def q_matrix_concepts(q_matrix) -> dict:
    """Item -> tuple of concept indices from a (n_items, n_concepts) scipy.sparse or dense 0/1 Q-matrix."""
    import scipy.sparse as sp

    q = sp.csr_matrix(q_matrix)
    return {i: tuple(int(c) for c in q.indices[q.indptr[i] : q.indptr[i + 1]]) for i in range(q.shape[0])}


def load_gervet_tsv(path: str | Path, q_matrix_path: str | Path | None = None) -> AttemptLog:
    """Load a Gervet et al. (2020) preprocessed file (tab-separated: user_id item_id timestamp correct skill_id).

    With ``q_matrix_path`` (a scipy.sparse .npz, items x skills) concepts are the Q-matrix skills (an item may
    have several); without it each item's single concept is its ``skill_id`` (a skill-set id).
    Timestamps of 0 everywhere (ASSISTments 2009) are returned as None.
    Raises ValueError on a malformed header.
    """
    path = Path(path)
    with path.open() as fh:
        header = fh.readline().split()
    expected = ["user_id", "item_id", "timestamp", "correct", "skill_id"]
    if header != expected:
        raise ValueError(f"{path}: expected header {expected}, got {header}")
    data = np.loadtxt(path, dtype=np.int64, delimiter="\t", skiprows=1, ndmin=2)
    user, item, ts, correct, skill = data.T
    if q_matrix_path is not None:
        import scipy.sparse as sp

        concepts = q_matrix_concepts(sp.load_npz(q_matrix_path))
    else:
        concepts = {}
        for i, s in zip(item.tolist(), skill.tolist()):
            concepts.setdefault(i, (s,))
    timestamp = ts.astype(np.float64) if ts.any() else None
    return AttemptLog(user, item, correct.astype(np.int8), concepts, timestamp)
