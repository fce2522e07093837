"""Explain-back grading: a free-text explanation checked against the author's key points.

Each key point ``{"point": text, "terms": [...]}`` is covered when one of its listed terms occurs in the answer
(case- and accent-insensitive, whole words), or when a sentence of the answer (or the whole answer) is close to the
point in meaning: cosine similarity of all-MiniLM-L6-v2 sentence embeddings (Reimers & Gurevych 2019; see
``tutor/assistant/embeddings.py``) at least :data:`THRESHOLD`. The answer is correct when every point is covered;
the feedback names the missing points, and one probing follow-up question is attached (see
:func:`follow_up_question`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tutor.practice.grading import Grade, InvalidAnswer, normalize_text

Encoder = Callable[[Sequence[str]], "object | None"]  # texts -> unit-norm vectors (n, d) array, or None if unavailable
_encoder: Encoder | None = None


def set_sentence_encoder(encoder: Encoder | None) -> None:
    """Install the sentence encoder used to match key points by meaning (tutor/apps.py wires the assistant's offline
    all-MiniLM-L6-v2 here; practice sits below the assistant, so it is handed the model rather than importing it).
    Without one, key points are matched by their listed terms only."""
    global _encoder
    _encoder = encoder


THRESHOLD = 0.5  # cosine similarity; MiniLM scores close paraphrases of a short technical point ~0.5-0.8, unrelated text < 0.4
MIN_WORDS = 5
MAX_CHARS = 4000


def sentences(text: str) -> list[str]:
    """The answer split into sentences (and clauses joined by ';'), each at least two words long."""
    parts = re.split(r"(?<=[.!?;])\s+|\n+", text.strip())
    return [p.strip() for p in parts if len(p.split()) >= 2]


def _has_term(norm_answer: str, term: str) -> bool:
    t = normalize_text(term)
    return bool(t) and re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", norm_answer) is not None


def covered_points(key_points: list[dict], answer: str) -> list[bool]:
    """For each key point, whether the answer covers it (a listed term, else embedding similarity >= THRESHOLD)."""
    norm = normalize_text(answer)
    hits = [any(_has_term(norm, t) for t in kp.get("terms", [])) for kp in key_points]
    todo = [i for i, h in enumerate(hits) if not h]
    if todo and _encoder is not None:
        segs = sentences(answer) + [answer.strip()]
        vec = _encoder([key_points[i]["point"] for i in todo] + segs)
        if vec is not None:
            points, answer_vecs = vec[: len(todo)], vec[len(todo) :]
            best = (points @ answer_vecs.T).max(axis=1)
            for i, score in zip(todo, best):
                hits[i] = bool(score >= THRESHOLD)
    return hits


def follow_up_question(key: dict, missing: list[str]) -> str:
    """The one probing question the assistant asks after an explanation: the author's ``follow_up`` (a question that
    makes the student use the idea), else a generic probe of the first missing point or of the whole idea."""
    if key.get("follow_up"):
        return key["follow_up"]
    if missing:
        return "Take the first missing point: what would go wrong if it were not true?"
    return "Now suppose the opposite were true: what would you expect to see, and why?"


def grade_explanation(key: dict, answer) -> Grade:
    """Grade one explanation. Raises InvalidAnswer for a non-text, blank, too short (< MIN_WORDS words) or too long
    (> MAX_CHARS characters) answer — nothing is recorded then."""
    if not isinstance(answer, str) or not answer.strip():
        raise InvalidAnswer("write your explanation in a few sentences")
    if len(answer.split()) < MIN_WORDS:
        raise InvalidAnswer(f"write at least {MIN_WORDS} words: explain it as you would to a classmate")
    if len(answer) > MAX_CHARS:
        raise InvalidAnswer(f"keep it under {MAX_CHARS} characters")
    points = key["key_points"]
    hits = covered_points(points, answer)
    missing = [kp["point"] for kp, h in zip(points, hits) if not h]
    n = len(points)
    if not missing:
        feedback = f"Correct: your explanation covers all {n} key point{'s' * (n != 1)}."
    else:
        feedback = f"You covered {n - len(missing)} of {n} key points. Missing:\n" + "\n".join(f"• {m}" for m in missing)
    return Grade(not missing, feedback, answer.strip(), "", tuple(missing), follow_up_question(key, missing))
