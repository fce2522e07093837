"""The TA queue pages: 25 per page in the dashboard, DRF page-number pagination in the API."""

import pytest
from rest_framework.test import APIClient

from tutor.conversations.models import Escalation, Thread

pytestmark = pytest.mark.django_db


def test_queue_is_paginated(client, course, make_user):
    student = make_user("sam", course=course)
    ta = make_user("tina", course=course, role="ta")
    for i in range(30):
        thread = Thread.objects.create(user=student, course_id=course.id, title=f"question {i:02d}")
        Escalation.objects.create(thread=thread, course_id=course.id, student=student, reason="asked_human")
    client.force_login(ta)
    first = client.get("/courses/example/staff/queue/?filter=open").content.decode()
    assert first.count('data-escalation="') == 25 and "page 1 of 2 · 30 escalations" in first
    assert "question 00" in first and "question 29" not in first  # oldest first
    second = client.get("/courses/example/staff/queue/?filter=open&page=2").content.decode()
    assert second.count('data-escalation="') == 5 and "question 29" in second
    api = APIClient()
    api.force_authenticate(ta)
    body = api.get("/api/courses/example/staff/escalations/?filter=open").json()
    assert body["count"] == 30 and len(body["results"]) == 30 and body["next"] is None
