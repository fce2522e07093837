"""Per-course retrieval index (chunks + BM25 + sentence vectors), built on first use and cached in the process.

Retrievers (setting TA_RETRIEVER): ``bm25`` (lexical, any database), ``postgres`` (PostgreSQL full-text ranking),
``embedding`` (all-MiniLM-L6-v2 cosine), ``hybrid`` (reciprocal rank fusion of BM25 and embedding ranks, k = 60;
Cormack, Clarke & Büttcher 2009), ``auto`` (embedding when the package is installed, else bm25).

The cache entry is rebuilt when the course outline or the set of endorsed answers changes, or after TA_INDEX_TTL_S
seconds (edits inside a step); vectors come from the database cache, so a rebuild only embeds new text.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings

from courses import api as courses
from tutor.assistant import embeddings, lexical, pgsearch
from tutor.assistant.chunks import Chunk, course_chunks

log = logging.getLogger(__name__)
RRF_K = 60
METHODS = ("bm25", "postgres", "embedding", "hybrid")


def configured_method() -> str:
    """The retriever to use: TA_RETRIEVER, with ``auto`` → ``embedding`` when the embedding package is installed
    (it measured best, docs/ta.md), else ``bm25``. An index whose vectors are not ready yet answers with bm25."""
    method = getattr(settings, "TA_RETRIEVER", "auto") or "auto"
    if method == "auto":
        return "embedding" if embeddings.available() else "bm25"
    if method not in METHODS:
        raise ValueError(f"TA_RETRIEVER={method!r}; expected auto or one of {METHODS}")
    return method


@dataclass
class Hit:
    chunk: Chunk
    score: float
    similarity: float | None = None  # cosine, when vectors exist
    coverage: float = 0.0  # IDF-weighted share of the question's terms found in the chunk


@dataclass
class SearchResult:
    hits: list[Hit]
    relevant: bool
    method: str
    best_similarity: float | None = None
    best_coverage: float = 0.0


@dataclass
class CourseIndex:
    course: courses.CourseInfo
    chunks: list[Chunk]
    bm25: lexical.BM25
    vectors: np.ndarray | None = None
    signature: tuple = ()
    built_at: float = field(default_factory=time.monotonic)

    def _ranks(self, query: str, method: str) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """(fused score per chunk, cosine per chunk or None, bm25 per chunk)."""
        bm = self.bm25.scores(query)
        sims = None
        if self.vectors is not None and method in ("embedding", "hybrid"):
            sims = self.vectors @ embeddings.encode([query])[0]
        if method == "bm25" or (sims is None and method != "postgres"):
            return bm, sims, bm
        if method == "postgres":
            return pgsearch.scores([c.text for c in self.chunks], query), sims, bm
        if method == "embedding":
            return sims, sims, bm
        fused = np.zeros(len(self.chunks))
        for scores in (bm, sims):
            order = np.argsort(-scores, kind="stable")
            ranks = np.empty(len(order))
            ranks[order] = np.arange(1, len(order) + 1)
            fused += 1.0 / (RRF_K + ranks)
        fused[(bm <= 0) & (sims < _min_similarity())] = 0.0
        return fused, sims, bm

    def search(
        self,
        query: str,
        *,
        k: int = 4,
        method: str | None = None,
        visible=None,
        per_step: int = 2,
        kinds: tuple[str, ...] | None = None,
    ) -> SearchResult:
        """The ``k`` best chunks for ``query`` that ``visible(chunk)`` allows, at most ``per_step`` from one step.

        ``relevant`` is False when nothing clears the relevance bar: cosine ≥ TA_MIN_SIMILARITY when vectors are
        used, else a BM25 hit covering ≥ TA_MIN_COVERAGE of the question's IDF weight.
        """
        method = method or configured_method()
        if method in ("embedding", "hybrid") and self.vectors is None:
            method = "bm25"
        scores, sims, _ = self._ranks(query, method)
        hits: list[Hit] = []
        per: dict[int, int] = {}
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] <= 0 or len(hits) >= k:
                break
            c = self.chunks[i]
            if (visible and not visible(c)) or (kinds and c.kind not in kinds) or per.get(c.step_id, 0) >= per_step:
                continue
            per[c.step_id] = per.get(c.step_id, 0) + 1
            sim = None if sims is None else float(sims[i])
            hits.append(Hit(c, float(scores[i]), sim, self.bm25.coverage(query, int(i))))
        best_sim = max((h.similarity for h in hits if h.similarity is not None), default=None)
        best_cov = max((h.coverage for h in hits), default=0.0)
        if sims is not None:
            relevant = best_sim is not None and best_sim >= _min_similarity()
        else:
            relevant = best_cov >= _min_coverage()
        return SearchResult(hits, relevant, method, best_sim, best_cov)


def _min_similarity() -> float:
    return float(getattr(settings, "TA_MIN_SIMILARITY", 0.35))


def _min_coverage() -> float:
    return float(getattr(settings, "TA_MIN_COVERAGE", 0.35))


# --------------------------------------------------------------------------------------------------- cache
_cache: dict[int, CourseIndex] = {}
_embedding: set[int] = set()  # courses whose vectors a background thread is computing
_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()


def _signature(course_id: int) -> tuple:
    from tutor.conversations import api as conversations

    outline = courses.course_outline(course_id)
    return (
        tuple((s.id, s.position, s.problem_ids) for m in outline for s in m.steps),
        conversations.endorsed_signature(course_id),
    )


def build(course: courses.CourseInfo, *, vectors: bool | None = None) -> CourseIndex:
    """Build the index of a course now (reads the content; embeds what the database cache lacks: for a whole
    course on two CPU cores that is minutes the first time, then milliseconds)."""
    from tutor.conversations import api as conversations

    chunks = course_chunks(course, conversations.endorsed_answers(course.id))
    bm = lexical.BM25([c.text for c in chunks])
    if vectors is None:
        vectors = _wants_vectors()
    vecs = embeddings.cached_encode([c.text for c in chunks]) if vectors and chunks else None
    return CourseIndex(course, chunks, bm, vecs, _signature(course.id))


def _wants_vectors() -> bool:
    return configured_method() in ("embedding", "hybrid") and embeddings.available()


def _embed_later(course_id: int, idx: CourseIndex) -> None:
    """Background thread: fill ``idx.vectors`` (until then the index answers with BM25)."""
    from django.db import connection

    try:
        idx.vectors = embeddings.cached_encode([c.text for c in idx.chunks])
    except Exception:  # pragma: no cover - logged; BM25 keeps answering
        log.exception("embedding the TA index of course %s failed", course_id)
    finally:
        _embedding.discard(course_id)
        connection.close()


def get_index(course_id: int) -> CourseIndex | None:
    """The cached index of a course (built or rebuilt if stale); None if the course does not exist. Sync (ORM).

    With TA_EMBED_IN_BACKGROUND (default on), sentence vectors missing from the database cache are computed in a
    background thread and the index answers with BM25 meanwhile; off, the first call waits for them.
    """
    course = courses.get_course_by_id(course_id)
    if course is None:
        return None
    ttl = float(getattr(settings, "TA_INDEX_TTL_S", 300))
    with _guard:
        lock = _locks.setdefault(course_id, threading.Lock())
    with lock:
        idx = _cache.get(course_id)
        want = _wants_vectors()
        if idx is None or time.monotonic() - idx.built_at > ttl or idx.signature != _signature(course_id):
            background = want and getattr(settings, "TA_EMBED_IN_BACKGROUND", True)
            idx = build(course, vectors=want and not background)
            if background:
                _start_embedding(course_id, idx)
            _cache[course_id] = idx
        elif want and idx.vectors is None:
            _start_embedding(course_id, idx)
        return idx


def _start_embedding(course_id: int, idx: CourseIndex) -> None:
    if course_id in _embedding or not idx.chunks:
        return
    _embedding.add(course_id)
    threading.Thread(target=_embed_later, args=(course_id, idx), daemon=True, name=f"ta-embed-{course_id}").start()


def warm(course_id: int) -> CourseIndex | None:
    """Build a course's index with its vectors now (e.g. after importing a course, or at deploy time)."""
    course = courses.get_course_by_id(course_id)
    if course is None:
        return None
    idx = build(course)
    with _guard:
        _cache[course_id] = idx
    return idx


def invalidate(course_id: int | None = None) -> None:
    """Forget the cached index of one course (or all): the next question rebuilds it."""
    with _guard:
        if course_id is None:
            _cache.clear()
        else:
            _cache.pop(course_id, None)
