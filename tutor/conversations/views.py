"""Student pages of the automated TA: the list of their TA threads in a course, and one thread (server-rendered, so
it reads without JavaScript). The live panel on step pages is templates/tutor/ta/panel.html + static/js/ta.js."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses import api as courses
from courses.api import is_enrolled
from tutor.conversations import selectors
from tutor.conversations.models import Message
from tutor.conversations.reviews import request_explanation_review
from tutor.practice import api as practice


def _enrolled_course(request, slug) -> courses.CourseInfo:
    course = courses.get_course(slug)
    if course is None or not is_enrolled(request.user, course.id):
        raise Http404("No such course")
    return course


@login_required
@require_GET
def thread_list(request, slug):
    course = _enrolled_course(request, slug)
    return render(request, "tutor/ta/threads.html", {"course": course, "threads": selectors.threads(request.user, course.id)})


@login_required
@require_GET
def thread_detail(request, slug, thread_id):
    course = _enrolled_course(request, slug)
    thread = selectors.own_thread(request.user, thread_id, course.id)
    if thread is None:
        raise Http404("No such thread")
    messages = [
        selectors.message_dict(m)
        for m in thread.messages.all()
        if not (m.role == Message.Role.ASSISTANT and not m.text and m.status != Message.Status.STREAMING)
    ]
    step = courses.get_step_by_id(thread.step_id) if thread.step_id else None
    return render(request, "tutor/ta/thread.html", {"course": course, "thread": thread, "step": step, "ta_messages": messages})


@login_required
@require_POST
def explanation_review(request, problem_id):
    """Send the student's latest written explanation (an explain-back answer) to the course's human TA queue; answers
    the htmx button with a one-line partial (or redirects back to the step)."""
    problem = courses.get_problem(problem_id)
    if problem is None or not is_enrolled(request.user, problem.course_id):
        raise Http404("No such problem")
    state = practice.problem_states(request.user, [problem.id])[problem.id]
    sent = problem.kind == "explain" and isinstance(state.last_answer, str) and bool(state.last_answer.strip())
    if sent:
        request_explanation_review(
            user=request.user, problem_id=problem.id, explanation=state.last_answer, feedback=state.last_feedback
        )
    if not request.headers.get("HX-Request"):
        if sent:
            messages.success(request, "Your explanation was sent to the course's human TAs.")
        else:
            messages.error(request, "Write and check an explanation first; then a TA can review it.")
        course = courses.get_course_by_id(problem.course_id)
        return redirect(reverse("tutor:step", args=[course.slug, problem.step_slug]) + f"#problem-{problem.id}")
    course = courses.get_course_by_id(problem.course_id)
    return render(request, "tutor/ta/_review_sent.html", {"p": problem, "sent": sent, "course": course})
