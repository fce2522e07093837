"""A synthetic course shaped like a ramp, for simulator tests and benchmarks.

Concepts come in modules of 5-10; inside a module they mostly form a chain (each builds on the one before), with
some branching (building on an earlier concept of the module) and merges (a second prerequisite from an earlier
module); each module's first concept builds on the end of the previous module. Every concept has a handful of
problems spread from trivial to hard, a few of which also practise one of its prerequisites (multi-concept).
"""

from __future__ import annotations

import numpy as np

from tutor.knowledge.graph import Concept, CourseGraph, Problem


def synthetic_course(
    n_concepts: int = 80,
    *,
    problems_per_concept: tuple[int, int] = (4, 8),
    multi_concept_share: float = 0.15,
    branch_share: float = 0.25,
    merge_share: float = 0.15,
    seed: int = 0,
) -> CourseGraph:
    """A ramp-shaped CourseGraph with `n_concepts` concepts and problems_per_concept[0..1] problems each (inclusive).

    Difficulties per concept are spread evenly over [0.05, 0.9] with a little jitter; problem ids are
    "c{concept}-p{k}" strings; concept slugs "c{index}" with names "Concept {index}". Deterministic in `seed`.
    """
    rng = np.random.default_rng(seed)
    concepts: list[Concept] = []
    module_start = 0
    i = 0
    while i < n_concepts:
        size = int(rng.integers(5, 11))
        end = min(n_concepts, i + size)
        for j in range(i, end):
            prereqs: list[int] = []
            if j == module_start:
                if j > 0:
                    prereqs.append(j - 1)
            elif j - 1 > module_start and rng.random() < branch_share:
                prereqs.append(int(rng.integers(module_start, j - 1)))
            else:
                prereqs.append(j - 1)
            if module_start > 0 and rng.random() < merge_share:
                extra = int(rng.integers(0, module_start))
                if extra not in prereqs:
                    prereqs.append(extra)
            concepts.append(
                Concept(slug=f"c{j}", name=f"Concept {j}", ramp=float(j), prerequisites=tuple(f"c{p}" for p in prereqs))
            )
        module_start = end
        i = end

    problems: list[Problem] = []
    lo, hi = problems_per_concept
    for c in concepts:
        k = int(rng.integers(lo, hi + 1))
        diffs = np.clip(np.linspace(0.05, 0.9, k) + rng.normal(0, 0.03, k), 0.0, 1.0)
        j = int(c.slug[1:])
        for n, d in enumerate(diffs):
            cs: tuple[str, ...] = (c.slug,)
            if c.prerequisites and n > 0 and rng.random() < multi_concept_share:
                cs = (c.prerequisites[int(rng.integers(len(c.prerequisites)))], c.slug)
            problems.append(Problem(id=f"{c.slug}-p{n}", concepts=cs, difficulty=round(float(d), 3), ramp=j + n / (k + 1)))
    return CourseGraph(concepts, problems)
