"""Server-side drawing of a draft's concept DAG: a layered layout (layer = longest prerequisite chain below the
concept, the usual first step of Sugiyama et al. 1981), returned as geometry for the template's inline SVG."""

from __future__ import annotations

from django.utils.html import escape

from . import document as docs

COL_W, ROW_H, NODE_W, NODE_H, PAD = 210, 46, 180, 32, 16


def layout(doc: dict) -> dict:
    """``{width, height, nodes: [{slug, name, x, y, w, h, step, module}], edges: [{d, title}]}`` for the draft;
    ``step`` is the slug of the step that introduces the concept ("" when none does yet). Cycles (which a saved
    draft cannot hold) are cut, never looped on."""
    items = docs.concepts(doc)
    prereqs = {c["slug"]: [q for q in c.get("prerequisites", []) or []] for _f, c in items}
    depth: dict[str, int] = {}

    def level(slug: str, seen: frozenset = frozenset()) -> int:
        if slug in depth:
            return depth[slug]
        below = [level(q, seen | {slug}) + 1 for q in prereqs.get(slug, []) if q in prereqs and q not in seen]
        depth[slug] = max(below, default=0)
        return depth[slug]

    rows: dict[int, int] = {}
    intro = docs.introducing_step(doc)
    nodes, where = [], {}
    for folder, c in items:
        col = level(c["slug"])
        row = rows.get(col, 0)
        rows[col] = row + 1
        x, y = PAD + col * COL_W, PAD + row * ROW_H
        where[c["slug"]] = (x, y)
        nodes.append(
            {
                "slug": c["slug"],
                "name": c.get("name", c["slug"]),
                "x": x,
                "y": y,
                "w": NODE_W,
                "h": NODE_H,
                "step": intro.get(c["slug"], ""),
                "module": folder,
            }
        )
    edges = []
    for slug, qs in prereqs.items():
        for q in qs:
            if q in where and slug in where:
                (x1, y1), (x2, y2) = where[q], where[slug]
                sx, sy, ex, ey = x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2
                mid = (sx + ex) / 2
                edges.append({"d": f"M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}", "title": f"{q} → {slug}"})
    width = PAD * 2 + (max(rows, default=0) + 1) * COL_W
    height = PAD * 2 + max(rows.values(), default=1) * ROW_H
    return {"width": width, "height": height, "nodes": nodes, "edges": edges}


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def svg(doc: dict) -> str:
    """The concept DAG of the draft as inline SVG markup (escaped; built in Python — a template loop over ~100 nodes
    costs more than the rest of the page)."""
    g = layout(doc)
    out = [
        f'<svg class="concept-dag" width="{g["width"]}" height="{g["height"]}" viewBox="0 0 {g["width"]} {g["height"]}" '
        'role="img" aria-label="Concept graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#7c8bd0"/></marker></defs>',
    ]
    for e in g["edges"]:
        out.append(f'<path d="{e["d"]}" class="dag-edge" marker-end="url(#arrow)"><title>{escape(e["title"])}</title></path>')
    for n in g["nodes"]:
        intro = f"introduced by step {n['step']}" if n["step"] else "no step introduces it yet"
        out.append(
            f'<g class="dag-node{"" if n["step"] else " orphan"}" data-slug="{escape(n["slug"])}">'
            f"<title>{escape(n['slug'])} — {escape(intro)}</title>"
            f'<rect x="{n["x"]}" y="{n["y"]}" width="{n["w"]}" height="{n["h"]}" rx="6"/>'
            f'<text x="{n["x"] + 8}" y="{n["y"] + 14}">{escape(_short(n["name"], 26))}</text>'
            f'<text x="{n["x"] + 8}" y="{n["y"] + 27}" class="sub">{escape(_short(n["step"], 28) if n["step"] else "not introduced")}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
