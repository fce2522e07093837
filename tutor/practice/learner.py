"""The learner-state store: the course as the knowledge model sees it, and each student's knowledge rows.

The course model (concept DAG, problems as students see them, and the fitted ``tutor.knowledge`` parameters, or the
unfitted defaults as the cold start) is built from ``courses.api`` and cached in-process for ``GRAPH_TTL`` seconds; an
import (``courses.signals.course_imported``) or a new fit drops it. Knowledge states are rows of
:class:`KnowledgeState` (one per student and concept, ``tutor.knowledge.state.StudentConceptState``) and
:class:`KnowledgeTotals` (one per student and course, ``StudentTotals``), loaded and saved per student.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

from courses import api as courses
from tutor.knowledge.graph import Concept, CourseGraph, Problem
from tutor.knowledge.params import ModelParams
from tutor.knowledge.state import StudentConceptState, StudentTotals
from tutor.knowledge.statuses import MasteryConfig
from tutor.practice.models import KnowledgeModelFit, KnowledgeState, KnowledgeTotals

GRAPH_TTL = 30.0


@dataclass(frozen=True)
class CourseModel:
    """Everything the tutor needs about one course, read once: the course, its concepts (ramp order), the DAG and
    problems (author's difficulty), concept ids, and the knowledge model's parameters (fitted or cold start)."""

    course: courses.CourseInfo
    concepts: tuple[courses.ConceptInfo, ...]
    graph: CourseGraph
    concept_ids: dict[str, int]
    concept_slugs: dict[int, str]
    problems: dict[int, courses.ProblemInfo]
    params: ModelParams
    placement_graph: CourseGraph | None = None  # the graph without code exercises: placement asks quick questions


_lock = threading.Lock()
_models: dict[int, tuple[float, CourseModel]] = {}


def mastery_config() -> MasteryConfig:
    return MasteryConfig(mastery_threshold=settings.TUTOR_MASTERY_THRESHOLD)


def _latest_params(course_id: int) -> ModelParams:
    fit = KnowledgeModelFit.objects.filter(course_id=course_id).order_by("-created_at").values_list("params", flat=True).first()
    if fit and "model" in fit:
        return ModelParams.from_dict(fit["model"])
    return ModelParams()  # cold start: the same model with its unfitted defaults


def course_model(course_id: int) -> CourseModel:
    """The cached :class:`CourseModel` of a course (built with 5 queries when missing or older than GRAPH_TTL)."""
    now = time.monotonic()
    with _lock:
        hit = _models.get(course_id)
        if hit and now - hit[0] < GRAPH_TTL:
            return hit[1]
    infos = courses.concept_graph(course_id)
    problem_infos = courses.course_problems(course_id)
    concepts = [Concept(c.slug, c.name, float(c.position), c.prerequisite_slugs) for c in infos]
    problems = [Problem(p.id, p.concept_slugs, p.difficulty, float(p.position)) for p in problem_infos]
    graph = CourseGraph(concepts, problems)
    quick = [pr for pr, info in zip(problems, problem_infos) if info.kind != "code"]
    placement_graph = graph if len(quick) == len(problems) else CourseGraph(concepts, quick)
    model = CourseModel(
        courses.get_course_by_id(course_id),
        tuple(infos),
        graph,
        {c.slug: c.id for c in infos},
        {c.id: c.slug for c in infos},
        {p.id: p for p in problem_infos},
        _latest_params(course_id),
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


def model_params(course_id: int) -> ModelParams:
    """The course's knowledge-model parameters (latest fit, else the unfitted defaults); cached."""
    return course_model(course_id).params


def forget_graph(course_id: int | None = None) -> None:
    """Drop cached course models (all, or one course's)."""
    with _lock:
        if course_id is None:
            _models.clear()
        else:
            _models.pop(course_id, None)


_FIELDS = (
    "concept_id",
    "mastery",
    "last_practised_at",
    "n_correct",
    "n_wrong",
    "recent_correct",
    "recent_wrong",
    "placed",
    "streak",
)
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


def _aware(t) -> datetime | None:
    if t is None:
        return None
    if not isinstance(t, datetime):  # SQLite returns text through a raw cursor
        t = datetime.fromisoformat(t)
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def load_states(user, course_id: int, slugs: Iterable[str] | None = None) -> dict[str, StudentConceptState]:
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
    for cid, mastery, last, n_correct, n_wrong, rc, rw, placed, streak in rows:
        slug = m.concept_slugs.get(cid)
        if slug is not None:
            out[slug] = StudentConceptState(mastery, n_correct, n_wrong, rc, rw, _aware(last), bool(placed), streak)
    return out


def load_totals(user, course_id: int) -> StudentTotals:
    """The student's course totals (zeros before the first attempt). One query."""
    row = (
        KnowledgeTotals.objects.filter(user=user, course_id=course_id)
        .values_list("n_correct", "n_wrong", "recent_correct", "recent_wrong")
        .first()
    )
    return StudentTotals(*row) if row else StudentTotals()


def save_states(user, course_id: int, states: Mapping[str, StudentConceptState], concept_ids: Mapping[str, int]) -> None:
    """Upsert one row per entry of ``states`` (one statement)."""
    rows = [
        KnowledgeState(
            user=user,
            course_id=course_id,
            concept_id=concept_ids[slug],
            mastery=min(1.0, max(0.0, k.mastery)),
            last_practised_at=k.last_practised
            if isinstance(k.last_practised, datetime) or k.last_practised is None
            else datetime.fromtimestamp(k.last_practised, tz=UTC),
            n_correct=k.n_correct,
            n_wrong=k.n_wrong,
            recent_correct=k.recent_correct,
            recent_wrong=k.recent_wrong,
            placed=k.placed,
            streak=k.streak,
        )
        for slug, k in states.items()
    ]
    KnowledgeState.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "concept"],
        update_fields=[
            "mastery",
            "last_practised_at",
            "n_correct",
            "n_wrong",
            "recent_correct",
            "recent_wrong",
            "placed",
            "streak",
            "updated_at",
        ],
    )


def save_totals(user, course_id: int, totals: StudentTotals) -> None:
    """Upsert the student's course totals (one statement)."""
    KnowledgeTotals.objects.bulk_create(
        [
            KnowledgeTotals(
                user=user,
                course_id=course_id,
                n_correct=totals.n_correct,
                n_wrong=totals.n_wrong,
                recent_correct=totals.recent_correct,
                recent_wrong=totals.recent_wrong,
            )
        ],
        update_conflicts=True,
        unique_fields=["user", "course"],
        update_fields=["n_correct", "n_wrong", "recent_correct", "recent_wrong", "updated_at"],
    )
