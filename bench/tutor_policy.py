"""Benchmark: next-problem selection and attempt submission (incl. the knowledge-tracing update) on a large course.

A course of 500 concepts / 5,000 problems and one student with 10,000 attempts, in a fresh test database
(PostgreSQL when DATABASE_URL points at one — the default here is the local server — else SQLite). Prints ONE JSON line:
p50/p99 in ms of `serve_next` (the next problem, with its reason, recorded) and of `submit_attempt` (grading, the
attempt row and the knowledge-model update in one transaction), plus a baseline (a primary-key SELECT) measured in the same run so
the figures can be compared across noisy machines as ratios. Targets: next p99 <= 10 ms, submit p99 <= 20 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/tutor_policy.py
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_CONCEPTS, PER_CONCEPT, N_ATTEMPTS, N_CALLS = 500, 10, 10_000, 300


def build(rng: random.Random):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from courses.api import enroll
    from courses.models import Concept, ConceptPrerequisite, Course, Module, Problem, ProblemConcept, Step
    from tutor.practice.models import Attempt, KnowledgeState

    course = Course.objects.create(slug="bench", title="Bench", summary="bench")
    modules = Module.objects.bulk_create(
        [Module(course=course, slug=f"m{i}", folder=f"m{i}", title=f"M{i}", position=i) for i in range(20)]
    )
    concepts = Concept.objects.bulk_create(
        [
            Concept(course=course, module=modules[i * 20 // N_CONCEPTS], slug=f"c{i}", name=f"Concept {i}", position=i)
            for i in range(N_CONCEPTS)
        ]
    )
    links = []
    for i in range(1, N_CONCEPTS):
        for j in {rng.randrange(max(0, i - 12), i) for _ in range(rng.choice((1, 2)))}:
            links.append(ConceptPrerequisite(concept=concepts[i], prerequisite=concepts[j]))
    ConceptPrerequisite.objects.bulk_create(links)
    steps = Step.objects.bulk_create(
        [
            Step(
                course=course,
                module=concepts[i].module,
                slug=f"s{i}",
                title=f"Step {i}",
                kind="lesson",
                body_file="b.md",
                body_md="x",
                body_html="<p>x</p>",
                position=i,
            )
            for i in range(N_CONCEPTS)
        ]
    )
    problems = Problem.objects.bulk_create(
        [
            Problem(
                course=course,
                step=steps[i],
                slug=f"p{i}-{k}",
                kind="numeric",
                prompt_md="?",
                prompt_html="<p>?</p>",
                difficulty=rng.random(),
                answer={"answer": 1, "tolerance": 0},
                solution_md="1",
                solution_html="1",
                position=i * PER_CONCEPT + k,
            )
            for i in range(N_CONCEPTS)
            for k in range(PER_CONCEPT)
        ]
    )
    ProblemConcept.objects.bulk_create(
        [ProblemConcept(problem=p, concept=concepts[n // PER_CONCEPT]) for n, p in enumerate(problems)]
    )
    user = User.objects.create_user("bench-student", password="x")
    enroll(user=user, course_id=course.id)
    # 10,000 attempts spread over the first 40 % of the ramp, with matching knowledge states
    reached = int(N_CONCEPTS * 0.4)
    Attempt.objects.bulk_create(
        [
            Attempt(
                user=user,
                course=course,
                problem=problems[rng.randrange(reached * PER_CONCEPT)],
                client_attempt_id=uuid.uuid4(),
                answer=1,
                correct=rng.random() < 0.8,
                hints_seen=0,
            )
            for _ in range(N_ATTEMPTS)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    KnowledgeState.objects.bulk_create(
        [
            KnowledgeState(
                user=user,
                course=course,
                concept=concepts[i],
                mastery=0.97 if i < reached - 20 else 0.5,
                last_practised_at=now,
                n_correct=20,
                n_wrong=5,
            )
            for i in range(reached)
        ]
    )
    return course, user, problems


def pct(xs):
    a = np.array(xs) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 3), "p99_ms": round(float(np.percentile(a, 99)), 3)}


def main() -> None:
    setup_test_environment()
    old = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "academy_bench_tutor_policy"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from courses.models import Problem
        from tutor.practice import adaptive as practice
        from tutor.practice import services

        course, user, problems = build(random.Random(7))
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")  # as autovacuum would have done on a live database
        t0 = time.perf_counter()
        practice.serve_next(user=user, course_slug="bench")  # builds and caches the course graph
        cold = time.perf_counter() - t0
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats
            from collections import defaultdict

            times = defaultdict(list)

            def wrapper(execute, sql, params, many, context):
                t = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    times[sql[:90]].append(time.perf_counter() - t)

            with connection.execute_wrapper(wrapper):
                for _ in range(30):
                    practice.serve_next(user=user, course_slug="bench")
                    services.submit_attempt(user=user, problem_id=problems[5].pk, answer=1, client_attempt_id=uuid.uuid4())
            for q, ts in sorted(times.items(), key=lambda kv: -sum(kv[1])):
                print(f"{1000 * sum(ts) / len(ts):7.2f} ms x{len(ts)} {q}", file=sys.stderr)
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(50):
                practice.serve_next(user=user, course_slug="bench")
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        base, nxt, sub = [], [], []
        for _ in range(N_CALLS):
            t = time.perf_counter()
            Problem.objects.filter(pk=problems[0].pk).values_list("id", flat=True).first()
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            served = practice.serve_next(user=user, course_slug="bench")
            nxt.append(time.perf_counter() - t)
            t = time.perf_counter()
            services.submit_attempt(user=user, problem_id=served.problem.id, answer=1, client_attempt_id=uuid.uuid4())
            sub.append(time.perf_counter() - t)
        out = {
            "bench": "tutor_policy",
            "database": connection.vendor,
            "concepts": N_CONCEPTS,
            "problems": N_CONCEPTS * PER_CONCEPT,
            "history_attempts": N_ATTEMPTS,
            "calls": N_CALLS,
            "graph_build_cold_ms": round(cold * 1000, 1),
            "next_problem": pct(nxt),
            "submit_attempt": pct(sub),
            "baseline_pk_select": pct(base),
        }
        out["next_p99_over_baseline_p99"] = round(out["next_problem"]["p99_ms"] / out["baseline_pk_select"]["p99_ms"], 1)
        out["submit_p99_over_baseline_p99"] = round(out["submit_attempt"]["p99_ms"] / out["baseline_pk_select"]["p99_ms"], 1)
        print(json.dumps(out))
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
