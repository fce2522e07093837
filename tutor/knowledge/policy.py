"""Next-problem policy: the frontier plus due reviews, at the difficulty where P(correct) is near the target.

- Pool: problems of frontier concepts (prerequisites mastered, itself not), or, with probability `review_share`
  (always when the frontier is empty), of a review_due concept: first those the frontier builds on (just-in-time
  review: a forgotten or falsely placed prerequisite is checked before it stalls new learning), then the most
  overdue. A problem touching a locked concept is never served, unless the student explicitly jumps ahead
  (`jump_to`); nor, for a concept unlocked only provisionally by a prerequisite that cannot be practised alone
  (state.py), a problem that does not practise that prerequisite too (unless no servable problem does).
- Difficulty targeting: the problem whose predicted P(correct) is closest to `target` (default 0.85, the "85 % rule",
  Wilson et al. 2019, "The Eighty Five Percent Rule for optimal learning", Nature Communications 10:4646).
  Problems that both teach and test are preferred on the frontier: one easy to guess (guess > ``TESTING_GUESS``,
  whose right answer is no evidence of mastery) pays `untested_penalty` in distance.
  The problem just served is excluded (see below); problems seen within the `recent_problem_ids`
  window pay a distance penalty that fades with age. Distances within `tie_width` are ties, broken by ramp order
  (earlier first), then by recency (unseen, then least recently seen), then by id.
- Prerequisite re-check after failures on what depends on it (wheel-spinning, Beck & Gong 2013): when the frontier
  concept about to be served has `spin_attempts` attempts or more, its last answer was wrong and it is still not
  mastered, a mastered prerequisite of it that is not yet confirmed (fewer than `confirmed` clean right answers in a
  row) and was not practised within the recent window is checked first (kind "check"), with one of its own problems
  (the least certain prerequisite first). A prerequisite "mastered" on a lucky streak of easy problems, or by an over-generous placement, is the
  usual reason a student keeps failing what builds on it; a failed check sends it back to the frontier
  (``model.apply_attempt``), a passed one confirms it at the cost of one attempt the student very likely gets right.
- The problem just served is never served again when anything else is servable: if it was the only frontier
  candidate, a due review, else a mastered prerequisite ("keep it fresh"), comes in between.
- With everything mastered and nothing due, the least-retained mastered concept is reviewed ("keep it fresh").

P(correct) of every candidate is the knowledge model's ``predict_correct`` (``problem_p_correct``), the same
function the evaluation measures.

Cost: O(concepts + prerequisite edges) for the statuses plus one prediction per candidate problem.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutor.knowledge.bkt import difficulty_shift, item_params
from tutor.knowledge.graph import CourseGraph, Problem
from tutor.knowledge.model import TESTING_GUESS, predict_correct
from tutor.knowledge.params import ModelParams
from tutor.knowledge.state import DAY, StudentConceptState, StudentTotals, retention, seconds_between
from tutor.knowledge.statuses import ConceptStatus, MasteryConfig, concept_statuses_detail


def problem_p_correct(
    params: ModelParams,
    problem: Problem,
    states: Mapping[str, StudentConceptState],
    totals: StudentTotals | None = None,
    now: datetime | float | None = None,
) -> float:
    """P(correct) in [0, 1] of one student on one problem: ``model.predict_correct`` over the problem's concepts
    (absent ones at their prior), with the problem's fitted difficulty or, unfitted, its author's."""
    return predict_correct(
        params, {c: states.get(c) for c in problem.concepts}, problem.id, problem.difficulty, totals=totals, now=now
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """A served problem; unpacks as ``problem, reason, predicted_correct, kind``.

    reason: one line for the student.  predicted_correct: P(correct) in [0, 1].
    kind: "frontier" | "review" | "check" (a prerequisite check, see the module docstring) | "jump".
    concept: slug of the concept it was chosen for.
    """

    problem: Problem
    reason: str
    predicted_correct: float
    kind: str
    concept: str

    def __iter__(self) -> Iterator[Any]:
        return iter((self.problem, self.reason, self.predicted_correct, self.kind))


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
    params: ModelParams,
    states: Mapping[str, StudentConceptState],
    now: datetime | float,
    recent_problem_ids: Sequence[Hashable] = (),
    *,
    totals: StudentTotals | None = None,
    target: float = 0.85,
    review_share: float = 0.2,
    jump_to: str | None = None,
    rng: Any = None,
    config: MasteryConfig = MasteryConfig(),
    tie_width: float = 0.02,
    recency_penalty: float = 0.25,
    spin_attempts: int = 3,
    confirmed: int = 5,
    untested_penalty: float = 0.1,
) -> Selection | None:
    """Choose the next problem for one student; None only when the course has no problem to serve.

    params: the knowledge model (fitted, or ``ModelParams()`` for the cold start).
    states: StudentConceptState per concept slug (absent = prior, never practised); not modified.
    totals: the student's course totals (None: no attempts yet).
    now: aware datetime or POSIX seconds (the same kind as the states' times).  recent_problem_ids: ids of the student's latest attempts, most recent first
    (10-20 is plenty).  target: desired P(correct) in (0, 1).  review_share: probability in [0, 1] of serving a due
    review when there is also frontier work.  jump_to: a concept slug the student chose to jump to (may be locked).
    rng: anything with ``.random()`` (random.Random, numpy Generator); default the random module.
    spin_attempts / confirmed: attempts on a concept still not mastered, its last one wrong, after which its
    prerequisites are re-checked, unless their streak of clean right answers is already >= `confirmed` (no exemption
    once the concept has 4 x `spin_attempts` attempts: wheel-spinning)
    (wheel-spinning, see the module docstring).
    Raises ValueError for an unknown `jump_to`.
    """
    status, mastery, waits = concept_statuses_detail(graph, states, now, params, config)
    cache: dict[Hashable, float] = {}

    def predictor(p: Problem, _mastery=None) -> float:
        pc = cache.get(p.id)
        if pc is None:
            pc = cache[p.id] = problem_p_correct(params, p, states, totals, now)
        return pc

    locked = {s for s, st in status.items() if st is ConceptStatus.LOCKED}
    for c, w in list(waits.items()):
        # Nothing servable practises c together with what it waits on: fall back to c's own problems (no dead end).
        if not any(
            all(q in p.concepts for q in w) and not any(x in locked for x in p.concepts) for p in graph.problems_by_concept[c]
        ):
            del waits[c]
    recent = list(recent_problem_ids)
    window = len(recent)
    recent_index: dict[Hashable, int] = {}
    for i, pid in enumerate(recent):
        recent_index.setdefault(pid, i)
    last = recent[0] if recent else None

    inv_tie = 1.0 / tie_width

    def untested(p: Problem) -> bool:
        """The problem is easy to guess for the concept it is about (a right answer would not count as evidence)."""
        c = graph.primary_concept(p)
        return item_params(params.concept(c).bkt, difficulty_shift(p.difficulty)).guess > TESTING_GUESS

    def best(problems: Sequence[Problem], allow_last: bool = False, prefer_testing: bool = False) -> tuple[Problem, float] | None:
        """Closest predicted P(correct) to target (recency-penalised, binned by tie_width); ties as documented.

        The problem just served is left out; with `allow_last` it is still chosen when it is the only one."""
        tied: list[tuple[Problem, float, int]] = []
        best_bin = -1
        for p in problems:
            if p.id == last:
                continue
            pc = predictor(p, mastery)
            d = pc - target if pc > target else target - pc
            if prefer_testing and untested(p):
                d += untested_penalty
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
            if not problems or not allow_last:
                return None
            p = problems[0]  # only the problem just served is left: better than nothing
            return p, predictor(p, mastery)
        p, pc, _ = min(tied, key=lambda x: (x[0].ramp, x[2], str(x[0].id)))
        return p, pc

    def servable(p: Problem) -> bool:
        """Nothing locked in it, and it practises every not-yet-mastered prerequisite its concepts are waiting on."""
        for c in p.concepts:
            if c in locked:
                return False
            w = waits.get(c)
            if w is not None and not all(q in p.concepts for q in w):
                return False
        return True

    if jump_to is not None:
        if jump_to not in graph.index:
            raise ValueError(f"unknown concept {jump_to!r}")
        chosen = best(graph.problems_by_concept[jump_to], allow_last=True)
        if chosen is None:
            raise ValueError(f"concept {jump_to!r} has no problems")
        p, pc = chosen
        name = graph.title(jump_to)
        if status[jump_to] is ConceptStatus.LOCKED:
            missing = [
                graph.title(q)
                for q in graph.prerequisites(jump_to)
                if status[q] not in (ConceptStatus.MASTERED, ConceptStatus.REVIEW_DUE)
            ]
            needs = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
            reason = f"jumping ahead: {name} (builds on {needs}) — {_pct(pc)} chance you get this one"
        else:
            reason = f"your pick: {name} — {_pct(pc)} chance you get this one"
        return Selection(p, reason, pc, "jump", jump_to)

    frontier = [s for s in graph.ramp_order if status[s] is ConceptStatus.FRONTIER and graph.problems_by_concept[s]]
    due = [s for s in graph.ramp_order if status[s] is ConceptStatus.REVIEW_DUE and graph.problems_by_concept[s]]

    def frontier_pick(allow_last: bool) -> Selection | None:
        seen: set[Hashable] = set()
        cands: list[Problem] = []
        for s in frontier:
            for p in graph.problems_by_concept[s]:
                if p.id not in seen and servable(p):
                    seen.add(p.id)
                    cands.append(p)
        chosen = best(cands, allow_last, prefer_testing=True)
        if chosen is None:
            return None
        p, pc = chosen
        prim = graph.primary_concept(p)
        c = prim if status[prim] is ConceptStatus.FRONTIER else next(x for x in p.concepts if status[x] is ConceptStatus.FRONTIER)
        check = prerequisite_check(c, allow_last)
        if check is not None:
            return check
        return Selection(p, f"next on your ramp: {graph.title(c)} — {_pct(pc)} chance you get this one", pc, "frontier", c)

    def prerequisite_check(c: str, allow_last: bool) -> Selection | None:
        """A check of a mastered prerequisite of `c` when `c` is wheel-spinning (see the module docstring)."""
        k = states.get(c)
        if k is None or k.n_attempts < spin_attempts or k.streak > 0:
            return None
        checked = {graph.primary_concept(graph.problem_by_id[pid]) for pid in recent if pid in graph.problem_by_id}
        pres = [
            q
            for q in graph.prerequisites(c)
            if q not in checked
            and q in graph.practisable_alone
            and status[q] in (ConceptStatus.MASTERED, ConceptStatus.REVIEW_DUE)
            and (q not in states or states[q].streak < confirmed or k.n_attempts >= 4 * spin_attempts)
        ]
        for q in sorted(pres, key=lambda q: (mastery[q], graph.ramp_rank[q])):
            down = graph.ancestors(q)
            probes = [p for p in graph.problems_by_concept[q] if all(x == q or x in down for x in p.concepts)]
            chosen = best(probes, allow_last)
            if chosen is not None:
                p, pc = chosen
                return Selection(
                    p,
                    f"quick check: {graph.title(q)}, which {graph.title(c)} builds on — {_pct(pc)} chance you get this one",
                    pc,
                    "check",
                    q,
                )
        return None

    def review_pick(concepts: Sequence[str], label: str, allow_last: bool) -> Selection | None:
        def retr(s: str) -> float:
            k = states.get(s)
            return retention(k, params.decay, now) if k is not None else 1.0

        needed = {q for f in frontier for q in graph.prerequisites(f)}
        for c in sorted(concepts, key=lambda s: (s not in needed, retr(s), graph.ramp_rank[s])):
            chosen = best([p for p in graph.problems_by_concept[c] if servable(p)], allow_last)
            if chosen is None:
                continue
            p, pc = chosen
            k = states.get(c)
            when = ago(seconds_between(k.last_practised, now)) if k is not None and k.last_practised is not None else "never"
            return Selection(p, f"{label}: {graph.title(c)}, last practised {when}", pc, "review", c)
        return None

    def keep_fresh(allow_last: bool) -> Selection | None:
        mastered = [s for s in graph.ramp_order if status[s] is ConceptStatus.MASTERED and graph.problems_by_concept[s]]
        return review_pick(mastered, "keep it fresh", allow_last)

    rand = rng.random if rng is not None else random.random
    pools: list[Any] = []
    if due and (not frontier or rand() < review_share):
        pools.append(lambda a: review_pick(due, "review", a))
    if frontier:
        pools.append(frontier_pick)
    if due:
        pools.append(lambda a: review_pick(due, "review", a))
    pools.append(keep_fresh)
    # First without the problem just served: when the only frontier problem left is the one just answered, something
    # else (a due review, else a mastered prerequisite kept fresh) comes in between; repeat it only if nothing else is.
    for allow_last in (False, True):
        for pick in pools:
            sel = pick(allow_last)
            if sel is not None:
                return sel
    return None
