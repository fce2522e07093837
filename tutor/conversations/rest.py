"""TA conversations over REST (read-only; asking happens on the websocket, docs/ta.md): a student's threads in a
course, and one thread with its messages — the same JSON shapes as the websocket's ``threads`` and ``thread``."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import api as courses
from courses.api import is_enrolled
from tutor.conversations import selectors


def _course(request, slug) -> courses.CourseInfo:
    course = courses.get_course(slug)
    if course is None or not is_enrolled(request.user, course.id):
        raise Http404("No such course")
    return course


class Threads(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="My TA threads in a course",
        operation_id="courses_ta_threads_list",
        responses={200: OpenApiResponse(description="list of threads")},
    )
    def get(self, request, slug):
        course = _course(request, slug)
        return Response([selectors.thread_dict(t, with_messages=False) for t in selectors.threads(request.user, course.id)])


class ThreadDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One of my TA threads, with its messages",
        operation_id="courses_ta_thread_retrieve",
        responses={200: OpenApiResponse(description="thread with messages")},
    )
    def get(self, request, slug, thread_id):
        course = _course(request, slug)
        thread = selectors.own_thread(request.user, thread_id, course.id)
        if thread is None:
            raise Http404("No such thread")
        return Response(selectors.thread_dict(thread))
