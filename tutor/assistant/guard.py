"""The leak guard: a filter on the TA's output stream that withholds text giving away a guarded problem's answer or
worked solution (see `tutor.assistant.secrets` for what is guarded and how strictly).

It works on words: the last few complete words (enough to hold a solution n-gram, the longest guarded text or the
longest disguised form) are held back until more text arrives, so a match that spans two deltas is caught before any
of it is sent. Matching text is replaced by `MARKER`. The student sees at most a few words of delay; the raw output is
kept for staff review.

Disguises are matched on a normalized view of the text (letters and digits only, lower-cased, each character mapped
back to its place), so an answer is caught spaced out ("7 2 9", "p-e-r-p-l-e-x"), in code spans, spelled as number
words, or reversed; the correct option of a choice problem is caught by its letter, number or ordinal when the text
points at an option ("the answer is B", "option 2", "the second one").
"""

from __future__ import annotations

import re
from collections import Counter

from tutor.assistant.secrets import SHINGLE, ChoiceSecret, Secrets

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
_MAX_FORM_HOLD = 40  # words: a spaced-out or spelled-out secret longer than this is not held whole
_MAX_GAP = 3  # characters between two characters of a disguised form ("7 - 2")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_NTH = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


def _choice_patterns(c: ChoiceSecret) -> list[re.Pattern]:
    """Ways of pointing at option ``c.index``: "option B", "answer: (b)", "choice 2", "the second one", "pick B"."""
    letter, number = "abcdefghij"[c.index], c.index + 1
    ordinals = [_ORDINALS[c.index], _NTH[c.index]] if c.index < len(_ORDINALS) else []
    if c.index == c.count - 1:
        ordinals.append("last")
    pats = [
        re.compile(rf"\b(?:option|choice|answer|alternative)s?\s*(?:is|:|#|=)?\s*[\(\[]?\s*{letter}\s*[\)\]]?(?![\w'])", re.I),
        re.compile(rf"\b(?:option|choice|alternative)\s*(?:#|number|no\.?)?\s*{number}(?!\w|\.\d)", re.I),
        re.compile(rf"\b(?:pick|choose|select|go with|mark|tick)\s+(?:{letter.upper()}|[\(\[]{letter}[\)\]])(?![\w'])", re.I),
    ]
    if ordinals:
        pats.append(re.compile(rf"\b(?:{'|'.join(ordinals)})\s+(?:option|choice|one|alternative|answer)\b", re.I))
    return pats


def _normalized(context: str) -> tuple[str, list[int]]:
    """(letters and digits of ``context``, lower-cased; the index in ``context`` of each)."""
    idx = [i for i, ch in enumerate(context) if ch.isalnum()]
    return "".join(context[i] for i in idx).lower(), idx


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
        longest_form = min(secrets.longest_form_words, _MAX_FORM_HOLD)
        self.hold = max(SHINGLE, secrets.longest_text_words, longest_form) if secrets else 0  # a match ending now is all held
        self.withheld = 0
        self.problems: set[int] = set()
        self._pending = ""
        self._tail = ""
        self._ended_with_marker = False
        self._texts = [
            (re.compile(r"(?<![\w-])" + r"\s+".join(re.escape(p) for p in t.text.split()) + r"(?![\w-])", re.IGNORECASE), t)
            for t in secrets.texts
        ]
        self._forms = []  # (normalized needle, kind, problem id, reversed?)
        for f in secrets.forms:
            needle = f.form.replace(" ", "")
            self._forms.append((needle, f.kind, f.problem_id, False))
            if f.kind != "words" and needle[::-1] != needle:
                self._forms.append((needle[::-1], f.kind, f.problem_id, True))
        self._choices = [(p, c) for c in secrets.choices for p in _choice_patterns(c)]

    def feed(self, text: str) -> str:
        self._pending += text
        return self._release(final=False)

    def flush(self) -> str:
        return self._release(final=True)

    # ------------------------------------------------------------------ internals
    def _in_answer_position(self, context: str, start: int, end: int) -> bool:
        before = context[max(0, start - 40) : start]
        return bool(_ANSWER_BEFORE.search(before) or _EMPHASIS_BEFORE.search(before))

    def _form_spans(self, context: str) -> list[tuple[int, int]]:
        """Spans of ``context`` holding a guarded form in disguise (see the module docstring)."""
        if not self._forms:
            return []
        norm, idx = _normalized(context)
        spans = []
        for needle, kind, pid, reversed_ in self._forms:
            at = norm.find(needle)
            while at >= 0:
                s, e = idx[at], idx[at + len(needle) - 1] + 1
                gaps = [context[idx[k] + 1 : idx[k + 1]] for k in range(at, at + len(needle) - 1)]
                bounded = (s == 0 or not context[s - 1].isalnum()) and (e == len(context) or not context[e].isalnum())
                # spaced out: every character apart, by one separator (one exception: "0 . 0 7"): "7 2 9", "p-e-r-p"
                spaced = all(gaps) and max(map(len, gaps)) <= _MAX_GAP and Counter(gaps).most_common(1)[0][1] >= len(gaps) - 1
                if kind == "words":  # spelled out: words apart by spaces, hyphens or commas
                    ok = all(len(g) <= _MAX_GAP for g in gaps)
                else:  # plain tokens are the plain matchers' job, except reversed ones ("927", "ytixelprep")
                    ok = spaced or (reversed_ and not any(gaps) and len(needle) >= 4 - (kind == "digits"))
                if kind == "digits":
                    decimal_before = s >= 2 and context[s - 1] in ".," and context[s - 2].isdigit()  # "0.729"
                    decimal_after = e + 1 < len(context) and context[e] in ".," and context[e + 1].isdigit()  # "729.5"
                    bounded = bounded and not decimal_before and not decimal_after
                if ok and bounded:
                    spans.append((s, e))
                    self.problems.add(pid)
                at = norm.find(needle, at + 1)
        for pattern, choice in self._choices:
            for m in pattern.finditer(context):
                spans.append((m.start(), m.end()))
                self.problems.add(choice.problem_id)
        return spans

    def _spans(self, context: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = self._form_spans(context)
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
