"""Shared fixtures: the example course package imported into the real test database, and enrolled users."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "courses" / "packages" / "example"
LLM101N = ROOT / "courses" / "packages" / "llm101n"


@pytest.fixture
def example_package(tmp_path) -> Path:
    """A writable copy of the example package, for tests that break it."""
    dest = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, dest)
    return dest


@pytest.fixture
def course(db):
    from courses import api
    from courses.services import import_course_from_path

    import_course_from_path(path=EXAMPLE)
    return api.get_course("example")


def _make_user(username: str, *, course=None, role: str | None = "student"):
    from django.contrib.auth.models import User

    from courses.api import grant_role

    user = User.objects.create_user(username=username, password="pw-" + username + "-123", email=f"{username}@example.org")
    if course is not None and role:
        grant_role(user=user, course_id=course.id, role=role)
    return user


@pytest.fixture
def make_user(db):
    """Factory: make_user(username, course=None, role="student") -> User (password "pw-<username>-123")."""
    return _make_user


@pytest.fixture
def student(course):
    return _make_user("ada", course=course)


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def api_client(student):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(student)
    return c


@pytest.fixture
def problem_id(db):
    """Lookup: problem_id(slug) -> the problem's primary key."""
    from courses.models import Problem

    return lambda slug: Problem.objects.get(slug=slug).pk


@pytest.fixture(autouse=True)
def _fresh_course_models():
    """Rolled-back tests can reuse primary keys (SQLite): never let one test see another's cached course model."""
    from tutor.practice.learner import forget_graph

    forget_graph()
    yield
    forget_graph()


_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(items):
    """Mark every test that touches the database or the channel layer ``database``: the production-configuration pass
    (PostgreSQL + Redis, ``make test-production``) selects them with ``-m database``; pure model tests run once."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or names & _DATABASE_FIXTURES:
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty Django cache: rate-limit counters (sign-in 10/min per IP, attempts, the
    assistant's limits) and cached course models must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
