"""Student pages of the automated TA: the list of their TA threads in a course, and one thread (server-rendered, so
it reads without JavaScript). The live panel on step pages is templates/tutor/ta/panel.html + static/js/ta.js."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses import api as courses
from courses.api import is_enrolled
from tutor.conversations import selectors
from tutor.conversations.models import Message


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
