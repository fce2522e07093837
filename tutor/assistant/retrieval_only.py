"""The TA's answer when no model is configured (or the model is unavailable): the most relevant course passages
with links, the next unseen hint of the problem asked about, and the offer of a human TA — clearly labelled."""

from __future__ import annotations

import re

from tutor.assistant.index import Hit
from tutor.assistant.text import collapse

LABEL = "*Automatic TA: course search only, no AI model on this server.*"


def _plain(markdown: str) -> str:
    """Markdown → readable one-line text for an excerpt (no table rules, fences, heading marks or emphasis)."""
    lines = []
    for line in markdown.splitlines():
        s = line.strip()
        if s.startswith("```") or re.fullmatch(r"\|?[\s:|-]+\|?", s or "x"):
            continue
        s = re.sub(r"^#+\s*|^[-*]\s+", "", s).replace("|", " ").replace("**", "").replace("`", "")
        lines.append(s)
    return collapse(" ".join(lines))


def excerpt(text: str, words: int = 45) -> str:
    """The first ``words`` words of a chunk's body (its first line is the title), as plain text."""
    body = text.split("\n", 1)[1] if "\n" in text else text
    ws = _plain(body).split()
    return " ".join(ws[:words]) + (" …" if len(ws) > words else "")


def compose(
    *,
    hits: list[Hit],
    relevant: bool,
    next_hint: tuple[int, int, str] | None = None,
    attempted: bool | None = None,
    reason: str = "",
) -> str:
    """Markdown answer. ``next_hint``: (number, of, text) of the hint just revealed; ``attempted``: whether the
    student has tried the problem asked about (None: no problem); ``reason``: a line saying why there is no model
    answer (e.g. the model server is down)."""
    lines = [LABEL]
    if reason:
        lines.append(reason)
    if attempted is False:
        lines.append(
            "Before anything else: what have you tried so far, or what do you think the first step is? "
            "Have a go at the problem; you'll learn more from an attempt, even a wrong one."
        )
    if relevant and hits:
        lines.append("These passages of the course look most relevant to your question:")
        for i, h in enumerate(hits, 1):
            lines.append(f"{i}. **[{h.chunk.title}]({h.chunk.url})** — {excerpt(h.chunk.text)}")
    else:
        lines.append("I couldn't find anything about this in the course material.")
    if next_hint:
        n, total, text = next_hint
        lines.append(f"**Hint {n} of {total}** for this problem: {text}")
    lines.append("Not what you needed? Press **Ask a human** and one of the course's TAs will answer here.")
    return "\n\n".join(lines)
