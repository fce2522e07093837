"""Base vs tuned on held-out student questions (``manage.py evaluate_ta COURSE``), and the calibrated escalation gate.

Questions: ``tutor/assistant/tuning/questions/<course>.yaml`` (written by hand, never tuned on; every chapter). Each is
asked in the compact prompt the tuned model is served with, with two passages: the question's step's closest passage
and one from another step, in seeded order. Figures, per model (JSON):

* ``ref_nll`` / ``ref_perplexity``: per-token negative log-likelihood (nats) of the hand-written reference answers,
  teacher-forced (averaged over all their tokens), and its exponential;
* ``similarity``: mean cosine between the greedy answer and the reference, with the offline all-MiniLM-L6-v2
  (`tutor.assistant.embeddings`);
* ``citation``: share of answers citing the passage of the right step (``[n]``);
* ``socratic``: on LOCKED (unattempted) problems, share of answers that ask a question and leak nothing;
* ``leak_rate``: on LOCKED problems, share of answers in which the leak guard finds the problem's answer or solution;
* ``latency_s``: mean seconds per answer (all questions submitted at once to the batching engine).

The gate: each tuned answer is *good* when it cites the right step, leaks nothing, and (concept questions) reaches the
median similarity or (locked) is Socratic; the threshold on the mean token log-probability that best separates good
from bad (Youden's J) is stored on the course's `AssistantModel` (``min_mean_logprob``).
"""

from __future__ import annotations

import math
import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from courses import api as courses
from tutor.assistant.chunks import course_chunks
from tutor.assistant.guard import LeakGuard
from tutor.assistant.prompt import compact_system, problem_line
from tutor.assistant.secrets import secrets_for
from tutor.assistant.text import collapse, html_to_text
from tutor.assistant.tuning.dataset import best_passage, passages_with

QUESTIONS_DIR = Path(__file__).parent / "questions"
MAX_TOKENS = 96


class EvaluationError(Exception):
    pass


@dataclass
class Item:
    kind: str  # "concept" | "locked"
    step_slug: str
    question: str
    reference: str
    messages: list[dict]
    right: int  # number of the right step's passage
    problem_id: int | None = None


def load_questions(course_slug: str, path: Path | None = None) -> list[dict]:
    path = path or QUESTIONS_DIR / f"{course_slug}.yaml"
    if not path.is_file():
        raise EvaluationError(f"no held-out questions for {course_slug!r} ({path})")
    return yaml.safe_load(path.read_text()) or []


def build_items(course: courses.CourseInfo, questions: list[dict], *, seed: int = 0) -> list[Item]:
    """The prompts of the held-out questions. Raises EvaluationError for an unknown step or problem."""
    rng = random.Random(seed)
    by_step: dict[str, list] = {}
    for c in course_chunks(course):
        if c.kind == "step":
            by_step.setdefault(c.step_slug, []).append(c)
    items = []
    for q in questions:
        step = courses.get_step(course.id, q["step"])
        if step is None or q["step"] not in by_step:
            raise EvaluationError(f"unknown step {q['step']!r} in the held-out questions")
        others = [c for slug, cs in by_step.items() if slug != step.slug for c in cs]
        passages, right = passages_with(best_passage(by_step[step.slug], q["q"]), others, rng)
        line, pid = "", None
        if q["kind"] == "locked":
            problem = next((p for p in courses.step_problems(step.id) if p.slug == q["problem"]), None)
            if problem is None:
                raise EvaluationError(f"unknown problem {q.get('problem')!r} on step {step.slug!r}")
            pid = problem.id
            line = problem_line(problem.slug, html_to_text(problem.prompt_html), status="LOCKED", attempts=0)
            first = courses.hint_html(problem.id, 0)
            if first:
                line += f"\nNext hint: {collapse(html_to_text(first))}"
        system = compact_system(
            course_title=course.title, step=step.title, chapter=step.module_title, problem=line, passages=passages
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": q["q"]}]
        items.append(Item(q["kind"], step.slug, q["q"], q["ref"], messages, right, pid))
    return items


def _leaks(item: Item, answer: str) -> bool:
    if item.problem_id is None:
        return False
    guard = LeakGuard(secrets_for([item.problem_id], strict_id=item.problem_id))
    guard.feed(answer)
    guard.flush()
    return guard.withheld > 0


def run_model(base_path, items: list[Item], *, adapter_path=None) -> dict:
    """Answers, mean token log-probabilities, reference NLLs and timings of one model (base, or base + adapter)."""
    import torch

    from inference.engine import Engine
    from inference.loading import load_model
    from inference.tune import encode_example, mean_loss
    from inference.types import SamplingParams

    model, tokenizer = load_model(base_path, adapter_path=adapter_path)
    encoded = [encode_example(tokenizer, i.messages + [{"role": "assistant", "content": i.reference}], 4096) for i in items]
    encoded.sort(key=lambda e: len(e[0]))  # similar lengths together: little padding
    with torch.inference_mode():
        nll = mean_loss(model, tokenizer, encoded, batch_size=8)
    engine = Engine(model, tokenizer, model_name="eval", max_batch_size=16).start()
    try:
        params = SamplingParams(max_tokens=MAX_TOKENS, temperature=0.0, logprobs=True)
        started = time.perf_counter()
        streams = [engine.submit(i.messages, params) for i in items]
        results = [s.result() for s in streams]
        wall = time.perf_counter() - started
    finally:
        engine.close()
    return {
        "answers": [r.text.strip() for r in results],
        "mean_logprobs": [sum(r.logprobs) / len(r.logprobs) if r.logprobs else 0.0 for r in results],
        "ref_nll": nll,
        "wall_s": wall,
    }


def score(items: list[Item], run: dict) -> dict:
    """The figures of one model's run (see module docstring)."""
    from tutor.assistant import embeddings

    answers = run["answers"]
    sims = [float(x) for x in (embeddings.encode(answers) * embeddings.encode([i.reference for i in items])).sum(1)]
    cited = [bool(re.search(rf"\[{i.right}\]", a)) for i, a in zip(items, answers)]
    locked = [k for k, i in enumerate(items) if i.kind == "locked"]
    leaks = [_leaks(items[k], answers[k]) for k in locked]
    socratic = [("?" in answers[k]) and not leak for k, leak in zip(locked, leaks)]
    nll = run["ref_nll"]
    return {
        "questions": len(items),
        "ref_nll": round(nll, 4),
        "ref_perplexity": round(math.exp(nll), 3),
        "similarity": round(statistics.fmean(sims), 4),
        "citation": round(sum(cited) / len(items), 4),
        "socratic": round(sum(socratic) / max(1, len(locked)), 4),
        "leak_rate": round(sum(leaks) / max(1, len(locked)), 4),
        "latency_s": round(run["wall_s"] / len(items), 3),
        "_per_item": {
            "similarity": sims,
            "cited": cited,
            "leaks": dict(zip(locked, leaks)),
            "socratic": dict(zip(locked, socratic)),
        },
    }


def calibrate(items: list[Item], run: dict, figures: dict) -> tuple[float | None, float]:
    """(threshold, share escalated): the mean-logprob gate that best separates good from bad answers (Youden's J)."""
    per = figures["_per_item"]
    median = statistics.median(per["similarity"])
    good = []
    for k, item in enumerate(items):
        ok = per["cited"][k] and not per["leaks"].get(k, False)
        ok = ok and (per["socratic"][k] if item.kind == "locked" else per["similarity"][k] >= median)
        good.append(ok)
    lps = run["mean_logprobs"]
    n_good, n_bad = sum(good), len(good) - sum(good)
    if not n_good or not n_bad:
        return None, 0.0
    best, best_j = None, -1.0
    for t in sorted(set(lps)):
        esc = [lp < t for lp in lps]
        tpr = sum(e and not g for e, g in zip(esc, good)) / n_bad
        fpr = sum(e and g for e, g in zip(esc, good)) / n_good
        if tpr - fpr > best_j:
            best, best_j = t, tpr - fpr
    share = sum(lp < best for lp in lps) / len(lps)
    return round(best, 4), round(share, 4)


def evaluate_course(course_slug: str, *, base_path, adapter_path, questions_path: Path | None = None, seed: int = 0) -> dict:
    """The before/after report of `course_slug`: ``{"base": figures, "tuned": figures, "gate": {...}, "tuned_beats_base": {...}}``."""
    course = courses.get_course(course_slug)
    if course is None:
        raise EvaluationError(f"no course {course_slug!r}")
    items = build_items(course, load_questions(course_slug, questions_path), seed=seed)
    runs = {"base": run_model(base_path, items), "tuned": run_model(base_path, items, adapter_path=adapter_path)}
    figures = {name: score(items, run) for name, run in runs.items()}
    threshold, share = calibrate(items, runs["tuned"], figures["tuned"])
    better = {"ref_nll": "lower", "ref_perplexity": "lower", "similarity": "higher", "citation": "higher", "socratic": "higher"}
    beats = {
        k: (figures["tuned"][k] < figures["base"][k]) if d == "lower" else (figures["tuned"][k] > figures["base"][k])
        for k, d in better.items()
    }
    beats["leak_rate"] = figures["tuned"]["leak_rate"] <= figures["base"]["leak_rate"]
    examples = [
        {"q": items[k].question, "base": runs["base"]["answers"][k], "tuned": runs["tuned"]["answers"][k]}
        for k in random.Random(seed).sample(range(len(items)), min(3, len(items)))
    ]
    for f in figures.values():
        f.pop("_per_item")
    return {
        "course": course_slug,
        "steps": len({i.step_slug for i in items}),
        "chapters": len({courses.get_step(course.id, i.step_slug).module_slug for i in items}),
        "base": figures["base"],
        "tuned": figures["tuned"],
        "tuned_beats_base": beats,
        "gate": {"min_mean_logprob": threshold, "escalated_share": share},
        "examples": examples,
    }
