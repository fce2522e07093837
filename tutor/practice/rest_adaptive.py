"""Tutor API: next problem with its reason, the knowledge state, diagnostic placement."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.api import ProblemSerializer
from tutor.practice import adaptive as practice


class NextOut(serializers.Serializer):
    problem = ProblemSerializer(allow_null=True)
    reason = serializers.CharField()
    predicted_correct = serializers.FloatField(allow_null=True)
    kind = serializers.CharField(allow_null=True)


class KnowledgeOut(serializers.Serializer):
    concept = serializers.SlugField()
    name = serializers.CharField()
    mastery = serializers.FloatField()
    state = serializers.ChoiceField(["mastered", "frontier", "locked", "review_due"])


class DiagnosticOut(serializers.Serializer):
    finished = serializers.BooleanField()
    problem = ProblemSerializer(allow_null=True)
    asked = serializers.IntegerField()
    max_questions = serializers.IntegerField()
    placed_mastered = serializers.IntegerField()


class DiagnosticAnswerIn(serializers.Serializer):
    problem_id = serializers.IntegerField()
    answer = serializers.JSONField(required=False, allow_null=True, help_text='Omit or null for "I don\'t know".')


def _diag(step: practice.DiagnosticStep) -> dict:
    d = asdict(step)
    d["problem"] = asdict(step.problem) if step.problem else None
    return DiagnosticOut(d).data


class NextProblem(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=NextOut, summary="The next problem (no answer), why it was chosen, and the predicted P(correct)")
    def get(self, request, slug):
        served = practice.serve_next(user=request.user, course_slug=slug, jump_to=request.query_params.get("jump") or None)
        if served is None:
            return Response(
                {"problem": None, "reason": "this course has no problems yet", "predicted_correct": None, "kind": None}
            )
        return Response(
            NextOut(
                {
                    "problem": asdict(served.problem),
                    "reason": served.reason,
                    "predicted_correct": round(served.predicted_correct, 4),
                    "kind": served.kind,
                }
            ).data
        )


class Knowledge(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=KnowledgeOut(many=True), summary="Mastery and state of every concept for the current student")
    def get(self, request, slug):
        course = practice._course_for(user=request.user, slug=slug)
        return Response(
            [
                {"concept": c.slug, "name": c.name, "mastery": c.mastery, "state": c.state}
                for c in practice.knowledge(user=request.user, course_id=course.id)
            ]
        )


class DiagnosticStart(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={201: DiagnosticOut}, summary="Start (or resume) the placement probe; ?retake=1 starts over"
    )
    def post(self, request, slug):
        step = practice.start_diagnostic(user=request.user, course_slug=slug, restart=bool(request.query_params.get("retake")))
        return Response(_diag(step), status=status.HTTP_201_CREATED)


class DiagnosticAnswer(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "attempts"

    @extend_schema(
        request=DiagnosticAnswerIn, responses=DiagnosticOut, summary="Answer the current probe: the next probe or the result"
    )
    def post(self, request, slug):
        payload = DiagnosticAnswerIn(data=request.data)
        payload.is_valid(raise_exception=True)
        step = practice.answer_diagnostic(
            user=request.user,
            course_slug=slug,
            problem_id=payload.validated_data["problem_id"],
            answer=payload.validated_data.get("answer"),
        )
        return Response(_diag(step))
