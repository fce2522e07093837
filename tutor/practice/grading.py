"""Grading a submitted answer against a problem's answer key (kinds from docs/course-format.md).

``grade`` returns a :class:`Grade`; an answer of the wrong shape (text for a numeric problem, an unknown option)
raises :class:`InvalidAnswer` — it is not an attempt, so nothing is recorded and the student is told what was expected.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from courses.api import BadRequest


class InvalidAnswer(BadRequest, ValueError):
    """The answer's shape does not fit the problem kind (400); ``str(exc)`` says what was expected, also given as the
    field error of ``answer``."""

    code = "invalid_answer"

    def __init__(self, detail: str = "", **kw):
        kw.setdefault("errors", {"answer": [detail]})
        super().__init__(detail, **kw)


@dataclass(frozen=True)
class Grade:
    correct: bool
    feedback: str
    normalized: object


def normalize_text(value: str) -> str:
    """NFKC, casefold, collapse whitespace, strip: the equivalence used for ``text`` answers."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip().casefold()


def normalize_output(value: str) -> str:
    """Strip trailing whitespace on every line and trailing blank lines: the equivalence for ``code_output``."""
    lines = [line.rstrip() for line in str(value).replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def parse_number(value) -> float:
    if isinstance(value, bool):
        raise InvalidAnswer("expected a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("_", "")
        try:
            number = float(text)
        except ValueError:
            m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", text)
            if not m or float(m.group(2)) == 0:
                raise InvalidAnswer("expected a number (e.g. 0.25, 1e-3 or 3/4)") from None
            number = float(m.group(1)) / float(m.group(2))
    if not math.isfinite(number):
        raise InvalidAnswer("expected a finite number")
    return number


def _numeric(key: dict, answer) -> Grade:
    value = parse_number(answer)
    target = float(key["answer"])
    if "relative_tolerance" in key:
        ok = abs(value - target) <= float(key["relative_tolerance"]) * abs(target)
    else:
        ok = abs(value - target) <= float(key.get("tolerance", 1e-9))
    if ok:
        return Grade(True, "Correct.", value)
    return Grade(False, "Not quite: your number is too " + ("high." if value > target else "low."), value)


def _choice(key: dict, answer) -> Grade:
    options = key["options"]
    raw = answer if isinstance(answer, list) else [answer]
    try:
        picked = sorted({int(x) for x in raw if str(x).strip() != ""})
    except (TypeError, ValueError):
        raise InvalidAnswer("expected option numbers") from None
    if not picked:
        raise InvalidAnswer("choose an option")
    if any(i < 0 or i >= len(options) for i in picked):
        raise InvalidAnswer(f"options are numbered 0 to {len(options) - 1}")
    correct = sorted(i for i, o in enumerate(options) if o["correct"])
    if picked == correct:
        return Grade(True, "Correct.", picked)
    if len(correct) > 1:
        hits = len(set(picked) & set(correct))
        return Grade(
            False,
            f"Not quite: {hits} of your {len(picked)} choices are right, and there are {len(correct)} correct options.",
            picked,
        )
    return Grade(False, "Not quite: that is not the right option.", picked)


def _text(key: dict, answer) -> Grade:
    if not isinstance(answer, (str, int, float)) or not str(answer).strip():
        raise InvalidAnswer("expected a non-empty answer")
    value = normalize_text(answer)
    ok = value in {normalize_text(a) for a in key["accepted"]}
    return Grade(ok, "Correct." if ok else "Not accepted: check spelling and the exact term.", value)


def _code_output(key: dict, answer) -> Grade:
    if not isinstance(answer, str) or not answer.strip():
        raise InvalidAnswer("expected the program's output as text")
    got, want = normalize_output(answer), normalize_output(key["answer"])
    if got == want:
        return Grade(True, "Correct.", got)
    g, w = got.split("\n"), want.split("\n")
    if len(g) != len(w):
        return Grade(False, f"Not quite: the output has {len(w)} line(s); yours has {len(g)}.", got)
    first = next(i for i, (a, b) in enumerate(zip(g, w)) if a != b)
    return Grade(False, f"Not quite: line {first + 1} of your output differs.", got)


def _code(key: dict, answer) -> Grade:
    raise InvalidAnswer("code problems are graded in the sandbox: use Run / Submit")


_GRADERS = {"numeric": _numeric, "choice": _choice, "text": _text, "code_output": _code_output, "code": _code}


def grade(kind: str, key: dict, answer) -> Grade:
    """Grade ``answer`` (str/number, or a list of option indexes for choice) for a problem of ``kind``.

    Raises InvalidAnswer when the answer cannot be read for that kind; KeyError for an unknown kind.
    """
    return _GRADERS[kind](key, answer)
