"""Read-only course API: list and detail (modules, steps, concepts with prerequisites, problems without answers)."""

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api
from .serializers import CourseDetailSerializer, CourseSerializer


class CourseList(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CourseSerializer(many=True), summary="List courses")
    def get(self, request):
        return Response(CourseSerializer([asdict(c) for c in api.list_courses()], many=True).data)


class CourseDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CourseDetailSerializer, summary="A course: modules, steps, concepts and problems (no answers)")
    def get(self, request, slug):
        course = api.get_course(slug)
        if course is None:
            raise Http404
        data = asdict(course)
        data["modules"] = [asdict(m) for m in api.course_outline(course.id)]
        data["concepts"] = api.concept_graph(course.id)
        data["problems"] = api.course_problems(course.id)
        return Response(CourseDetailSerializer(data).data)
