"""Fixtures for the tutor engine tests.

`course_graph` is the course every simulator test runs on, twice: a synthetic ramp-shaped DAG of 80 concepts (every
concept with 4-8 problems from trivial to hard) and the real LLM101n course package (93 concepts, 330 problems, mostly
of middling difficulty; a few concepts with one problem, only practised inside a dependent's problems, or with no
problem at all). Another course: return a CourseGraph built from its package here, e.g.
``CourseGraph.from_records(concepts=[{"slug", "name", "prerequisites"}...], problems=[{"id", "concepts", "difficulty"}...])``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from courses.package import load_package
from tutor.engine.graph import CourseGraph
from tutor.engine.simulator import cohort_report
from tutor.engine.synthetic import synthetic_course

LLM101N = Path(__file__).resolve().parents[3] / "courses" / "packages" / "llm101n"


def llm101n_graph() -> CourseGraph:
    """The real LLM101n concept DAG and problems, straight from its package (no database)."""
    pkg = load_package(LLM101N)
    concepts = [{"slug": c.slug, "name": c.name, "ramp": i, "prerequisites": c.prerequisites} for i, c in enumerate(pkg.concepts)]
    problems = [{"id": p.slug, "concepts": p.concepts, "difficulty": p.difficulty, "ramp": i} for i, p in enumerate(pkg.problems)]
    return CourseGraph.from_records(concepts=concepts, problems=problems)


@pytest.fixture(scope="session", params=["synthetic-80", "llm101n"])
def course_graph(request) -> CourseGraph:
    return synthetic_course(80, seed=1) if request.param == "synthetic-80" else llm101n_graph()


@pytest.fixture(scope="session")
def cohort(course_graph: CourseGraph) -> dict[str, object]:
    """Figures from 12 simulated students (3 of each prior-knowledge kind) through the tutor and the baselines."""
    report = cohort_report(course_graph, students_per_kind=3, seed=1)
    print("\nsimulated cohort:", report)
    return report
