"""The course as the tutor sees it: concepts on a prerequisite DAG, and the problems that practise them.

Plain dataclasses, filled by the Django side from the database (or by `synthetic.synthetic_course`). `CourseGraph`
validates the DAG once and precomputes every index the policy and the diagnostic need, so selection never walks
the database or the whole graph more than once per call.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Concept:
    """A knowledge component (KC).

    slug: unique within the course.  name: shown to students ("Attention").
    ramp: position on the course ramp (any sortable number; lower comes first, e.g. module*1000 + step).
    prerequisites: slugs of the concepts that must be mastered first (direct edges of the DAG).
    """

    slug: str
    name: str = ""
    ramp: float = 0.0
    prerequisites: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.name or self.slug


@dataclass(frozen=True)
class Problem:
    """A practice problem.

    id: the problem's identity (database pk or slug).  concepts: one or more concept slugs it practises.
    difficulty: the author's prior in [0, 1] (0 trivial, 1 very hard).  ramp: position on the ramp (step order).
    """

    id: Hashable
    concepts: tuple[str, ...]
    difficulty: float = 0.5
    ramp: float = 0.0


class GraphError(ValueError):
    """The course is not a valid DAG: unknown slug, duplicate, or a prerequisite cycle (named in the message)."""


@dataclass
class CourseGraph:
    """Concepts, their prerequisite DAG and problems, with precomputed indexes.

    Raises GraphError for a duplicate slug or problem id, an unknown prerequisite or problem concept, a difficulty
    outside [0, 1], a problem without concepts, or a cycle.
    """

    concepts: Sequence[Concept]
    problems: Sequence[Problem]
    # --- indexes, filled in __post_init__ ---
    index: dict[str, int] = field(init=False, repr=False)
    topological_order: tuple[str, ...] = field(init=False, repr=False)
    ramp_order: tuple[str, ...] = field(init=False, repr=False)
    problem_by_id: dict[Hashable, Problem] = field(init=False, repr=False)
    problems_by_concept: dict[str, tuple[Problem, ...]] = field(init=False, repr=False)
    dependents: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    _ancestors: dict[str, frozenset[str]] = field(init=False, repr=False)
    _descendants: dict[str, frozenset[str]] = field(init=False, repr=False)
    _primary: dict[Hashable, str] = field(init=False, repr=False)
    practisable_alone: frozenset[str] = field(init=False, repr=False)
    practised_with: dict[str, frozenset[str] | None] = field(init=False, repr=False)
    _ancestor_matrix: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self.concepts = tuple(self.concepts)
        self.problems = tuple(self.problems)
        self.index = {}
        for i, c in enumerate(self.concepts):
            if c.slug in self.index:
                raise GraphError(f"duplicate concept slug {c.slug!r}")
            self.index[c.slug] = i
        self.concept_by_slug = {c.slug: c for c in self.concepts}
        children: dict[str, list[str]] = {c.slug: [] for c in self.concepts}
        for c in self.concepts:
            for p in c.prerequisites:
                if p not in self.index:
                    raise GraphError(f"concept {c.slug!r}: unknown prerequisite {p!r}")
                if p == c.slug:
                    raise GraphError(f"prerequisite cycle: {c.slug} -> {c.slug}")
                children[p].append(c.slug)
        self.dependents = {s: tuple(v) for s, v in children.items()}
        self.topological_order = self._toposort()
        self.ramp_order = tuple(
            sorted((c.slug for c in self.concepts), key=lambda s: (self.concept_by_slug[s].ramp, self.index[s]))
        )
        self._ancestors = {}
        for s in self.topological_order:
            acc: set[str] = set()
            for p in self.concept_by_slug[s].prerequisites:
                acc.add(p)
                acc |= self._ancestors[p]
            self._ancestors[s] = frozenset(acc)
        self._descendants = {}
        for s in reversed(self.topological_order):
            acc = set()
            for d in self.dependents[s]:
                acc.add(d)
                acc |= self._descendants[d]
            self._descendants[s] = frozenset(acc)

        self.problem_by_id = {}
        by_concept: dict[str, list[Problem]] = {c.slug: [] for c in self.concepts}
        self._primary = {}
        for pr in self.problems:
            if pr.id in self.problem_by_id:
                raise GraphError(f"duplicate problem id {pr.id!r}")
            if not pr.concepts:
                raise GraphError(f"problem {pr.id!r} practises no concept")
            if not 0.0 <= pr.difficulty <= 1.0:
                raise GraphError(f"problem {pr.id!r}: difficulty {pr.difficulty} outside [0, 1]")
            for s in pr.concepts:
                if s not in self.index:
                    raise GraphError(f"problem {pr.id!r}: unknown concept {s!r}")
                by_concept[s].append(pr)
            self.problem_by_id[pr.id] = pr
            # The primary concept is the newest one on the ramp: it is what the problem is "about".
            self._primary[pr.id] = max(pr.concepts, key=lambda s: (self.concept_by_slug[s].ramp, self.index[s]))
        self.problems_by_concept = {s: tuple(sorted(v, key=lambda p: (p.ramp, p.difficulty))) for s, v in by_concept.items()}
        #: Concepts with at least one problem that needs nothing beyond the concept and its ancestors. The others (no
        #: problem at all, or only problems shared with a dependent, e.g. "character vocabulary" practised only through
        #: "bigram counts" problems) can be practised only together with what builds on them: see state.py.
        self.practisable_alone = frozenset(
            s
            for s, ps in self.problems_by_concept.items()
            if any(all(c == s or c in self._ancestors[s] for c in p.concepts) for p in ps)
        )
        #: For each concept not practisable alone: the descendants it shares problems with (its only way to be
        #: practised), or None when it has no problem at all (then only the lessons and what builds on it teach it).
        self.practised_with = {
            s: (
                frozenset(c for p in self.problems_by_concept[s] for c in p.concepts if c in self._descendants[s])
                if self.problems_by_concept[s]
                else None
            )
            for s in self.index
            if s not in self.practisable_alone
        }
        rank = {s: i for i, s in enumerate(self.ramp_order)}
        n = max(len(self.concepts) - 1, 1)
        #: Normalised ramp rank in [0, 1] per concept (0 first, 1 last).
        self.ramp_rank = {s: rank[s] / n for s in rank}

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_records(cls, concepts: Iterable[Mapping[str, Any]], problems: Iterable[Mapping[str, Any]]) -> CourseGraph:
        """Build from plain dicts, e.g. a parsed course package.

        concepts: ``{"slug", "name"?, "ramp"?, "prerequisites"?}`` in ramp order (``ramp`` defaults to the position).
        problems: ``{"id" or "slug", "concepts", "difficulty"?, "ramp"?}`` in ramp order (``ramp`` defaults to the position).
        """
        cs = [
            Concept(
                slug=d["slug"],
                name=d.get("name", "") or "",
                ramp=float(d.get("ramp", i)),
                prerequisites=tuple(d.get("prerequisites", ()) or ()),
            )
            for i, d in enumerate(concepts)
        ]
        ps = [
            Problem(
                id=d["id"] if "id" in d else d["slug"],
                concepts=tuple(d["concepts"]),
                difficulty=float(d.get("difficulty", 0.5)),
                ramp=float(d.get("ramp", i)),
            )
            for i, d in enumerate(problems)
        ]
        return cls(cs, ps)

    def _toposort(self) -> tuple[str, ...]:
        """Kahn's algorithm, ties by ramp position; names a cycle if there is one."""
        indeg = {c.slug: len(set(c.prerequisites)) for c in self.concepts}

        def key(s: str) -> tuple[float, int]:
            return (self.concept_by_slug[s].ramp, self.index[s])

        heap = [key(s) + (s,) for s, d in indeg.items() if d == 0]
        heapq.heapify(heap)
        out: list[str] = []
        while heap:
            s = heapq.heappop(heap)[-1]
            out.append(s)
            for d in set(self.dependents[s]):
                indeg[d] -= 1
                if indeg[d] == 0:
                    heapq.heappush(heap, key(d) + (d,))
        if len(out) < len(self.concepts):
            raise GraphError("prerequisite cycle: " + " -> ".join(self._find_cycle(set(indeg) - set(out))))
        return tuple(out)

    def _find_cycle(self, remaining: set[str]) -> list[str]:
        start = min(remaining, key=lambda s: self.index[s])
        seen: list[str] = []
        s = start
        while s not in seen:
            seen.append(s)
            s = next(p for p in self.concept_by_slug[s].prerequisites if p in remaining)
        cyc = seen[seen.index(s) :] + [s]
        return list(reversed(cyc))

    # ------------------------------------------------------------------ queries
    def prerequisites(self, slug: str) -> tuple[str, ...]:
        """Direct prerequisites of a concept."""
        return self.concept_by_slug[slug].prerequisites

    def ancestors(self, slug: str) -> frozenset[str]:
        """All concepts that must be mastered before `slug` (transitive prerequisites), excluding itself."""
        return self._ancestors[slug]

    def descendants(self, slug: str) -> frozenset[str]:
        """All concepts that depend on `slug`, directly or not, excluding itself."""
        return self._descendants[slug]

    def primary_concept(self, problem: Problem) -> str:
        """The concept a problem is about: the one of its concepts latest on the ramp."""
        return self._primary[problem.id]

    def problem(self, problem_id: Hashable) -> Problem:
        return self.problem_by_id[problem_id]

    def title(self, slug: str) -> str:
        return self.concept_by_slug[slug].title

    def ancestor_matrix(self) -> np.ndarray:
        """Boolean (C, C) matrix A with A[i, j] true when concept j is an ancestor of concept i (index order).

        Computed once (the graph is immutable) and returned read-only.
        """
        if self._ancestor_matrix is None:
            c = len(self.concepts)
            a = np.zeros((c, c), dtype=bool)
            for s, anc in self._ancestors.items():
                if anc:
                    a[self.index[s], [self.index[t] for t in anc]] = True
            a.flags.writeable = False
            self._ancestor_matrix = a
        return self._ancestor_matrix

    def is_down_set(self, known: Iterable[str]) -> bool:
        """True when `known` is closed under prerequisites (knowing a concept implies knowing its ancestors)."""
        k = set(known)
        return all(self._ancestors[s] <= k for s in k)
