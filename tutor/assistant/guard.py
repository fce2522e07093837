"""The leak guard: a filter on the TA's output stream that withholds text giving away a guarded problem's answer or
worked solution (see `tutor.assistant.secrets` for what is guarded and how strictly).

It works on words: the last few complete words (enough to hold a solution n-gram or the longest guarded text) are
held back until more text arrives, so a match that spans two deltas is caught before any of it is sent. Matching text
is replaced by `MARKER`. The student sees at most a few words of delay; the raw output is kept for staff review.
"""

from __future__ import annotations

import re

from tutor.assistant.secrets import SHINGLE, Secrets

MARKER = "[withheld: try the problem yourself first]"
_TAIL = 400  # characters of already-released raw text kept as context
_MAX_HELD = 100  # characters held back at most, even without a word boundary
_NUMBER = re.compile(r"(?<![\w.])(-?\d+(?:(?:,|\{,\})\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s*/\s*(\d+(?:\.\d+)?))?")
_ANSWER_BEFORE = re.compile(  # "the answer is 4", "prints 4", "= 4", "→ 4", "**4**"
    r"(?:(?:answer|result|output|solution|total)\b[^.\n]{0,12}?(?:\bis|\bwas|:|=)?|prints?|equals?|gives?|=|≈|→|=>)"
    r"\s*(?:\*\*|\$|\\mathbf\{|\\boxed\{|`|\()*\s*$",
    re.IGNORECASE,
)
_EMPHASIS_BEFORE = re.compile(r"(?:\*\*|\\mathbf\{|\\boxed\{)\s*$")
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s")


def _number(text: str) -> float | None:
    try:
        return float(text.replace("{,}", "").replace(",", ""))
    except ValueError:
        return None


class LeakGuard:
    """feed(text) → text safe to send now; flush() → the rest at the end. ``withheld``: passages replaced;
    ``problems``: ids of the problems whose secrets matched."""

    def __init__(self, secrets: Secrets) -> None:
        self.secrets = secrets
        self.hold = max(SHINGLE, secrets.longest_text_words) if secrets else 0  # a match ending now is all held
        self.withheld = 0
        self.problems: set[int] = set()
        self._pending = ""
        self._tail = ""
        self._ended_with_marker = False
        self._texts = [
            (re.compile(r"(?<![\w-])" + r"\s+".join(re.escape(p) for p in t.text.split()) + r"(?![\w-])", re.IGNORECASE), t)
            for t in secrets.texts
        ]

    def feed(self, text: str) -> str:
        self._pending += text
        return self._release(final=False)

    def flush(self) -> str:
        return self._release(final=True)

    # ------------------------------------------------------------------ internals
    def _in_answer_position(self, context: str, start: int, end: int) -> bool:
        before = context[max(0, start - 40) : start]
        return bool(_ANSWER_BEFORE.search(before) or _EMPHASIS_BEFORE.search(before))

    def _spans(self, context: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for m in _NUMBER.finditer(context):
            first = _number(m.group(1))
            whole = first / float(m.group(2)) if first is not None and m.group(2) and float(m.group(2)) else None
            for value, end in ((whole, m.end()), (first, m.end(1))):
                if value is None:
                    continue
                hit = next(
                    (
                        n
                        for n in self.secrets.numbers
                        if n.matches(value) and (not n.needs_context or self._in_answer_position(context, m.start(), end))
                    ),
                    None,
                )
                if hit:
                    spans.append((m.start(), end))
                    self.problems.add(hit.problem_id)
                    break
        for pattern, secret in self._texts:
            for m in pattern.finditer(context):
                if not secret.needs_context or self._in_answer_position(context, m.start(), m.end()):
                    spans.append((m.start(), m.end()))
                    self.problems.add(secret.problem_id)
        if self.secrets.shingles:
            ws = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(context.lower())]
            for i in range(len(ws) - SHINGLE + 1):
                pid = self.secrets.shingles.get(tuple(w for w, _, _ in ws[i : i + SHINGLE]))
                if pid is not None:
                    spans.append((ws[i][1], ws[i + SHINGLE - 1][2]))
                    self.problems.add(pid)
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1] + 3:  # adjacent: one withheld passage
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [(s, e) for s, e in merged]

    def _release(self, *, final: bool) -> str:
        if not self.secrets:
            out, self._pending = self._pending, ""
            return out
        pending = self._pending
        if final:
            complete = len(pending)
        else:
            last_space = max((m.start() for m in _SPACE.finditer(pending)), default=-1)
            complete = last_space + 1
        words = [m.start() for m in re.finditer(r"\S+", pending[:complete])]
        if final:
            cut = complete
        elif len(words) > self.hold:
            cut = words[-self.hold]
        else:
            cut = 0
        if not final and len(pending) - cut > _MAX_HELD:  # a long stretch without spaces (code, CJK text...)
            cut = len(pending) - _MAX_HELD // 2
        if cut <= 0:
            return ""
        complete = max(complete, cut)
        context = self._tail + pending[:complete]
        offset = len(self._tail)
        out, pos = [], 0
        for s, e in self._spans(context):
            s, e = max(s - offset, 0), min(e - offset, cut)
            if e <= 0 or s >= cut:
                continue
            out.append(pending[pos:s])
            if not (s == 0 and self._ended_with_marker):  # else: the passage withheld last time goes on
                out.append(MARKER)
                self.withheld += 1
            pos = e
        out.append(pending[pos:cut])
        if cut:
            self._ended_with_marker = bool(out) and pos > 0 and not pending[pos:cut].strip()
        self._tail = (self._tail + pending[:cut])[-_TAIL:]
        self._pending = pending[cut:]
        return "".join(out)
