"""Recognising, from the question's words, a student who wants a human TA (an escalation, not a model answer)."""

from __future__ import annotations

import re

_HUMAN = re.compile(
    r"\b(?:(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an?\s+)?(?:human|person|real|teacher|instructor|ta\b|staff)"
    r"|(?:real|human|actual)\s+(?:person|ta|teacher|tutor|instructor|human)"
    r"|(?:ask|get|want|need)\s+(?:a\s+|an?\s+)?(?:human|person|instructor|teacher)\b"
    r"|escalate|human\s+ta|\bhuman\s+please)",
    re.IGNORECASE,
)


def wants_human(text: str) -> bool:
    """True for "can I talk to a real person?", "I want a human TA", "escalate this" ..."""
    return bool(_HUMAN.search(text or ""))
