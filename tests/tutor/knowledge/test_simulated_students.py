"""The simulated students themselves (the populations' figures are in test_populations.py)."""

import numpy as np

from tutor.knowledge.graph import CourseGraph
from tutor.knowledge.simulator import SimulatedCourse, StudentModel, run_fixed_curriculum


def test_a_concept_without_problems_is_learned_in_context_by_simulated_students():
    """A concept taught only by the lessons (no problem of its own) is picked up while practising what builds on it;
    otherwise it, and everything above it, would be unlearnable for every curriculum alike."""
    g = CourseGraph.from_records(
        concepts=[{"slug": "lm"}, {"slug": "counts", "prerequisites": ["lm"]}, {"slug": "probs", "prerequisites": ["counts"]}],
        problems=[
            {"id": "c1", "concepts": ["counts"], "difficulty": 0.3},
            {"id": "p1", "concepts": ["probs"], "difficulty": 0.3},
        ],
    )
    course = SimulatedCourse(g, StudentModel(learn=0.5, learn_spread=0.0))
    student = course.student(np.random.default_rng(0))
    assert run_fixed_curriculum(student, max_attempts=200).attempts_to_mastery is not None
    assert student.known == {"lm", "counts", "probs"}


def test_students_take_time_to_answer_and_fast_guessers_guess_fast():
    g = CourseGraph.from_records([{"slug": "a"}], [{"id": 1, "concepts": ["a"], "difficulty": 0.5}])
    slow = SimulatedCourse(
        g, StudentModel(learn=0.0, read_seconds=120, answer_seconds=60, time_spread=0.0, difficulty_error=0.0)
    ).student(np.random.default_rng(0))
    fast = SimulatedCourse(g, StudentModel(learn=0.0, fast_guess=True, time_spread=0.0)).student(np.random.default_rng(0))
    slow.answer(g.problem(1))
    fast.answer(g.problem(1))
    assert slow.last_time_ms == 1000 * (120 + 90) and fast.last_time_ms < 20_000
