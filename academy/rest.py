from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import api as courses
from courses.api import enroll

EnrollmentOut = inline_serializer("Enrollment", {"course": serializers.SlugField(), "role": serializers.CharField()})


class Enroll(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        summary="Enroll the current user as a student (idempotent: 201 first time, then 200)",
        responses={201: EnrollmentOut, 200: EnrollmentOut},
    )
    def post(self, request, slug):
        course = courses.get_course(slug)
        if course is None:
            raise Http404
        membership, created = enroll(user=request.user, course_id=course.id)
        return Response(
            {"course": slug, "role": membership.role}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
