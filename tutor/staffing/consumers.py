"""The TAs' live queue, ``/ws/courses/<slug>/staff/queue/``: the course's TAs only (close codes as the TA socket:
4401 not logged in, 4403 not a TA of the course, 4404 no such course). Joins the course's ``ta.queue.{course}``
channel-layer group and forwards its events; the dashboard re-reads its list when one arrives.

Server → client: ``{"type": "escalation", escalation, thread, reason, created, title}`` (a new or joined escalation)
and ``{"type": "update", escalation, thread, action, status, actor}`` (claimed / answered / resolved / reopened).
"""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from courses import api as courses
from courses.api import Role, member_course_id
from tutor.assistant.api import NO_COURSE, NOT_ENROLLED, UNAUTHENTICATED, db
from tutor.conversations.api import queue_group


class StaffQueueConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group = None
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            return await self.close(code=UNAUTHENTICATED)
        slug = self.scope["url_route"]["kwargs"]["slug"]
        course = await db(courses.get_course)(slug)
        if course is None:
            return await self.close(code=NO_COURSE)
        if await db(member_course_id)(user, slug, Role.TA) is None:
            return await self.close(code=NOT_ENROLLED)
        self.group = queue_group(course.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        await self.send_json({"type": "error", "code": "bad_request", "message": "this socket only sends"})

    async def ta_escalation(self, event: dict) -> None:
        await self.send_json({"type": "escalation", **{k: v for k, v in event.items() if k != "type"}})

    async def ta_escalation_update(self, event: dict) -> None:
        await self.send_json({"type": "update", **{k: v for k, v in event.items() if k != "type"}})
