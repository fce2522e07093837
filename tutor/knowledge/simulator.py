"""Simulated students for testing the policy and the diagnostic, and the baselines they are compared with.

Ground truth (hidden from the tutor): a set of known concepts, always a down-set of the DAG at the start. Dynamics are
BKT's (Corbett & Anderson 1995) with item effects the tutor does not know exactly:
- P(correct) = 1 - slip(d) if every concept of the problem, and every prerequisite of those (transitively), is known,
  else guess(d), where d is the problem's *true*
  difficulty (the author's difficulty plus a fixed per-problem error), guess(d) = guess_max (1 - d)^guess_power and
  slip(d) = slip_min + (slip_max - slip_min) d^2 (shapes deliberately unlike the tutor's logit shift);
- after each practised attempt (right or wrong, with feedback), each unknown concept of the problem becomes known with
  the student's learn rate for it (lognormal around `learn`), times `learn_without_prerequisites` (default 0: the
  known set stays a down-set) when some prerequisite is not known (no backprop without derivatives);
- a concept with no problems of its own (in LLM101n "language model", "web text corpus": taught by the lesson text,
  never asked about alone) is learned the same way from every practised attempt that needs it as a prerequisite: the
  student picks it up while working on what builds on it. Without this rule such a concept, and so everything above
  it, would be unlearnable for every curriculum alike, which no real course is;
- optional forgetting: a known concept not used for t days is lost with probability 1 - 2^(-t / h), checked when a
  problem next needs it (itself or as a prerequisite); every use restarts its clock, and a use at least half a day
  after the previous one doubles h (spacing effect); h starts at half_life_days.
Diagnostic probes give no feedback, so they teach nothing.
Time on task: every answer takes reading time (``read_seconds``, longer for harder problems) plus answering time
(``answer_seconds``), each lognormal; a student who does not know the problem either works it out slowly or, with
``fast_guess``, skims and guesses in a few seconds. This is what ``time_taken_ms`` records in the app, and what
"time to mastery" sums.

Baselines (same students, same attempt counting):
- `run_fixed_curriculum`: the course's problems in ramp order, concept by concept (each concept's problems in
  authored order), the whole sequence repeated until the student knows every concept — the textbook.
- `run_mastery_curriculum`: ramp order, each concept's problems cycled until n in a row are right
  (the ASSISTments "skill builder" rule), then the next concept; repeated passes for what is still unknown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np

from tutor.knowledge.diagnostic import Diagnostic
from tutor.knowledge.graph import CourseGraph, Problem
from tutor.knowledge.model import apply_attempt
from tutor.knowledge.params import ModelParams
from tutor.knowledge.policy import next_problem
from tutor.knowledge.state import DAY, StudentConceptState, StudentTotals
from tutor.knowledge.statuses import ConceptStatus, MasteryConfig, concept_statuses


@dataclass(frozen=True)
class StudentModel:
    """Hidden dynamics of simulated students (see module docstring); probabilities in [0, 1]."""

    learn: float = 0.25
    learn_spread: float = 0.3  # sd of log learn rate across (student, concept)
    learn_without_prerequisites: float = 0.0
    guess_max: float = 0.9
    guess_power: float = 2.0
    slip_min: float = 0.02
    slip_max: float = 0.25
    difficulty_error: float = 0.1  # sd of (true - author) difficulty, fixed per problem
    half_life_days: float | None = None  # None: no forgetting
    read_seconds: float = 60.0  # median reading time of a problem of difficulty 0.5
    answer_seconds: float = 45.0  # median answering time when the student knows what is needed
    time_spread: float = 0.4  # sd of log time per answer
    fast_guess: bool = False  # not knowing: skim and guess in ~15 % of the time, instead of struggling 1.5x longer

    def guess(self, d: float) -> float:
        return self.guess_max * (1.0 - d) ** self.guess_power

    def slip(self, d: float) -> float:
        return self.slip_min + (self.slip_max - self.slip_min) * d * d


PRIOR_KINDS = ("novice", "partial", "advanced", "scattered")


def sample_prior_knowledge(graph: CourseGraph, kind: str, rng: np.random.Generator) -> set[str]:
    """A DAG-consistent known set (down-set) for a student of the given kind.

    novice: nothing.  partial / advanced: the concepts up to a random point of the ramp (10-60 % / 50-95 % of it),
    minus 0-2 gaps in its later half (a gap removes a concept and everything that depends on it).  scattered: the ancestor
    closure of 1-3 random concepts.  Raises ValueError for an unknown kind.
    """
    if kind == "novice":
        return set()
    if kind in ("partial", "advanced"):
        lo, hi = (0.1, 0.6) if kind == "partial" else (0.5, 0.95)
        cut = rng.uniform(lo, hi)
        known = {s for s in graph.topological_order if graph.ramp_rank[s] <= cut}
        ordered = [s for s in graph.ramp_order if s in known]
        for _ in range(int(rng.integers(0, 3))):  # 0-2 gaps in the later part of what was studied
            if not ordered:
                break
            gap = ordered[int(rng.integers(int(0.5 * len(ordered)), len(ordered)))]
            known -= {gap} | graph.descendants(gap)
        return known
    if kind == "scattered":
        slugs = [c.slug for c in graph.concepts]
        picks = rng.choice(len(slugs), size=int(rng.integers(1, 4)), replace=False)
        known = set()
        for i in picks:
            known.add(slugs[i])
            known |= graph.ancestors(slugs[i])
        return known
    raise ValueError(f"unknown prior kind {kind!r}")


@dataclass
class SimulatedCourse:
    """A course plus the hidden truth about its problems (true difficulty), shared by all simulated students."""

    graph: CourseGraph
    model: StudentModel = field(default_factory=StudentModel)
    seed: int = 0

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.true_difficulty: dict[Hashable, float] = {
            p.id: float(np.clip(p.difficulty + rng.normal(0.0, self.model.difficulty_error), 0.0, 1.0))
            for p in self.graph.problems
        }
        #: Concepts a problem needs known: its own and all their ancestors.
        self.required: dict[Hashable, frozenset[str]] = {
            p.id: frozenset(p.concepts).union(*(self.graph.ancestors(c) for c in p.concepts)) for p in self.graph.problems
        }
        #: Concepts an attempt can teach: the problem's own, then the required ones that have no problems (learned in
        #: context), prerequisites first.
        topo = {s: i for i, s in enumerate(self.graph.topological_order)}
        self.teaches: dict[Hashable, tuple[str, ...]] = {
            p.id: tuple(p.concepts)
            + tuple(
                sorted(
                    (c for c in self.required[p.id] if not self.graph.problems_by_concept[c] and c not in p.concepts),
                    key=topo.__getitem__,
                )
            )
            for p in self.graph.problems
        }

    def student(self, rng: np.random.Generator, kind: str = "novice") -> SimulatedStudent:
        """A new simulated student with prior knowledge of the given kind (see `sample_prior_knowledge`)."""
        return SimulatedStudent(self, sample_prior_knowledge(self.graph, kind, rng), rng)


class SimulatedStudent:
    """One simulated learner; `known` is the hidden state. `now` is simulated POSIX seconds (for forgetting)."""

    def __init__(self, course: SimulatedCourse, known: set[str], rng: np.random.Generator) -> None:
        self.course = course
        self.graph = course.graph
        self.model = course.model
        self.rng = rng
        self.known = set(known)
        self.initial_known = frozenset(known)
        m = self.model
        self.learn = {c.slug: float(min(1.0, m.learn * math.exp(rng.normal(0.0, m.learn_spread)))) for c in self.graph.concepts}
        self.last_used: dict[str, float] = {}  # absent: not used since the simulation started
        self.half_life: dict[str, float] = {}  # days; absent: model.half_life_days

    def _forget(self, slugs: frozenset[str], now: float) -> None:
        h = self.model.half_life_days
        if h is None:
            return
        for s in slugs:
            if s in self.known:
                last = self.last_used.setdefault(s, now)
                if self.rng.random() > 2.0 ** (-max(0.0, now - last) / DAY / self.half_life.get(s, h)):
                    self.known.discard(s)
                    self.half_life.pop(s, None)

    def p_correct(self, problem: Problem) -> float:
        """True P(correct) in [0, 1] on `problem` right now."""
        d = self.course.true_difficulty[problem.id]
        if self.course.required[problem.id] <= self.known:
            return 1.0 - self.model.slip(d)
        return self.model.guess(d)

    def lacks_prerequisite(self, problem: Problem) -> bool:
        """True when the problem needs a prerequisite (not one of its own concepts) the student does not know."""
        return not (self.course.required[problem.id] - set(problem.concepts)) <= self.known

    def _time_ms(self, problem: Problem, knew: bool) -> int:
        m = self.model
        d = self.course.true_difficulty[problem.id]
        read = m.read_seconds * (0.5 + d)
        work = m.answer_seconds
        if not knew:
            if m.fast_guess:
                read, work = 0.15 * read, 0.15 * work
            else:
                work *= 1.5
        noise = float(np.exp(self.rng.normal(0.0, m.time_spread)))
        return int(1000 * (read + work) * noise)

    def answer(self, problem: Problem, now: float = 0.0, *, learn: bool = True) -> bool:
        """Answer `problem` (random by p_correct); with `learn`, then apply the learning transition. The time it took
        is left in ``last_time_ms``."""
        required = self.course.required[problem.id]
        self._forget(required, now)
        knew = required <= self.known
        correct = bool(self.rng.random() < self.p_correct(problem))
        self.last_time_ms = self._time_ms(problem, knew)
        for c in required:
            if c in self.known:  # retrieval refreshes the memory; a spaced one (>= half a day) also strengthens it
                if now - self.last_used.get(c, now) >= 0.5 * DAY:
                    self.half_life[c] = self.half_life.get(c, self.model.half_life_days or 0.0) * 2.0
                self.last_used[c] = now
        if learn:
            for c in self.course.teaches[problem.id]:
                if c not in self.known:
                    rate = self.learn[c]
                    if not all(p in self.known for p in self.graph.prerequisites(c)):
                        rate *= self.model.learn_without_prerequisites
                    if self.rng.random() < rate:
                        self.known.add(c)
                        self.last_used[c] = now
        return correct

    def knows_all(self) -> bool:
        return len(self.known) == len(self.graph.concepts)


# ---------------------------------------------------------------------- runs
@dataclass
class Step:
    """One served problem: id, concept, kind, tutor's predicted P(correct), outcome, whether it touched a locked concept,
    the time the answer took (ms) and whether the student truly lacked a prerequisite of it."""

    problem_id: Hashable
    concept: str
    kind: str
    predicted: float
    correct: bool
    touched_locked: bool
    time_ms: int = 0
    lacking_prerequisite: bool = False


@dataclass
class Run:
    """A simulated course run.

    steps: practice attempts in order.  diagnostic_questions: probes answered first (counted in `attempts`).
    attempts_to_mastery: attempts (probes included) until the student truly knew every concept, or None if never.
    tutor_mastered_at: attempts until the tutor showed every concept mastered, or None.
    time_to_mastery_ms: time on task (probes included) until the student truly knew every concept, or None.
    """

    steps: list[Step] = field(default_factory=list)
    diagnostic_questions: int = 0
    attempts_to_mastery: int | None = None
    tutor_mastered_at: int | None = None
    diagnostic_accuracy: float | None = None
    diagnostic_ms: int = 0
    time_to_mastery_ms: int | None = None

    def note_mastery(self) -> None:
        """Record attempts and time now as the point the student truly knew the course."""
        self.attempts_to_mastery = self.attempts
        self.time_to_mastery_ms = self.diagnostic_ms + sum(s.time_ms for s in self.steps)

    @property
    def attempts(self) -> int:
        return self.diagnostic_questions + len(self.steps)

    def success_rate(self) -> float:
        return sum(s.correct for s in self.steps) / max(1, len(self.steps))


def run_diagnostic(
    student: SimulatedStudent, *, max_questions: int = 10, seed: int = 0, params: ModelParams | None = None, now: float = 0.0
) -> Diagnostic:
    """Run the placement probe on a student (probes teach nothing); returns the finished Diagnostic."""
    diag = Diagnostic(student.graph, max_questions=max_questions, seed=seed, params=params)
    student.diagnostic_ms = 0
    while (q := diag.next_question()) is not None:
        diag.answer(q.id, student.answer(q, now, learn=False))
        student.diagnostic_ms += student.last_time_ms
    return diag


def diagnostic_accuracy(diag: Diagnostic, known: set[str] | frozenset[str]) -> float:
    """Share of concepts whose known/unknown state the diagnostic's marginals (>= 0.5) classify right."""
    m = diag.marginals()
    return sum((m[s] >= 0.5) == (s in known) for s in m) / max(1, len(m))


def run_policy(
    student: SimulatedStudent,
    *,
    diagnostic: bool = True,
    max_attempts: int = 5000,
    target: float = 0.85,
    review_share: float = 0.2,
    params: ModelParams | None = None,
    config: MasteryConfig = MasteryConfig(),
    seed: int = 0,
    start: float = 1.7e9,
    seconds_per_attempt: float = 90.0,
    attempts_per_day: int = 30,
    stop: Callable[[Run], bool] | None = None,
) -> Run:
    """Simulate the adaptive tutor: optional diagnostic, then next_problem / answer / apply_attempt (the app's loop).

    Simulated time advances `seconds_per_attempt` per attempt, and one day every `attempts_per_day` attempts.
    Runs until the student truly knows the course and the tutor shows it mastered, `stop(run)` is true, or
    `max_attempts` practice attempts.
    """
    params = params if params is not None else ModelParams()
    graph = student.graph
    rng = np.random.default_rng(seed)
    run = Run()
    now = start
    if diagnostic:
        diag = run_diagnostic(student, seed=seed, params=params, now=now)
        run.diagnostic_questions = len(diag.answers)
        run.diagnostic_ms = student.diagnostic_ms
        run.diagnostic_accuracy = diagnostic_accuracy(diag, student.known)
        states: dict[str, StudentConceptState] = diag.result(now, config)
    else:
        states = {}
    totals = StudentTotals()
    recent: list[Hashable] = []
    day_start = now
    status = None
    for n in range(max_attempts):
        if n and n % attempts_per_day == 0:
            day_start += DAY
            now = day_start
            status = None
        sel = next_problem(
            graph,
            params,
            states,
            now,
            recent,
            totals=totals,
            target=target,
            review_share=review_share,
            rng=rng,
            config=config,
        )
        if sel is None:
            break
        if status is None:
            status, _ = concept_statuses(graph, states, now, params, config)
        locked = any(status[c] is ConceptStatus.LOCKED for c in sel.problem.concepts)
        lacking = student.lacks_prerequisite(sel.problem)
        correct = student.answer(sel.problem, now)
        upd = apply_attempt(
            params,
            {c: states.get(c) for c in sel.problem.concepts},
            totals,
            correct=correct,
            when=now,
            author_difficulty=sel.problem.difficulty,
        )
        states.update(upd.concepts)
        totals = upd.totals
        run.steps.append(
            Step(sel.problem.id, sel.concept, sel.kind, sel.predicted_correct, correct, locked, student.last_time_ms, lacking)
        )
        recent = ([sel.problem.id] + recent)[:10]
        now += seconds_per_attempt
        if run.attempts_to_mastery is None and student.knows_all():
            run.note_mastery()
        status, _ = concept_statuses(graph, states, now, params, config)  # also the next step's locked check
        if run.tutor_mastered_at is None:
            if all(v is not ConceptStatus.FRONTIER and v is not ConceptStatus.LOCKED for v in status.values()):
                run.tutor_mastered_at = run.attempts
        if run.attempts_to_mastery is not None and run.tutor_mastered_at is not None:
            break
        if stop is not None and stop(run):
            break
    return run


def run_fixed_curriculum(student: SimulatedStudent, *, max_attempts: int = 20000, seconds_per_attempt: float = 90.0) -> Run:
    """The textbook baseline: every problem in ramp order, passes repeated until the student knows everything."""
    graph = student.graph
    order = [p for s in graph.ramp_order for p in graph.problems_by_concept[s] if graph.primary_concept(p) == s]
    run = Run()
    now = 0.0
    while run.attempts < max_attempts and run.attempts_to_mastery is None:
        for p in order:
            correct = student.answer(p, now)
            run.steps.append(Step(p.id, graph.primary_concept(p), "fixed", float("nan"), correct, False, student.last_time_ms))
            now += seconds_per_attempt
            if student.knows_all():
                run.note_mastery()
                break
            if run.attempts >= max_attempts:
                break
    return run


def run_mastery_curriculum(
    student: SimulatedStudent, *, in_a_row: int = 3, max_attempts: int = 20000, seconds_per_attempt: float = 90.0
) -> Run:
    """Ramp order with the skill-builder rule: cycle a concept's problems until `in_a_row` right, then move on."""
    graph = student.graph
    run = Run()
    now = 0.0
    while run.attempts < max_attempts and run.attempts_to_mastery is None:
        for s in graph.ramp_order:
            problems = [p for p in graph.problems_by_concept[s] if graph.primary_concept(p) == s]
            if not problems:
                continue
            streak, i = 0, 0
            while streak < in_a_row and run.attempts < max_attempts:
                p = problems[i % len(problems)]
                i += 1
                correct = student.answer(p, now)
                now += seconds_per_attempt
                streak = streak + 1 if correct else 0
                run.steps.append(Step(p.id, s, "fixed", float("nan"), correct, False, student.last_time_ms))
                if student.knows_all():
                    run.note_mastery()
                    break
            if run.attempts_to_mastery is not None or run.attempts >= max_attempts:
                break
    return run


# ---------------------------------------------------------------------- cohort figures
def cohort_report(
    graph: CourseGraph,
    *,
    students_per_kind: int = 2,
    kinds: tuple[str, ...] = PRIOR_KINDS,
    seed: int = 0,
    model: StudentModel | None = None,
    params: ModelParams | None = None,
    max_attempts: int = 5000,
) -> dict[str, object]:
    """Run the same simulated students through the tutor and both baselines; return the figures as a dict.

    success_rate: mean over students of the served problems' empirical success rate.  ratio_vs_fixed /
    ratio_vs_skill_builder: total attempts to true mastery of the whole course, tutor / baseline (a student who never
    gets there counts its attempt cap).  diagnostic_accuracy: mean share of concepts whose known/unknown state the
    placement got right.  review_share / check_share: share of served problems that were spaced reviews / prerequisite
    checks (policy.py).  locked_served / immediate_repeats: counts over all practice (should be 0).
    """
    course = SimulatedCourse(graph, model or StudentModel(), seed=seed)
    rows = []
    for ki, kind in enumerate(kinds):
        for i in range(students_per_kind):
            sseed = seed * 1000 + ki * 100 + i
            tutor_run = run_policy(
                course.student(np.random.default_rng(sseed), kind), seed=sseed, params=params, max_attempts=max_attempts
            )
            fixed = run_fixed_curriculum(course.student(np.random.default_rng(sseed), kind), max_attempts=4 * max_attempts)
            builder = run_mastery_curriculum(course.student(np.random.default_rng(sseed), kind), max_attempts=4 * max_attempts)
            rows.append((kind, tutor_run, fixed, builder))

    def total(runs: list[Run], cap: int) -> int:
        return sum(r.attempts_to_mastery if r.attempts_to_mastery is not None else cap for r in runs)

    tutor_runs = [r[1] for r in rows]
    tut = total(tutor_runs, max_attempts)
    repeats = sum(a.problem_id == b.problem_id for r in tutor_runs for a, b in zip(r.steps, r.steps[1:]))
    reviews = sum(s.kind == "review" for r in tutor_runs for s in r.steps)
    checks = sum(s.kind == "check" for r in tutor_runs for s in r.steps)
    return {
        "concepts": len(graph.concepts),
        "problems": len(graph.problems),
        "students": len(rows),
        "success_rate": float(np.mean([r.success_rate() for r in tutor_runs])),
        "success_rate_min": float(np.min([r.success_rate() for r in tutor_runs])),
        "attempts_tutor_mean": tut / len(rows),
        "attempts_fixed_mean": total([r[2] for r in rows], 4 * max_attempts) / len(rows),
        "attempts_skill_builder_mean": total([r[3] for r in rows], 4 * max_attempts) / len(rows),
        "ratio_vs_fixed": tut / total([r[2] for r in rows], 4 * max_attempts),
        "ratio_vs_skill_builder": tut / total([r[3] for r in rows], 4 * max_attempts),
        "reached_mastery": sum(r.attempts_to_mastery is not None for r in tutor_runs),
        "diagnostic_accuracy": float(np.mean([r.diagnostic_accuracy for r in tutor_runs])),
        "diagnostic_questions_mean": float(np.mean([r.diagnostic_questions for r in tutor_runs])),
        "review_share": reviews / max(1, sum(len(r.steps) for r in tutor_runs)),
        "check_share": checks / max(1, sum(len(r.steps) for r in tutor_runs)),
        "locked_served": sum(s.touched_locked for r in tutor_runs for s in r.steps),
        "immediate_repeats": repeats,
        "per_kind_attempts": {
            k: {
                "tutor": float(np.mean([r[1].attempts for r in rows if r[0] == k])),
                "fixed": float(np.mean([r[2].attempts for r in rows if r[0] == k])),
            }
            for k in kinds
        },
    }
