"""TAs endorse or correct AI answers: they become retrieval sources of the automated TA (re-indexed by a Celery task)
and are cited as staff-verified; a correction joins the student's thread."""

from __future__ import annotations

import uuid

from tutor.assistant import index
from tutor.conversations import escalations as services
from tutor.conversations.models import Message

from .conftest import make_thread

QUESTION = "What is a zebra-striped quokka tensor?"


def test_endorsed_answer_becomes_a_staff_verified_source(people, django_capture_on_commit_callbacks):
    t, _ = make_thread(people.ada, people.course.id, QUESTION, answer="A quokka tensor stores zebra stripes per row.")
    ai = Message.objects.get(thread=t, role="assistant")
    with django_capture_on_commit_callbacks(execute=True) as tasks:
        services.endorse(course_id=people.course.id, message_id=ai.id, ta=people.tom)
    assert len(tasks) == 1  # the re-index task, scheduled on commit
    ai.refresh_from_db()
    assert ai.endorsed and ai.verified_by == people.tom
    hits = index.get_index(people.course.id).search("zebra-striped quokka tensor", k=3).hits
    assert hits[0].chunk.kind == "endorsed" and hits[0].chunk.title.startswith("Staff-verified answer")


def test_correction_replaces_the_ai_answer_as_source_and_reaches_the_thread(people):
    t, esc = make_thread(people.ada, people.course.id, QUESTION, answer="A quokka tensor is a kind of wombat.")
    ai = Message.objects.get(thread=t, role="assistant")
    services.endorse(course_id=people.course.id, message_id=ai.id, ta=people.tom)
    fix = services.correct(
        course_id=people.course.id,
        message_id=ai.id,
        ta=people.tom,
        text="A quokka tensor stores zebra stripes per row; not a wombat.",
    )
    assert fix.thread_id == t.id and fix.role == "human_ta" and fix.corrects_id == ai.id and fix.endorsed
    ai.refresh_from_db()
    assert not ai.endorsed
    chunks = [c for c in index.get_index(people.course.id).chunks if c.kind == "endorsed"]
    assert len(chunks) == 1 and "not a wombat" in chunks[0].text
    assert "corrected" in [e.kind for e in esc.events.all()]


async def test_the_automated_ta_cites_an_endorsed_answer_as_verified(ws, people):
    from asgiref.sync import sync_to_async

    t, _ = await sync_to_async(make_thread)(
        people.bob, people.course.id, QUESTION, answer="A quokka tensor stores zebra stripes per row.", escalate=False
    )
    ai = await Message.objects.aget(thread=t, role="assistant")
    await sync_to_async(services.endorse)(course_id=people.course.id, message_id=ai.id, ta=people.tom)
    ok, comm = await ws(people.ada, "/ws/courses/example/ta/")
    await comm.send_json_to(
        {"type": "ask", "text": "zebra-striped quokka tensor meaning?", "client_message_id": str(uuid.uuid4())}
    )
    while (ev := await comm.receive_json_from(timeout=20))["type"] != "done":
        pass
    assert any(s["kind"] == "endorsed" and s["verified"] for s in ev["sources"])
