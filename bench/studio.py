"""Benchmark: authoring-studio page actions on the LLM101n course (18 modules, 51 steps, 93 concepts, 330 problems).

A fresh test database (PostgreSQL when DATABASE_URL points at one — the default here is the local server — else
SQLite) with LLM101n imported and one faculty member, driven through Django's test client (full request/response
cycle: middleware, sessions, templates; no network). Prints ONE JSON line: p50/p99 in ms per page action (wall clock,
and the process's CPU time — on a shared, overloaded machine the CPU figure is what an idle one would show, less the
database server's share), plus a baseline (GET /healthz, a trivial endpoint) measured in the same run, the ratio of
each p99 to the baseline's, and the 1-minute load average.
Every save runs the package validator on the whole course. Target: each page action p99 <= 150 ms.
Publishing (a full import of the course: every Markdown rendered, every row compared) is reported once, separately.
``GC_FREEZE=0`` skips the ``gc.freeze()`` the ASGI entry point does after start-up (to see the collector's pauses).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/studio.py
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "60"))
LLM101N = Path(__file__).resolve().parent.parent / "courses" / "packages" / "llm101n"


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))] * 1000, 2)


def main() -> None:
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "academy_bench_studio"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.test import Client

        from courses.api import grant_role
        from courses.models import Course
        from courses.services import import_course_from_path
        from courses.studio import document as docs
        from courses.studio import forms, services

        settings.ALLOWED_HOSTS = ["*"]
        import_course_from_path(path=LLM101N)
        course = Course.objects.get(slug="llm101n")
        user = User.objects.create_user("bench-faculty", password="x")
        grant_role(user=user, course_id=course.id, role="faculty")
        client = Client()
        client.force_login(user)
        if os.environ.get("GC_FREEZE", "1") == "1":  # as academy/asgi.py does after start-up
            gc.collect()
            gc.freeze()
        base = "/studio/llm101n"
        mods = docs.ordered_modules(services.get_or_start_draft(course_id=course.id).document)
        step_slug = mods[8][1]["steps"][0]["slug"]
        move_slug = mods[9][1]["steps"][-1]["slug"]  # down = first step of the next module, up = back: always valid

        def version() -> int:
            return services.get_or_start_draft(course_id=course.id).version

        def step_post(i: int) -> dict:
            draft = services.get_or_start_draft(course_id=course.id)
            folder, _j, s = docs.find_step(draft.document, step_slug)
            data = {
                "version": draft.version,
                "title": s["title"],
                "kind": s["kind"],
                "concepts": ", ".join(s.get("concepts", [])),
                "body": docs.step_body(draft.document, folder, s).rstrip("\n") + ("\n" if i % 2 else "\n\n"),
                "problem": [],
            }
            for k, p in enumerate(s.get("problems", [])):
                f = forms.problem_to_form(p)
                data["problem"].append(f"p{k}")
                for key in ("slug", "kind", "concepts", "difficulty", "prompt", "solution", "extra"):
                    data[f"p{k}-{key}"] = f[key]
                data[f"p{k}-hint"] = f["hints"]
            return data

        def concept_post(i: int) -> dict:
            folder, c = docs.concepts(services.get_or_start_draft(course_id=course.id).document)[40]
            return {
                "version": version(),
                "original": c["slug"],
                "folder": folder,
                "slug": c["slug"],
                "name": c["name"],
                "description": f"{c.get('description', '')} "[: len(c.get("description", "")) + (i % 2)],
                "prerequisites": ", ".join(c.get("prerequisites", [])),
            }

        body = docs.step_body(
            *(lambda d: (d, *docs.find_step(d, step_slug)[::2]))(services.get_or_start_draft(course_id=course.id).document)
        )
        actions = {
            "baseline: GET /healthz": lambda i: ("get", "/healthz", None, None),
            "outline page": lambda i: ("get", f"{base}/", None, None),
            "step editor page": lambda i: ("get", f"{base}/steps/{step_slug}/", None, None),
            "concept graph page": lambda i: ("get", f"{base}/concepts/", None, None),
            "publish page (changes + diff)": lambda i: ("get", f"{base}/publish/", None, None),
            "live Markdown preview": lambda i: ("post", f"{base}/markdown/", {"body": body}, None),
            "save step (validated)": lambda i: ("post", f"{base}/steps/{step_slug}/", step_post(i), 302),
            "move step (keyboard reorder)": lambda i: (
                "post",
                f"{base}/outline/move/",
                {"version": version(), "move": f"{'down' if i % 2 == 0 else 'up'}:{move_slug}"},
                302,
            ),
            "save concept (validated)": lambda i: ("post", f"{base}/concepts/", concept_post(i), 302),
        }
        times: dict[str, list[float]] = {k: [] for k in actions}
        cpu: dict[str, list[float]] = {k: [] for k in actions}
        for i in range(ROUNDS + 3):
            for name, make in actions.items():
                method, url, data, want = make(i)  # request data prepared outside the timing
                before = version()
                t, c = time.perf_counter(), time.process_time()
                r = client.get(url) if method == "get" else client.post(url, data)
                dt, dc = time.perf_counter() - t, time.process_time() - c
                if r.status_code != (want or 200):
                    raise SystemExit(f"{name}: HTTP {r.status_code} {r.content[:400]!r}")
                if want == 302 and version() != before + 1:
                    raise SystemExit(f"{name}: the save was refused")
                if i >= 3:  # warm-up rounds not counted
                    times[name].append(dt)
                    cpu[name].append(dc)
        t = time.perf_counter()
        r = client.post(f"{base}/publish/", {"version": version()})
        publish_s = time.perf_counter() - t
        assert r.status_code == 302, r.status_code
        base_p99 = pct(times["baseline: GET /healthz"], 0.99)
        out = {
            "bench": "studio",
            "course": "llm101n",
            "database": connection.vendor,
            "rounds": ROUNDS,
            "actions": {
                k: {
                    "p50_ms": pct(v, 0.5),
                    "p99_ms": pct(v, 0.99),
                    "p99_ratio": round(pct(v, 0.99) / base_p99, 1),
                    "cpu_p50_ms": pct(cpu[k], 0.5),
                    "cpu_p99_ms": pct(cpu[k], 0.99),
                }
                for k, v in times.items()
            },
            "publish_s": round(publish_s, 2),
            "target_p99_ms": 150,
            "worst_action_p99_ms": max(pct(v, 0.99) for k, v in times.items() if not k.startswith("baseline")),
            "worst_action_cpu_p99_ms": max(pct(v, 0.99) for k, v in cpu.items() if not k.startswith("baseline")),
            "load_average_1m": round(os.getloadavg()[0], 1),
            "gc_frozen": os.environ.get("GC_FREEZE", "1") == "1",
        }
        print(json.dumps(out))
    finally:
        connection.creation.destroy_test_db("academy_bench_studio", verbosity=0)


if __name__ == "__main__":
    main()
