"""Cut a course into retrieval chunks, each with a link back to where it lives.

Kinds: ``step`` (a section of a step's Markdown body, split at headings and into ~``MAX_WORDS`` pieces; anchor
``#ta-sec-N``, the N-th heading of the body, which static/js/ta.js gives that id), ``problem`` (a problem's prompt;
anchor ``#problem-ID``), ``hint`` and ``solution`` (visible to a student only per `tutor.assistant.access`), ``endorsed``
(a TA-endorsed answer: question + answer). Course content is read through `courses.api` only.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

from courses import api as courses
from tutor.assistant.text import collapse, html_to_text

MAX_WORDS = 160


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage. ``url`` is the page (+ anchor) it comes from; ``title`` names it for a citation."""

    kind: str
    course_id: int
    step_id: int
    step_slug: str
    title: str
    text: str
    url: str
    problem_id: int | None = None
    problem_slug: str = ""
    position: int | None = None  # hint position (0-based)


@dataclass(frozen=True)
class Section:
    heading: str
    anchor: str  # "" before the first heading
    text: str


def step_url(course_slug: str, step_slug: str, anchor: str = "") -> str:
    from django.urls import reverse

    url = reverse("tutor:step", args=[course_slug, step_slug])
    return f"{url}#{anchor}" if anchor else url


def sections(body_md: str) -> list[Section]:
    """Split Markdown at every heading (any level); the N-th heading (0-based, document order) gets anchor ta-sec-N."""
    lines = (body_md or "").splitlines()
    tokens = MarkdownIt("commonmark").enable("table").parse(body_md or "")
    heads = []  # (line index, heading text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            heads.append((tok.map[0], tokens[i + 1].content if i + 1 < len(tokens) else ""))
    out: list[Section] = []
    starts = [0] + [line for line, _ in heads]
    ends = [line for line, _ in heads] + [len(lines)]
    for n, (start, end) in enumerate(zip(starts, ends)):
        if n == 0:
            text, heading, anchor = "\n".join(lines[start:end]), "", ""
        else:
            line, heading = heads[n - 1]
            text, anchor = "\n".join(lines[line + 1 : end]), f"ta-sec-{n - 1}"
        if text.strip() or heading:
            out.append(Section(heading.strip(), anchor, text.strip()))
    return out


def _pieces(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Paragraph-aligned pieces of at most ~max_words words (a longer paragraph is cut by words)."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    pieces, current, count = [], [], 0
    for p in paragraphs:
        n = len(p.split())
        if current and count + n > max_words:
            pieces.append("\n\n".join(current))
            current, count = [], 0
        if n > max_words:
            ws = p.split()
            for i in range(0, len(ws), max_words):
                pieces.append(" ".join(ws[i : i + max_words]))
            continue
        current.append(p)
        count += n
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def course_chunks(course: courses.CourseInfo, endorsed: list[dict] | None = None) -> list[Chunk]:
    """Every chunk of a course (all kinds; visibility is decided per student at query time).

    endorsed: TA-endorsed answers as dicts ``{step_id, step_slug, question, answer}``.
    """
    out: list[Chunk] = []
    problems_by_step: dict[int, list[courses.ProblemInfo]] = {}
    for p in courses.course_problems(course.id):
        problems_by_step.setdefault(p.step_id, []).append(p)
    for module in courses.course_outline(course.id):
        for ref in module.steps:
            step = courses.get_step_by_id(ref.id)
            if step is None:
                continue
            for sec in sections(step.body_md):
                title = f"{step.title} › {sec.heading}" if sec.heading else step.title
                for piece in _pieces(sec.text):
                    text = f"{title}\n{piece}" if sec.heading else f"{step.title}\n{piece}"
                    out.append(
                        Chunk("step", course.id, step.id, step.slug, title, text, step_url(course.slug, step.slug, sec.anchor))
                    )
            for n, p in enumerate(problems_by_step.get(step.id, []), 1):
                out.extend(_problem_chunks(course, step, p, n))
    for e in endorsed or []:
        title = f"Staff-verified answer: {collapse(e['question'])[:80]}"  # endorsed or corrected by a TA
        out.append(
            Chunk(
                "endorsed",
                course.id,
                e["step_id"],
                e["step_slug"],
                title,
                f"Q: {e['question']}\nA: {e['answer']}",
                step_url(course.slug, e["step_slug"]),
            )
        )
    return out


def _problem_chunks(course, step, p: courses.ProblemInfo, n: int) -> list[Chunk]:
    """Chunks of the n-th problem of a step (numbered as the student sees them on the page)."""
    url = step_url(course.slug, step.slug, f"problem-{p.id}")
    label = f"{step.title} › problem {n}"
    prompt = html_to_text(p.prompt_html)
    options = "\n".join(f"- {o}" for o in p.options)
    body = "\n".join(x for x in (prompt, p.code, options) if x)
    out = [Chunk("problem", course.id, step.id, step.slug, label, f"{label}\n{body}", url, p.id, p.slug)]
    for i, h in enumerate(courses.hints_html(p.id, p.hint_count)):
        out.append(
            Chunk(
                "hint",
                course.id,
                step.id,
                step.slug,
                f"{label} › hint {i + 1}",
                f"{prompt}\nHint: {html_to_text(h)}",
                url,
                p.id,
                p.slug,
                i,
            )
        )
    solution = courses.solution_md(p.id)
    if solution.strip():
        out.append(
            Chunk(
                "solution",
                course.id,
                step.id,
                step.slug,
                f"{label} › worked solution",
                f"{prompt}\nWorked solution: {solution}",
                url,
                p.id,
                p.slug,
            )
        )
    return out
