"""Simulated populations of students the tutor was not built on, and the per-population targeting figures.

Each population is a mix of slip, guess and learn rates, prior knowledge and reading/answering speed, realised by the
simulator's student model (``simulator.StudentModel``: a hidden down-set of known concepts, deterministic
prerequisites, polynomial guess/slip in the problem's *true* difficulty — a different model from the tutor's
BKT-LR). For each population the tutor is first calibrated on observed attempts, as a course would be after its
first students: a calibration cohort practises with the cold-start model, the knowledge model is fitted on that
log (``fit.fit``: EM for BKT plus a logistic regression on the attempts), and a fresh cohort then practises with the
fitted model. Figures are those of the fresh cohort:

- success: share of served problems answered right (target band 0.75-0.92 around the 85 % rule, Wilson et al. 2019);
- ece: expected calibration error of the served P(correct), 10 equal-width bins (Naeini, Cooper & Hauskrecht 2015);
- attempts_ratio / time_ratio: attempts and time on task (diagnostic included) until the student truly knows the
  whole course, summed over the cohort, tutor / the "3 right in a row" skill-builder curriculum on the same students
  (a student who never gets there counts its cap);
- lacking_prerequisite: share of served problems needing a prerequisite the student truly did not know;
- and the invariants: diagnostic_accuracy (share of concepts the placement classified right), review_share,
  check_share, locked_served and immediate_repeats (both should be 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tutor.knowledge.attempt_log import AttemptLog
from tutor.knowledge.fit import fit
from tutor.knowledge.graph import CourseGraph
from tutor.knowledge.params import ModelParams
from tutor.knowledge.simulator import PRIOR_KINDS, Run, SimulatedCourse, StudentModel, run_mastery_curriculum, run_policy


@dataclass(frozen=True)
class Population:
    """A kind of student. slip / guess: mean over problem difficulties of P(wrong | knows) / P(right | does not know);
    learn: mean P(learning a concept) per practised attempt; kinds: prior-knowledge kinds, cycled over the cohort
    (``simulator.sample_prior_knowledge``); read_seconds / answer_seconds: median times; fast_guess: students who do
    not know skim and guess in seconds."""

    name: str
    slip: float = 0.1
    guess: float = 0.2
    learn: float = 0.25
    kinds: tuple[str, ...] = PRIOR_KINDS
    read_seconds: float = 60.0
    answer_seconds: float = 45.0
    fast_guess: bool = False

    def student_model(self) -> StudentModel:
        """The simulator's dynamics with these means: slip(d) = s/2 + 1.5 s d^2 (mean s over d ~ U(0, 1)) and
        guess(d) = 3 g (1 - d)^2 (mean g)."""
        return StudentModel(
            learn=self.learn,
            guess_max=min(0.95, 3.0 * self.guess),
            slip_min=0.5 * self.slip,
            slip_max=2.0 * self.slip,
            read_seconds=self.read_seconds,
            answer_seconds=self.answer_seconds,
            fast_guess=self.fast_guess,
        )


POPULATIONS: tuple[Population, ...] = (
    Population("typical", slip=0.10, guess=0.20, learn=0.25),
    Population("careless, slow to learn", slip=0.20, guess=0.10, learn=0.10),
    Population("fast guessers", slip=0.10, guess=0.30, learn=0.20, fast_guess=True, answer_seconds=20.0),
    Population("quick learners, slow readers", slip=0.05, guess=0.15, learn=0.40, read_seconds=150.0),
    Population("advanced, careful", slip=0.05, guess=0.20, learn=0.30, kinds=("advanced", "partial")),
)


def runs_to_log(runs: Sequence[Run], graph: CourseGraph, first_user: int = 0) -> AttemptLog:
    """The practice attempts of simulated runs (one student each, in order) as an AttemptLog."""
    users, items, correct = [], [], []
    for u, r in enumerate(runs, start=first_user):
        for s in r.steps:
            users.append(u)
            items.append(s.problem_id)
            correct.append(int(s.correct))
    concepts = {p.id: p.concepts for p in graph.problems}
    return AttemptLog(np.array(users), np.array(items, dtype=object), np.array(correct, dtype=np.int8), concepts)


def calibrate(
    graph: CourseGraph, course: SimulatedCourse, population: Population, *, students: int, seed: int, max_attempts: int
):
    """Fit the knowledge model on a calibration cohort that practised with the cold-start model; returns ModelParams."""
    runs = []
    for i in range(students):
        s = seed * 7919 + i
        kind = population.kinds[i % len(population.kinds)]
        runs.append(run_policy(course.student(np.random.default_rng(s), kind), seed=s, max_attempts=max_attempts))
    return fit(runs_to_log(runs, graph), author_difficulty={p.id: p.difficulty for p in graph.problems})


def ece(predicted: np.ndarray, outcome: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: sum over equal-width bins of (share of predictions) * |mean outcome - mean P|."""
    if len(predicted) == 0:
        return 0.0
    idx = np.minimum((predicted * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(outcome[m].mean() - predicted[m].mean())
    return float(total)


def run_population(
    graph: CourseGraph,
    population: Population,
    *,
    students: int = 8,
    calibration_students: int = 8,
    seed: int = 0,
    max_attempts: int = 3000,
    params: ModelParams | None = None,
) -> dict:
    """Figures of one population on one course (see the module docstring) as a dict; ``params`` skips calibration."""
    course = SimulatedCourse(graph, population.student_model(), seed=seed)
    if params is None:
        params = calibrate(graph, course, population, students=calibration_students, seed=seed + 1, max_attempts=max_attempts)
    tutor, builder = [], []
    for i in range(students):
        s = seed * 104729 + 1000 + i
        kind = population.kinds[i % len(population.kinds)]
        tutor.append(run_policy(course.student(np.random.default_rng(s), kind), seed=s, params=params, max_attempts=max_attempts))
        builder.append(run_mastery_curriculum(course.student(np.random.default_rng(s), kind), max_attempts=4 * max_attempts))
    steps = [st for r in tutor for st in r.steps]
    pred = np.array([st.predicted for st in steps])
    out = np.array([st.correct for st in steps], dtype=float)

    def total(runs, attr, cap):
        return float(sum(getattr(r, attr) if getattr(r, attr) is not None else cap for r in runs))

    time_cap = 4 * max_attempts * 1000 * (population.read_seconds + population.answer_seconds)
    return {
        "population": population.name,
        "students": students,
        "served": len(steps),
        "success": round(float(out.mean()), 3),
        "predicted": round(float(pred.mean()), 3),
        "ece": round(ece(pred, out), 3),
        "attempts_tutor": total(tutor, "attempts_to_mastery", max_attempts) / students,
        "attempts_3_in_a_row": total(builder, "attempts_to_mastery", 4 * max_attempts) / students,
        "attempts_ratio": round(
            total(tutor, "attempts_to_mastery", max_attempts) / total(builder, "attempts_to_mastery", 4 * max_attempts), 3
        ),
        "hours_tutor": round(total(tutor, "time_to_mastery_ms", time_cap) / students / 3.6e6, 2),
        "hours_3_in_a_row": round(total(builder, "time_to_mastery_ms", time_cap) / students / 3.6e6, 2),
        "time_ratio": round(total(tutor, "time_to_mastery_ms", time_cap) / total(builder, "time_to_mastery_ms", time_cap), 3),
        "lacking_prerequisite": round(sum(st.lacking_prerequisite for st in steps) / max(1, len(steps)), 4),
        "reached_mastery": sum(r.attempts_to_mastery is not None for r in tutor),
        "diagnostic_accuracy": round(float(np.mean([r.diagnostic_accuracy for r in tutor])), 3),
        "review_share": round(sum(st.kind == "review" for st in steps) / max(1, len(steps)), 3),
        "check_share": round(sum(st.kind == "check" for st in steps) / max(1, len(steps)), 3),
        "locked_served": sum(st.touched_locked for st in steps),
        "immediate_repeats": sum(a.problem_id == b.problem_id for r in tutor for a, b in zip(r.steps, r.steps[1:])),
    }


def with_prior(population: Population, kinds: tuple[str, ...]) -> Population:
    """The same population with another prior-knowledge mix."""
    return replace(population, kinds=kinds)
