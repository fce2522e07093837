"""LLM101n carries this issue's authoring: every explain-back problem is free text with key points, each chapter has a
try-first step, and chapters 1-5 carry misconceptions that the grader actually reports. No database."""

from __future__ import annotations

import pytest

from courses.package import load_package
from tests.conftest import LLM101N
from tutor.practice.grading import grade


@pytest.fixture(scope="module")
def pkg():
    return load_package(LLM101N)


def test_the_56_explain_back_problems_are_written_explanations(pkg):
    tagged = [p for p in pkg.problems if "explain-back" in p.tags]
    assert len(tagged) == 56
    for p in tagged:
        assert p.kind == "explain", p.slug
        assert len(p.answer["key_points"]) >= 2 and p.answer.get("follow_up"), p.slug
        assert all(kp["point"] and kp["terms"] for kp in p.answer["key_points"]), p.slug


def test_every_chapter_opens_one_step_with_a_problem_to_try_first(pkg):
    for m in pkg.modules:
        firsts = [s for s in m.steps if s.try_first]
        assert firsts, m.slug
        for s in firsts:
            p = next(p for p in s.problems if p.slug == s.try_first)
            assert p.kind != "explain", s.slug  # something to try, before any explanation


def _chapters_1_to_5(pkg):
    return [p for m in pkg.modules[:5] for s in m.steps for p in s.problems]


def test_chapters_1_to_5_wrong_options_carry_misconceptions_the_grader_reports(pkg):
    concepts = {c.slug for c in pkg.concepts}
    n = 0
    for p in _chapters_1_to_5(pkg):
        if p.kind != "choice":
            continue
        for i, o in enumerate(p.answer["options"]):
            if o["correct"]:
                continue
            assert "misconception" in o, (p.slug, i)
            correct = [j for j, x in enumerate(p.answer["options"]) if x["correct"]]
            g = grade("choice", p.answer, [i] if len(correct) == 1 else [i, *correct])
            assert not g.correct and o["misconception"]["feedback"] in g.feedback
            assert g.misconception == o["misconception"]["concept"] in concepts
            n += 1
    assert n >= 45


def test_chapters_1_to_5_common_numeric_mistakes_are_recognised(pkg):
    found = 0
    for p in _chapters_1_to_5(pkg):
        for m in p.answer.get("mistakes", []):
            g = grade("numeric", p.answer, m["answer"])
            assert not g.correct and m["feedback"] in g.feedback, p.slug
            found += 1
        if p.kind == "numeric":
            assert grade("numeric", p.answer, p.answer["answer"]).correct, p.slug  # a mistake never shadows the answer
    assert found >= 40
