"""Code exercise API: Run / Submit (idempotent by ``client_id``) and the submission's result, polled while queued.
Refusals are the services' DomainErrors, answered by ``academy.errors.exception_handler``."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tutor.practice import code
from tutor.practice.grading import InvalidAnswer
from tutor.practice.models import CodeSubmission


class CodeIn(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["run", "submit"], help_text="run: visible tests; submit: all tests, an attempt")
    client_id = serializers.UUIDField(help_text="idempotency key: a retry with the same id returns the same submission")
    files = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False), allow_empty=False)


class CodeOut(serializers.Serializer):
    id = serializers.IntegerField()
    problem_id = serializers.IntegerField()
    mode = serializers.CharField()
    status = serializers.CharField(help_text="queued (poll the detail URL), done, or unavailable (no sandbox: not graded)")
    result = serializers.JSONField(allow_null=True, help_text="sandbox.RunResult: status, passed, message, tests[]")
    attempt_id = serializers.IntegerField(allow_null=True, help_text="the attempt a graded Submit recorded")


def _out(sub: CodeSubmission) -> dict:
    return CodeOut(
        {
            "id": sub.id,
            "problem_id": sub.problem_id,
            "mode": sub.mode,
            "status": sub.status,
            "result": sub.result,
            "attempt_id": sub.attempt_id,
        }
    ).data


class CodeSubmissions(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "attempts"  # a Submit is an attempt: same 429 limit (settings.REST_FRAMEWORK)

    @extend_schema(request=CodeIn, responses={201: CodeOut, 202: CodeOut, 200: CodeOut}, summary="Run or submit code")
    def post(self, request, problem_id):
        payload = CodeIn(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        before = CodeSubmission.objects.filter(user=request.user, client_id=d["client_id"]).exists()
        try:
            sub = code.submit_code(
                user=request.user, problem_id=problem_id, files=d["files"], mode=d["mode"], client_id=d["client_id"]
            )
        except InvalidAnswer as exc:  # the files' shape: a field error (refusals go to academy.errors.exception_handler)
            raise ValidationError({"files": [str(exc)]}) from exc
        if before:
            return Response(_out(sub), status=status.HTTP_200_OK)
        queued = sub.status == CodeSubmission.Status.QUEUED
        return Response(_out(sub), status=status.HTTP_202_ACCEPTED if queued else status.HTTP_201_CREATED)


class CodeSubmissionDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CodeOut}, summary="A code submission and its per-test result")
    def get(self, request, submission_id):
        sub = CodeSubmission.objects.filter(pk=submission_id, user=request.user).first()
        if sub is None:
            raise Http404("no such submission")
        return Response(_out(sub))
