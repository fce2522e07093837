"""Practice API: attempts (idempotent), hints, solution (attempt-before-reveal), progress."""

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import api as courses
from courses.api import is_enrolled
from tutor.practice import selectors, services
from tutor.practice.grading import InvalidAnswer
from tutor.practice.serializers import AttemptIn, AttemptOut, HintOut, ProgressOut, SolutionOut


class TutorAPIError(APIException):
    def __init__(self, exc: services.TutorError):
        self.status_code = exc.code
        super().__init__(detail=str(exc))


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except services.NotFound as exc:
        raise Http404(str(exc)) from exc
    except services.TutorError as exc:
        raise TutorAPIError(exc) from exc


class Attempts(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AttemptIn, responses={201: AttemptOut, 200: AttemptOut}, summary="Submit an answer")
    def post(self, request, problem_id):
        payload = AttemptIn(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        try:
            result = _call(
                services.submit_attempt,
                user=request.user,
                problem_id=problem_id,
                answer=d["answer"],
                client_attempt_id=d["client_attempt_id"],
                time_taken_ms=d.get("time_taken_ms"),
            )
        except InvalidAnswer as exc:
            raise ValidationError({"answer": [str(exc)]}) from exc
        out = {**asdict(result), "earned": result.earned}
        return Response(AttemptOut(out).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class Hints(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: HintOut}, summary="Reveal the next hint of the ladder (409 when none is left)")
    def post(self, request, problem_id):
        result = _call(services.reveal_hint, user=request.user, problem_id=problem_id)
        if result is None:
            return Response({"detail": "no more hints"}, status=status.HTTP_409_CONFLICT)
        return Response(HintOut(asdict(result)).data, status=status.HTTP_201_CREATED)


class Solution(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SolutionOut}, summary="The worked solution (409 until the student has attempted)")
    def get(self, request, problem_id):
        html = _call(services.reveal_solution, user=request.user, problem_id=problem_id)
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
                    "known_steps": p.known_steps,
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
