"""Okapi BM25 ranking over chunks (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and
Beyond"), pure Python + NumPy: the lexical retriever that works on every database."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from tutor.assistant.text import terms


class BM25:
    """BM25 with the usual k1 = 1.2, b = 0.75 and the non-negative IDF log(1 + (N - n + 0.5) / (n + 0.5))."""

    def __init__(self, documents: list[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n_docs = len(documents)
        self._tf: list[Counter] = [Counter(terms(d)) for d in documents]
        self._len = np.array([sum(tf.values()) for tf in self._tf], dtype=np.float64)
        self._avg = float(self._len.mean()) if self.n_docs else 0.0
        df: Counter = Counter()
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, tf in enumerate(self._tf):
            for term, count in tf.items():
                df[term] += 1
                self._postings.setdefault(term, []).append((i, count))
        self.idf = {t: math.log(1 + (self.n_docs - n + 0.5) / (n + 0.5)) for t, n in df.items()}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (shape (n_docs,), ≥ 0)."""
        out = np.zeros(self.n_docs)
        if not self.n_docs:
            return out
        norm = self.k1 * (1 - self.b + self.b * self._len / (self._avg or 1.0))
        for term, qcount in Counter(terms(query)).items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc, tf in self._postings[term]:
                out[doc] += idf * tf * (self.k1 + 1) / (tf + norm[doc])
        return out

    def coverage(self, query: str, doc: int) -> float:
        """IDF-weighted share of the query's known-or-unknown terms that occur in document ``doc``, in [0, 1]
        (unknown terms weigh as the rarest known term): the "did we find anything relevant" signal."""
        qterms = set(terms(query))
        if not qterms or not self.n_docs:
            return 0.0
        rare = max(self.idf.values(), default=1.0)
        total = sum(self.idf.get(t, rare) for t in qterms)
        hit = sum(self.idf[t] for t in qterms if t in self._tf[doc])
        return hit / total if total else 0.0
