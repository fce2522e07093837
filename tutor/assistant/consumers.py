"""The TA websocket, ``/ws/courses/<slug>/ta/`` (protocol in docs/ta.md): enrolled students only, each reaching only
their own threads. One answer streams at a time per connection, generated in a task of this consumer and sent
straight to the socket; the channel layer carries only events (a human TA's answer) to the student's group."""

from __future__ import annotations

import asyncio
import logging
import uuid

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from courses import api as courses
from courses.api import is_enrolled
from tutor.assistant.aio import db
from tutor.assistant.turn import Ask, Turn
from tutor.conversations import api as conversations

log = logging.getLogger(__name__)

#: Close codes (before the handshake completes the client sees a refused connection).
UNAUTHENTICATED, NOT_ENROLLED, NO_COURSE = 4401, 4403, 4404
#: Closed after an ``at_capacity`` error frame: this process already holds ``TA_MAX_SESSIONS`` sockets.
AT_CAPACITY = 4503
_open_sessions = 0  # TA sockets open in this process (one event loop: no lock needed)


def open_sessions() -> int:
    """TA websockets currently open in this ASGI process (for metrics and the capacity test)."""
    return _open_sessions


def _int(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("expected an integer id")
    return int(value)


class TAConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.task: asyncio.Task | None = None
        self.turn: Turn | None = None
        self.group = None
        if not getattr(self.user, "is_authenticated", False):
            return await self.close(code=UNAUTHENTICATED)
        self.course = await db(courses.get_course)(self.scope["url_route"]["kwargs"]["slug"])
        if self.course is None:
            return await self.close(code=NO_COURSE)
        if not await db(is_enrolled)(self.user, self.course.id):
            return await self.close(code=NOT_ENROLLED)
        global _open_sessions
        self.counted = False
        await self.accept()
        if _open_sessions >= settings.TA_MAX_SESSIONS:  # at capacity: say so, then close — never a silent drop
            await self.send_json(
                courses.ws_error(
                    courses.RateLimited(
                        "The TA is at capacity right now; please try again in a minute.", code="at_capacity", retry_after=30
                    )
                )
            )
            return await self.close(code=AT_CAPACITY)
        _open_sessions += 1
        self.counted = True
        self.group = conversations.student_group(self.course.id, self.user.id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code) -> None:
        global _open_sessions
        if getattr(self, "counted", False):
            _open_sessions -= 1
            self.counted = False
        if self.task and not self.task.done():
            self.task.cancel()  # the turn stores what was streamed as a partial answer
            await asyncio.wait([self.task], timeout=10)
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler = {
            "ask": self._ask,
            "stop": self._stop,
            "open": self._open,
            "history": self._history,
            "threads": self._threads,
            "flag": self._flag,
            "escalate": self._escalate,
        }.get(kind)
        if handler is None:
            return await self._error("bad_request", f"unknown message type {kind!r}")
        try:
            await handler(content)
        except courses.DomainError as exc:  # the one mapping of refusals to frames (courses.errors.ws_error)
            await self._emit(courses.ws_error(exc))
        except (ValueError, TypeError) as exc:
            await self._emit(courses.ws_error(courses.BadRequest(str(exc))))

    async def _emit(self, event: dict) -> None:
        """Send to the client; a client that has just gone away is not an error (the turn is cancelled next)."""
        try:
            await self.send_json(event)
        except Exception as exc:  # uvicorn's ClientDisconnected, daphne's closed transport...
            log.debug("TA event to a closed socket dropped: %s", exc)

    async def _error(self, code: str, message: str, **extra) -> None:
        await self._emit({"type": "error", "code": code, "message": message, **extra})

    # ------------------------------------------------------------------ client messages
    async def _ask(self, content: dict) -> None:
        if self.task and not self.task.done():
            return await self._error("busy", "Wait for the current answer to finish, or stop it first.")
        text = content.get("text")
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        ask = Ask(
            text=text,
            client_message_id=uuid.UUID(str(content.get("client_message_id") or uuid.uuid4())),
            thread_id=_int(content.get("thread")),
            step_id=_int(content.get("step")),
            problem_id=_int(content.get("problem")),
            human=bool(content.get("human")),
        )
        self.turn = Turn(user=self.user, course=self.course, ask=ask, emit=self._emit)
        self.task = asyncio.create_task(self._run(self.turn))

    async def _run(self, turn: Turn) -> None:
        try:
            await turn.run()
        except asyncio.CancelledError:
            raise
        except Exception:  # never leave the client waiting: report, keep the socket
            log.exception("TA turn failed")
            await self._error(
                "server_error", "Something went wrong while answering; please try again.", message_id=turn.answer.id
            )

    async def _stop(self, content: dict) -> None:
        if not self.task or self.task.done():
            return
        self.task.cancel()
        await asyncio.wait([self.task], timeout=10)
        await self.turn.stopped()

    async def _history(self, content: dict) -> None:
        thread = await db(conversations.own_thread)(self.user, _int(content.get("thread")), self.course.id)
        if thread is None:
            raise conversations.ThreadNotFound("no such thread")
        await self._emit({"type": "thread", "thread": await db(conversations.thread_dict)(thread)})

    async def _open(self, content: dict) -> None:
        """The student's latest thread on a step (what the panel shows when a step page opens), or null."""
        thread = await db(conversations.latest_thread)(self.user, self.course.id, _int(content.get("step")))
        await self._emit({"type": "thread", "thread": await db(conversations.thread_dict)(thread) if thread else None})

    async def _threads(self, content: dict) -> None:
        rows = await db(
            lambda: [conversations.thread_dict(t, with_messages=False) for t in conversations.threads(self.user, self.course.id)]
        )()
        await self._emit({"type": "threads", "threads": rows})

    async def _flag(self, content: dict) -> None:
        esc, created, notice = await db(conversations.flag_answer)(
            user=self.user, message_id=_int(content.get("message")), reason=str(content.get("reason") or "")[:500]
        )
        await self._emit(
            {
                "type": "escalated",
                "thread": esc.thread_id,
                "escalation": esc.id,
                "reason": esc.reason,
                "created": created,
                "message": _int(content.get("message")),
                "notice": conversations.message_dict(notice) if notice else None,
            }
        )

    async def _escalate(self, content: dict) -> None:
        thread = await db(conversations.own_thread)(self.user, _int(content.get("thread")), self.course.id)
        if thread is None:
            raise conversations.ThreadNotFound("no such thread")
        esc, created, notice = await db(conversations.escalate)(
            user=self.user, thread_id=thread.id, reason="asked_human", note=str(content.get("text") or "")[:2000]
        )
        await self._emit(
            {
                "type": "escalated",
                "thread": thread.id,
                "escalation": esc.id,
                "reason": esc.reason,
                "created": created,
                "notice": conversations.message_dict(notice) if notice else None,
            }
        )

    # ------------------------------------------------------------------ channel-layer events
    async def ta_human_answer(self, event: dict) -> None:
        await self._emit({"type": "human_answer", "thread": event["thread"], "message": event["message"]})
