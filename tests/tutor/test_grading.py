import pytest

from tutor.practice.grading import InvalidAnswer, grade

NUM = {"answer": 0.25, "tolerance": 0.001}


@pytest.mark.parametrize("answer", [0.25, "0.25", " 0.2504 ", "1/4", "2.5e-1"])
def test_numeric_accepts_equivalent_numbers(answer):
    assert grade("numeric", NUM, answer).correct


def test_numeric_says_too_high_or_low():
    assert "too high" in grade("numeric", NUM, 0.3).feedback
    assert "too low" in grade("numeric", NUM, "0.1").feedback


@pytest.mark.parametrize("answer", ["a quarter", "", "nan", True, "1/0"])
def test_numeric_rejects_non_numbers(answer):
    with pytest.raises(InvalidAnswer, match="expected a"):
        grade("numeric", NUM, answer)


def test_numeric_relative_tolerance():
    key = {"answer": 124_000_000, "relative_tolerance": 0.01}
    assert grade("numeric", key, "124,439,808").correct
    assert not grade("numeric", key, 117e6).correct


def test_choice_single_and_multiple():
    key = {"options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}, {"text": "c", "correct": True}]}
    assert grade("choice", key, ["0", "2"]).correct
    partial = grade("choice", key, ["0"])
    assert not partial.correct and "there are 2 correct options" in partial.feedback
    with pytest.raises(InvalidAnswer):
        grade("choice", key, ["7"])
    with pytest.raises(InvalidAnswer):
        grade("choice", key, [])


def test_text_normalises_case_whitespace_and_unicode():
    key = {"accepted": ["Cross  Entropy"]}
    assert grade("text", key, "  cross entropy ").correct
    assert grade("text", key, "ＣＲＯＳＳ entropy").correct  # full-width letters fold under NFKC
    assert not grade("text", key, "entropy").correct


def test_code_output_ignores_trailing_whitespace_only():
    key = {"answer": "2 3\nok\n"}
    assert grade("code_output", key, "2 3   \nok\n\n").correct
    wrong = grade("code_output", key, "2 3\nOK")
    assert not wrong.correct and "line 2" in wrong.feedback
    assert not grade("code_output", key, " 2 3\nok").correct
