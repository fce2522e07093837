"""Benchmark: the tutor's targeting on several simulated populations it was not built on (issue 11).

    .venv/bin/python bench/tutor_populations.py [--students 8] [--calibration 8] [--course llm101n|synthetic|both]

For each population of ``tutor.knowledge.populations.POPULATIONS`` (slip, guess, learn, prior knowledge, reading and
answering speed) and each course (the real LLM101n DAG from its package; a synthetic 40-concept ramp), a calibration
cohort practises with the cold-start model, the knowledge model is fitted on its attempts, and a fresh cohort
practises with the fitted model, beside the same students on the "3 right in a row" skill-builder curriculum.
Prints a table on stderr and ONE JSON line on stdout: per course and population, served success, mean predicted,
ECE, attempts and hours to true mastery (tutor and skill builder) and their ratios, share of served problems whose
prerequisite the student truly lacked. Targets: success 0.75-0.92, ECE <= 0.05, ratios <= 0.7, lacking <= 2 %.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from courses.package import load_package  # noqa: E402
from tutor.knowledge.graph import CourseGraph  # noqa: E402
from tutor.knowledge.populations import POPULATIONS, run_population  # noqa: E402
from tutor.knowledge.synthetic import synthetic_course  # noqa: E402

COLUMNS = ("success", "predicted", "ece", "attempts_ratio", "time_ratio", "lacking_prerequisite", "reached_mastery")


def llm101n() -> CourseGraph:
    pkg = load_package(ROOT / "courses" / "packages" / "llm101n")
    return CourseGraph.from_records(
        concepts=[
            {"slug": c.slug, "name": c.name, "ramp": i, "prerequisites": c.prerequisites} for i, c in enumerate(pkg.concepts)
        ],
        problems=[
            {"id": p.slug, "concepts": p.concepts, "difficulty": p.difficulty, "ramp": i} for i, p in enumerate(pkg.problems)
        ],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=8, help="evaluated students per population")
    ap.add_argument("--calibration", type=int, default=8, help="calibration students per population")
    ap.add_argument("--course", choices=("llm101n", "synthetic", "both"), default="both")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    courses = {}
    if a.course in ("llm101n", "both"):
        courses["llm101n"] = llm101n()
    if a.course in ("synthetic", "both"):
        courses["synthetic-40"] = synthetic_course(40, seed=1)
    t0 = time.perf_counter()
    rows = []
    for name, graph in courses.items():
        for pop in POPULATIONS:
            r = run_population(graph, pop, students=a.students, calibration_students=a.calibration, seed=a.seed)
            r["course"] = name
            rows.append(r)
            print(f"{name:13s} {pop.name:30s} " + " ".join(f"{k}={r[k]}" for k in COLUMNS), file=sys.stderr, flush=True)
    print(json.dumps({"bench": "tutor_populations", "seconds": round(time.perf_counter() - t0, 1), "rows": rows}))


if __name__ == "__main__":
    main()
