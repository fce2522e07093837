"""Next-problem policy: the frontier plus due reviews, at the difficulty where P(correct) is near the target.

- Pool: problems of frontier concepts (prerequisites mastered, itself not), or, with probability `review_share`
  (always when the frontier is empty), of a review_due concept: first those the frontier builds on (just-in-time
  review: a forgotten or falsely placed prerequisite is checked before it stalls new learning), then the most
  overdue. A problem touching a locked concept is
  never served, unless the student explicitly jumps ahead (`jump_to`).
- Difficulty targeting: the problem whose predicted P(correct) is closest to `target` (default 0.85, the "85 % rule",
  Wilson et al. 2019, "The Eighty Five Percent Rule for optimal learning", Nature Communications 10:4646).
  The problem just served is excluded (unless it is the only one); problems seen within the `recent_problem_ids`
  window pay a distance penalty that fades with age. Distances within `tie_width` are ties, broken by ramp order
  (earlier first), then by recency (unseen, then least recently seen), then by id.
- With everything mastered and nothing due, the least-retained mastered concept is reviewed ("keep it fresh").

Cost: O(concepts + prerequisite edges) for the statuses plus one predictor call per candidate problem.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from .graph import CourseGraph, Problem
from .predict import DifficultyBKT, Predictor
from .state import DAY, ConceptKnowledge, ConceptStatus, KnowledgeConfig, as_seconds, concept_statuses

_DEFAULT_PREDICTOR = DifficultyBKT()


class Selection(NamedTuple):
    """A served problem. kind: "frontier" | "review" | "jump"; predicted_correct in [0, 1]; concept: its slug."""

    problem: Problem
    reason: str
    predicted_correct: float
    kind: str
    concept: str


def ago(seconds: float | None) -> str:
    """'6 days ago', '1 day ago', '3 hours ago', 'just now'; 'never' for None."""
    if seconds is None:
        return "never"
    if seconds < 3600:
        mins = int(seconds // 60)
        return "just now" if mins < 1 else f"{mins} minute{'s' * (mins != 1)} ago"
    if seconds < DAY:
        h = int(seconds // 3600)
        return f"{h} hour{'s' * (h != 1)} ago"
    d = int(seconds // DAY)
    return f"{d} day{'s' * (d != 1)} ago"


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"


def next_problem(
    graph: CourseGraph,
    states: Mapping[str, ConceptKnowledge],
    now: datetime | float,
    recent_problem_ids: Sequence[Hashable] = (),
    *,
    target: float = 0.85,
    review_share: float = 0.2,
    jump_to: str | None = None,
    rng: Any = None,
    predictor: Predictor | None = None,
    config: KnowledgeConfig = KnowledgeConfig(),
    tie_width: float = 0.02,
    recency_penalty: float = 0.25,
) -> Selection | None:
    """Choose the next problem for one student; None only when the course has no problem to serve.

    states: ConceptKnowledge per concept slug (absent = prior, never practised); not modified.
    now: aware datetime or POSIX seconds.  recent_problem_ids: ids of the student's latest attempts, most recent first
    (10-20 is plenty).  target: desired P(correct) in (0, 1).  review_share: probability in [0, 1] of serving a due
    review when there is also frontier work.  jump_to: a concept slug the student chose to jump to (may be locked).
    rng: anything with ``.random()`` (random.Random, numpy Generator); default the random module.
    predictor: per-problem P(correct) (default DifficultyBKT()).  Raises ValueError for an unknown `jump_to`.
    """
    predictor = predictor if predictor is not None else _DEFAULT_PREDICTOR
    t = as_seconds(now)
    status, mastery = concept_statuses(graph, states, t, config)
    recent = list(recent_problem_ids)
    window = len(recent)
    recent_index: dict[Hashable, int] = {}
    for i, pid in enumerate(recent):
        recent_index.setdefault(pid, i)
    last = recent[0] if recent else None

    inv_tie = 1.0 / tie_width
    locked = {s for s, st in status.items() if st is ConceptStatus.LOCKED}

    def best(problems: Sequence[Problem]) -> tuple[Problem, float] | None:
        """Closest predicted P(correct) to target (recency-penalised, binned by tie_width); ties as documented."""
        tied: list[tuple[Problem, float, int]] = []
        best_bin = -1
        for p in problems:
            if p.id == last:
                continue
            pc = predictor(p, mastery)
            d = pc - target if pc > target else target - pc
            i = recent_index.get(p.id)
            rank = 0
            if i is not None:
                rank = window - i
                d += recency_penalty * rank / window
            b = int(d * inv_tie)
            if best_bin < 0 or b < best_bin:
                best_bin, tied = b, [(p, pc, rank)]
            elif b == best_bin:
                tied.append((p, pc, rank))
        if not tied:
            if not problems:
                return None
            p = problems[0]  # only the problem just served is left: better than nothing
            return p, predictor(p, mastery)
        p, pc, _ = min(tied, key=lambda x: (x[0].ramp, x[2], str(x[0].id)))
        return p, pc

    def servable(p: Problem) -> bool:
        return not locked or not any(c in locked for c in p.concepts)

    if jump_to is not None:
        if jump_to not in graph.index:
            raise ValueError(f"unknown concept {jump_to!r}")
        chosen = best(graph.problems_by_concept[jump_to])
        if chosen is None:
            raise ValueError(f"concept {jump_to!r} has no problems")
        p, pc = chosen
        name = graph.title(jump_to)
        if status[jump_to] is ConceptStatus.LOCKED:
            missing = [graph.title(q) for q in graph.prerequisites(jump_to) if status[q] not in (ConceptStatus.MASTERED, ConceptStatus.REVIEW_DUE)]
            needs = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
            reason = f"jumping ahead: {name} (builds on {needs}) — {_pct(pc)} chance you get this one"
        else:
            reason = f"your pick: {name} — {_pct(pc)} chance you get this one"
        return Selection(p, reason, pc, "jump", jump_to)

    frontier = [s for s in graph.ramp_order if status[s] is ConceptStatus.FRONTIER and graph.problems_by_concept[s]]
    due = [s for s in graph.ramp_order if status[s] is ConceptStatus.REVIEW_DUE and graph.problems_by_concept[s]]

    def frontier_pick() -> Selection | None:
        seen: set[Hashable] = set()
        cands: list[Problem] = []
        for s in frontier:
            for p in graph.problems_by_concept[s]:
                if p.id not in seen and servable(p):
                    seen.add(p.id)
                    cands.append(p)
        chosen = best(cands)
        if chosen is None:
            return None
        p, pc = chosen
        prim = graph.primary_concept(p)
        c = prim if status[prim] is ConceptStatus.FRONTIER else next(x for x in p.concepts if status[x] is ConceptStatus.FRONTIER)
        return Selection(p, f"next on your ramp: {graph.title(c)} — {_pct(pc)} chance you get this one", pc, "frontier", c)

    def review_pick(concepts: Sequence[str], label: str) -> Selection | None:
        def retr(s: str) -> float:
            k = states.get(s)
            return k.retrievability(t) if k is not None else 1.0

        needed = {q for f in frontier for q in graph.prerequisites(f)}
        for c in sorted(concepts, key=lambda s: (s not in needed, retr(s), graph.ramp_rank[s])):
            chosen = best([p for p in graph.problems_by_concept[c] if servable(p)])
            if chosen is None:
                continue
            p, pc = chosen
            k = states.get(c)
            when = ago(t - k.last_practised) if k is not None and k.last_practised is not None else "never"
            return Selection(p, f"{label}: {graph.title(c)}, last practised {when}", pc, "review", c)
        return None

    rand = rng.random if rng is not None else __import__("random").random
    if due and (not frontier or rand() < review_share):
        sel = review_pick(due, "review")
        if sel is not None:
            return sel
    if frontier:
        sel = frontier_pick()
        if sel is not None:
            return sel
    if due:
        sel = review_pick(due, "review")
        if sel is not None:
            return sel
    mastered = [s for s in graph.ramp_order if status[s] is ConceptStatus.MASTERED and graph.problems_by_concept[s]]
    return review_pick(mastered, "keep it fresh")
