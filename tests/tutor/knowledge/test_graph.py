import pytest

from tutor.knowledge.graph import Concept, CourseGraph, GraphError, Problem
from tutor.knowledge.synthetic import synthetic_course


def small() -> CourseGraph:
    return CourseGraph.from_records(
        concepts=[
            {"slug": "counts", "name": "Bigram counts"},
            {"slug": "probs", "name": "Probabilities", "prerequisites": ["counts"]},
            {"slug": "grad", "name": "Gradients"},
            {"slug": "mlp", "name": "MLP", "prerequisites": ["probs", "grad"]},
        ],
        problems=[
            {"id": 1, "concepts": ["counts"], "difficulty": 0.2},
            {"id": 2, "concepts": ["counts", "probs"], "difficulty": 0.5},
            {"id": 3, "concepts": ["mlp"], "difficulty": 0.7},
        ],
    )


def test_topological_order_puts_prerequisites_first():
    g = small()
    order = g.topological_order
    assert order.index("counts") < order.index("probs") < order.index("mlp")
    assert order.index("grad") < order.index("mlp")


def test_ancestors_and_descendants_are_transitive():
    g = small()
    assert g.ancestors("mlp") == {"probs", "counts", "grad"}
    assert g.descendants("counts") == {"probs", "mlp"}
    assert g.ancestors("counts") == frozenset()


def test_a_problem_is_about_its_latest_concept_on_the_ramp():
    g = small()
    assert g.primary_concept(g.problem(2)) == "probs"
    assert [p.id for p in g.problems_by_concept["counts"]] == [1, 2]


def test_cycle_is_rejected_and_named():
    with pytest.raises(GraphError, match=r"cycle: a -> b -> a|cycle: b -> a -> b"):
        CourseGraph([Concept("a", prerequisites=("b",)), Concept("b", prerequisites=("a",))], [])


@pytest.mark.parametrize(
    "concepts, problems, message",
    [
        ([Concept("a", prerequisites=("zzz",))], [], "unknown prerequisite"),
        ([Concept("a"), Concept("a")], [], "duplicate concept"),
        ([Concept("a")], [Problem(1, ("b",))], "unknown concept"),
        ([Concept("a")], [Problem(1, ("a",), difficulty=1.5)], "outside"),
        ([Concept("a")], [Problem(1, ("a",)), Problem(1, ("a",))], "duplicate problem"),
    ],
)
def test_invalid_courses_are_rejected(concepts, problems, message):
    with pytest.raises(GraphError, match=message):
        CourseGraph(concepts, problems)


def test_synthetic_course_is_a_ramp():
    g = synthetic_course(90, seed=3)
    assert len(g.concepts) == 90
    ramp = {c.slug: c.ramp for c in g.concepts}
    for c in g.concepts[1:]:
        assert c.prerequisites, "every concept after the first builds on something"
        assert all(ramp[p] < c.ramp for p in c.prerequisites)
    assert all(4 <= len(g.problems_by_concept[c.slug]) for c in g.concepts)
    assert g.is_down_set(g.ancestors("c89") | {"c89"})
