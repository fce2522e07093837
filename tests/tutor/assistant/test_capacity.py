"""At capacity the TA websocket says so — an ``at_capacity`` error frame with ``retry_after``, then close code 4503 —
instead of dropping the student silently; a slot freed is a slot given (issue 14)."""

from __future__ import annotations

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator


async def test_sessions_past_capacity_get_a_clear_message_then_a_slot_when_one_frees(connect, ta_student, settings):
    from academy.routing import websocket_urlpatterns
    from tutor.assistant import consumers

    settings.TA_MAX_SESSIONS = consumers.open_sessions() + 2
    first = await connect(ta_student)
    await connect(ta_student)
    extra = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/courses/example/ta/")
    extra.scope["user"] = ta_student
    connected, _ = await extra.connect(timeout=10)
    assert connected
    frame = await extra.receive_json_from(timeout=10)
    assert frame["type"] == "error" and frame["code"] == "at_capacity" and frame["status"] == 429 and frame["retry_after"] == 30
    assert "try again" in frame["message"]
    assert (await extra.receive_output(timeout=10)) == {"type": "websocket.close", "code": consumers.AT_CAPACITY}
    await first.disconnect()
    again = await connect(ta_student)  # the freed slot is usable at once
    await again.send_json_to({"type": "threads"})
    assert (await again.receive_json_from(timeout=10))["type"] == "threads"
