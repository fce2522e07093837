"""Escalations: nothing relevant in the course, a low-confidence model answer, a student asking for a human, and a
flagged answer each hand the thread to the course's TAs (with an append-only event log), and the student is told."""

from __future__ import annotations

from channels.layers import get_channel_layer

from tutor.conversations.services import queue_group

from .conftest import ask, receive_until


async def _events(comm, text, **kw):
    await comm.send_json_to(ask(text, **kw))
    events = await receive_until(comm, "done")
    if not await comm.receive_nothing(timeout=0.3):
        events.append(await comm.receive_json_from())
    return events


async def test_nothing_relevant_escalates_and_tells_the_student(connect, ta_student, ta_course):
    from tutor.conversations.models import Escalation

    layer = get_channel_layer()
    tas = await layer.new_channel()
    await layer.group_add(queue_group(ta_course.id), tas)
    comm = await connect(ta_student)
    events = await _events(comm, "How do I bake sourdough bread at home?")
    done, escalated = events[-2], events[-1]
    assert done["type"] == "done" and "couldn't find anything" in done["text"] and done["sources"] == []
    assert escalated["type"] == "escalated" and escalated["reason"] == "no_sources"
    assert "human TAs" in escalated["notice"]["text"]
    esc = await Escalation.objects.select_related("thread").aget(pk=escalated["escalation"])
    assert esc.thread_id == done["thread"] and esc.status == "open" and esc.message_id == done["message"]
    kinds = [e.kind async for e in esc.events.order_by("id")]
    assert kinds == ["asked", "ai_answered", "escalated"]
    event = await layer.receive(tas)  # the TAs' live queue hears about it (after commit)
    assert event["type"] == "ta.escalation" and event["escalation"] == esc.id and event["student"] == "grace"


async def test_low_confidence_answer_escalates(connect, ta_student, scripted, settings):
    settings.TA_MIN_MEAN_LOGPROB = -1.5
    scripted("Maybe you divide by the total, or perhaps not, I am unsure.", logprob=-3.2)
    comm = await connect(ta_student)
    events = await _events(comm, "How do I normalise a row of counts?")
    assert events[-2]["type"] == "done" and events[-2]["usage"]["mean_logprob"] < -3
    assert events[-1]["type"] == "escalated" and events[-1]["reason"] == "low_confidence"


async def test_confident_grounded_answer_does_not_escalate(connect, ta_student, scripted):
    from tutor.conversations.models import Escalation

    scripted("Divide each count by the row total [1].", logprob=-0.1)
    comm = await connect(ta_student)
    events = await _events(comm, "How do I normalise a row of counts?")
    assert events[-1]["type"] == "done"
    assert not await Escalation.objects.aexists()


async def test_asking_for_a_human_escalates_without_the_model(connect, ta_student, scripted):
    engine = scripted("I should not be called")
    comm = await connect(ta_student)
    await comm.send_json_to(ask("Can I talk to a real person please?"))
    events = await receive_until(comm, "done")
    assert [e["type"] for e in events] == ["accepted", "escalated", "done"]
    assert events[1]["reason"] == "asked_human" and "human TAs" in events[-1]["text"]
    assert engine.calls == []
    await comm.send_json_to(ask("Here is more detail for the human", thread=events[-1]["thread"], human=True))
    events = await receive_until(comm, "done")
    assert events[1]["type"] == "escalated" and events[1]["created"] is False  # joins the open escalation


async def test_flag_escalates_and_marks_the_answer(connect, ta_student, ta_course):
    from tutor.conversations.models import Escalation, Message

    comm = await connect(ta_student)
    done = (await _events(comm, "How do I normalise a row of counts?"))[-1]
    assert done["type"] == "done"
    await comm.send_json_to({"type": "flag", "message": done["message"], "reason": "too vague"})
    escalated = await comm.receive_json_from()
    assert escalated["type"] == "escalated" and escalated["reason"] == "flagged"
    assert (await Message.objects.aget(pk=done["message"])).flagged
    esc = await Escalation.objects.aget(pk=escalated["escalation"])
    assert esc.message_id == done["message"] and esc.reason == "flagged"


async def test_human_answer_reaches_the_students_socket(connect, ta_student, ta_course):
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import User

    from courses.api import grant_role
    from tutor.conversations import services

    comm = await connect(ta_student)
    await comm.send_json_to(ask("I want a human TA"))
    events = await receive_until(comm, "done")
    ta = await sync_to_async(User.objects.create_user)("tom", password="pw-tom-123")
    await sync_to_async(grant_role)(user=ta, course_id=ta_course.id, role="ta")
    await sync_to_async(services.post_human_answer)(
        escalation_id=events[1]["escalation"], author=ta, text="Divide by the **row** total."
    )
    pushed = await comm.receive_json_from(timeout=20)  # generous: a loaded CI machine, Redis layer
    assert pushed["type"] == "human_answer" and pushed["thread"] == events[-1]["thread"]
    assert pushed["message"]["role"] == "human_ta" and "<strong>row</strong>" in pushed["message"]["html"]
