"""PHQ-9, PHQ-2, GAD-7 and GAD-2 scored as Kroenke 2001/2003 and Spitzer 2006 publish them."""

from __future__ import annotations

import pytest

import painpath
from painpath.knowledge import KnowledgeBase
from tests.helpers import answers_for_total

# PHQ-9 cut points 5/10/15/20 (Kroenke 2001): every band edge from both sides.
PHQ9_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_total_falls_in_the_published_band(kb: KnowledgeBase, total: int, band: str):
    answers = answers_for_total(kb.instrument("phq9"), total)
    s = painpath.score("phq9", answers)
    assert (s.total, s.band) == (total, band)
    # The helper fills items in order, so item 9 is only non-zero for the maximum.
    assert s.flags == (("safety_item9",) if answers["9"] > 0 else ())


def test_phq9_item9_above_zero_raises_the_safety_flag_whatever_the_total():
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 1}
    s = painpath.score("phq9", answers)
    assert s.total == 1
    assert s.band == "minimal"
    assert s.flags == ("safety_item9",)
    assert any("safety_item9" in line and "suicide-risk" in line for line in s.explanation)


def test_phq9_item9_at_zero_raises_no_safety_flag():
    s = painpath.score("phq9", {str(i): 3 for i in range(1, 9)} | {"9": 0})
    assert s.total == 24
    assert "safety_item9" not in s.flags


def test_phq9_refuses_any_unanswered_item():
    answers = {str(i): 1 for i in range(1, 9)}
    with pytest.raises(painpath.ScoringError, match=r"phq9: 1 of 9 items unanswered \(items 9\)"):
        painpath.score("phq9", answers)


@pytest.mark.parametrize(
    ("item1", "item2", "flagged"),
    [(0, 0, False), (1, 1, False), (2, 0, False), (2, 1, True), (0, 3, True), (3, 3, True)],
)
def test_phq2_is_positive_from_three(item1: int, item2: int, flagged: bool):
    s = painpath.score("phq2", {"1": item1, "2": item2})
    assert s.total == item1 + item2
    assert s.band is None
    assert ("screen_positive" in s.flags) is flagged


GAD7_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize(("total", "band"), GAD7_BANDS)
def test_gad7_total_falls_in_the_published_band(kb: KnowledgeBase, total: int, band: str):
    s = painpath.score("gad7", answers_for_total(kb.instrument("gad7"), total))
    assert (s.total, s.band, s.flags) == (total, band, ())


@pytest.mark.parametrize(("item1", "item2", "flagged"), [(1, 1, False), (2, 1, True), (3, 0, True)])
def test_gad2_is_positive_from_three(item1: int, item2: int, flagged: bool):
    s = painpath.score("gad2", {"1": item1, "2": item2})
    assert ("screen_positive" in s.flags) is flagged


def test_phq_and_gad_items_accept_zero_to_three_only():
    with pytest.raises(painpath.ScoringError, match=r"^phq9 item 4: 5 is out of range 0–3$"):
        painpath.score("phq9", {str(i): 0 for i in range(1, 10)} | {"4": 5})
    with pytest.raises(painpath.ScoringError, match=r"^gad7 item 1: -1 is out of range 0–3$"):
        painpath.score("gad7", {str(i): 0 for i in range(1, 8)} | {"1": -1})


def test_phq9_meaningful_change_is_five_points_from_lowe_2004():
    assert painpath.compare("phq9", 15, 10).status == "improved"
    assert painpath.compare("phq9", 15, 11).status == "no_meaningful_change"
    assert painpath.compare("phq9", 10, 15).status == "worsened"
    change = painpath.compare("phq9", 15, 10)
    assert change.threshold_kind == "mcid"
    assert change.threshold_points == 5
    assert [c.key for c in change.sources] == ["lowe2004"]


def test_gad7_change_is_not_classified_without_a_published_threshold():
    change = painpath.compare("gad7", 15, 5)
    assert change.status == "not_classifiable"
    assert change.difference == -10
    assert "No meaningful-change threshold" in change.explanation[0]
