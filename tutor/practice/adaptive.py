"""Practice mode and the knowledge map: the next problem with its reason, per-concept states, diagnostic placement.

Writes (serving a problem, diagnostic answers) are atomic services; the knowledge model (tutor/knowledge) does the choosing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from courses import api as courses
from courses.api import member_course_id
from tutor.knowledge.diagnostic import Diagnostic
from tutor.knowledge.policy import next_problem
from tutor.knowledge.statuses import concept_statuses
from tutor.practice import learner as store
from tutor.practice.grading import grade
from tutor.practice.models import Attempt, DiagnosticSession, ServedProblem
from tutor.practice.services import NotEnrolled, NotFound, TutorError

RECENT = 15


@dataclass(frozen=True)
class Served:
    problem: courses.ProblemInfo
    reason: str
    predicted_correct: float
    kind: str
    concept: str


def _course_for(user, slug: str) -> courses.CourseInfo:
    """The course if ``user`` is enrolled (one query on the usual path); raises NotFound, NotEnrolled."""
    course_id = member_course_id(user, slug, "student")
    if course_id is not None:
        return store.course_model(course_id).course
    if courses.get_course(slug) is None:
        raise NotFound("no such course")
    raise NotEnrolled("enroll in the course first")


@transaction.atomic
def serve_next(*, user, course_slug: str, jump_to: str | None = None) -> Served | None:
    """Choose and record the student's next problem (frontier + due reviews at the course's target P(correct),
    Wilson et al. 2019); None when the course has no problems. Raises NotFound, NotEnrolled, TutorError (bad jump)."""
    course = _course_for(user, course_slug)
    graph, _ = store.course_graph(course.id)
    params = store.model_params(course.id)
    states = store.load_states(user, course.id)
    totals = store.load_totals(user, course.id)
    recent = list(
        Attempt.objects.filter(user=user, course_id=course.id)
        .order_by("-created_at", "-id")
        .values_list("problem_id", flat=True)[:RECENT]
    )
    try:
        sel = next_problem(
            graph,
            params,
            states,
            timezone.now(),
            recent,
            totals=totals,
            target=course.target_success,
            review_share=settings.TUTOR_REVIEW_SHARE,
            jump_to=jump_to,
            rng=random.Random(),
            config=store.mastery_config(),
        )
    except ValueError as exc:
        raise TutorError(str(exc)) from exc
    if sel is None:
        return None
    problem = store.course_model(course.id).problems[sel.problem.id]
    if connection.vendor == "postgresql":  # the served-problem log may lose its last rows in a crash: no fsync wait
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
    ServedProblem.objects.create(
        user=user,
        course_id=course.id,
        problem_id=problem.id,
        kind=sel.kind,
        reason=sel.reason[:300],
        predicted_correct=sel.predicted_correct,
    )
    return Served(problem, sel.reason, sel.predicted_correct, sel.kind, sel.concept)


@dataclass(frozen=True)
class ConceptView:
    slug: str
    name: str
    module_id: int
    mastery: float
    state: str
    prerequisites: tuple[str, ...]


def knowledge(*, user, course_id: int) -> list[ConceptView]:
    """Every concept in ramp order with the student's decayed mastery P(L) in [0,1] and its state:
    "mastered" | "frontier" | "locked" | "review_due" (tutor/knowledge/statuses.py)."""
    model = store.course_model(course_id)
    states = store.load_states(user, course_id)
    status, mastery = concept_statuses(model.graph, states, timezone.now(), model.params, store.mastery_config())
    return [
        ConceptView(c.slug, c.name, c.module_id, round(mastery[c.slug], 4), status[c.slug].value, c.prerequisite_slugs)
        for c in model.concepts
    ]


# ----------------------------------------------------------------------------------------------- diagnostic placement
@dataclass(frozen=True)
class DiagnosticStep:
    session_id: int
    finished: bool
    problem: courses.ProblemInfo | None
    asked: int
    max_questions: int
    placed_mastered: int = 0


def _diagnostic(session: DiagnosticSession, course_id: int) -> Diagnostic:
    graph = store.placement_graph(course_id)
    return Diagnostic.from_dict(session.state, graph, params=store.model_params(course_id))


def _advance(session: DiagnosticSession, diag: Diagnostic, user, course_id: int) -> DiagnosticStep:
    nxt = None if diag.finished else diag.next_question()
    session.state = diag.to_dict()
    session.questions_asked = len(diag.answers)
    placed = 0
    if nxt is None:
        session.finished_at = timezone.now()
        session.current_problem = None
        graph, ids = store.course_graph(course_id)
        result = diag.result(timezone.now(), store.mastery_config())
        store.save_states(user, course_id, result, ids)
        placed = sum(1 for k in result.values() if k.placed)
        session.state = {**session.state, "placed_mastered": placed}
    else:
        session.current_problem_id = nxt.id
    session.save()
    return DiagnosticStep(
        session.id, nxt is None, courses.get_problem(nxt.id) if nxt else None, session.questions_asked, diag.max_questions, placed
    )


@transaction.atomic
def start_diagnostic(*, user, course_slug: str, max_questions: int = 10, restart: bool = False) -> DiagnosticStep:
    """Start (or resume) the placement probe: each question maximises expected information about the knowledge state
    on the DAG; at most ``max_questions``. A finished placement is returned as is unless ``restart``.
    Raises NotFound, NotEnrolled."""
    course = _course_for(user, course_slug)
    done = (
        DiagnosticSession.objects.filter(user=user, course_id=course.id, finished_at__isnull=False, skipped=False)
        .order_by("-id")
        .first()
    )
    if (
        done
        and not restart
        and not DiagnosticSession.objects.filter(user=user, course_id=course.id, finished_at__isnull=True).exists()
    ):
        return DiagnosticStep(
            done.id,
            True,
            None,
            done.questions_asked,
            int(done.state.get("max_questions", max_questions)),
            int(done.state.get("placed_mastered", 0)),
        )
    open_session = (
        DiagnosticSession.objects.select_for_update().filter(user=user, course_id=course.id, finished_at__isnull=True).first()
    )
    if open_session and open_session.current_problem_id:
        return DiagnosticStep(
            open_session.id,
            False,
            courses.get_problem(open_session.current_problem_id),
            open_session.questions_asked,
            int(open_session.state["max_questions"]),
        )
    graph = store.placement_graph(course.id)
    diag = Diagnostic(graph, max_questions=max_questions, seed=random.randrange(2**31), params=store.model_params(course.id))
    session = DiagnosticSession.objects.create(user=user, course_id=course.id, state=diag.to_dict())
    return _advance(session, diag, user, course.id)


class DiagnosticError(TutorError):
    status, code = 409, "diagnostic_conflict"


@transaction.atomic
def answer_diagnostic(*, user, course_slug: str, problem_id: int, answer) -> DiagnosticStep:
    """Grade a diagnostic answer (not recorded as a practice attempt) and return the next probe or the result, which
    initialises the knowledge state. Raises grading.InvalidAnswer, DiagnosticError (no open probe / wrong problem)."""
    course = _course_for(user, course_slug)
    session = (
        DiagnosticSession.objects.select_for_update().filter(user=user, course_id=course.id, finished_at__isnull=True).first()
    )
    if session is None:
        raise DiagnosticError("no placement in progress: start one first")
    if session.current_problem_id != problem_id:
        raise DiagnosticError("that is not the current placement question")
    correct = False
    if answer is not None:  # None: "I don't know", which counts as a wrong answer
        kind, key = courses.answer_key(problem_id)
        correct = grade(kind, key, answer).correct
    diag = _diagnostic(session, course.id)
    diag.answer(problem_id, correct)
    return _advance(session, diag, user, course.id)


@transaction.atomic
def skip_diagnostic(*, user, course_slug: str) -> None:
    """Skip placement: the knowledge state stays at the priors."""
    course = _course_for(user, course_slug)
    DiagnosticSession.objects.filter(user=user, course_id=course.id, finished_at__isnull=True).update(
        skipped=True, finished_at=timezone.now()
    )
    if not DiagnosticSession.objects.filter(user=user, course_id=course.id).exists():
        DiagnosticSession.objects.create(user=user, course_id=course.id, state={}, skipped=True, finished_at=timezone.now())


def diagnostic_offered(*, user, course_id: int) -> bool:
    """True until the student has finished or skipped a placement in this course and has no attempts yet."""
    return (
        not DiagnosticSession.objects.filter(user=user, course_id=course_id, finished_at__isnull=False).exists()
        and not Attempt.objects.filter(user=user, course_id=course_id).exists()
    )
