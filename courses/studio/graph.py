"""Server-side drawing of a draft's concept DAG: a layered layout (layer = longest prerequisite chain below the
concept, the usual first step of Sugiyama et al. 1981), returned as geometry for the template's inline SVG."""

from __future__ import annotations

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
