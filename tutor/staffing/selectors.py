"""Reads of the TA review queue: a course's escalations (filtered, oldest first) and one escalation with everything a
TA needs to answer it — the thread, the step or problem, the student's attempts and hints there, the AI's answer and
the event history. Staff-only shapes (they include the student's username and the model's raw output)."""

from __future__ import annotations

from courses import api as courses
from tutor.conversations import api as conversations
from tutor.conversations.api import Escalation, EscalationEvent, Message, allowed_actions
from tutor.practice.api import Attempt, HintReveal

FILTERS = ("open", "mine", "all")


def queue(course_id: int, user, filter: str = "open"):
    """Escalations of a course, oldest first. ``open``: waiting for a TA (unclaimed); ``mine``: claimed by ``user``
    and not resolved; ``all``: every one. A queryset (slice it to page). Raises ValueError for another filter."""
    if filter not in FILTERS:
        raise ValueError(f"filter must be one of {FILTERS}")
    qs = Escalation.objects.filter(course_id=course_id).select_related(
        "thread", "thread__step", "thread__problem", "student", "claimed_by", "message"
    )
    if filter == "open":
        qs = qs.filter(status=Escalation.Status.OPEN)
    elif filter == "mine":
        qs = qs.filter(claimed_by=user).exclude(status=Escalation.Status.RESOLVED)
    return qs.order_by("created_at", "id")


def queue_item(e: Escalation) -> dict:
    """One row of the queue."""
    return {
        "id": e.id,
        "thread": e.thread_id,
        "title": e.thread.title,
        "student": e.student.get_username(),
        "reason": e.reason,
        "reason_label": e.get_reason_display(),
        "status": e.status,
        "claimed_by": e.claimed_by.get_username() if e.claimed_by else None,
        "step": {"id": e.thread.step_id, "slug": e.thread.step.slug, "title": e.thread.step.title} if e.thread.step_id else None,
        "problem": {"id": e.thread.problem_id, "slug": e.thread.problem.slug} if e.thread.problem_id else None,
        "created_at": e.created_at.isoformat(),
        "updated_at": e.updated_at.isoformat(),
        "actions": allowed_actions(e.status),
    }


def get(course_id: int, escalation_id: int) -> Escalation | None:
    return (
        Escalation.objects.filter(pk=escalation_id, course_id=course_id)
        .select_related("thread", "thread__step", "thread__problem", "student", "claimed_by")
        .first()
    )


def staff_message_dict(m: Message) -> dict:
    """A message as course staff see it: what the student saw, plus the raw model output, who wrote a human answer,
    and whether a TA endorsed or corrected it."""
    d = conversations.message_dict(m)
    d.update(
        {
            "raw_text": m.raw_text,
            "author": m.author.get_username() if m.author_id and m.role == "human_ta" else None,
            "endorsed": m.endorsed,
            "corrects": m.corrects_id,
            "verified_by": m.verified_by.get_username() if m.verified_by_id else None,
        }
    )
    return d


def _problem_ids(e: Escalation) -> list[int]:
    if e.thread.problem_id:
        return [e.thread.problem_id]
    if e.thread.step_id:
        return [p.id for p in courses.step_problems(e.thread.step_id)]
    return []


def attempts_and_hints(e: Escalation) -> list[dict]:
    """Per problem the thread is about (or the step's problems): the student's attempts (answer, verdict, time) and
    how many hints they revealed."""
    ids = _problem_ids(e)
    atts: dict[int, list] = {}
    for a in Attempt.objects.filter(user_id=e.student_id, problem_id__in=ids).order_by("created_at", "id"):
        atts.setdefault(a.problem_id, []).append(
            {
                "answer": a.answer,
                "correct": a.correct,
                "feedback": a.feedback,
                "hints_seen": a.hints_seen,
                "at": a.created_at.isoformat(),
            }
        )
    hints: dict[int, int] = {}
    for h in HintReveal.objects.filter(user_id=e.student_id, problem_id__in=ids):
        hints[h.problem_id] = max(hints.get(h.problem_id, 0), h.position + 1)
    out = []
    for n, pid in enumerate(ids, 1):
        p = courses.get_problem(pid)
        if p is None:
            continue
        out.append(
            {
                "problem": pid,
                "slug": p.slug,
                "label": f"problem {n}" if not e.thread.problem_id else p.slug,
                "prompt_html": p.prompt_html,
                "attempts": atts.get(pid, []),
                "hints_revealed": hints.get(pid, 0),
                "hint_count": p.hint_count,
            }
        )
    return out


def history(e: Escalation) -> list[dict]:
    """The escalation's append-only event log, oldest first."""
    return [
        {
            "kind": ev.kind,
            "label": ev.get_kind_display(),
            "actor": ev.actor.get_username() if ev.actor_id else None,
            "message": ev.message_id,
            "note": ev.note,
            "at": ev.created_at.isoformat(),
            "created_at": ev.created_at,
        }
        for ev in EscalationEvent.objects.filter(escalation=e).select_related("actor").order_by("created_at", "id")
    ]


def detail(e: Escalation) -> dict:
    """Everything about one escalation for its TA."""
    msgs = [
        staff_message_dict(m)
        for m in e.thread.messages.select_related("author", "verified_by").all()
        if not (m.role == Message.Role.ASSISTANT and not m.text and m.status != Message.Status.STREAMING)
    ]
    ai = next((m for m in reversed(msgs) if m["role"] == "assistant"), None)
    out = queue_item(e)
    out.update(
        {
            "note": e.note,
            "messages": msgs,
            "ai_answer": ai,
            "problems": attempts_and_hints(e),
            "history": [{k: v for k, v in h.items() if k != "created_at"} for h in history(e)],
        }
    )
    return out
