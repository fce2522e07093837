"""Live paths: a new escalation reaches the course TAs' dashboard socket (and no one else's), and a TA's answer reaches
the student's open TA socket."""

from __future__ import annotations

import uuid

from asgiref.sync import sync_to_async

from tutor.conversations import escalations as services


async def _ask_human(comm, text="Can I talk to a real person please?"):
    await comm.send_json_to({"type": "ask", "text": text, "client_message_id": str(uuid.uuid4()), "human": True})
    events = []
    while True:
        ev = await comm.receive_json_from(timeout=20)
        events.append(ev)
        if ev["type"] == "done":
            return events


async def test_escalation_appears_on_the_ta_queue_and_the_answer_reaches_the_student(ws, people):
    ok, queue = await ws(people.tom, "/ws/courses/example/staff/queue/")
    assert ok
    ok, student = await ws(people.ada, "/ws/courses/example/ta/")
    assert ok
    events = await _ask_human(student)
    esc_id = next(e["escalation"] for e in events if e["type"] == "escalated")
    arrived = await queue.receive_json_from(timeout=5)
    assert arrived["type"] == "escalation" and arrived["escalation"] == esc_id and arrived["created"] is True

    await sync_to_async(services.claim)(course_id=people.course.id, escalation_id=esc_id, ta=people.tom)
    assert (await queue.receive_json_from(timeout=5))["status"] == "claimed"
    await sync_to_async(services.answer)(
        course_id=people.course.id, escalation_id=esc_id, ta=people.tom, text="Hello! Divide by the **row** total."
    )
    pushed = await student.receive_json_from(timeout=5)
    assert pushed["type"] == "human_answer" and pushed["message"]["role"] == "human_ta"
    assert "<strong>row</strong>" in pushed["message"]["html"]
    update = await queue.receive_json_from(timeout=5)
    assert update["type"] == "update" and update["status"] == "answered" and update["actor"] == "tom"


async def test_other_courses_ta_and_students_do_not_hear_the_queue(ws, people):
    ok, otto = await ws(people.otto, "/ws/courses/other/staff/queue/")
    assert ok
    ok, student = await ws(people.ada, "/ws/courses/example/ta/")
    await _ask_human(student)
    assert await otto.receive_nothing(timeout=0.5)
