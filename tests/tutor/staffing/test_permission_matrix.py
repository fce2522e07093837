"""Who sees what, as a matrix over every page, API endpoint and websocket of the people side and the existing student
TA ones: students only their own threads; TAs the escalations and threads of courses they staff; faculty only the
anonymized shared threads and aggregate stats of their courses; anonymous users nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tutor.conversations.models import Message
from tutor.staffing import services as sharing

from .conftest import make_thread

ROLES = ("anonymous", "nobody", "bob", "otto", "fay", "tom", "ada")  # bob: another student; otto: TA of another course
WHO = {"nobody": "nobody", "bob": "bob", "otto": "otto", "fay": "fay", "tom": "tom", "ada": "ada"}

# (name, kind, method, url template, body, {role: expected status when allowed})
MATRIX = [
    ("TA dashboard", "page", "get", "/courses/example/staff/queue/", None, {"tom": 200}),
    ("TA queue partial", "page", "get", "/courses/example/staff/queue/?partial=1&filter=all", None, {"tom": 200}),
    ("escalation page", "page", "get", "/courses/example/staff/escalations/{esc}/", None, {"tom": 200}),
    ("claim (form)", "page", "post", "/courses/example/staff/escalations/{esc}/claim/", {}, {"tom": 302}),
    ("answer (form)", "page", "post", "/courses/example/staff/escalations/{esc}/answer/", {"text": "hi"}, {"tom": 302}),
    ("endorse (form)", "page", "post", "/courses/example/staff/messages/{ai}/endorse/", {}, {"tom": 302}),
    ("share preview page", "page", "get", "/courses/example/ta/threads/{thread}/share/", None, {"ada": 200}),
    ("share (form)", "page", "post", "/courses/example/ta/threads/{thread}/share/", {}, {"ada": 302}),
    ("unshare (form)", "page", "post", "/courses/example/ta/threads/{shared_thread}/unshare/", {}, {"ada": 302}),
    ("author inbox", "page", "get", "/courses/example/staff/inbox/", None, {"fay": 200}),
    ("stuck-map", "page", "get", "/courses/example/staff/stuck-map/", None, {"fay": 200}),
    ("my TA threads (existing)", "page", "get", "/courses/example/ta/", None, {"ada": 200, "bob": 200}),
    ("one TA thread (existing)", "page", "get", "/courses/example/ta/threads/{thread}/", None, {"ada": 200}),
    ("API queue", "api", "get", "/api/courses/example/staff/escalations/?filter=all", None, {"tom": 200}),
    ("API escalation", "api", "get", "/api/courses/example/staff/escalations/{esc}/", None, {"tom": 200}),
    ("API claim", "api", "post", "/api/courses/example/staff/escalations/{esc}/claim/", {}, {"tom": 200}),
    ("API answer", "api", "post", "/api/courses/example/staff/escalations/{esc}/answer/", {"text": "hi"}, {"tom": 201}),
    ("API resolve", "api", "post", "/api/courses/example/staff/escalations/{esc}/resolve/", {}, {"tom": 200}),
    ("API reopen (illegal now)", "api", "post", "/api/courses/example/staff/escalations/{esc}/reopen/", {}, {"tom": 409}),
    ("API endorse", "api", "post", "/api/courses/example/staff/messages/{ai}/endorse/", {}, {"tom": 200}),
    ("API correct", "api", "post", "/api/courses/example/staff/messages/{ai}/correct/", {"text": "better"}, {"tom": 200}),
    ("API share preview", "api", "get", "/api/courses/example/ta/threads/{thread}/share/", None, {"ada": 200}),
    ("API share", "api", "post", "/api/courses/example/ta/threads/{thread}/share/", {}, {"ada": 201}),
    ("API unshare", "api", "delete", "/api/courses/example/ta/threads/{shared_thread}/share/", None, {"ada": 204}),
    ("API inbox", "api", "get", "/api/courses/example/staff/inbox/", None, {"fay": 200}),
    ("API stuck-map", "api", "get", "/api/courses/example/staff/stuck-map/", None, {"fay": 200}),
    ("API my threads (existing)", "api", "get", "/api/courses/example/ta/threads/", None, {"ada": 200, "bob": 200}),
    ("API one thread (existing)", "api", "get", "/api/courses/example/ta/threads/{thread}/", None, {"ada": 200}),
]


@pytest.fixture
def world(people, django_capture_on_commit_callbacks):
    t, esc = make_thread(people.ada, people.course.id)
    t2, _ = make_thread(people.ada, people.course.id, "Another question about counts", escalate=False)
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share(user=people.ada, course_id=people.course.id, thread_id=t2.id)
    ai = Message.objects.get(thread=t, role="assistant")
    users = {
        "nobody": people.nobody,
        "bob": people.bob,
        "otto": people.otto,
        "fay": people.fay,
        "tom": people.tom,
        "ada": people.ada,
    }
    return {"esc": esc.id, "thread": t.id, "shared_thread": t2.id, "ai": ai.id}, users


@pytest.mark.parametrize("name, kind, method, url, body, allowed", MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(world, client, name, kind, method, url, body, allowed):
    ids, users = world
    url = url.format(**ids)
    for role in ROLES:  # the allowed role(s) last: their writes change state
        if kind == "api":
            c = APIClient()
            if role != "anonymous":
                c.force_authenticate(users[role])
            r = getattr(c, method)(url, body, format="json") if body is not None else getattr(c, method)(url)
        else:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            r = getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
        if role in allowed:
            assert r.status_code == allowed[role], (name, role, r.status_code)
        elif role == "anonymous":
            if kind == "page":
                assert r.status_code == 302 and "/accounts/login/" in r["Location"], (name, role, r.status_code)
            else:
                assert r.status_code in (401, 403), (name, role, r.status_code)
        else:
            assert r.status_code == 404, (name, role, r.status_code)


WS = [
    ("/ws/courses/example/staff/queue/", {"tom"}),
    ("/ws/courses/example/ta/", {"ada", "bob"}),
    ("/ws/courses/other/staff/queue/", {"otto"}),
]


@pytest.mark.parametrize("path, allowed", WS, ids=[w[0] for w in WS])
async def test_websocket_matrix(ws, people, path, allowed):
    for role in ROLES:
        user = None if role == "anonymous" else getattr(people, role)
        connected, comm_or_code = await ws(user, path)
        if role in allowed:
            assert connected, (path, role, comm_or_code)
            await comm_or_code.disconnect()
        else:
            assert not connected and comm_or_code == (4401 if role == "anonymous" else 4403), (path, role, comm_or_code)


def test_faculty_inbox_and_stuck_map_hold_no_student_identity(world, client, people):
    client.force_login(people.fay)
    for url in (
        "/courses/example/staff/inbox/",
        "/api/courses/example/staff/inbox/",
        "/courses/example/staff/stuck-map/",
        "/api/courses/example/staff/stuck-map/",
    ):
        body = client.get(url).content.decode()
        assert "adalove" not in body and "Lovelace" not in body and "adalove@" not in body, url
