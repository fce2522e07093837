"""From the stuck-map and the author inbox to the fix: links to the step in the studio; too-easy steps flagged."""

from __future__ import annotations

import uuid

from django.urls import reverse

from tutor.practice.models import Attempt
from tutor.staffing import services as sharing

from .conftest import make_thread


def _attempts(user, course_id, problem_id, outcomes):
    for ok in outcomes:
        Attempt.objects.create(
            user=user, course_id=course_id, problem_id=problem_id, client_attempt_id=uuid.uuid4(), answer={}, correct=ok
        )


def test_step_solved_at_first_try_by_everyone_is_flagged_too_easy(people, client, make_user):
    from courses.api import grant_role
    from courses.models import Problem
    from tutor.staffing.stuckmap import stuck_map

    easy = Problem.objects.get(slug="table-cells")
    students = [people.ada, people.bob] + [make_user(f"s{i}") for i in range(4)]
    for u in students[2:]:
        grant_role(user=u, course_id=people.course.id, role="student")
    for u in students:
        _attempts(u, people.course.id, easy.pk, [True, False])  # only the first try counts
    _attempts(people.ada, people.course.id, Problem.objects.get(slug="loop-output").pk, [False, True])
    rows = {s.slug: s for s in stuck_map(people.course.id)}
    assert rows["tally"].first_tries == 7 and rows["tally"].first_try_correct == 6 and not rows["tally"].too_easy
    _attempts(people.bob, people.course.id, Problem.objects.get(slug="loop-output").pk, [True])
    for u in students[2:]:
        _attempts(u, people.course.id, Problem.objects.get(slug="loop-output").pk, [True])
    rows = {s.slug: s for s in stuck_map(people.course.id)}
    assert not rows["tally"].too_easy  # 11 of 12 = 92 %
    client.force_login(people.fay)
    page = client.get(reverse("tutor:staff-stuck-map", args=["example"])).content.decode()
    assert reverse("studio-step", args=["example", "tally"]) in page
    Attempt.objects.filter(user=people.ada, problem__slug="loop-output").delete()
    _attempts(people.ada, people.course.id, Problem.objects.get(slug="loop-output").pk, [True])
    assert {s.slug: s for s in stuck_map(people.course.id)}["tally"].too_easy
    page = client.get(reverse("tutor:staff-stuck-map", args=["example"])).content.decode()
    assert "12 of 12 first tries correct" in page


def test_inbox_thread_links_to_its_step_in_the_studio(people, client, django_capture_on_commit_callbacks):
    t, _ = make_thread(people.ada, people.course.id)
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share(user=people.ada, course_id=people.course.id, thread_id=t.id)
    client.force_login(people.fay)
    page = client.get(reverse("tutor:staff-inbox", args=["example"])).content.decode()
    assert f'href="{reverse("studio-step", args=["example", "normalise"])}' in page
    assert client.get(reverse("studio-step", args=["example", "normalise"])).status_code == 200
