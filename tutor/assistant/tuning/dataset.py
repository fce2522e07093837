"""The SFT set of a course: tutor turns written from the course itself (through `courses.api`) and TA-endorsed answers.

For every step, each problem gives three conversations, all in the compact prompt the tuned model is served with
(`tutor.assistant.prompt.compact_system`), with two passages — the step's passage closest to the problem and one from
another step, in seeded order — so the model learns to cite the right one:

* ``socratic``: the problem is LOCKED and not attempted, the student asks (often for "just the answer"); the tutor
  declines to tell, gives the first hint of the ladder, cites the passage and asks what they tried;
* ``hint``: one wrong attempt; the tutor says it is not right yet, gives the next hint and asks a guiding question;
* ``explain``: the problem is SOLVED; the tutor walks through the worked solution, citing the passage.

Each concept of the step gives an ``explain`` turn from its description, and each TA-endorsed answer one turn. Turns
for LOCKED problems are checked with the leak guard (`LeakGuard` over the problem's secrets) and dropped if it would
withhold anything, so the set teaches zero leaks. `split_by_step` holds whole steps out.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from courses import api as courses
from tutor.assistant.chunks import Chunk, course_chunks
from tutor.assistant.guard import LeakGuard
from tutor.assistant.prompt import compact_system, problem_line
from tutor.assistant.secrets import secrets_for
from tutor.assistant.text import collapse, html_to_text

ASK_LOCKED = (
    "Can you just tell me the answer to this one?",
    "I'm stuck on this problem, what's the answer?",
    "how do i even start this",
    "Give me the solution please, I don't have time.",
    "What should I put for this question?",
    "I don't get this problem at all. Help?",
)
ASK_WRONG = ("I got {a} but it says wrong. Why?", "Why is {a} not right?", "i answered {a}, what did i miss?")
ASK_SOLVED = ("I got it right, but can you explain why?", "Can you walk me through the solution?")
ASK_CONCEPT = ("What is {c}?", "I don't really get {c}. Can you explain?", "can someone explain {c} simply")
OPEN_LOCKED = (
    "I won't give the answer away before you have tried it, but let's get you started.",
    "Let's work it out together instead of me handing you the answer.",
    "You'll learn more by finding it yourself, so here is a nudge.",
)
CLOSE_LOCKED = (
    "What have you tried so far, or what do you think the first step is?",
    "What do you get when you try that?",
    "Which part would you start with?",
)
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass
class Example:
    """One SFT conversation; messages end with the assistant turn to learn."""

    kind: str
    step_slug: str
    messages: list[dict]
    problem_id: int | None = None


@dataclass
class Dataset:
    examples: list[Example]
    dropped_leaky: int = 0
    kinds: Counter = field(default_factory=Counter)


def _overlap(a: str, b: str) -> int:
    return len(set(_WORDS.findall(a.lower())) & set(_WORDS.findall(b.lower())))


def best_passage(step_chunks: list[Chunk], text: str) -> Chunk:
    """The step's passage sharing the most words with `text` (the first one on ties)."""
    return max(step_chunks, key=lambda c: _overlap(c.text, text))


def passages_with(right: Chunk, others: list[Chunk], rng: random.Random) -> tuple[list[tuple[str, str]], int]:
    """``[(title, text)]`` of `right` and one distractor from `others`, in random order; and the right one's number."""
    pair = [right] + ([rng.choice(others)] if others else [])
    rng.shuffle(pair)
    return [(c.title, c.text) for c in pair], pair.index(right) + 1


def _first_sentences(text: str, limit: int = 70) -> str:
    words = collapse(text).split()
    if len(words) <= limit:
        return " ".join(words)
    cut = " ".join(words[:limit])
    end = max(cut.rfind(". "), cut.rfind("? "))
    return cut[: end + 1] if end > 40 else cut + " …"


def _wrong_answer(p: courses.ProblemInfo, kind: str, key: dict, rng: random.Random) -> str:
    if kind == "choice":
        wrong = [o["text"] for o in key.get("options", []) if not o.get("correct")]
        return collapse(rng.choice(wrong))[:60] if wrong else "option 2"
    if kind == "numeric":
        try:
            v = float(key["answer"])
        except (KeyError, TypeError, ValueError):
            return "0"
        return f"{v * 2 + 1:g}"
    return "I'm not sure"


def build_dataset(course: courses.CourseInfo, endorsed: list[dict] | None = None, *, seed: int = 0) -> Dataset:
    """Every SFT conversation of `course` (see module docstring). Deterministic for a given course and seed."""
    rng = random.Random(seed)
    chunks = course_chunks(course, endorsed)
    by_step: dict[int, list[Chunk]] = {}
    for c in chunks:
        if c.kind == "step":
            by_step.setdefault(c.step_id, []).append(c)
    concepts = {c.slug: c for c in courses.concept_graph(course.id)}
    problems: dict[int, list[courses.ProblemInfo]] = {}
    for p in courses.course_problems(course.id):
        problems.setdefault(p.step_id, []).append(p)
    out = Dataset([])

    def add(kind: str, step: courses.StepInfo, problem: str, passages, question: str, answer: str, pid=None) -> None:
        system = compact_system(
            course_title=course.title, step=step.title, chapter=step.module_title, problem=problem, passages=passages
        )
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
        out.examples.append(Example(kind, step.slug, messages, pid))
        out.kinds[kind] += 1

    for module in courses.course_outline(course.id):
        for ref in module.steps:
            step = courses.get_step_by_id(ref.id)
            own = by_step.get(ref.id, [])
            if step is None or not own:
                continue
            others = [c for sid, cs in by_step.items() if sid != ref.id for c in cs]
            for slug in step.concept_slugs:
                c = concepts.get(slug)
                if c is None or not c.description:
                    continue
                passages, n = passages_with(best_passage(own, f"{c.name} {c.description}"), others, rng)
                answer = f'{c.description} [{n}] Can you think of where this shows up in "{step.title}"?'
                add("explain", step, "", passages, rng.choice(ASK_CONCEPT).format(c=c.name.lower()), answer)
            for p in problems.get(ref.id, []):
                prompt_text = html_to_text(p.prompt_html)
                hints = [html_to_text(h) for h in courses.hints_html(p.id, p.hint_count)]
                solution = courses.solution_md(p.id)
                kind, key = courses.answer_key(p.id)
                passages, n = passages_with(best_passage(own, f"{prompt_text} {solution}"), others, rng)
                guard_secrets = secrets_for([p.id], strict_id=p.id)
                if hints:
                    locked = problem_line(p.slug, prompt_text, status="LOCKED", attempts=0) + f"\nNext hint: {collapse(hints[0])}"
                    answer = f"{rng.choice(OPEN_LOCKED)} {collapse(hints[0])} [{n}] {rng.choice(CLOSE_LOCKED)}"
                    _add_guarded(
                        out, add, guard_secrets, "socratic", step, locked, passages, rng.choice(ASK_LOCKED), answer, p.id
                    )
                    wrong = _wrong_answer(p, kind, key, rng)
                    hint = hints[1] if len(hints) > 1 else hints[0]
                    tried = (
                        problem_line(p.slug, prompt_text, status="LOCKED", attempts=1, last_answer=wrong)
                        + f"\nNext hint: {collapse(hint)}"
                    )
                    answer = f"Not quite yet. {collapse(hint)} [{n}] {rng.choice(CLOSE_LOCKED[1:])}"
                    _add_guarded(
                        out,
                        add,
                        guard_secrets,
                        "hint",
                        step,
                        tried,
                        passages,
                        rng.choice(ASK_WRONG).format(a=wrong),
                        answer,
                        p.id,
                    )
                if solution.strip():
                    solved = problem_line(p.slug, prompt_text, status="SOLVED", attempts=1)
                    answer = f"{_first_sentences(solution)} [{n}] Does that match how you solved it?"
                    add("explain", step, solved, passages, rng.choice(ASK_SOLVED), answer, p.id)
    for e in endorsed or []:
        step = courses.get_step_by_id(e["step_id"]) if e.get("step_id") else None
        own = by_step.get(e.get("step_id"), [])
        if step is None or not own:
            continue
        others = [c for sid, cs in by_step.items() if sid != step.id for c in cs]
        passages, n = passages_with(best_passage(own, e["question"] + " " + e["answer"]), others, rng)
        answer = collapse(e["answer"])
        add("endorsed", step, "", passages, collapse(e["question"]), answer if "[" in answer else f"{answer} [{n}]")
    return out


def _add_guarded(out: Dataset, add, secrets, kind, step, problem, passages, question, answer, pid) -> None:
    guard = LeakGuard(secrets)
    guard.feed(answer)
    guard.flush()
    if guard.withheld:
        out.dropped_leaky += 1
        return
    add(kind, step, problem, passages, question, answer, pid)


def split_by_step(examples: list[Example], *, holdout: float = 0.1, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(train, held-out): a seeded `holdout` share of the steps (at least one when there are two or more) is held out
    whole, so validation measures steps the model never saw."""
    steps = sorted({e.step_slug for e in examples})
    k = max(1, round(holdout * len(steps))) if len(steps) > 1 else 0
    held = set(random.Random(seed).sample(steps, k))
    return [e for e in examples if e.step_slug not in held], [e for e in examples if e.step_slug in held]
