"""Schema fuzzing (schemathesis, property-based) over the whole OpenAPI schema, as anonymous, student, TA and faculty:
no server error and no response that breaks the schema. Bounded: ``FUZZ_EXAMPLES`` examples per operation (default
2 in ``make test``; ``make fuzz`` raises it), each case replayed for every role and also aimed at the real course and
real ids so that it reaches past the 404s."""

from __future__ import annotations

import os
import uuid
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def world(course, make_user, django_capture_on_commit_callbacks):
    from rest_framework.authtoken.models import Token

    from courses import api
    from tutor.conversations import services as escalations
    from tutor.conversations.models import Message, Thread

    people = {
        "student": make_user("ada", course=course, role="student"),
        "ta": make_user("tom", course=course, role="ta"),
        "faculty": make_user("fay", course=course, role="faculty"),
    }
    step = api.get_step(course.id, "normalise")
    t = Thread.objects.create(user=people["student"], course_id=course.id, step_id=step.id, title="How do I normalise?")
    q = Message.objects.create(thread=t, role="student", author=people["student"], text="How?", client_message_id=uuid.uuid4())
    ai = Message.objects.create(thread=t, role="assistant", reply_to=q, text="Divide.", mode="retrieval")
    esc, _, _ = escalations.escalate(user=people["student"], thread_id=t.id, reason="asked_human")
    headers = {role: {"Authorization": f"Token {Token.objects.create(user=u).key}"} for role, u in people.items()}
    headers["anonymous"] = {}
    from courses.models import Problem

    real = {
        "slug": "example",
        "thread_id": t.id,
        "escalation_id": esc.id,
        "message_id": ai.id,
        "problem_id": Problem.objects.order_by("id").values_list("id", flat=True).first(),
    }
    # Like Django's test client: the WSGI requests run inside the test's transaction, so the per-request
    # close_old_connections (which would close that connection on PostgreSQL) is switched off meanwhile.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield headers, real
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema():
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_holds_under_fuzzing(case, world):
    headers, real = world
    roles = list(headers)
    # As generated (ids mostly unknown: the 404 paths), by one role chosen from the case; then aimed at the real
    # course and ids, by every role (the permission and validation paths).
    case.call_and_validate(headers=headers[roles[zlib.crc32(repr(case.path_parameters).encode()) % len(roles)]], checks=CHECKS)
    if case.path_parameters:
        case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
    for role in roles:
        case.call_and_validate(headers=headers[role], checks=CHECKS)
