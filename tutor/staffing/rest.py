"""The people side of the TA loop over REST (docs/staff.md): the TA queue (list, detail, claim, answer, resolve,
reopen), endorse / correct an AI answer, a student's sharing of a thread (preview, share, unshare), and the authors'
inbox and stuck-map data. Refusals: 404 for anything outside your role in the course, 409 for an illegal transition
(``{"code", "detail"}``), 400 for bad input."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tutor.conversations import api as conversations
from tutor.staffing import inbox, permissions, selectors, stuckmap
from tutor.staffing import services as sharing


class TextBody(serializers.Serializer):
    text = serializers.CharField(max_length=conversations.MAX_ANSWER_CHARS, help_text="Markdown")


class ShareBody(serializers.Serializer):
    token = serializers.CharField(required=False, max_length=64, help_text="the preview's token")


def _body(serializer_class, request) -> dict:
    """The request body validated by ``serializer_class`` (400 with field errors otherwise; a body that is not an
    object, e.g. a JSON list, is a 400 too, never a 500)."""
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


ERR = OpenApiResponse(description="refused: {code, detail}")
NOT_FOUND = OpenApiResponse(description="not yours to see (or no such thing)")


class Queue(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The course's escalation queue (TAs), oldest first",
        operation_id="staff_queue_list",
        parameters=[
            OpenApiParameter(
                "filter", str, enum=list(selectors.FILTERS), description="open (unclaimed, default), mine (claimed by me), all"
            )
        ],
        responses={200: OpenApiResponse(description="a page of escalations: {count, next, previous, results}"), 404: NOT_FOUND},
    )
    def get(self, request, slug):
        course = permissions.ta_course(request.user, slug)
        flt = request.query_params.get("filter", "open")
        if flt not in selectors.FILTERS:
            return Response({"code": "bad_request", "detail": f"filter must be one of {selectors.FILTERS}"}, status=400)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.queue(course.id, request.user, flt), request, view=self)
        return paginator.get_paginated_response([selectors.queue_item(e) for e in page])


class EscalationDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One escalation: thread, step/problem, the student's attempts and hints, AI answer, history",
        operation_id="staff_escalation_retrieve",
        responses={200: OpenApiResponse(description="escalation"), 404: NOT_FOUND},
    )
    def get(self, request, slug, escalation_id):
        course = permissions.ta_course(request.user, slug)
        esc = selectors.get(course.id, escalation_id)
        if esc is None:
            raise Http404("No such escalation")
        return Response(selectors.detail(esc))


class EscalationAction(APIView):
    """POST claim / answer (body ``{text}``) / resolve / reopen."""

    permission_classes = [IsAuthenticated]
    action_name = ""

    def post(self, request, slug, escalation_id):
        course = permissions.ta_course(request.user, slug)
        kw = {"course_id": course.id, "escalation_id": escalation_id, "ta": request.user}
        if self.action_name == "answer":
            m = conversations.answer(text=_body(TextBody, request)["text"], **kw)
            return Response(selectors.staff_message_dict(m), status=201)
        getattr(conversations, self.action_name)(**kw)
        return Response(selectors.detail(selectors.get(course.id, escalation_id)))


def _action_view(name: str, summary: str, body=None):
    def post(self, request, slug, escalation_id):
        return EscalationAction.post(self, request, slug, escalation_id)

    post = extend_schema(
        summary=summary,
        operation_id=f"staff_escalation_{name}",
        request=body,
        responses={200 if name != "answer" else 201: OpenApiResponse(description="done"), 409: ERR, 400: ERR, 404: NOT_FOUND},
    )(post)
    return type(f"Escalation{name.title()}", (EscalationAction,), {"action_name": name, "post": post})


Claim = _action_view("claim", "Claim an open escalation (exactly one of concurrent claims wins; the others get 409)")
Answer = _action_view("answer", "Answer an escalation: pushed live into the student's thread, notification + e-mail", TextBody)
Resolve = _action_view("resolve", "Resolve an escalation")
Reopen = _action_view("reopen", "Reopen an answered or resolved escalation")


class MessageAction(APIView):
    permission_classes = [IsAuthenticated]
    action_name = ""

    def post(self, request, slug, message_id):
        course = permissions.ta_course(request.user, slug)
        if self.action_name == "endorse":
            m = conversations.endorse(course_id=course.id, message_id=message_id, ta=request.user)
        else:
            m = conversations.correct(
                course_id=course.id, message_id=message_id, ta=request.user, text=_body(TextBody, request)["text"]
            )
        return Response(selectors.staff_message_dict(m))


class Endorse(MessageAction):
    action_name = "endorse"

    @extend_schema(
        summary="Endorse an AI answer (it joins the TA's sources, cited as staff-verified)",
        operation_id="staff_message_endorse",
        request=None,
        responses={200: OpenApiResponse(description="the endorsed message"), 404: NOT_FOUND},
    )
    def post(self, request, slug, message_id):
        return super().post(request, slug, message_id)


class Correct(MessageAction):
    action_name = "correct"

    @extend_schema(
        summary="Correct an AI answer (the correction joins the thread and the TA's sources)",
        operation_id="staff_message_correct",
        request=TextBody,
        responses={200: OpenApiResponse(description="the correction (a human_ta message)"), 400: ERR, 404: NOT_FOUND},
    )
    def post(self, request, slug, message_id):
        return super().post(request, slug, message_id)


class Share(APIView):
    """A student's sharing of one of their threads with the course's authors."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Preview exactly what sharing this thread would give the authors (anonymized)",
        operation_id="ta_thread_share_preview",
        responses={
            200: OpenApiResponse(description="{title, asked_on, step_id, problem_id, messages, token, shared}"),
            404: NOT_FOUND,
        },
    )
    def get(self, request, slug, thread_id):
        course = permissions.student_course(request.user, slug)
        p = sharing.preview(user=request.user, course_id=course.id, thread_id=thread_id)
        return Response({**sharing.preview_dict(p), "shared": sharing.is_shared(thread_id)})

    @extend_schema(
        summary="Share the thread (as previewed; anonymized by a background task)",
        operation_id="ta_thread_share",
        request=ShareBody,
        responses={201: OpenApiResponse(description="{shared: true, status}"), 409: ERR, 404: NOT_FOUND},
    )
    def post(self, request, slug, thread_id):
        course = permissions.student_course(request.user, slug)
        s = sharing.share(
            user=request.user, course_id=course.id, thread_id=thread_id, token=_body(ShareBody, request).get("token")
        )
        s.refresh_from_db()
        return Response({"shared": True, "status": s.status}, status=201)

    @extend_schema(
        summary="Unshare the thread (deletes the authors' copy)",
        operation_id="ta_thread_unshare",
        responses={204: OpenApiResponse(description="deleted"), 404: NOT_FOUND},
    )
    def delete(self, request, slug, thread_id):
        course = permissions.student_course(request.user, slug)
        done = sharing.unshare(user=request.user, course_id=course.id, thread_id=thread_id)
        if not done:
            raise Http404("This thread is not shared")
        return Response(status=204)


class Inbox(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The authors' inbox: anonymized shared threads, newest first (faculty)",
        operation_id="staff_inbox_list",
        parameters=[OpenApiParameter("concept", str, description="only threads touching this concept slug")],
        responses={200: OpenApiResponse(description="list of shared threads"), 404: NOT_FOUND},
    )
    def get(self, request, slug):
        course = permissions.faculty_course(request.user, slug)
        return Response(inbox.shared_threads(course.id, request.query_params.get("concept") or None))


class StuckMap(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Stuck-map data: per step, stuck signals per student who reached it (faculty)",
        operation_id="staff_stuck_map",
        responses={
            200: OpenApiResponse(
                description="{signals, steps: [{position, step, slug, title, module, reached, counts, rates, steepness}]}"
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request, slug):
        course = permissions.faculty_course(request.user, slug)
        return Response({"signals": list(stuckmap.SIGNALS), "steps": [s.as_dict() for s in stuckmap.stuck_map(course.id)]})
