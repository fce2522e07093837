"""Server-side SVG of the concept DAG: one row per module (ramp order, top to bottom), concepts left to right,
prerequisite edges as curves; each node coloured by mastery, the frontier outlined, locked concepts dimmed."""

from __future__ import annotations

from html import escape

from courses import api as courses
from tutor.practice.adaptive import ConceptView

NODE_W, NODE_H, GAP_X, ROW_H, LABEL_W, PAD = 128, 40, 10, 64, 150, 12


def mastery_colour(m: float) -> str:
    """HSL from red (0) through amber to green (1)."""
    return f"hsl({round(120 * max(0.0, min(1.0, m)))}, 65%, 38%)"


def _label(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def knowledge_svg(concepts: list[ConceptView], modules: list[courses.ModuleInfo]) -> str:
    """An accessible SVG string (role=img, <title> per node with mastery and state)."""
    rows = {m.id: i for i, m in enumerate(modules)}
    by_row: dict[int, list[ConceptView]] = {}
    for c in concepts:
        by_row.setdefault(rows.get(c.module_id, 0), []).append(c)
    pos: dict[str, tuple[float, float]] = {}
    widest = max((len(v) for v in by_row.values()), default=1)
    width = LABEL_W + widest * (NODE_W + GAP_X) + PAD
    height = max(1, len(modules)) * ROW_H + PAD
    for r, items in by_row.items():
        for i, c in enumerate(items):
            pos[c.slug] = (LABEL_W + i * (NODE_W + GAP_X), PAD + r * ROW_H)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="Knowledge map">'
    ]
    for i, m in enumerate(modules):
        y = PAD + i * ROW_H + NODE_H / 2 + 5
        out.append(f'<text class="kmap-module" x="4" y="{y}">{escape(_label(m.title, 24))}</text>')
    out.append('<g class="kmap-edges">')
    for c in concepts:
        if c.slug not in pos:
            continue
        x2, y2 = pos[c.slug]
        for q in c.prerequisites:
            if q not in pos:
                continue
            x1, y1 = pos[q]
            sx, sy, ex, ey = x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2
            if abs(sy - ey) < NODE_H:  # same row: connect side to side
                sx, sy, ex, ey = x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2
            my = (sy + ey) / 2
            out.append(f'<path d="M{sx:.0f},{sy:.0f} C{sx:.0f},{my:.0f} {ex:.0f},{my:.0f} {ex:.0f},{ey:.0f}"/>')
    out.append("</g>")
    for c in concepts:
        if c.slug not in pos:
            continue
        x, y = pos[c.slug]
        pct = round(100 * c.mastery)
        out.append(
            f'<g class="kmap-node {c.state}" data-concept="{escape(c.slug)}" data-state="{c.state}" data-mastery="{c.mastery}">'
            f"<title>{escape(c.name)}: {pct} % mastery ({c.state.replace('_', ' ')})</title>"
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{mastery_colour(c.mastery)}"/>'
            f'<text x="{x + 8}" y="{y + 17}">{escape(_label(c.name))}</text>'
            f'<text class="pct" x="{x + 8}" y="{y + 33}">{pct} %</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
