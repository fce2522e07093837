"""One question → one streamed answer: the TA's main flow (DESIGN.md, data flow 2), driven by the websocket consumer.

limits → record the question (idempotent) → ``accepted`` → [a request for a human: escalate] → retrieval over what
this student may see → the model (through the leak guard) or the retrieval-only answer, ``delta`` events coalesced
every TA_COALESCE_MS → the answer stored with its sources and usage → ``done`` → escalation when nothing relevant was
found or the model's mean token log-probability is under TA_MIN_MEAN_LOGPROB → ``escalated``.

Tokens go straight from the backend stream to the student's socket (``emit``), never through the channel layer.
Cancelling the task (``stop``, a dropped connection) stores what was shown so far as a partial answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from django.conf import settings

from courses import api as courses
from inference.errors import InferenceError
from tutor.assistant import backends, limits, moderation, prompt, retrieval_only
from tutor.assistant.access import StudentView
from tutor.assistant.aio import db
from tutor.assistant.guard import LeakGuard
from tutor.assistant.index import get_index
from tutor.assistant.intent import wants_human
from tutor.assistant.learner_profile import KnowledgeProfile, knowledge_profile
from tutor.assistant.secrets import Secrets, secrets_for
from tutor.assistant.text import html_to_text
from tutor.conversations import api as conversations
from tutor.conversations.api import Escalation, Message
from tutor.practice import api as practice

log = logging.getLogger(__name__)
Emit = Callable[[dict], Awaitable[None]]


@dataclass
class Ask:
    """A parsed ``ask`` message."""

    text: str
    client_message_id: uuid.UUID
    thread_id: int | None = None
    step_id: int | None = None
    problem_id: int | None = None
    human: bool = False  # the "Ask a human" button: escalate instead of answering


@dataclass
class Context:
    hits: list
    relevant: bool
    focus: prompt.Focus
    secrets: Secrets
    locked: list[str]
    history: list[dict]
    next_hint: tuple[int, int, str] | None = None
    knowledge: KnowledgeProfile | None = None


@dataclass
class Answer:
    """What has been produced so far (the consumer reads it to report a stopped answer)."""

    id: int | None = None
    thread_id: int | None = None
    shown: str = ""
    raw: str = ""
    sources: list[dict] = field(default_factory=list)
    mode: str = ""
    model_name: str = ""
    logprobs: list[float] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    started: float = field(default_factory=time.perf_counter)
    first_token: float | None = None
    finished: bool = False
    withheld: int = 0


def _setting(name: str, default):
    return getattr(settings, name, default)


def _sources(hits) -> list[dict]:
    return [
        {
            "n": i,
            "title": h.chunk.title,
            "url": h.chunk.url,
            "kind": h.chunk.kind,
            "step": h.chunk.step_id,
            "problem": h.chunk.problem_id,
            "verified": h.chunk.kind == "endorsed",
        }
        for i, h in enumerate(hits, 1)
    ]


class Turn:
    def __init__(self, *, user, course: courses.CourseInfo, ask: Ask, emit: Emit) -> None:
        self.user, self.course, self.ask, self.emit = user, course, ask, emit
        self.answer = Answer()
        self._pending_delta = ""
        self._last_emit = 0.0
        self._last_checkpoint = time.perf_counter()

    # ------------------------------------------------------------------ entry point
    async def run(self) -> None:
        ask = self.ask
        refusal = limits.check_text(ask.text)
        if refusal is None:
            msg = await db(moderation.check)(ask.text, user_id=self.user.id, course_id=self.course.id)
            refusal = limits.Refusal("moderated", msg) if msg else None
        if refusal:
            return await self._error(refusal.code, refusal.message, refusal.retry_after)
        started = await db(conversations.find_question)(
            user=self.user, course_id=self.course.id, client_message_id=ask.client_message_id
        )
        if started is None:
            refusal = await limits.take(self.user.id)
            if refusal:
                return await self._error(refusal.code, refusal.message, refusal.retry_after)
            try:
                started = await db(conversations.start_turn)(
                    user=self.user,
                    course_id=self.course.id,
                    text=ask.text,
                    client_message_id=ask.client_message_id,
                    thread_id=ask.thread_id,
                    step_id=ask.step_id,
                    problem_id=ask.problem_id,
                )
            except courses.DomainError as exc:
                return await self.emit(courses.ws_error(exc, client_message_id=str(self.ask.client_message_id)))
        a = self.answer
        a.id, a.thread_id = (started.answer.id if started.answer else None), started.thread.id
        await self.emit(
            {
                "type": "accepted",
                "thread": started.thread.id,
                "question": started.question.id,
                "message": a.id,
                "client_message_id": str(ask.client_message_id),
                "replay": started.replay,
            }
        )
        if started.replay:
            return await self._replay(started)
        try:
            await self._answer()
        except asyncio.CancelledError:  # stopped or disconnected before or while streaming: keep what was shown
            await asyncio.shield(self._save_partial("", self.answer.withheld, "stopped"))
            raise

    async def _answer(self) -> None:
        ask, a = self.ask, self.answer
        if ask.human or wants_human(ask.text):
            await self._escalate(Escalation.Reason.ASKED_HUMAN, a.id, with_notice=False)
            notice = conversations.NOTICES[Escalation.Reason.ASKED_HUMAN]
            return await self._finish(text=notice, status=Message.Status.COMPLETE)
        ctx = await db(self._context, thread_sensitive=False)()
        choice = await db(backends.assistant_for)(self.course.id)
        try:
            backend = await backends.get_backend(choice)
        except InferenceError as exc:
            log.error("TA backend unavailable: %s", exc)
            backend = None
            await self._retrieval_answer(ctx, reason="*The AI model could not be loaded; here are course passages.*")
        else:
            if backend is None:
                await self._retrieval_answer(ctx)
            else:
                await self._model_answer(backend, ctx, compact=choice.compact)
        if not ctx.relevant:
            await self._escalate(Escalation.Reason.NO_SOURCES, a.id)
        elif a.mode == Message.Mode.MODEL and a.logprobs:
            threshold = choice.min_mean_logprob  # calibrated on the course's held-out questions (manage.py evaluate_ta)
            if threshold is None:
                threshold = _setting("TA_MIN_MEAN_LOGPROB", -1.5)
            mean = sum(a.logprobs) / len(a.logprobs)
            if threshold is not None and threshold != "" and mean < float(threshold):
                await self._escalate(Escalation.Reason.LOW_CONFIDENCE, a.id, note=f"mean token logprob {mean:.2f}")

    # ------------------------------------------------------------------ context (sync, in a worker thread)
    def _context(self) -> Context:
        ask = self.ask
        idx = get_index(self.course.id)
        problem_ids = {c.problem_id for c in idx.chunks if c.problem_id} | ({ask.problem_id} if ask.problem_id else set())
        view = StudentView.load(self.user, problem_ids)
        problem = courses.get_problem(ask.problem_id) if ask.problem_id else None
        step_id = ask.step_id or (problem.step_id if problem else None)
        step = courses.get_step_by_id(step_id) if step_id else None
        query = ask.text if not problem else f"{ask.text}\n{html_to_text(problem.prompt_html)}"
        result = idx.search(query, k=int(_setting("TA_SOURCES", 4)), visible=view.visible)
        focus, next_hint = prompt.Focus(step, None, None), None
        if problem:
            state = view.state(problem.id)
            shown = tuple(html_to_text(h) for h in courses.hints_html(problem.id, state.hints_revealed))
            nxt = courses.hint_html(problem.id, state.hints_revealed) if state.hints_revealed < problem.hint_count else None
            focus = prompt.Focus(
                step,
                problem,
                state,
                html_to_text(nxt) if nxt else None,
                shown,
                courses.solution_md(problem.id) if state.done else None,
            )
            if nxt is not None:
                next_hint = (state.hints_revealed + 1, problem.hint_count, html_to_text(nxt))
        in_view = {c.problem_id for c in idx.chunks if c.kind == "problem" and step and c.step_id == step.id}
        in_view |= {h.chunk.problem_id for h in result.hits if h.chunk.problem_id}
        if problem:
            in_view.add(problem.id)
        open_ids = sorted(pid for pid in in_view if view.is_open(pid))
        strict = problem.id if problem else None
        if strict is None and result.hits and result.hits[0].chunk.kind == "problem":  # the question is about it
            strict = result.hits[0].chunk.problem_id
        secrets = secrets_for(open_ids, strict_id=strict)
        slugs = {c.problem_id: c.problem_slug for c in idx.chunks if c.kind == "problem"}
        locked = [slugs.get(pid, str(pid)) for pid in open_ids if not problem or pid != problem.id]
        thread = conversations.own_thread(self.user, self.answer.thread_id)
        history = [m for m in conversations.history(thread)][:-1] if thread else []  # minus the question itself
        focus_concepts = tuple(problem.concept_slugs if problem else ()) + tuple(step.concept_slugs if step else ())
        knowledge = knowledge_profile(self.user, self.course.id, focus_concepts)
        return Context(result.hits, result.relevant, focus, secrets, locked, history, next_hint, knowledge)

    # ------------------------------------------------------------------ answers
    async def _retrieval_answer(self, ctx: Context, reason: str = "") -> None:
        a = self.answer
        a.mode, a.sources = Message.Mode.RETRIEVAL, _sources(ctx.hits if ctx.relevant else [])
        hint = None
        if ctx.next_hint and self.ask.problem_id:
            revealed = await db(practice.reveal_hint)(user=self.user, problem_id=self.ask.problem_id)
            if revealed:
                hint = (revealed.index + 1, ctx.next_hint[1], html_to_text(revealed.html))
        attempted = None if not ctx.focus.state else ctx.focus.state.attempts > 0
        text = retrieval_only.compose(hits=ctx.hits, relevant=ctx.relevant, next_hint=hint, attempted=attempted, reason=reason)
        a.first_token = time.perf_counter()
        pieces = text.split(" ")
        for i, piece in enumerate(pieces):
            await self._shown(piece if i == len(pieces) - 1 else piece + " ")
        await self._flush_delta()
        await self._finish(text=a.shown, status=Message.Status.COMPLETE)

    async def _model_answer(self, backend, ctx: Context, *, compact: bool = False) -> None:
        a = self.answer
        a.mode, a.model_name, a.sources = Message.Mode.MODEL, backend.model or "", _sources(ctx.hits)
        build = prompt.build_compact_messages if compact else prompt.build_messages
        messages = build(
            course_title=self.course.title,
            focus=ctx.focus,
            hits=ctx.hits,
            history=ctx.history,
            question=self.ask.text,
            locked=ctx.locked,
            knowledge=ctx.knowledge,
        )
        guard = LeakGuard(ctx.secrets)
        status, error = Message.Status.COMPLETE, ""
        try:
            async for chunk in backend.stream_chat(
                messages,
                max_tokens=int(_setting("TA_MAX_TOKENS", 400)),
                temperature=float(_setting("TA_TEMPERATURE", 0.2)),
                logprobs=True,
            ):
                if a.first_token is None and (chunk.text or chunk.logprobs):
                    a.first_token = time.perf_counter()
                    a.model_name = backend.model or ""  # an HTTP client learns it on the first request
                a.raw += chunk.text
                a.logprobs.extend(t.logprob for t in chunk.logprobs)
                if chunk.usage:
                    a.prompt_tokens, a.completion_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                await self._shown(guard.feed(chunk.text))
                a.withheld = guard.withheld
                if time.perf_counter() - self._last_checkpoint > 2.0:
                    self._last_checkpoint = time.perf_counter()
                    await db(conversations.checkpoint)(answer_id=a.id, text=a.shown, raw_text=a.raw)
        except InferenceError as exc:
            log.warning("TA backend failed: %s", exc)
            if not a.raw:  # nothing streamed yet: fall back to the passages
                a.model_name = ""
                return await self._retrieval_answer(
                    ctx, reason="*The AI model is unavailable right now; showing course passages instead.*"
                )
            status, error = Message.Status.PARTIAL, f"{type(exc).__name__}: {exc}"
        except asyncio.CancelledError:
            await asyncio.shield(self._save_partial(guard.flush(), guard.withheld, "stopped"))
            raise
        await self._shown(guard.flush())
        a.withheld = guard.withheld
        await self._flush_delta()
        if a.completion_tokens is None and a.logprobs:
            a.completion_tokens = len(a.logprobs)
        await self._finish(text=a.shown, status=status, error=error)

    async def _save_partial(self, tail: str, withheld: int, why: str) -> None:
        a = self.answer
        if a.finished or a.id is None:
            return
        a.shown += tail
        a.withheld = withheld
        await self._finish(text=a.shown, status=Message.Status.PARTIAL, error=why, emit=False)

    # ------------------------------------------------------------------ emitting
    async def _shown(self, text: str) -> None:
        if not text:
            return
        a = self.answer
        a.shown += text
        if a.mode == Message.Mode.RETRIEVAL:
            a.raw += text
        self._pending_delta += text
        if time.perf_counter() - self._last_emit >= float(_setting("TA_COALESCE_MS", 50)) / 1000:
            await self._flush_delta()

    async def _flush_delta(self) -> None:
        if self._pending_delta:
            text, self._pending_delta = self._pending_delta, ""
            self._last_emit = time.perf_counter()
            await self.emit({"type": "delta", "message": self.answer.id, "text": text})

    async def _finish(self, *, text: str, status: str, error: str = "", emit: bool = True) -> None:
        a = self.answer
        a.finished = True
        now = time.perf_counter()
        mean = sum(a.logprobs) / len(a.logprobs) if a.logprobs else None
        m = await db(conversations.finish_answer)(
            answer_id=a.id,
            text=text,
            raw_text=a.raw,
            status=status,
            mode=a.mode,
            sources=a.sources,
            model_name=a.model_name,
            prompt_tokens=a.prompt_tokens,
            completion_tokens=a.completion_tokens,
            ttft_ms=round(1000 * (a.first_token - a.started)) if a.first_token else None,
            latency_ms=round(1000 * (now - a.started)),
            mean_logprob=mean,
            withheld=a.withheld,
            error=error,
        )
        if emit:
            await self.emit(self._done(m))

    def _done(self, m: Message) -> dict:
        return {
            "type": "done",
            "thread": m.thread_id,
            "message": m.id,
            "text": m.text,
            "html": m.html,
            "status": m.status,
            "mode": m.mode,
            "sources": m.sources,
            "usage": conversations.usage(m),
            "withheld": m.withheld,
            "model": m.model_name,
        }

    async def stopped(self) -> None:
        """After the task was cancelled by ``stop``: tell the client the (partial) answer that was kept."""
        if self.answer.id is None:
            return
        m = await db(Message.objects.get)(pk=self.answer.id)
        await self.emit(self._done(m))

    async def _replay(self, started) -> None:
        if started.answer is not None:
            m = await db(Message.objects.get)(pk=started.answer.id)
            await self.emit(self._done(m))

    async def _escalate(self, reason: str, message_id: int | None, note: str = "", with_notice: bool = True) -> None:
        esc, created, notice = await db(conversations.escalate)(
            user=self.user,
            thread_id=self.answer.thread_id,
            reason=reason,
            message_id=message_id,
            note=note,
            with_notice=with_notice,
        )
        await self.emit(
            {
                "type": "escalated",
                "thread": self.answer.thread_id,
                "escalation": esc.id,
                "reason": reason,
                "created": created,
                "notice": conversations.message_dict(notice) if notice else None,
            }
        )

    async def _error(self, code: str, message: str, retry_after: int | None = None) -> None:
        event = {"type": "error", "code": code, "message": message, "client_message_id": str(self.ask.client_message_id)}
        if retry_after is not None:
            event["retry_after"] = retry_after
        await self.emit(event)
