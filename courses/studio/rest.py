"""Studio REST API (the course's faculty only: 403 anonymous, 404 everyone else), the same actions as the pages.

Errors: 400 ``{"detail", "errors": [{file, line, message, anchor}]}`` when the package validator refuses a save
(nothing stored); 409 ``{"detail", "version"}`` when the draft changed since ``version`` (someone else saved).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.models import Course, CourseVersion, Membership
from courses.package import CourseFormatError

from . import document as docs
from . import forms, services


class StudioErrorSerializer(serializers.Serializer):
    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    anchor = serializers.CharField(help_text="problem:<slug>, step:<slug>, concept:<slug>, module:<folder> or empty")


class StudioRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = StudioErrorSerializer(many=True)


class StudioConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField()


class StudioDraftSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    dirty = serializers.BooleanField(help_text="True while the draft holds edits not yet published")
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()
    document = serializers.JSONField(
        help_text='{"course": course.yaml, "modules": {folder: module.yaml}, "bodies": {path: Markdown}}'
    )


class StudioSaveDraftSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The draft version this edit started from")
    document = serializers.JSONField()


class StudioReorderSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    order = serializers.ListField(
        child=serializers.ListField(child=serializers.SlugField()), help_text="Step slugs per module, in ramp order"
    )


class StudioStepSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=forms.STEP_KINDS)
    body = serializers.CharField(allow_blank=True, help_text="Markdown")
    concepts = serializers.ListField(child=serializers.SlugField())
    problems = serializers.ListField(child=serializers.DictField(), help_text="Problem mappings in the package format")


class StudioConceptSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    folder = serializers.CharField(help_text="Module folder the concept belongs to")
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True, required=False, default="")
    prerequisites = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    original = serializers.SlugField(required=False, default="", allow_blank=True, help_text="Current slug, to change a concept")


class StudioPublishSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class StudioVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    summary = serializers.CharField()
    note = serializers.CharField()
    published_by = serializers.CharField(allow_null=True, source="published_by.username", default=None)
    published_at = serializers.DateTimeField()


class StudioVersionDetailSerializer(StudioVersionSerializer):
    diff = serializers.CharField(help_text="Unified diff of the package files against the previous version")
    document = serializers.JSONField()


class StudioPublishedSerializer(serializers.Serializer):
    version = StudioVersionSerializer()
    changes = serializers.ListField(child=serializers.CharField())


class StudioPreviewSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="Slug of the hidden preview course (student pages under /courses/<slug>/)")


def _course(request, slug: str) -> Course:
    course = Course.objects.filter(slug=slug, preview_of=None).first()
    if course is None or not Membership.objects.filter(user=request.user, course=course, role=Membership.Role.FACULTY).exists():
        raise Http404
    return course


def _draft_data(draft) -> dict:
    return {
        "version": draft.version,
        "dirty": draft.dirty,
        "updated_by": draft.updated_by.get_username() if draft.updated_by else None,
        "updated_at": draft.updated_at,
        "document": draft.document,
    }


def _save(request, course, fn) -> Response:
    try:
        draft = fn()
    except CourseFormatError as exc:
        doc = getattr(exc, "document", {})
        errors = [{"file": e.file, "line": e.line, "message": e.message, "anchor": forms.anchor(e, doc)} for e in exc.errors]
        return Response({"detail": "Not saved: the draft fails the package checks.", "errors": errors}, status=400)
    except docs.EditError as exc:
        return Response(
            {"detail": str(exc), "errors": [{"file": "", "line": None, "message": str(exc), "anchor": ""}]}, status=400
        )
    except services.StaleDraftError as exc:
        return Response({"detail": str(exc), "version": exc.version}, status=409)
    return Response(_draft_data(draft))


REFUSALS = {
    200: StudioDraftSerializer,
    400: StudioRefusedSerializer,
    409: StudioConflictSerializer,
    404: OpenApiResponse(description="Not faculty"),
}


class Draft(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StudioDraftSerializer, summary="Studio: the course's draft (a package document)")
    def get(self, request, slug):
        return Response(_draft_data(services.get_or_start_draft(course_id=_course(request, slug).id)))

    @extend_schema(
        request=StudioSaveDraftSerializer, responses=REFUSALS, summary="Studio: replace the draft (validated, version-checked)"
    )
    def put(self, request, slug):
        course = _course(request, slug)
        s = StudioSaveDraftSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        return _save(
            request,
            course,
            lambda: services.save_draft(
                course_id=course.id, document=v["document"], base_version=v["version"], user=request.user
            ),
        )


class Reorder(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=StudioReorderSerializer, responses=REFUSALS, summary="Studio: reorder the ramp's steps")
    def post(self, request, slug):
        course = _course(request, slug)
        s = StudioReorderSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        return _save(
            request,
            course,
            lambda: services.edit_draft(
                course_id=course.id, base_version=v["version"], user=request.user, edit=docs.reorder, order=v["order"]
            ),
        )


class StepDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=StudioStepSerializer, responses=REFUSALS, summary="Studio: edit a step (body, concepts, problems, hints)"
    )
    def put(self, request, slug, step_slug):
        course = _course(request, slug)
        s = StudioStepSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = dict(s.validated_data)
        version = v.pop("version")
        return _save(
            request,
            course,
            lambda: services.edit_draft(
                course_id=course.id, base_version=version, user=request.user, edit=docs.update_step, slug=step_slug, **v
            ),
        )


class Concepts(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=StudioConceptSerializer, responses=REFUSALS, summary="Studio: add or change a concept and its prerequisites"
    )
    def post(self, request, slug):
        course = _course(request, slug)
        s = StudioConceptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = dict(s.validated_data)
        version = v.pop("version")
        return _save(
            request,
            course,
            lambda: services.edit_draft(
                course_id=course.id, base_version=version, user=request.user, edit=docs.upsert_concept, **v
            ),
        )


class Publish(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=StudioPublishSerializer,
        responses={
            201: StudioPublishedSerializer,
            400: StudioRefusedSerializer,
            409: OpenApiResponse(description="Nothing to publish"),
        },
        summary="Studio: publish the draft",
    )
    def post(self, request, slug):
        course = _course(request, slug)
        s = StudioPublishSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            result = services.publish(course_id=course.id, user=request.user, note=s.validated_data["note"])
        except CourseFormatError as exc:
            errors = [{"file": e.file, "line": e.line, "message": e.message, "anchor": ""} for e in exc.errors]
            return Response({"detail": "Not published: the draft fails the package checks.", "errors": errors}, status=400)
        except services.NothingToPublishError as exc:
            return Response({"detail": str(exc)}, status=409)
        return Response({"version": StudioVersionSerializer(result.version).data, "changes": result.changes}, status=201)


class Versions(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StudioVersionSerializer(many=True), summary="Studio: published versions, newest first")
    def get(self, request, slug):
        course = _course(request, slug)
        services.get_or_start_draft(course_id=course.id)
        rows = CourseVersion.objects.filter(course=course).select_related("published_by").defer("document").order_by("-number")
        return Response(StudioVersionSerializer(rows, many=True).data)


class VersionDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StudioVersionDetailSerializer, summary="Studio: one version with its diff against the previous one")
    def get(self, request, slug, number):
        course = _course(request, slug)
        v = CourseVersion.objects.filter(course=course, number=number).first()
        if v is None:
            raise Http404
        prev = CourseVersion.objects.filter(course=course, number__lt=number).order_by("-number").first()
        data = StudioVersionSerializer(v).data
        data["document"] = v.document
        data["diff"] = docs.diff(prev.document, v.document, old_label=f"v{prev.number}", new_label=f"v{v.number}") if prev else ""
        return Response(data)


class Rollback(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: StudioPublishedSerializer, 409: OpenApiResponse(description="That version is live already")},
        summary="Studio: republish an old version",
    )
    def post(self, request, slug, number):
        course = _course(request, slug)
        try:
            result = services.rollback(course_id=course.id, number=number, user=request.user)
        except CourseVersion.DoesNotExist as exc:
            raise Http404 from exc
        except services.NothingToPublishError as exc:
            return Response({"detail": str(exc)}, status=409)
        return Response({"version": StudioVersionSerializer(result.version).data, "changes": result.changes}, status=201)


class Preview(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={201: StudioPreviewSerializer}, summary="Studio: import the draft into the hidden preview course"
    )
    def post(self, request, slug):
        course = _course(request, slug)
        copy = services.preview(course_id=course.id, user=request.user)
        return Response({"slug": copy.slug}, status=201)
