"""Sharing a thread with the authors: the preview is exactly what is stored; the copy holds no personal data and no
link back to the student; times are days; unshare deletes it; the original stays unchanged and private."""

from __future__ import annotations

import json

import pytest

from tutor.conversations.models import Message
from tutor.staffing import inbox
from tutor.staffing import services as sharing
from tutor.staffing.anonymize import anonymize_text, roster_terms
from tutor.staffing.models import SharedThread

from .conftest import make_thread

PLANTED = (
    "Hi, I'm Ada Lovelace (adalove). My email is ada.lovelace@gmail.com and my phone is +44 20 7946 0958, "
    "or 020 7946 0958. My notebook: https://github.com/adalove/bigram?user=adalove. Bob Builder said softmax "
    "rows sum to 1 but mine sum to 27. Thanks, Ada"
)
SECRETS = ("Ada", "Lovelace", "adalove", "ada.lovelace", "gmail", "7946", "github", "Bob", "Builder")


def test_anonymizer_removes_planted_personal_data_but_keeps_the_maths():
    terms = roster_terms(
        [
            {"username": "adalove", "first_name": "Ada", "last_name": "Lovelace", "email": "ada.lovelace@gmail.com"},
            {"username": "bob", "first_name": "Bob", "last_name": "Builder"},
        ]
    )
    out = anonymize_text(PLANTED, terms=terms)
    for s in SECRETS:
        assert s.lower() not in out.lower(), (s, out)
    assert "[email]" in out and "[phone]" in out and "[url]" in out and "[name]" in out
    assert "softmax rows sum to 1 but mine sum to 27" in out
    math = "I tried 0.09 + 0.24 + 0.67 = 1.0 with shape (27, 27) and lr 3e-4 at step 10000"
    assert anonymize_text(math, terms=terms) == math


def test_preview_share_inbox_unshare(people, django_capture_on_commit_callbacks):
    t, _ = make_thread(people.ada, people.course.id, PLANTED, escalate=False)
    before = list(Message.objects.filter(thread=t).values_list("text", flat=True))
    p = sharing.preview(user=people.ada, course_id=people.course.id, thread_id=t.id)
    blob = json.dumps(sharing.preview_dict(p))
    for s in SECRETS:
        assert s.lower() not in blob.lower(), s
    with django_capture_on_commit_callbacks(execute=True):
        shared = sharing.share(user=people.ada, course_id=people.course.id, thread_id=t.id, token=p.token)
    shared.refresh_from_db()
    assert shared.status == "ready" and shared.messages == p.messages and shared.title == p.title  # exactly the preview
    assert shared.asked_on == t.created_at.date()
    fields = {f.name for f in SharedThread._meta.get_fields()}
    assert not fields & {"user", "student", "thread", "author"}
    assert len(shared.source_digest) == 64  # an HMAC, not an id
    rows = inbox.shared_threads(people.course.id)
    assert len(rows) == 1 and rows[0]["step"]["slug"] == "normalise"
    assert "T" not in rows[0]["asked_on"]  # a day, not a time
    with pytest.raises(sharing.AlreadyShared):
        sharing.share(user=people.ada, course_id=people.course.id, thread_id=t.id)
    assert list(Message.objects.filter(thread=t).values_list("text", flat=True)) == before  # original unchanged
    assert sharing.unshare(user=people.ada, course_id=people.course.id, thread_id=t.id)
    assert not SharedThread.objects.exists() and inbox.shared_threads(people.course.id) == []


def test_stale_preview_and_other_students_threads_are_refused(people):
    t, _ = make_thread(people.ada, people.course.id, escalate=False)
    p = sharing.preview(user=people.ada, course_id=people.course.id, thread_id=t.id)
    Message.objects.create(thread=t, role="student", author=people.ada, text="one more thing")
    with pytest.raises(sharing.PreviewOutdated):
        sharing.share(user=people.ada, course_id=people.course.id, thread_id=t.id, token=p.token)
    with pytest.raises(sharing.NotFound):
        sharing.preview(user=people.bob, course_id=people.course.id, thread_id=t.id)
    with pytest.raises(sharing.NotFound):
        sharing.unshare(user=people.bob, course_id=people.course.id, thread_id=t.id)


def test_stuck_map_counts_per_student_who_reached_the_step(people, client):
    from courses import api
    from tutor.practice import services as tutor_services
    from tutor.staffing.stuckmap import stuck_map

    for u in (people.ada, people.bob):
        tutor_services.record_visit(user=u, course_id=people.course.id, step_id=api.get_step(people.course.id, "normalise").id)
    t, _ = make_thread(people.ada, people.course.id)
    sharing.share(user=people.ada, course_id=people.course.id, thread_id=t.id)
    row = next(s for s in stuck_map(people.course.id) if s.slug == "normalise")
    assert row.reached == 2 and row.counts["ta_questions"] == 1 and row.counts["escalations"] == 1
    assert row.rates["shared_threads"] == 0.5 and row.rates["escalations"] == 0.5
    client.force_login(people.fay)
    page = client.get("/courses/example/staff/stuck-map/").content.decode()
    assert '<svg id="stuck-map"' in page and "<rect" in page and "escalations 1 (0.50 per student, 2 reached)" in page
