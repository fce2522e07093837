"""The TA websocket end to end on the real routing, database and channel layer: ask → accepted → delta… → done."""

from __future__ import annotations

from .conftest import ask, receive_until


async def test_retrieval_only_answer_streams_and_cites(connect, ta_student, ta_course):
    from tutor.conversations.models import Message

    comm = await connect(ta_student)
    await comm.send_json_to(ask("How do I normalise a row of counts into probabilities?"))
    events = await receive_until(comm, "done")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "accepted" and kinds[-1] == "done" and "delta" in kinds
    done = events[-1]
    streamed = "".join(e["text"] for e in events if e["type"] == "delta")
    assert streamed == done["text"]
    assert done["mode"] == "retrieval" and done["status"] == "complete"
    assert "course search only" in done["text"]
    assert any("/steps/normalise/" in s["url"] for s in done["sources"])
    assert '<a href="/courses/example/steps/normalise/' in done["html"]
    stored = await Message.objects.aget(pk=done["message"])
    assert stored.text == done["text"] and stored.status == "complete" and stored.sources == done["sources"]
    await comm.disconnect()
