"""What the leak guard must withhold for a problem the student has not solved or revealed: its answer (numbers the
grader would accept, accepted texts, expected code output, the correct option's text) and its worked solution.

Scope. The problem the student is asking about is guarded strictly: its answer anywhere in the output (a number that
also occurs in its own prompt only in "answer position": "the answer is 4", "= 4", "**4**"). Other open problems in
view (same step, or retrieved) are guarded for *distinctive* secrets anywhere — numbers with two or more significant
digits, texts of six or more characters, solution passages — and for the rest in answer position only, so that the TA
can still say "log" or "2" while teaching the step.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from num2words import num2words

from tutor.assistant.text import html_to_text, words
from tutor.practice.api import normalize_output, normalize_text

SHINGLE = 6  # words per solution passage n-gram
MIN_FORM = 3  # characters: shorter normalized forms are matched only by the plain rules (too common otherwise)


@dataclass(frozen=True)
class NumberSecret:
    problem_id: int
    value: float
    tolerance: float = 0.0
    relative: bool = False
    needs_context: bool = False  # only in answer position ("is 4", "= 4", "**4**")

    def matches(self, x: float) -> bool:
        tol = self.tolerance * abs(self.value) if self.relative else self.tolerance
        return abs(x - self.value) <= max(tol, 1e-12 * max(1.0, abs(self.value)))


@dataclass(frozen=True)
class TextSecret:
    problem_id: int
    text: str  # normalized (casefolded, whitespace collapsed)
    needs_context: bool = False


@dataclass(frozen=True)
class FormSecret:
    """A secret in normalized form — lower-case letters and digits only — so that it is found whatever the disguise:
    spaced out ("7 2 9", "p-e-r-p"), in a code span, spelled as number words ("seven hundred and twenty-nine"), or
    reversed. ``kind``: ``digits`` (a number's digits, matched only as a whole token or with every digit separated
    by the same separator), ``words`` (a number spelled out) or ``text`` (an accepted text answer)."""

    problem_id: int
    form: str
    kind: str


@dataclass(frozen=True)
class ChoiceSecret:
    """The correct option of a single-answer choice problem, by position: guarded as its letter ("B", "(b)"), its
    number ("option 2") or its ordinal ("the second option", "the last one") when the text points at an option."""

    problem_id: int
    index: int  # 0-based
    count: int


@dataclass
class Secrets:
    numbers: list[NumberSecret] = field(default_factory=list)
    texts: list[TextSecret] = field(default_factory=list)
    shingles: dict[tuple[str, ...], int] = field(default_factory=dict)  # word n-gram → problem id
    forms: list[FormSecret] = field(default_factory=list)
    choices: list[ChoiceSecret] = field(default_factory=list)
    problem_ids: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.numbers or self.texts or self.shingles or self.forms or self.choices)

    @property
    def longest_text_words(self) -> int:
        """Words of the longest guarded text shorter than a shingle (longer ones are caught by their shingles)."""
        return max((n for t in self.texts if (n := len(t.text.split())) < SHINGLE), default=0)

    @property
    def longest_form_words(self) -> int:
        """Most words a disguised form can take: one per character when spaced out, one per number word."""
        return max((len(f.form) if f.kind != "words" else f.form.count(" ") + 1 for f in self.forms), default=0)


def _is_distinctive_number(value: float) -> bool:
    digits = re.sub(r"[^0-9]", "", f"{abs(value):g}").strip("0")
    return len(digits) >= 2 or abs(value) >= 10


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    ws = words(text)
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def _needs_context(value: float, strict: bool, prompt_numbers: set[float]) -> bool:
    """Guard a number anywhere, or only in answer position? For the problem asked about: anywhere, unless the number
    also occurs in its own prompt. For other problems: anywhere only if it is distinctive (small numbers are
    everywhere in an explanation)."""
    if strict:
        return value in prompt_numbers
    return not _is_distinctive_number(value)


def numbers_in(text: str) -> set[float]:
    out = set()
    for m in re.finditer(r"-?\d+(?:\.\d+)?", text or ""):
        try:
            out.add(float(m.group()))
        except ValueError:
            pass
    return out


def normalize_form(text: str) -> str:
    """Lower-case letters and digits only: the shape every disguise of a secret shares."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _number_words(value: float) -> list[str]:
    """English spellings of a number (num2words), with and without "and": "seven hundred [and] twenty-nine"."""
    if abs(value) >= 1e12 or (value != int(value) and len(f"{abs(value):g}") > 8):
        return []
    spelled = num2words(int(value) if value == int(value) else value)
    forms = {spelled, spelled.replace(" and ", " ")}
    return [" ".join(words(f)) for f in forms]


def _add_number(s: Secrets, pid: int, value: float, strict: bool, prompt_numbers: set[float], **kw) -> None:
    context = _needs_context(float(value), strict, prompt_numbers)
    s.numbers.append(NumberSecret(pid, float(value), needs_context=context, **kw))
    if context:
        return
    v = abs(float(value))
    if not math.isfinite(v):
        return
    digits = normalize_form(str(int(v)) if v == int(v) and v < 1e15 else repr(v))
    if len(digits) >= MIN_FORM and digits.isdigit():
        s.forms.append(FormSecret(pid, digits, "digits"))
    for spelled in _number_words(float(value)) if _is_distinctive_number(float(value)) else []:  # not "one", "two"
        s.forms.append(FormSecret(pid, spelled, "words"))


def _add_text(s: Secrets, pid: int, text: str, strict: bool, prompt_numbers: set[float]) -> None:
    t = normalize_text(text)
    if not t:
        return
    try:
        _add_number(s, pid, float(t.replace(",", "")), strict, prompt_numbers)
        return
    except ValueError:
        pass
    short = len(t) < 6 and " " not in t
    s.texts.append(TextSecret(pid, t, needs_context=short and not strict))
    form = normalize_form(t)
    if not (short and not strict) and len(form) >= max(MIN_FORM, 5 if not strict else MIN_FORM):
        s.forms.append(FormSecret(pid, form, "digits" if form.isdigit() else "text"))
    if len(t.split()) >= SHINGLE:
        for sh in shingles(t):
            s.shingles.setdefault(sh, pid)


def secrets_for(problem_ids, *, strict_id: int | None = None) -> Secrets:
    """Secrets of the given (open) problems, read with `courses.api`; ``strict_id`` is the problem asked about."""
    from courses import api as courses

    s = Secrets()
    for pid in dict.fromkeys(problem_ids):
        try:
            kind, key = courses.answer_key(pid)
            solution = courses.solution_md(pid)
        except Exception:  # archived / deleted meanwhile
            continue
        prompt = ""
        if pid == strict_id:
            p = courses.get_problem(pid)
            prompt = f"{html_to_text(p.prompt_html)} {p.code}" if p else ""
        add_problem(s, pid, kind, key, solution, strict=pid == strict_id, prompt=prompt)
    return s


def add_problem(s: Secrets, pid: int, kind: str, key: dict, solution: str, *, strict: bool, prompt: str = "") -> None:
    """Add one problem's secrets (its answer key as stored by `courses`, its worked solution in Markdown; ``prompt``:
    the problem's text and code, for the strict scope)."""
    s.problem_ids.add(pid)
    pn = numbers_in(prompt)
    if kind == "numeric":
        rel = "relative_tolerance" in key
        tol = float(key.get("relative_tolerance") if rel else key.get("tolerance", 0) or 0)
        _add_number(s, pid, float(key["answer"]), strict, pn, tolerance=tol, relative=rel)
    elif kind == "text":
        for accepted in key.get("accepted", []):
            _add_text(s, pid, accepted, strict, pn)
    elif kind == "code_output":
        out = normalize_output(key.get("answer", ""))
        if out:
            _add_text(s, pid, out, strict, pn)
    elif kind == "choice":
        options = key.get("options", [])
        for o in options:
            if o.get("correct"):
                _add_text(s, pid, o["text"], strict, pn)
        correct = [i for i, o in enumerate(options) if o.get("correct")]
        if len(correct) == 1 and len(options) > 1:
            s.choices.append(ChoiceSecret(pid, correct[0], len(options)))
    for sh in shingles(solution):
        s.shingles.setdefault(sh, pid)
