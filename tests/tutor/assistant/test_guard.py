"""The leak guard on its own (no database): what it withholds, what it lets through, and that a secret split across
stream deltas is caught before any of it is released."""

from __future__ import annotations

import random

import pytest

from tutor.assistant.guard import MARKER, LeakGuard
from tutor.assistant.secrets import Secrets, add_problem

SOLUTION = (
    "The vocabulary has $26 + 1 = 27$ tokens. Each row is a first token and each column a second token, so the "
    "table has $27 \\times 27 = \\mathbf{729}$ cells."
)


def secrets(*problems):
    s = Secrets()
    for pid, kind, key, solution, strict in problems:
        add_problem(s, pid, kind, key, solution, strict=strict, prompt="How many cells for 26 letters plus 1 marker?")
    return s


def run(guard: LeakGuard, text: str, seed: int = 0) -> str:
    """Feed ``text`` in random small deltas, as a model would stream it."""
    rng, out, i = random.Random(seed), [], 0
    while i < len(text):
        n = rng.randint(1, 6)
        out.append(guard.feed(text[i : i + n]))
        i += n
    out.append(guard.flush())
    return "".join(out)


@pytest.mark.parametrize("seed", range(5))
def test_numeric_answer_is_withheld_whatever_the_chunking(seed):
    g = LeakGuard(secrets((1, "numeric", {"answer": 729, "tolerance": 0}, SOLUTION, True)))
    out = run(g, "Easy: it has 729 cells. Or written with a separator, 19,683 is a different number.", seed)
    assert "729" not in out and MARKER in out and "19,683" in out and g.problems == {1}


def test_grader_tolerance_and_fractions():
    g = LeakGuard(secrets((1, "numeric", {"answer": 0.0079, "tolerance": 0.0001}, "", True)))
    out = run(g, "It is 1/127, about 0.00787, and not 0.0095.")
    assert "1/127" not in out and "0.00787" not in out and "0.0095" in out


def test_small_numbers_only_in_answer_position_for_other_problems():
    s = secrets((2, "numeric", {"answer": 4, "tolerance": 0}, "", False))
    out = run(LeakGuard(s), "There are 4 steps in the loop. The answer is 4. So x = 4 and **4** again.")
    assert out.startswith("There are 4 steps") and out.count(MARKER) == 3


def test_strict_problem_guards_bare_small_numbers_unless_in_its_prompt():
    s = Secrets()
    add_problem(s, 3, "numeric", {"answer": 9, "tolerance": 0}, "", strict=True, prompt="A 3-letter alphabet table?")
    out = run(LeakGuard(s), "There are 9 cells because 3 rows times 3 columns.")
    assert "9" not in out and "3 rows" in out
    s = Secrets()
    add_problem(s, 3, "numeric", {"answer": 3, "tolerance": 0}, "", strict=True, prompt="A 3-letter alphabet table?")
    assert "3-letter" in run(LeakGuard(s), "Think of the 3-letter alphabet. The answer is 3.")


def test_text_answers_whole_words_only():
    s = secrets((4, "text", {"accepted": ["log", "logarithm"]}, "", True))
    out = run(LeakGuard(s), "Use the log, i.e. the Logarithm; the log-likelihood is related; a logbook is not.")
    assert "log," not in out and "Logarithm" not in out and "log-likelihood" in out and "logbook" in out


@pytest.mark.parametrize("seed", range(4))
def test_code_output_and_correct_option_and_solution_passages(seed):
    s = secrets(
        (5, "code_output", {"answer": "3 2 1 1\n"}, "", True),
        (
            6,
            "choice",
            {
                "options": [
                    {"text": "Argmax makes generation deterministic, so every run gives the same single name", "correct": True},
                    {"text": "It is faster", "correct": False},
                ]
            },
            "",
            False,
        ),
        (7, "numeric", {"answer": 729, "tolerance": 0}, SOLUTION, False),
    )
    out = run(
        LeakGuard(s),
        "It prints 3 2 1 1 exactly. Because argmax makes generation deterministic, so every run gives "
        "the same single name. Also each row is a first token and each column a second token here. "
        "It is faster is wrong.",
        seed,
    )
    assert "3 2 1 1" not in out and "deterministic, so every run" not in out
    assert "each column a second token" not in out and "It is faster is wrong." in out


def test_nothing_guarded_is_a_pass_through():
    g = LeakGuard(Secrets())
    assert g.feed("The answer is 42") == "The answer is 42" and g.flush() == ""


def test_holds_back_only_a_few_words():
    g = LeakGuard(secrets((1, "numeric", {"answer": 729, "tolerance": 0}, SOLUTION, True)))
    released = g.feed(" ".join(f"w{i}" for i in range(30)) + " ")
    assert released.split()[0] == "w0" and len(released.split()) >= 20


def test_text_without_spaces_still_streams():
    g = LeakGuard(secrets((1, "numeric", {"answer": 729, "tolerance": 0}, SOLUTION, True)))
    released = "".join(g.feed("字" * 10) for _ in range(40))
    assert len(released) >= 200 and set(released) == {"字"}
    assert len(released + g.flush()) == 400


# ---------------------------------------------------------------------------------------------------------------------
# Disguises: the same answer spaced out, reversed, in code spans, spelled out, or pointed at by an option's position.

STRICT_729 = (1, "numeric", {"answer": 729, "tolerance": 0}, "", True)


@pytest.mark.parametrize(
    "disguise",
    [
        "7 2 9",
        "7-2-9",
        "7, 2, 9",
        "`7 2 9`",
        "`729`",
        "**7 2 9**",
        "927 reversed",
        "9 2 7 backwards",
        "seven hundred and twenty-nine",
        "Seven Hundred Twenty Nine",
        "seven-hundred-twenty-nine",
    ],
)
@pytest.mark.parametrize("seed", range(2))
def test_numeric_answer_in_disguise_is_withheld(disguise, seed):
    g = LeakGuard(secrets(STRICT_729))
    out = run(g, f"Fine, here it is: {disguise}. Now check it yourself.", seed)
    assert MARKER in out and g.problems == {1}, out
    assert "Now check it yourself." in out


def test_decimal_answer_spaced_out_is_withheld():
    g = LeakGuard(secrets((1, "numeric", {"answer": 0.0079, "tolerance": 0.0001}, "", True)))
    out = run(g, "Spelled digit by digit: 0 . 0 0 7 9 is it.")
    assert MARKER in out and "0 . 0 0 7 9" not in out


def test_distinctive_number_of_another_problem_in_disguise():
    g = LeakGuard(secrets((2, "numeric", {"answer": 124439808, "tolerance": 0}, "", False)))
    out = run(g, "GPT-2 small has 1 2 4 4 3 9 8 0 8 parameters, i.e. 808934421 read backwards.")
    assert out.count(MARKER) == 2 and "1 2 4" not in out and "808934421" not in out


@pytest.mark.parametrize(
    "disguise", ["p e r p l e x i t y", "P-E-R-P-L-E-X-I-T-Y", "ytixelprep", "`perplexity`", "p.e.r.p.l.e.x.i.t.y"]
)
def test_text_answer_in_disguise_is_withheld(disguise):
    g = LeakGuard(secrets((4, "text", {"accepted": ["perplexity"]}, "", True)))
    out = run(g, f"The word you want is {disguise} and that is all.")
    assert MARKER in out and "and that is all." in out, out


def test_code_output_reversed_and_spaced_is_withheld():
    g = LeakGuard(secrets((5, "code_output", {"answer": "3 2 1 1\n"}, "", True)))
    out = run(g, "Read it backwards: 1 1 2 3. Or compactly 3211.")
    assert "1 1 2 3" not in out and MARKER in out


CHOICE = (
    6,
    "choice",
    {
        "options": [
            {"text": "Sampling from the softmax", "correct": False},
            {"text": "Argmax at every position", "correct": True},
            {"text": "Beam search with width one hundred", "correct": False},
        ]
    },
    "",
    True,
)


@pytest.mark.parametrize(
    "disguise",
    [
        "The answer is B.",
        "answer: (b)",
        "Option B is the one.",
        "It's option 2.",
        "choice #2, clearly",
        "the second option is right",
        "Pick B and move on.",
        "go with (b)",
        "The 2nd one.",
    ],
)
def test_correct_option_by_letter_or_position_is_withheld(disguise):
    g = LeakGuard(secrets(CHOICE))
    out = run(g, f"Hmm. {disguise} Try to see why.")
    assert MARKER in out and g.problems == {6}, out


def test_option_talk_that_points_nowhere_passes():
    g = LeakGuard(secrets(CHOICE))
    text = "A bigram model is a table. Think about option A versus the last option before you choose. It's a good question."
    assert run(g, text) == text


def test_disguise_matching_leaves_ordinary_numbers_alone():
    g = LeakGuard(secrets(STRICT_729))
    text = "A (12, 8) grid has 96 cells; 7 rows of 29 is 203; version 0.729 is unrelated; 27 x 27 is how you get there."
    out = run(g, text)
    assert out == text, out


def test_last_option_is_guarded_when_it_is_the_correct_one():
    key = {"options": [{"text": "Yes", "correct": False}, {"text": "No, never", "correct": True}]}
    g = LeakGuard(secrets((7, "choice", key, "", True)))
    assert MARKER in run(g, "It is the last option, obviously.")
