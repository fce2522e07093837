"""Bridge between the database and the pure tutor engine: the course graph, per-student knowledge states, predictor.

The course graph (with the problems as students see them and the fitted predictor) is built from ``courses.api`` and
cached in-process for ``GRAPH_TTL`` seconds; an import (``courses.signals.course_imported``) or a new fit drops it.
Knowledge states are rows of :class:`tutor.models.KnowledgeState`, loaded and saved per student.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

from courses import api as courses
from tutor.engine.graph import Concept, CourseGraph, Problem
from tutor.engine.predict import DifficultyBKT
from tutor.engine.state import ConceptKnowledge, KnowledgeConfig
from tutor.knowledge.bkt import BKTParams
from tutor.practice.models import KnowledgeModelFit, KnowledgeState

GRAPH_TTL = 30.0


@dataclass(frozen=True)
class CourseModel:
    """Everything the tutor needs about one course, read once: the course, its concepts (ramp order), the DAG, problems,
    concept ids, the predictor."""

    course: courses.CourseInfo
    concepts: tuple[courses.ConceptInfo, ...]
    graph: CourseGraph
    concept_ids: dict[str, int]
    concept_slugs: dict[int, str]
    problems: dict[int, courses.ProblemInfo]
    predictor: DifficultyBKT
    placement_graph: CourseGraph | None = None  # the graph without code exercises: placement asks quick questions


_lock = threading.Lock()
_models: dict[int, tuple[float, CourseModel]] = {}


def knowledge_config() -> KnowledgeConfig:
    return KnowledgeConfig(mastery_threshold=settings.TUTOR_MASTERY_THRESHOLD)


def _latest_fit(course_id: int) -> dict:
    fit = KnowledgeModelFit.objects.filter(course_id=course_id).order_by("-created_at").values_list("params", flat=True).first()
    return fit or {}


def course_model(course_id: int) -> CourseModel:
    """The cached :class:`CourseModel` of a course (built with 5 queries when missing or older than GRAPH_TTL)."""
    now = time.monotonic()
    with _lock:
        hit = _models.get(course_id)
        if hit and now - hit[0] < GRAPH_TTL:
            return hit[1]
    infos = courses.concept_graph(course_id)
    problem_infos = courses.course_problems(course_id)
    fitted = _latest_fit(course_id)
    refined = fitted.get("difficulty", {})  # data-refined difficulty per problem; the author's is the cold start
    concepts = [Concept(c.slug, c.name, float(c.position), c.prerequisite_slugs) for c in infos]
    problems = [Problem(p.id, p.concept_slugs, refined.get(str(p.id), p.difficulty), float(p.position)) for p in problem_infos]
    graph = CourseGraph(concepts, problems)
    quick = [pr for pr, info in zip(problems, problem_infos) if info.kind != "code"]
    placement_graph = graph if len(quick) == len(problems) else CourseGraph(concepts, quick)
    predictor = DifficultyBKT({slug: BKTParams(**p) for slug, p in fitted.get("bkt", {}).items()})
    model = CourseModel(
        courses.get_course_by_id(course_id),
        tuple(infos),
        graph,
        {c.slug: c.id for c in infos},
        {c.id: c.slug for c in infos},
        {p.id: p for p in problem_infos},
        predictor,
        placement_graph,
    )
    with _lock:
        _models[course_id] = (now, model)
    return model


def placement_graph(course_id: int) -> CourseGraph:
    """The course graph without code exercises, for the placement probe (a quick answer per question); cached."""
    m = course_model(course_id)
    return m.placement_graph or m.graph


def course_graph(course_id: int) -> tuple[CourseGraph, dict[str, int]]:
    """(CourseGraph, concept slug -> concept id) of the course; cached."""
    m = course_model(course_id)
    return m.graph, m.concept_ids


def predictor(course_id: int) -> DifficultyBKT:
    """P(correct) model of the course: conjunctive BKT with per-concept fitted parameters when a fit exists; cached."""
    return course_model(course_id).predictor


def forget_graph(course_id: int | None = None) -> None:
    """Drop cached course models (all, or one course's)."""
    with _lock:
        if course_id is None:
            _models.clear()
        else:
            _models.pop(course_id, None)


def prior(pred: DifficultyBKT, slug: str) -> float:
    return pred.concept_params(slug).prior


_FIELDS = ("concept_id", "mastery", "last_practised_at", "half_life_days", "attempts", "correct", "reviews")


_STATES_SQL: tuple[str, tuple[str, ...]] | None = None
_USER, _COURSE = -7001, -7002  # sentinels that tell the compiled parameters apart


def _states_sql() -> tuple[str, tuple[str, ...]]:
    """(SQL, parameter names in order) of the SELECT of one student's knowledge rows, compiled once by the ORM —
    this read is on every practice request."""
    global _STATES_SQL
    if _STATES_SQL is None:
        qs = KnowledgeState.objects.filter(user_id=_USER, course_id=_COURSE).values_list(*_FIELDS)
        sql, params = qs.query.sql_with_params()
        _STATES_SQL = (sql, tuple("user" if p == _USER else "course" for p in params))
    return _STATES_SQL


def load_states(user, course_id: int, slugs: Iterable[str] | None = None) -> dict[str, ConceptKnowledge]:
    """The student's stored knowledge, by concept slug (concepts never practised are absent). One query."""
    m = course_model(course_id)
    if slugs is None:
        sql, names = _states_sql()
        with connection.cursor() as cur:
            cur.execute(sql, [user.pk if n == "user" else course_id for n in names])
            rows = cur.fetchall()
    else:
        ids = [m.concept_ids[s] for s in slugs if s in m.concept_ids]
        rows = KnowledgeState.objects.filter(user=user, course_id=course_id, concept_id__in=ids).values_list(*_FIELDS)
    out = {}
    for cid, mastery, last, half, attempts, correct, reviews in rows:
        slug = m.concept_slugs.get(cid)
        if slug is not None:
            if last is not None and not isinstance(last, datetime):  # SQLite returns text through a raw cursor
                last = datetime.fromisoformat(last)
            out[slug] = ConceptKnowledge(mastery, last.timestamp() if last else None, half, attempts, correct, reviews)
    return out


def save_states(
    user, course_id: int, states: dict[str, ConceptKnowledge], slugs: Iterable[str], concept_ids: dict[str, int]
) -> None:
    """Upsert the rows of ``slugs`` from ``states`` (one statement)."""
    rows = []
    for slug in slugs:
        k = states[slug]
        rows.append(
            KnowledgeState(
                user=user,
                course_id=course_id,
                concept_id=concept_ids[slug],
                mastery=min(1.0, max(0.0, k.mastery)),
                last_practised_at=datetime.fromtimestamp(k.last_practised, tz=UTC) if k.last_practised is not None else None,
                half_life_days=k.half_life_days,
                attempts=k.attempts,
                correct=k.correct,
                reviews=k.reviews,
            )
        )
    KnowledgeState.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "concept"],
        update_fields=["mastery", "last_practised_at", "half_life_days", "attempts", "correct", "reviews", "updated_at"],
    )
