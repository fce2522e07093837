"""The only thing other apps import from ``courses``: plain functions returning frozen dataclasses (never querysets).

Problems are exposed without their answers; grading data comes only from :func:`answer_key`, and worked solutions only
from :func:`solution_html`, so callers decide explicitly when a student may see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch

from .code_check import code_job, limits_of  # noqa: F401  (code_job re-exported for the grader)
from .errors import BadRequest, Conflict, DomainError, Forbidden, NotFound, RateLimited, ws_error  # noqa: F401  (re-exported)
from .markdown import render_inline, render_markdown  # noqa: F401  (render_markdown re-exported)
from .models import Concept, Course, Hint, Membership, Module, Problem, ProblemConcept, Step, StepConcept
from .package import CourseFormatError, load_package  # noqa: F401  (re-exported)
from .roles import Role, course_ids, is_enrolled, is_staff_of, member_course_id, roles, student_ids  # noqa: F401  (re-exported)
from .serializers import ProblemSerializer  # noqa: F401  (a problem's public JSON shape, re-exported)
from .services import enroll, grant_role  # noqa: F401  (re-exported)
from .signals import course_imported  # noqa: F401  (re-exported: sent after an import commits, kwargs course_id)


@dataclass(frozen=True)
class CourseInfo:
    id: int
    slug: str
    title: str
    summary: str
    description_html: str
    target_success: float
    preview_of_id: int | None = None  # set on the studio's hidden "preview as a student" copy of a course


@dataclass(frozen=True)
class StepRef:
    id: int
    slug: str
    title: str
    kind: str
    position: int
    module_id: int
    problem_ids: tuple[int, ...]


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    slug: str
    title: str
    summary: str
    position: int
    steps: tuple[StepRef, ...]


@dataclass(frozen=True)
class StepInfo:
    id: int
    course_id: int
    slug: str
    title: str
    kind: str
    position: int
    module_id: int
    module_slug: str
    module_title: str
    body_md: str
    body_html: str
    concept_slugs: tuple[str, ...]
    try_first_problem_id: int | None = None  # a problem to attempt before the body unfolds (package field try_first)


@dataclass(frozen=True)
class ProblemInfo:
    """A problem as a student may see it before answering: no answer, no solution, no hint text.

    ``options`` are the choice texts (index = option id); ``multiple`` is True when several options are correct
    ("select all that apply"); ``code`` is the snippet of a code_output problem. A ``code`` problem adds
    ``starter_files`` {path: text}, ``visible_tests`` {file: text}, ``imports`` and ``time_limit_s``; its hidden tests
    and reference solution are never part of it.
    """

    id: int
    slug: str
    course_id: int
    step_id: int
    step_slug: str
    kind: str
    prompt_html: str
    difficulty: float
    concept_slugs: tuple[str, ...]
    options: tuple[str, ...]
    options_html: tuple[str, ...]
    multiple: bool
    code: str
    hint_count: int
    position: int
    tags: tuple[str, ...]
    starter_files: dict = field(default_factory=dict)
    visible_tests: dict = field(default_factory=dict)
    imports: tuple[str, ...] = ()
    time_limit_s: float = 0.0


@dataclass(frozen=True)
class ConceptInfo:
    id: int
    slug: str
    name: str
    description: str
    position: int
    module_id: int
    prerequisite_slugs: tuple[str, ...]


def _course(c: Course) -> CourseInfo:
    return CourseInfo(c.id, c.slug, c.title, c.summary, c.description_html, c.target_success, c.preview_of_id)


def list_courses() -> list[CourseInfo]:
    """All courses, by title (the studio's hidden preview copies excluded)."""
    return [_course(c) for c in Course.objects.filter(preview_of=None).order_by("title")]


def get_course(slug: str) -> CourseInfo | None:
    """The course with ``slug``, or None."""
    c = Course.objects.filter(slug=slug).first()
    return _course(c) if c else None


def get_course_by_id(course_id: int) -> CourseInfo | None:
    c = Course.objects.filter(pk=course_id).first()
    return _course(c) if c else None


def course_outline(course_id: int) -> list[ModuleInfo]:
    """Modules in ramp order, each with its steps (and their problem ids) in order. Three queries."""
    problems = Prefetch("problems", queryset=Problem.objects.filter(archived=False).only("id", "step_id").order_by("position"))
    steps = Prefetch("steps", queryset=Step.objects.filter(archived=False).order_by("position").prefetch_related(problems))
    modules = Module.objects.filter(course_id=course_id, archived=False).order_by("position").prefetch_related(steps)
    return [
        ModuleInfo(
            m.id,
            m.slug,
            m.title,
            m.summary,
            m.position,
            tuple(
                StepRef(s.id, s.slug, s.title, s.kind, s.position, m.id, tuple(p.id for p in s.problems.all()))
                for s in m.steps.all()
            ),
        )
        for m in modules
    ]


def _step(s: Step) -> StepInfo:
    return StepInfo(
        s.id,
        s.course_id,
        s.slug,
        s.title,
        s.kind,
        s.position,
        s.module_id,
        s.module.slug,
        s.module.title,
        s.body_md,
        s.body_html,
        tuple(sc.concept.slug for sc in s.stepconcept_set.all()),
        _try_first_id(s),
    )


def _try_first_id(s: Step) -> int | None:
    if not s.try_first:
        return None
    return Problem.objects.filter(step_id=s.id, slug=s.try_first, archived=False).values_list("id", flat=True).first()


def step_concepts(course_id: int) -> dict[int, tuple[str, ...]]:
    """Concept slugs each active step teaches, by step id, in the step's order (one query)."""
    out: dict[int, list[str]] = {}
    rows = (
        StepConcept.objects.filter(step__course_id=course_id, step__archived=False, concept__archived=False)
        .order_by("step_id", "position")
        .values_list("step_id", "concept__slug")
    )
    for step_id, slug in rows:
        out.setdefault(step_id, []).append(slug)
    return {k: tuple(v) for k, v in out.items()}


def concept_home_steps(course_id: int) -> dict[str, StepRef]:
    """For each concept slug, the first active step (ramp order) that teaches it — where to revisit it."""
    refs = {s.id: s for m in course_outline(course_id) for s in m.steps}
    out: dict[str, StepRef] = {}
    for step_id, slugs in sorted(step_concepts(course_id).items(), key=lambda kv: refs[kv[0]].position if kv[0] in refs else 0):
        for slug in slugs:
            if step_id in refs:
                out.setdefault(slug, refs[step_id])
    return out


def get_step(course_id: int, slug: str) -> StepInfo | None:
    """The (non-archived) step ``slug`` of a course, or None."""
    s = (
        Step.objects.filter(course_id=course_id, slug=slug, archived=False)
        .select_related("module")
        .prefetch_related(Prefetch("stepconcept_set", queryset=StepConcept.objects.select_related("concept")))
        .first()
    )
    return _step(s) if s else None


def get_step_by_id(step_id: int) -> StepInfo | None:
    s = (
        Step.objects.filter(pk=step_id)
        .select_related("module")
        .prefetch_related(Prefetch("stepconcept_set", queryset=StepConcept.objects.select_related("concept")))
        .first()
    )
    return _step(s) if s else None


def _problems_qs():
    return (
        Problem.objects.filter(archived=False)
        .select_related("step")
        .annotate(n_hints=Count("hints"))
        .prefetch_related(Prefetch("problemconcept_set", queryset=ProblemConcept.objects.select_related("concept")))
        .order_by("position")
    )


def _problem(p: Problem) -> ProblemInfo:
    options = tuple(o["text"] for o in p.answer.get("options", []))
    options_html = tuple(render_inline(o) for o in options)
    multiple = sum(1 for o in p.answer.get("options", []) if o.get("correct")) > 1
    return ProblemInfo(
        p.id,
        p.slug,
        p.course_id,
        p.step_id,
        p.step.slug,
        p.kind,
        p.prompt_html,
        p.difficulty,
        tuple(pc.concept.slug for pc in p.problemconcept_set.all()),
        options,
        options_html,
        multiple,
        p.answer.get("code", "") if p.kind == Problem.Kind.CODE_OUTPUT else "",
        p.n_hints,
        p.position,
        tuple(p.tags),
        **(_code_fields(p.answer) if p.kind == Problem.Kind.CODE else {}),
    )


def _code_fields(answer: dict) -> dict:
    return {
        "starter_files": dict(answer.get("files") or {}),
        "visible_tests": dict(answer.get("tests") or {}),
        "imports": tuple(answer.get("imports") or ()),
        "time_limit_s": limits_of(answer).time_s,
    }


def step_problems(step_id: int) -> list[ProblemInfo]:
    """The step's problems in order (no answers)."""
    return [_problem(p) for p in _problems_qs().filter(step_id=step_id)]


def course_problems(course_id: int) -> list[ProblemInfo]:
    """Every active problem of the course in ramp order (no answers)."""
    return [_problem(p) for p in _problems_qs().filter(course_id=course_id)]


def get_problem(problem_id: int) -> ProblemInfo | None:
    """The active problem with this id, or None."""
    p = _problems_qs().filter(pk=problem_id).first()
    return _problem(p) if p else None


@dataclass(frozen=True)
class AttemptTarget:
    """What grading an attempt needs, read in one query: the active problem's course, its answer key, and whether
    the user is enrolled there (the access check)."""

    course_id: int
    kind: str
    answer: dict
    enrolled: bool


def attempt_target(user, problem_id: int) -> AttemptTarget | None:
    """The :class:`AttemptTarget` of an active problem for ``user`` (authenticated), or None when no such problem.
    One indexed query (problem by primary key, membership by the (user, course, role) unique index)."""
    member = Membership.objects.filter(user=user, course_id=OuterRef("course_id"), role=Role.STUDENT)
    row = (
        Problem.objects.filter(pk=problem_id, archived=False)
        .annotate(enrolled=Exists(member))
        .values_list("course_id", "kind", "answer", "enrolled")
        .first()
    )
    return AttemptTarget(*row) if row else None


def answer_key(problem_id: int) -> tuple[str, dict]:
    """(kind, grading data) of a problem — for the grader only; raises Problem.DoesNotExist."""
    kind, answer = Problem.objects.values_list("kind", "answer").get(pk=problem_id)
    return kind, answer


def hint_html(problem_id: int, index: int) -> str | None:
    """HTML of hint ``index`` (0-based) of the problem's ladder, or None past the end."""
    h = Hint.objects.filter(problem_id=problem_id, position=index).only("body_html").first()
    return h.body_html if h else None


def hints_html(problem_id: int, count: int) -> list[str]:
    """HTML of the first ``count`` hints, in ladder order."""
    return list(
        Hint.objects.filter(problem_id=problem_id, position__lt=count).order_by("position").values_list("body_html", flat=True)
    )


def solution_html(problem_id: int) -> str:
    """The worked solution's HTML — callers must enforce attempt-before-reveal; raises Problem.DoesNotExist."""
    return Problem.objects.values_list("solution_html", flat=True).get(pk=problem_id)


def solution_md(problem_id: int) -> str:
    return Problem.objects.values_list("solution_md", flat=True).get(pk=problem_id)


def concept_graph(course_id: int) -> list[ConceptInfo]:
    """Active concepts in ramp order with their prerequisite slugs (the DAG). Two queries."""
    concepts = (
        Concept.objects.filter(course_id=course_id, archived=False)
        .order_by("position")
        .prefetch_related("prerequisite_links__prerequisite")
    )
    return [
        ConceptInfo(
            c.id,
            c.slug,
            c.name,
            c.description,
            c.position,
            c.module_id,
            tuple(link.prerequisite.slug for link in c.prerequisite_links.all()),
        )
        for c in concepts
    ]
