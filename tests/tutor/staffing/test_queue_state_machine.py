"""The escalation state machine: open → claimed → answered → resolved → reopened, illegal moves refused with a clear
error, the event log as history, and two TAs claiming at once: exactly one wins (threads on separate connections)."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from tutor.conversations import escalations as services
from tutor.conversations.models import Escalation, Message, Notification
from tutor.conversations.transitions import IllegalTransition
from tutor.staffing import selectors

from .conftest import make_thread


def test_full_cycle_with_history_notification_and_email(people, django_capture_on_commit_callbacks):
    t, esc = make_thread(people.ada, people.course.id)
    cid = people.course.id
    assert [e.id for e in selectors.queue(cid, people.tom, "open")] == [esc.id]
    services.claim(course_id=cid, escalation_id=esc.id, ta=people.tom)
    assert list(selectors.queue(cid, people.tom, "open")) == [] and len(selectors.queue(cid, people.tom, "mine")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        msg = services.answer(course_id=cid, escalation_id=esc.id, ta=people.tom, text="Divide each count by the **row** sum.")
    assert msg.role == "human_ta" and Message.objects.filter(thread=t, role="human_ta").count() == 1
    note = Notification.objects.get(user=people.ada)
    assert "human TA answered" in note.text and note.url.endswith(f"/ta/threads/{t.id}/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["adalove@mail.example.com"]
    services.resolve(course_id=cid, escalation_id=esc.id, ta=people.tom)
    services.reopen(course_id=cid, escalation_id=esc.id, ta=people.tom)
    esc.refresh_from_db()
    assert esc.status == "open" and esc.claimed_by is None
    kinds = [h["kind"] for h in selectors.history(esc)]
    assert kinds == ["asked", "ai_answered", "escalated", "claimed", "answered", "resolved", "reopened"]
    assert [e.id for e in selectors.queue(cid, people.tom, "all")] == [esc.id]


@pytest.mark.parametrize(
    "setup, action, expected",
    [
        ((), "reopen", "Cannot reopen an escalation that is open"),
        (("resolve",), "claim", "Cannot claim an escalation that is resolved"),
        (("resolve",), "answer", "Cannot answer an escalation that is resolved"),
        (("resolve",), "resolve", "Cannot resolve an escalation that is resolved"),
        (("claim",), "claim", "Cannot claim: it is claimed by tom"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_error(people, setup, action, expected):
    _, esc = make_thread(people.ada, people.course.id)
    for step in setup:
        getattr(services, step)(course_id=people.course.id, escalation_id=esc.id, ta=people.tom)
    kw = {"text": "hi"} if action == "answer" else {}
    with pytest.raises(IllegalTransition, match=expected):
        getattr(services, action)(course_id=people.course.id, escalation_id=esc.id, ta=people.tom, **kw)


def test_answering_an_escalation_claimed_by_someone_else_is_refused(people):
    from courses.api import grant_role

    grant_role(user=people.bob, course_id=people.course.id, role="ta")
    _, esc = make_thread(people.ada, people.course.id)
    services.claim(course_id=people.course.id, escalation_id=esc.id, ta=people.tom)
    with pytest.raises(IllegalTransition, match="claimed by tom"):
        services.answer(course_id=people.course.id, escalation_id=esc.id, ta=people.bob, text="mine")
    assert not Message.objects.filter(role="human_ta").exists()


def test_reopen_is_refused_when_the_thread_was_escalated_again(people):
    from tutor.conversations import services as ta_services

    t, esc = make_thread(people.ada, people.course.id)
    services.resolve(course_id=people.course.id, escalation_id=esc.id, ta=people.tom)
    ta_services.escalate(user=people.ada, thread_id=t.id, reason="asked_human")
    with pytest.raises(IllegalTransition, match="another open escalation"):
        services.reopen(course_id=people.course.id, escalation_id=esc.id, ta=people.tom)


def test_a_claim_based_on_a_stale_read_loses(people):
    """Both TAs loaded the escalation while it was open; the second claim, arriving later, is refused."""
    from courses.api import grant_role

    grant_role(user=people.bob, course_id=people.course.id, role="ta")
    _, esc = make_thread(people.ada, people.course.id)
    seen_by_bob = selectors.get(people.course.id, esc.id)
    services.claim(course_id=people.course.id, escalation_id=esc.id, ta=people.tom)
    assert seen_by_bob.status == "open"
    with pytest.raises(IllegalTransition, match="claimed by tom"):
        services.claim(course_id=people.course.id, escalation_id=seen_by_bob.id, ta=people.bob)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite's shared in-memory test database locks whole tables)",
)
def test_two_tas_claiming_at_once_exactly_one_wins(transactional_db, people):
    from courses.api import grant_role

    grant_role(user=people.bob, course_id=people.course.id, role="ta")
    _, esc = make_thread(people.ada, people.course.id)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(user):
        try:
            barrier.wait(timeout=10)
            services.claim(course_id=people.course.id, escalation_id=esc.id, ta=user)
            results[user.username] = "won"
        except IllegalTransition as exc:
            results[user.username] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (people.tom, people.bob)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert sorted(v == "won" for v in results.values()) == [False, True], results
    winner = next(k for k, v in results.items() if v == "won")
    loser = next(v for v in results.values() if v != "won")
    assert f"claimed by {winner}" in loser
    esc = Escalation.objects.select_related("claimed_by").get(pk=esc.pk)
    assert esc.status == "claimed" and esc.claimed_by.username == winner
    assert esc.events.filter(kind="claimed").count() == 1
