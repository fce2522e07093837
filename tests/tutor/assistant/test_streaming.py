"""Streaming behaviour: deltas are coalesced (~50 ms), ``stop`` cancels and keeps a partial answer, a dropped connection
or a failing worker stores the answer as partial, and reconnecting shows the thread with nothing lost."""

from __future__ import annotations

import asyncio

from .conftest import ask, receive_until

LONG = " ".join(f"word{i}" for i in range(60))


async def test_deltas_are_coalesced(connect, ta_student, scripted):
    scripted(LONG, delay_ms=5)  # 60 pieces ~5 ms apart → far fewer than 60 deltas
    comm = await connect(ta_student)
    await comm.send_json_to(ask("Tell me about counting"))
    events = await receive_until(comm, "done")
    deltas = [e for e in events if e["type"] == "delta"]
    assert 2 <= len(deltas) <= 20
    assert "".join(d["text"] for d in deltas) == events[-1]["text"] == LONG
    assert events[-1]["usage"]["completion_tokens"] == 60 and events[-1]["usage"]["ttft_ms"] is not None


async def test_stop_keeps_a_partial_answer(connect, ta_student, scripted):
    from tutor.conversations.models import Message

    engine = scripted(LONG, delay_ms=40)
    comm = await connect(ta_student)
    await comm.send_json_to(ask("Tell me about counting"))
    events = await receive_until(comm, "delta")
    await comm.send_json_to({"type": "stop"})
    events += await receive_until(comm, "done")
    done = events[-1]
    assert done["status"] == "partial" and done["text"] and done["text"] != LONG and LONG.startswith(done["text"])
    stored = await Message.objects.aget(pk=done["message"])
    assert stored.status == "partial" and stored.text == done["text"]
    await asyncio.sleep(0.2)
    assert engine.active_sequences == 0  # the generation was cancelled, not left running


async def test_dropped_connection_stores_partial_and_reconnect_shows_it(connect, ta_student, scripted):
    from tutor.conversations.models import Message

    scripted(LONG, delay_ms=40)
    comm = await connect(ta_student)
    await comm.send_json_to(ask("Tell me about counting"))
    accepted, delta = await receive_until(comm, "delta")
    await comm.disconnect()
    stored = await Message.objects.aget(pk=accepted["message"])
    assert stored.status == "partial" and stored.text.startswith(delta["text"].strip()) and stored.text != LONG

    again = await connect(ta_student)
    await again.send_json_to({"type": "history", "thread": accepted["thread"]})
    thread = (await again.receive_json_from())["thread"]
    roles = [(m["role"], m["status"]) for m in thread["messages"]]
    assert roles == [("student", "complete"), ("assistant", "partial")]
    assert thread["messages"][0]["text"] == "Tell me about counting"
    assert thread["messages"][1]["text"] == stored.text


async def test_worker_failure_mid_stream_is_stored_as_partial(connect, ta_student, scripted):
    from tutor.conversations.models import Message

    engine = scripted(LONG, delay_ms=30)
    comm = await connect(ta_student)
    await comm.send_json_to(ask("Tell me about counting"))
    await receive_until(comm, "delta")
    engine.close()  # the worker goes away mid-answer
    done = (await receive_until(comm, "done"))[-1]
    assert done["status"] == "partial" and done["text"]
    stored = await Message.objects.aget(pk=done["message"])
    assert stored.status == "partial" and stored.error


async def test_one_answer_at_a_time_and_open_returns_the_steps_thread(connect, ta_student, scripted):
    from asgiref.sync import sync_to_async

    from courses.models import Step

    step = await sync_to_async(Step.objects.get)(slug="normalise")
    scripted(LONG, delay_ms=20)
    comm = await connect(ta_student)
    await comm.send_json_to(ask("First question", step=step.id))
    await receive_until(comm, "accepted")
    await comm.send_json_to(ask("Second question"))
    assert (await receive_until(comm, "error"))[-1]["code"] == "busy"
    done = (await receive_until(comm, "done"))[-1]
    await comm.send_json_to({"type": "open", "step": step.id})
    thread = (await receive_until(comm, "thread"))[-1]["thread"]
    assert thread["id"] == done["thread"] and thread["step"] == step.id and len(thread["messages"]) == 2
