"""Retrieval quality: recall@k of a retriever on questions labelled with the step(s) that answer them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import yaml

QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "ta_retrieval_questions.yaml"


@dataclass(frozen=True)
class Question:
    text: str
    expected: tuple[str, ...]  # step slugs


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    return [Question(q["q"], tuple(q["expected"])) for q in yaml.safe_load(path.read_text())]


def recall_at_k(index, questions: list[Question], *, method: str, k: int = 3, visible=None) -> dict:
    """Share of questions with an expected step among the top ``k`` chunks (in [0, 1]), the mean reciprocal rank of
    the first right step over those k, the misses, and the median query time in ms."""
    found, rr, misses, times = 0, 0.0, [], []
    for q in questions:
        t = time.perf_counter()
        result = index.search(q.text, k=k, method=method, visible=visible, per_step=k)
        times.append(time.perf_counter() - t)
        slugs = [h.chunk.step_slug for h in result.hits]
        rank = next((i + 1 for i, s in enumerate(slugs) if s in q.expected), None)
        if rank:
            found += 1
            rr += 1 / rank
        else:
            misses.append({"q": q.text, "expected": list(q.expected), "got": slugs})
    n = len(questions) or 1
    times.sort()
    return {
        "recall": round(found / n, 3),
        "mrr": round(rr / n, 3),
        "misses": misses,
        "median_query_ms": round(1000 * times[len(times) // 2], 2) if times else None,
    }
