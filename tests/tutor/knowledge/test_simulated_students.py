"""The policy on simulated students (hidden DAG-consistent knowledge, BKT dynamics): the issue's acceptance figures."""

import numpy as np

from tutor.knowledge.graph import CourseGraph
from tutor.knowledge.simulator import SimulatedCourse, StudentModel, run_fixed_curriculum


def test_served_problems_succeed_about_85_percent_of_the_time(cohort):
    assert 0.75 <= cohort["success_rate"] <= 0.92


def test_students_master_the_course_in_fewer_attempts_than_the_fixed_curriculum(cohort):
    assert cohort["reached_mastery"] == cohort["students"]
    assert cohort["ratio_vs_fixed"] < 1.0
    print(
        f"\nattempts to mastery, tutor / fixed ramp-order curriculum = {cohort['ratio_vs_fixed']:.2f}; "
        f"tutor / skill-builder curriculum = {cohort['ratio_vs_skill_builder']:.2f}"
    )


def test_diagnostic_in_the_loop_classifies_most_concepts(cohort):
    assert cohort["diagnostic_accuracy"] >= 0.85
    assert cohort["diagnostic_questions_mean"] <= 10


def test_locked_concepts_are_never_served_and_nothing_repeats_back_to_back(cohort):
    assert cohort["locked_served"] == 0
    assert cohort["immediate_repeats"] == 0


def test_reviews_are_mixed_in(cohort):
    assert 0.02 < cohort["review_share"] <= 0.25


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
