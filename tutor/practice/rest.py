"""Practice API: attempts (idempotent), hints, solution (attempt-before-reveal), progress. Refusals are the services'
DomainErrors, answered by ``academy.errors.exception_handler`` (``{code, detail, errors?}``)."""

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import api as courses
from courses.api import is_enrolled
from tutor.practice import selectors, services
from tutor.practice.serializers import AttemptIn, AttemptOut, HintOut, ProgressOut, SolutionOut


class Attempts(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "attempts"  # settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]: 429 past ATTEMPT_RATE

    @extend_schema(request=AttemptIn, responses={201: AttemptOut, 200: AttemptOut}, summary="Submit an answer")
    def post(self, request, problem_id):
        payload = AttemptIn(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        result = services.submit_attempt(
            user=request.user,
            problem_id=problem_id,
            answer=d["answer"],
            client_attempt_id=d["client_attempt_id"],
            time_taken_ms=d.get("time_taken_ms"),
        )
        return Response(AttemptOut(asdict(result)).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class Hints(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "hints"

    @extend_schema(request=None, responses={201: HintOut}, summary="Reveal the next hint of the ladder (409 when none is left)")
    def post(self, request, problem_id):
        result = services.reveal_hint(user=request.user, problem_id=problem_id)
        if result is None:
            raise courses.Conflict(
                "No more hints: try the worked solution after an attempt, or ask the TA.", code="no_more_hints"
            )
        return Response(HintOut(asdict(result)).data, status=status.HTTP_201_CREATED)


class Solution(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SolutionOut}, summary="The worked solution (409 until the student has attempted)")
    def get(self, request, problem_id):
        html = services.reveal_solution(user=request.user, problem_id=problem_id)
        return Response({"html": html})


class Progress(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProgressOut, summary="The current student's progress and where to continue")
    def get(self, request, slug):
        course = courses.get_course(slug)
        if course is None or not is_enrolled(request.user, course.id):
            raise Http404
        p = selectors.course_progress(request.user, course.id)
        return Response(
            ProgressOut(
                {
                    "percent": p.percent,
                    "done_steps": p.done_steps,
                    "total_steps": p.total_steps,
                    "continue_step": p.continue_step.slug if p.continue_step else None,
                    "modules": [
                        {
                            "slug": m.module.slug,
                            "title": m.module.title,
                            "done_steps": m.done_steps,
                            "total_steps": m.total_steps,
                            "percent": m.percent,
                        }
                        for m in p.modules
                    ],
                }
            ).data
        )
