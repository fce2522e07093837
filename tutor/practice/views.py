"""Student pages (Django templates + htmx partials): course page, step page, and the problem actions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from courses import api as courses
from courses.api import enroll, is_enrolled
from tutor.practice import adaptive as practice
from tutor.practice import selectors, services
from tutor.practice.grading import InvalidAnswer
from tutor.practice.knowledge_map import knowledge_svg


def _course_or_404(slug: str) -> courses.CourseInfo:
    course = courses.get_course(slug)
    if course is None:
        raise Http404("No such course")
    return course


@require_GET
def course_detail(request, slug):
    course = _course_or_404(slug)
    if course.preview_of_id and not courses.roles(request.user, course.id):
        raise Http404("No such course")  # a studio draft preview: only its faculty are members
    enrolled = is_enrolled(request.user, course.id)
    progress = selectors.course_progress(request.user, course.id)
    offered = enrolled and practice.diagnostic_offered(user=request.user, course_id=course.id)
    return render(
        request, "tutor/course.html", {"course": course, "enrolled": enrolled, "progress": progress, "placement_offered": offered}
    )


@login_required
@require_POST
def course_enroll(request, slug):
    course = _course_or_404(slug)
    _, created = enroll(user=request.user, course_id=course.id)
    if created:
        messages.success(
            request,
            f"You are enrolled in {course.title}. Take the short placement so practice starts where you stand — or skip it.",
        )
    return redirect("tutor:course", slug=slug)


@login_required
@require_GET
def step_detail(request, slug, step_slug):
    course = _course_or_404(slug)
    step = courses.get_step(course.id, step_slug)
    if step is None:
        raise Http404("No such step")
    if not is_enrolled(request.user, course.id):
        messages.info(request, "Enroll in the course to read its steps and practise.")
        return redirect("tutor:course", slug=slug)
    services.record_visit(user=request.user, course_id=course.id, step_id=step.id)
    outline = courses.course_outline(course.id)
    flat = [s for m in outline for s in m.steps]
    idx = next(i for i, s in enumerate(flat) if s.id == step.id)
    problems = courses.step_problems(step.id)
    states = selectors.problem_states(request.user, [p.id for p in problems])
    blocks = [_problem_context(request.user, p, states[p.id]) for p in problems]
    return render(
        request,
        "tutor/step.html",
        {
            "course": course,
            "step": step,
            "outline": outline,
            "problems": blocks,
            "prev": flat[idx - 1] if idx > 0 else None,
            "next": flat[idx + 1] if idx + 1 < len(flat) else None,
            "position": idx + 1,
            "total": len(flat),
        },
    )


def _problem_context(
    user, problem, state, *, feedback=None, correct=None, error=None, solution_html=None, stuck_ta=False, submission=None
) -> dict:
    if solution_html is None and state.solution_revealed:
        solution_html = courses.solution_html(problem.id)
    extra = {}
    if problem.kind == "code":
        from tutor.practice.code_views import code_context

        extra = code_context(user, problem)
        if submission is not None:
            extra["last_submission"] = submission
    return extra | {
        "p": problem,
        "state": state,
        "feedback": feedback,
        "correct": correct,
        "error": error,
        "hints": selectors.hints_revealed_html(user, problem.id, state.hints_revealed),
        "more_hints": state.hints_revealed < problem.hint_count,
        "solution_html": solution_html,
        "new_attempt_id": uuid.uuid4(),
        "stuck_ta": stuck_ta,
    }


def _mastery_line(user, problem) -> dict | None:
    """The practised concept's mastery for the bar under a practice problem (the problem's first concept)."""
    if not problem.concept_slugs:
        return None
    slug = problem.concept_slugs[0]
    view = next((c for c in practice.knowledge(user=user, course_id=problem.course_id) if c.slug == slug), None)
    if view is None:
        return None
    return {"name": view.name, "mastery": view.mastery, "pct": round(100 * view.mastery)}


def _problem_response(request, problem, status=200, **extra):
    if not request.headers.get("HX-Request"):
        step = courses.get_step_by_id(problem.step_id)
        course = courses.get_course_by_id(problem.course_id)
        if extra.get("error"):
            messages.error(request, extra["error"])
        elif extra.get("feedback"):
            messages.info(request, extra["feedback"])
        return redirect(reverse("tutor:step", args=[course.slug, step.slug]) + f"#problem-{problem.id}")
    state = selectors.problem_states(request.user, [problem.id])[problem.id]
    ctx = _problem_context(request.user, problem, state, **extra)
    if request.POST.get("practice"):
        ctx.update(
            practice=True,
            course_slug=courses.get_course_by_id(problem.course_id).slug,
            mastery_line=_mastery_line(request.user, problem),
        )
    return render(request, "tutor/_problem.html", ctx, status=status)


def _problem_for(request, problem_id):
    problem = courses.get_problem(problem_id)
    if problem is None or not is_enrolled(request.user, problem.course_id):
        raise Http404("No such problem")
    return problem


def _answer_from_form(request, problem):
    if problem.kind == "choice":
        return request.POST.getlist("answer")
    return request.POST.get("answer", "")


@login_required
@ratelimit(key="user", rate=lambda group, request: settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["attempts"], block=True)
@require_POST
def problem_attempt(request, problem_id):
    problem = _problem_for(request, problem_id)
    try:
        attempt_id = uuid.UUID(request.POST.get("client_attempt_id", ""))
    except ValueError:
        attempt_id = uuid.uuid4()
    try:
        taken = int(request.POST.get("time_taken_ms") or 0) or None
    except ValueError:
        taken = None
    try:
        result = services.submit_attempt(
            user=request.user,
            problem_id=problem.id,
            answer=_answer_from_form(request, problem),
            client_attempt_id=attempt_id,
            time_taken_ms=taken,
        )
    except InvalidAnswer as exc:
        return _problem_response(request, problem, error=str(exc))
    except services.TutorError as exc:
        return _problem_response(request, problem, error=str(exc))
    return _problem_response(request, problem, feedback=result.feedback, correct=result.correct)


@login_required
@require_POST
def problem_hint(request, problem_id):
    problem = _problem_for(request, problem_id)
    result = services.reveal_hint(user=request.user, problem_id=problem.id)
    return _problem_response(
        request, problem, error=None if result else "No more hints: try the worked solution after an attempt, or ask the TA."
    )


@login_required
@require_POST
def problem_solution(request, problem_id):
    problem = _problem_for(request, problem_id)
    try:
        html = services.reveal_solution(user=request.user, problem_id=problem.id)
    except services.SolutionLocked as exc:
        return _problem_response(request, problem, error=str(exc))
    return _problem_response(request, problem, solution_html=html)


@login_required
@require_POST
def problem_stuck(request, problem_id):
    """ "I'm stuck": the next hint; when the ladder is used up, the worked solution (after an attempt); then the TA."""
    problem = _problem_for(request, problem_id)
    if services.reveal_hint(user=request.user, problem_id=problem.id):
        return _problem_response(request, problem)
    try:
        html = services.reveal_solution(user=request.user, problem_id=problem.id)
    except services.SolutionLocked:
        return _problem_response(
            request,
            problem,
            error="No hints left. Give it one try — the worked solution unlocks after an attempt — or ask the TA.",
            stuck_ta=True,
        )
    return _problem_response(request, problem, solution_html=html, stuck_ta=True)


def _enrolled_course(request, slug):
    course = _course_or_404(slug)
    if not is_enrolled(request.user, course.id):
        messages.info(request, "Enroll in the course first.")
        return course, redirect("tutor:course", slug=slug)
    return course, None


@login_required
@require_GET
def practice_page(request, slug):
    course, bounce = _enrolled_course(request, slug)
    if bounce:
        return bounce
    jump = request.GET.get("jump") or None
    try:
        served = practice.serve_next(user=request.user, course_slug=slug, jump_to=jump)
    except services.TutorError as exc:
        messages.error(request, str(exc))
        return redirect("tutor:practice", slug=slug)
    ctx = {"course": course, "served": served}
    if served:
        state = selectors.problem_states(request.user, [served.problem.id])[served.problem.id]
        ctx.update(
            ctx=_problem_context(request.user, served.problem, state),
            mastery_line=_mastery_line(request.user, served.problem),
            step=courses.get_step_by_id(served.problem.step_id),
        )
    return render(request, "tutor/practice.html", ctx)


@login_required
@require_GET
def knowledge_page(request, slug):
    course, bounce = _enrolled_course(request, slug)
    if bounce:
        return bounce
    concepts = practice.knowledge(user=request.user, course_id=course.id)
    counts = {k: sum(1 for c in concepts if c.state == k) for k in ("mastered", "frontier", "review_due", "locked")}
    svg = knowledge_svg(concepts, courses.course_outline(course.id))
    progress = selectors.course_progress(request.user, course.id)
    return render(request, "tutor/knowledge.html", {"course": course, "svg": svg, "counts": counts, "progress": progress})


@login_required
def placement_page(request, slug):
    course, bounce = _enrolled_course(request, slug)
    if bounce:
        return bounce
    error = None
    if request.method == "POST":
        try:
            pid = int(request.POST.get("problem_id", ""))
        except ValueError:
            pid = -1
        problem = courses.get_problem(pid)
        answer = None if request.POST.get("dont_know") or problem is None else _answer_from_form(request, problem)
        try:
            practice.answer_diagnostic(user=request.user, course_slug=slug, problem_id=pid, answer=answer)
            return redirect("tutor:placement", slug=slug)
        except InvalidAnswer as exc:
            error = str(exc)
        except services.TutorError as exc:
            messages.info(request, str(exc))
    step = practice.start_diagnostic(user=request.user, course_slug=slug, restart=bool(request.GET.get("retake")))
    return render(request, "tutor/placement.html", {"course": course, "step": step, "error": error})


@login_required
@require_POST
def placement_skip(request, slug):
    _, bounce = _enrolled_course(request, slug)
    if bounce:
        return bounce
    practice.skip_diagnostic(user=request.user, course_slug=slug)
    messages.info(request, "Placement skipped: practice starts at the beginning of the ramp.")
    return redirect("tutor:course", slug=slug)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
