"""Bridge between the database and the pure tutor engine: the course graph, per-student knowledge states, predictor.

The course graph is built from ``courses.api`` and cached in-process for ``GRAPH_TTL`` seconds (course content changes
only on import). Knowledge states are rows of :class:`tutor.models.KnowledgeState`, loaded and saved per student.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from django.conf import settings

from courses import api as courses
from tutor.engine.graph import Concept, CourseGraph, Problem
from tutor.engine.predict import DifficultyBKT
from tutor.engine.state import ConceptKnowledge, KnowledgeConfig
from tutor.knowledge.bkt import BKTParams

from .models import KnowledgeModelFit, KnowledgeState

GRAPH_TTL = 30.0
_lock = threading.Lock()
_graphs: dict[int, tuple[float, CourseGraph, dict[str, int]]] = {}


def knowledge_config() -> KnowledgeConfig:
    return KnowledgeConfig(mastery_threshold=settings.TUTOR_MASTERY_THRESHOLD)


def course_graph(course_id: int) -> tuple[CourseGraph, dict[str, int]]:
    """(CourseGraph of the course's active concepts and problems, concept slug -> concept id). Cached briefly."""
    now = time.monotonic()
    with _lock:
        hit = _graphs.get(course_id)
        if hit and now - hit[0] < GRAPH_TTL:
            return hit[1], hit[2]
    infos = courses.concept_graph(course_id)
    concepts = [Concept(c.slug, c.name, float(c.position), c.prerequisite_slugs) for c in infos]
    problems = [Problem(p.id, p.concept_slugs, p.difficulty, float(p.position)) for p in courses.course_problems(course_id)]
    graph = CourseGraph(concepts, problems)
    ids = {c.slug: c.id for c in infos}
    with _lock:
        _graphs[course_id] = (now, graph, ids)
    return graph, ids


def forget_graph(course_id: int | None = None) -> None:
    """Drop cached graphs (all, or one course's) — after an import in the same process."""
    with _lock:
        if course_id is None:
            _graphs.clear()
        else:
            _graphs.pop(course_id, None)


def predictor(course_id: int) -> DifficultyBKT:
    """P(correct) model of the course: conjunctive BKT with per-concept fitted parameters when a fit exists."""
    fit = KnowledgeModelFit.objects.filter(course_id=course_id).order_by("-created_at").only("params").first()
    params = {}
    if fit:
        params = {slug: BKTParams(**p) for slug, p in fit.params.get("bkt", {}).items()}
    return DifficultyBKT(params)


def prior(pred: DifficultyBKT, slug: str) -> float:
    return pred.concept_params(slug).prior


def load_states(user, course_id: int, slugs: Iterable[str] | None = None) -> dict[str, ConceptKnowledge]:
    """The student's stored knowledge, by concept slug (concepts never practised are absent)."""
    qs = KnowledgeState.objects.filter(user=user, course_id=course_id).select_related("concept")
    if slugs is not None:
        qs = qs.filter(concept__slug__in=list(slugs))
    return {
        ks.concept.slug: ConceptKnowledge(
            mastery=ks.mastery, last_practised=ks.last_practised_at.timestamp() if ks.last_practised_at else None,
            half_life_days=ks.half_life_days, attempts=ks.attempts, correct=ks.correct, reviews=ks.reviews,
        )
        for ks in qs
    }


def save_states(user, course_id: int, states: dict[str, ConceptKnowledge], slugs: Iterable[str], concept_ids: dict[str, int]) -> None:
    """Upsert the rows of ``slugs`` from ``states`` (one statement)."""
    from datetime import datetime, timezone

    rows = []
    for slug in slugs:
        k = states[slug]
        rows.append(KnowledgeState(
            user=user, course_id=course_id, concept_id=concept_ids[slug], mastery=min(1.0, max(0.0, k.mastery)),
            last_practised_at=datetime.fromtimestamp(k.last_practised, tz=timezone.utc) if k.last_practised is not None else None,
            half_life_days=k.half_life_days, attempts=k.attempts, correct=k.correct, reviews=k.reviews,
        ))
    KnowledgeState.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "concept"],
        update_fields=["mastery", "last_practised_at", "half_life_days", "attempts", "correct", "reviews", "updated_at"],
    )
