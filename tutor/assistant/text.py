"""Small text helpers shared by the retrievers and the leak guard: HTML → text, word tokens, a light stemmer."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")

#: English function words ignored by the lexical retriever (and by "is this question covered" checks).
STOPWORDS = frozenset(
    """
a about above after again against all am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how i
if in into is it its itself just me more most my no nor not now of off on once only or other our out over own same she
should so some such than that the their them then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours yourself also get got one use used using
me my please thanks thank hi hello tell explain mean means understand dont don t s im i'm really still
""".split()
)


def html_to_text(value: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, whitespace collapsed)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def collapse(value: str) -> str:
    return _SPACE.sub(" ", value or "").strip()


def words(value: str) -> list[str]:
    """Lower-case alphanumeric words."""
    return _WORD.findall((value or "").lower())


def stem(word: str) -> str:
    """A light suffix stripper (plural, -ing, -ed, -ly, -ies/-ied → y, -ation): enough to match "probabilities" with
    "probability" and "normalising" with "normalise" for BM25; not a full Porter stemmer (Porter 1980)."""
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    for suffix, repl in (
        ("ities", "ity"),
        ("ies", "y"),
        ("ied", "y"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("izing", "ize"),
        ("ising", "ise"),
        ("ized", "ize"),
        ("ised", "ise"),
        ("ings", ""),
        ("ing", ""),
        ("edly", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    if w.endswith("ise"):  # British/American spelling: normalise ~ normalize
        w = w[:-3] + "ize"
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":  # running → runn → run
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def terms(value: str) -> list[str]:
    """Index terms: stemmed words minus stop words (BM25 tokens)."""
    return [stem(w) for w in words(value) if w not in STOPWORDS]
