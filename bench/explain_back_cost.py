"""Cost of checking one written explain-back answer against its key points, on the real LLM101n problems.

    .venv/bin/python bench/explain_back_cost.py [--package courses/packages/llm101n] [--answers 3]

Every ``explain`` problem of the package is graded with ``--answers`` plausible student paragraphs (2-3 sentences),
once with the listed terms only (the baseline: no model) and once with the offline all-MiniLM-L6-v2 sentence
encoder as the app uses it (loaded and warmed before timing). Prints ONE JSON line: milliseconds per answer (median,
p95) for both, their ratio, and the share of key points each matched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")

ANSWERS = [
    "I think it is because the model needs to know where things begin and end, otherwise the numbers come out wrong.",
    "It keeps every value from growing too large. Each step then only changes things a little, so training is stable.",
    "Because of the way the computation is arranged, the same result is reused, so we save work and memory on the GPU.",
]


def run(package: str, n_answers: int) -> dict:
    import django

    django.setup()
    from courses.package import load_package
    from tutor.assistant.embeddings import encode_if_available
    from tutor.practice import explain

    problems = [p for p in load_package(package).problems if p.kind == "explain"]
    answers = ANSWERS[:n_answers]
    out = {"problems": len(problems), "answers": len(problems) * len(answers)}
    for label, encoder in (("terms", None), ("encoder", encode_if_available)):
        explain.set_sentence_encoder(encoder)
        explain.grade_explanation(problems[0].answer, answers[0])  # load and warm
        times, hit, total = [], 0, 0
        for p in problems:
            for a in answers:
                t = time.perf_counter()
                covered = explain.covered_points(p.answer["key_points"], a)
                times.append((time.perf_counter() - t) * 1000)
                hit, total = hit + sum(covered), total + len(covered)
        times.sort()
        out[f"{label}_ms_median"] = round(statistics.median(times), 2)
        out[f"{label}_ms_p95"] = round(times[int(0.95 * (len(times) - 1))], 2)
        out[f"{label}_points_matched"] = round(hit / total, 3)
    out["ratio_encoder_to_terms"] = round(out["encoder_ms_median"] / max(out["terms_ms_median"], 1e-6), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", default=str(ROOT / "courses" / "packages" / "llm101n"))
    ap.add_argument("--answers", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(run(args.package, args.answers)))


if __name__ == "__main__":
    main()
