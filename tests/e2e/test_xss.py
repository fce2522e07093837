"""XSS payloads in every user-writable text, rendered in Chromium: course Markdown (``<script>``, ``javascript:``
links, event handlers), a sign-up name, a student's question, answer and display name, a shared thread in the
authors' inbox. Each payload would set ``window.__xss`` or open a dialog if it ran; none may (issue 14)."""

from __future__ import annotations

import shutil
import uuid

import pytest

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "[click me](javascript:window.__xss='link')",
    "<a href=\"javascript:window.__xss='a'\">a link</a>",
    "\"><script>alert('attr')</script>",
]
TEXT = " ".join(PAYLOADS)


def _inert(pg, what: str) -> None:
    assert pg.evaluate("window.__xss === undefined"), (what, pg.evaluate("window.__xss"))
    hrefs = pg.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], (what, hrefs)
    handlers = pg.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))"
    )
    assert not handlers, (what, handlers)


def _login(pg, base, name):
    pg.goto(base + "/accounts/login/")
    pg.fill("#id_username", name)
    pg.fill("#id_password", f"pw-{name}-123")
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def world(transactional_db, tmp_path, django_capture_on_commit_callbacks):
    """The example course with payloads in its Markdown; ada's question, answer and names full of payloads, escalated
    to tom and shared with fay. Built before the browser starts (its event loop forbids the channel layer's sync calls)."""
    from django.contrib.auth.models import User

    from courses import api
    from courses.api import grant_role
    from courses.services import import_course_from_path
    from tests.conftest import EXAMPLE
    from tutor.conversations import services as conversations
    from tutor.conversations.models import Message, Thread
    from tutor.practice import services as practice
    from tutor.staffing import services as sharing

    pkg = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, pkg)
    step_md = pkg / "modules" / "01-counting" / "01-tally.md"
    step_md.write_text(step_md.read_text() + "\n\n" + "\n\n".join(PAYLOADS) + "\n")
    import_course_from_path(path=pkg)
    course = api.get_course("example")

    def user(name, role, **kw):
        u = User.objects.create_user(name, password=f"pw-{name}-123", email=f"{name}@example.org", **kw)
        grant_role(user=u, course_id=course.id, role=role)
        return u

    ada = user("ada", "student", first_name=PAYLOADS[0], last_name=PAYLOADS[1])
    user("tom", "ta")
    user("fay", "faculty")
    step = api.get_step(course.id, "normalise")
    t = Thread.objects.create(user=ada, course_id=course.id, step_id=step.id, title=TEXT[:120])
    q = Message.objects.create(thread=t, role="student", author=ada, text=TEXT, client_message_id=uuid.uuid4())
    Message.objects.create(thread=t, role="assistant", reply_to=q, text="Echo: " + TEXT, mode="retrieval")
    esc, _, _ = conversations.escalate(user=ada, thread_id=t.id, reason="asked_human")
    pid = next(p.id for p in api.step_problems(step.id) if p.kind == "text")
    practice.submit_attempt(user=ada, problem_id=pid, answer=TEXT, client_attempt_id=uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share(user=ada, course_id=course.id, thread_id=t.id)
    return t, esc


def test_payloads_are_inert_everywhere_they_are_shown(world, live_asgi, browser, shot):
    t, esc = world
    dialogs = []
    pages = {
        "ada": [
            "/courses/example/steps/tally/",
            f"/courses/example/ta/threads/{t.id}/",
            "/courses/example/ta/",
            f"/courses/example/ta/threads/{t.id}/share/",
        ],
        "tom": [f"/courses/example/staff/escalations/{esc.id}/", "/courses/example/staff/queue/"],
        "fay": ["/courses/example/staff/inbox/"],
    }
    for name, urls in pages.items():
        ctx = browser.new_context()
        pg = ctx.new_page()
        pg.set_default_timeout(15_000)
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(pg, live_asgi, name)
        for url in urls:
            r = pg.goto(live_asgi + url)
            assert r.status == 200, (url, r.status)
            pg.wait_for_load_state("networkidle")
            _inert(pg, url)
        shot(pg, f"xss-{name}")
        ctx.close()

    # Sign-up with a payload as the name: refused with a clear error, echoed inert.
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.goto(live_asgi + "/accounts/signup/")
    pg.fill("#id_username", PAYLOADS[1][:150])
    pg.fill("#id_password1", "a-long-pass-phrase-91")
    pg.fill("#id_password2", "a-long-pass-phrase-91")
    pg.locator("form button[type=submit]").click()
    pg.wait_for_load_state("networkidle")
    assert "/accounts/signup/" in pg.url and pg.locator(".errorlist").count() >= 1
    _inert(pg, "signup")
    shot(pg, "xss-signup")
    ctx.close()
    assert not dialogs, dialogs
