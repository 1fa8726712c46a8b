"""Bad answers are refused with one line naming the item and what is allowed; nothing else."""

from __future__ import annotations

import pytest

import painpath

PHQ9_OK = {str(i): 0 for i in range(1, 10)}

CASES = [
    ("phq9", PHQ9_OK | {"4": 5}, "phq9 item 4: 5 is out of range 0–3"),
    ("phq9", PHQ9_OK | {"4": -1}, "phq9 item 4: -1 is out of range 0–3"),
    ("phq9", PHQ9_OK | {"4": 2.5}, "phq9 item 4: 2.5 is not a whole number; allowed answers are 0–3"),
    ("phq9", PHQ9_OK | {"4": "2"}, 'phq9 item 4: "2" is not a whole number; allowed answers are 0–3'),
    ("phq9", PHQ9_OK | {"4": True}, "phq9 item 4: true is not a whole number; allowed answers are 0–3"),
    ("phq9", PHQ9_OK | {"4": [1]}, "phq9 item 4: a list is not a whole number; allowed answers are 0–3"),
    ("phq9", PHQ9_OK | {"4": float("nan")}, "phq9 item 4: nan is not a whole number; allowed answers are 0–3"),
    ("phq9", PHQ9_OK | {"4": 10**100}, "phq9 item 4: a very large number is out of range 0–3"),
    ("phq9", PHQ9_OK | {"10": 1}, 'phq9 item 10: unknown item; phq9 has items "1"…"9"'),
    ("phq9", PHQ9_OK | {"01": 1}, 'phq9 item 01: unknown item; phq9 has items "1"…"9"'),
    ("phq9", PHQ9_OK | {"": 1}, 'phq9 item : unknown item; phq9 has items "1"…"9"'),
    ("phq9", {1: 0}, 'phq9: item keys are strings "1"…"9"; got 1'),
    ("phq9", [0] * 9, 'phq9: answers must be an object keyed by item number "1"…"9"; got a list'),
    ("nprs", 7, 'nprs: answers must be an object keyed by item number "1"; got 7'),
    ("nprs", {"1": 11}, "nprs item 1: 11 is out of range 0–10"),
    ("peg", {"1": 5, "2": 5}, "peg: 1 of 3 items unanswered (items 3); at most 0 may be missing"),
    ("paindetect", {"9": 1}, "paindetect item 9: 1 is not an allowed answer; allowed answers are 0 or 2"),
    ("tsk11", {"1": 5}, "tsk11 item 1: 5 is out of range 1–4"),
]  # fmt: skip


@pytest.mark.parametrize(("instrument", "answers", "message"), CASES)
def test_bad_answers_get_one_clear_line(instrument, answers, message):
    with pytest.raises(painpath.ScoringError) as caught:
        painpath.score(instrument, answers)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_the_error_names_the_instrument_and_item_for_programs_too():
    with pytest.raises(painpath.ScoringError) as caught:
        painpath.score("gad7", {str(i): 0 for i in range(1, 8)} | {"6": 9})
    assert (caught.value.instrument, caught.value.item) == ("gad7", "6")


def test_an_unknown_instrument_lists_the_known_ones():
    with pytest.raises(painpath.UnknownInstrumentError) as caught:
        painpath.score("phq10", {})
    assert str(caught.value).startswith("unknown instrument 'phq10'; known instruments: csi, dn4")
    assert "phq9" in caught.value.known


def test_a_whole_float_is_accepted_as_the_number_it_is():
    assert painpath.score("nprs", {"1": 7.0}).total == 7


def test_none_and_absence_both_mean_unanswered():
    a = painpath.score("odi", {str(i): 2 for i in range(1, 9)} | {"9": None})
    b = painpath.score("odi", {str(i): 2 for i in range(1, 9)})
    assert a.missing == ("9", "10") and b.missing == ("9", "10")
    assert a.total == b.total == 40


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (30, 10, "phq9 before: 30 is out of range 0–27"),
        ("10", 5, 'phq9 before: "10" is not a score; give answers or a total in 0–27'),
        (10**400, 5, "phq9 before: a very large number is out of range 0–27"),
        (10, float("inf"), "phq9 after: inf is not a score; give answers or a total in 0–27"),
    ],
)
def test_compare_refuses_totals_outside_the_range(before, after, message):
    with pytest.raises(painpath.ScoringError) as caught:
        painpath.compare("phq9", before, after)
    assert str(caught.value) == message


def test_compare_refuses_a_score_from_another_instrument():
    gad = painpath.score("gad7", {str(i): 1 for i in range(1, 8)})
    with pytest.raises(painpath.ScoringError, match=r"a gad7 score cannot be compared with phq9"):
        painpath.compare("phq9", gad, 5)


def test_compare_accepts_answers_scores_and_totals_alike():
    before = {str(i): 2 for i in range(1, 10)}
    as_score = painpath.score("phq9", before)
    assert painpath.compare("phq9", before, 10).status == "improved"
    assert painpath.compare("phq9", as_score, 10).status == "improved"
    assert painpath.compare("phq9", 18, 10).difference == -8
