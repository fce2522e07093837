"""Remove personal data from text that leaves a student's hands (shared "dumb question" threads).

Layers, in order (each sees the previous one's output):
1. ``scrubadub`` (PyPI, MIT; regex + validator detectors, no models): e-mail addresses, URLs, phone numbers (US),
   credentials ("username: … password: …"), Twitter-style handles, credit-card and social-security numbers.
2. Bare domains with a path (``github.com/ada``); ``phonenumbers`` (Google's libphonenumber rules, valid numbers only)
   over several regions, for phone numbers in national formats
   scrubadub's single-locale detector misses (e.g. UK "020 7946 0958").
3. The course roster: every member's username, first, last and full name, e-mail and its local part.
4. Fallbacks: handles, long digit runs (IDs, numbers written oddly), and the
   name after "my name is", "call me", or a sign-off ("Thanks, Ada").

Replacements are bracketed labels (``[email]``, ``[phone]``, ``[url]``, ``[name]``, ``[number]``...). Removing too
much is the safe failure; a name that is not on the roster and not introduced as a name can still slip through (no
NER model is used, so nothing is downloaded at run time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

PHONE_REGIONS = ("US", "GB", "DE", "FR", "IN", "CA", "AU", "ES", "IT", "NL", "BR", "CN", "JP")
_SCRUB_TOKEN = re.compile(r"\{\{([A-Z_]+?)(?:-\d+)?\}\}")
_LABELS = {
    "EMAIL": "email",
    "PHONE": "phone",
    "URL": "url",
    "TWITTER": "handle",
    "CREDENTIAL": "credential",
    "CREDIT_CARD": "number",
    "SOCIAL_SECURITY_NUMBER": "number",
}
_BARE_URL = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|edu|ai|co|uk|de|fr|me|app|info|gov|ly|gg|xyz)"
    r"(?::\d+)?/[^\s)\]>\"']*",
    re.I,
)
_SCHEME_URL = re.compile(r"\b(?:https?|ftp)://[^\s)\]>\"']+|\bwww\.[^\s)\]>\"']+", re.I)
_DIGITS = re.compile(r"(?<![\w\[])\+?\d[\d\s().-]{6,}\d(?![\w\]])")
_LONG_NUMBER = re.compile(r"\b\d{7,}\b")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,}")
_INTRO = re.compile(
    r"\b((?i:my name is|my name's|name is|call me|i am called|regards,|thanks,|thank you,|cheers,"
    r"|best,|sincerely,|love,)|—|--)(\s+)((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+){0,2})"
)
_NOT_NAMES = {"The", "This", "That", "It", "A", "An", "TA", "I", "Thanks", "Python", "PyTorch", "Softmax"}


@lru_cache(maxsize=1)
def _scrubber():
    import scrubadub
    from scrubadub.post_processors import FilthReplacer, PrefixSuffixReplacer

    return scrubadub.Scrubber(post_processor_list=[FilthReplacer(), PrefixSuffixReplacer(prefix="{{", suffix="}}")])


def _scrubadub(text: str) -> str:
    out = _scrubber().clean(text)
    return _SCRUB_TOKEN.sub(lambda m: f"[{_LABELS.get(m.group(1), m.group(1).lower())}]", out)


def _phones(text: str) -> str:
    import phonenumbers

    spans: list[tuple[int, int]] = []
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            spans.append((match.start, match.end))
    for start, end in sorted(set(spans), reverse=True):
        if not text[start:end].startswith("["):
            text = text[:start] + "[phone]" + text[end:]
    return _merge_labels(text)


def _merge_labels(text: str) -> str:
    return re.sub(r"(\[(\w+)\])(?:\s*\[\2\])+", r"\1", text)


def roster_terms(people: Iterable[dict]) -> list[str]:
    """Terms to remove for people given as ``{username, first_name, last_name, email}`` (longest first, ≥ 2 chars)."""
    terms: set[str] = set()
    for p in people:
        first, last = (p.get("first_name") or "").strip(), (p.get("last_name") or "").strip()
        email = (p.get("email") or "").strip()
        for t in (p.get("username"), first, last, f"{first} {last}".strip(), email, email.split("@")[0] if email else ""):
            t = (t or "").strip()
            if len(t) >= 2:
                terms.add(t)
    return sorted(terms, key=lambda t: (-len(t), t))


def _roster(text: str, terms: list[str]) -> str:
    if not terms:
        return text
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![\w])", re.I)
    return pattern.sub("[name]", text)


def _fallbacks(text: str) -> str:
    text = _HANDLE.sub("[handle]", text)
    text = _DIGITS.sub(lambda m: "[number]" if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), text)
    text = _LONG_NUMBER.sub("[number]", text)

    def intro(m):
        words = m.group(3).split()
        if words[0] in _NOT_NAMES:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}[name]"

    return _INTRO.sub(intro, text)


def anonymize_text(text: str, *, terms: list[str] = ()) -> str:
    """``text`` with personal data replaced by bracketed labels. ``terms``: the roster's names and usernames
    (see ``roster_terms``). Deterministic: the same input always gives the same output (the share preview is
    exactly what is stored)."""
    if not text:
        return text
    out = _scrubadub(text)
    out = _BARE_URL.sub("[url]", _SCHEME_URL.sub("[url]", out))
    out = _phones(out)
    out = _roster(out, list(terms))
    out = _fallbacks(out)
    return _merge_labels(out)
