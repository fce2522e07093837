import pytest

pytestmark = pytest.mark.django_db


def test_signup_logs_in_and_returns_to_next(client, course):
    r = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "",
            "password1": "a-Long-pass-42",
            "password2": "a-Long-pass-42",
            "next": "/courses/example/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/courses/example/"
    assert "newbie" in client.get("/courses/example/").content.decode()


def test_signup_errors_are_shown(client, db):
    r = client.post("/accounts/signup/", {"username": "x", "password1": "a", "password2": "b"})
    assert r.status_code == 200 and "didn’t match" in r.content.decode()


def test_signup_ignores_offsite_next(client, db):
    r = client.post(
        "/accounts/signup/",
        {"username": "n2", "password1": "a-Long-pass-42", "password2": "a-Long-pass-42", "next": "https://evil.example/"},
    )
    assert r["Location"] == "/"


def test_logout_is_a_post_with_csrf(client, make_user):
    client.force_login(make_user("out"))
    assert client.post("/accounts/logout/").status_code == 302
    assert "Log in" in client.get("/").content.decode()


def test_seed_demo_creates_the_three_roles_idempotently(course, client):
    from django.core.management import call_command

    from courses.api import roles

    call_command("seed_demo")
    call_command("seed_demo")
    from django.contrib.auth.models import User

    users = {u.username: u for u in User.objects.filter(username__in=["student", "faculty", "ta"])}
    assert {n: roles(u, course.id) for n, u in users.items()} == {"student": {"student"}, "faculty": {"faculty"}, "ta": {"ta"}}
    assert client.login(username="faculty", password="academy-demo")
    assert client.get("/admin/courses/problem/").status_code == 200
