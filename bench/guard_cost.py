"""Cost of the leak guard on the assistant's stream, and what its disguise rules add, on the real LLM101n course.

    .venv/bin/python bench/guard_cost.py [--package courses/packages/llm101n] [--delta 4]

For every step, the guard is built with the secrets of all the step's problems (the first one strict, as when a
student asks about it) and fed the step's own lesson text (Markdown, about 1-6k characters, dense with numbers) in
``--delta``-character pieces, as a model streams. Measured twice in the same run: with the plain rules only (the
disguise forms and option positions emptied out: round 1's guard) and with every rule. Prints ONE JSON line:
microseconds per delta (mean, p99) for both, their ratio, and the passages withheld from the lesson text by each —
lesson text is not an answer, so passages the disguise rules add there are the price in false positives.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from courses.package import load_package  # noqa: E402
from tutor.assistant.guard import LeakGuard  # noqa: E402
from tutor.assistant.secrets import Secrets, add_problem  # noqa: E402


def stream(guard: LeakGuard, text: str, delta: int) -> list[float]:
    times = []
    for i in range(0, len(text), delta):
        t0 = time.perf_counter()
        guard.feed(text[i : i + delta])
        times.append(time.perf_counter() - t0)
    guard.flush()
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", default=str(ROOT / "courses/packages/llm101n"))
    ap.add_argument("--delta", type=int, default=4)
    args = ap.parse_args()
    pkg = load_package(args.package)
    plain_t, full_t, plain_w, full_w, chars, steps = [], [], 0, 0, 0, 0
    for module in pkg.modules:
        for step in module.steps:
            if not step.problems or not step.body:
                continue
            s = Secrets()
            for i, p in enumerate(step.problems):
                add_problem(s, i, p.kind, p.answer, p.solution, strict=i == 0, prompt=p.prompt)
            plain = Secrets(numbers=s.numbers, texts=s.texts, shingles=s.shingles, problem_ids=s.problem_ids)
            g_plain, g_full = LeakGuard(plain), LeakGuard(s)
            plain_t += stream(g_plain, step.body, args.delta)
            full_t += stream(g_full, step.body, args.delta)
            plain_w += g_plain.withheld
            full_w += g_full.withheld
            chars += len(step.body)
            steps += 1

    def us(xs, q=None):
        return round(1e6 * (statistics.quantiles(xs, n=100)[98] if q else statistics.fmean(xs)), 2)

    print(
        json.dumps(
            {
                "steps": steps,
                "chars": chars,
                "deltas": len(full_t),
                "delta_chars": args.delta,
                "plain_rules_us_per_delta": us(plain_t),
                "plain_rules_p99_us": us(plain_t, 99),
                "all_rules_us_per_delta": us(full_t),
                "all_rules_p99_us": us(full_t, 99),
                "cost_ratio_all_to_plain": round(statistics.fmean(full_t) / statistics.fmean(plain_t), 2),
                "withheld_in_lessons_plain_rules": plain_w,
                "withheld_in_lessons_all_rules": full_w,
            }
        )
    )


if __name__ == "__main__":
    main()
