"""STarT Back, PCS, TSK-17, TSK-11, CSI and ISI, scored as their sources publish them."""

from __future__ import annotations

import pytest

import painpath
from painpath.knowledge import KnowledgeBase
from tests.helpers import answers_for_total

# --- STarT Back (Keele "Using and scoring") -------------------------------------------------


def _startback(agree: set[int], bothersome: int) -> dict[str, int]:
    return {str(i): int(i in agree) for i in range(1, 9)} | {"9": bothersome}


@pytest.mark.parametrize(
    ("agree", "bothersome", "total", "psychosocial", "band"),
    [
        (set(), 0, 0, 0, "low"),
        ({1, 2, 3}, 2, 3, 0, "low"),  # "moderately" bothersome scores 0
        ({1, 2, 3, 4}, 0, 4, 0, "medium"),
        ({1, 2, 3, 4, 5, 6}, 3, 7, 3, "medium"),  # subscale 3: medium despite total 7
        ({5, 6, 7}, 3, 4, 4, "high"),  # subscale 4 → high
        ({5, 6, 7, 8}, 4, 5, 5, "high"),
        ({1, 2, 3, 4, 5, 6, 7, 8}, 4, 9, 5, "high"),
        ({1, 2, 5}, 4, 4, 2, "medium"),
    ],
)
def test_startback_risk_follows_the_keele_rules(agree, bothersome, total, psychosocial, band):
    s = painpath.score("startback", _startback(agree, bothersome))
    assert s.total == total
    assert s.subscales == {"psychosocial": psychosocial}
    assert s.band == band


@pytest.mark.parametrize(("answer", "counts"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_startback_bothersomeness_counts_only_very_much_or_extremely(answer: int, counts: int):
    s = painpath.score("startback", _startback(set(), answer))
    assert s.total == counts
    assert any(f"item 9 answered {answer} counts as {counts}" in line for line in s.explanation)


def test_startback_items_are_agree_or_disagree_and_item9_is_a_five_point_scale():
    with pytest.raises(painpath.ScoringError, match=r"^startback item 1: 2 is out of range 0–1$"):
        painpath.score("startback", _startback(set(), 0) | {"1": 2})
    with pytest.raises(painpath.ScoringError, match=r"^startback item 9: 5 is out of range 0–4$"):
        painpath.score("startback", _startback(set(), 5))


def test_startback_is_not_an_outcome_measure():
    assert painpath.compare("startback", 6, 2).status == "not_classifiable"


# --- PCS (Sullivan 1995; PCS manual) ------------------------------------------------------------


def test_pcs_subscales_use_the_published_items():
    # Each item answered with its own number mod 5 makes every subscale distinct.
    answers = {str(i): i % 5 for i in range(1, 14)}
    s = painpath.score("pcs", answers)
    assert s.subscales == {
        "rumination": 3 + 4 + 0 + 1,  # items 8, 9, 10, 11
        "magnification": 1 + 2 + 3,  # items 6, 7, 13
        "helplessness": 1 + 2 + 3 + 4 + 0 + 2,  # items 1–5 and 12
    }
    assert s.total == sum(answers.values()) == sum(s.subscales.values())


@pytest.mark.parametrize(("total", "flagged"), [(0, False), (29, False), (30, True), (52, True)])
def test_pcs_thirty_is_clinically_relevant_catastrophizing(kb: KnowledgeBase, total, flagged):
    s = painpath.score("pcs", answers_for_total(kb.instrument("pcs"), total))
    assert s.total == total
    assert ("catastrophizing_clinical" in s.flags) is flagged


# --- TSK-17 (Miller 1991; Vlaeyen 1995) and TSK-11 (Woby 2005) -----------------------------------


def test_tsk17_reverse_scores_items_4_8_12_16():
    all_ones = painpath.score("tsk17", {str(i): 1 for i in range(1, 18)})
    all_fours = painpath.score("tsk17", {str(i): 4 for i in range(1, 18)})
    assert all_ones.total == 13 * 1 + 4 * 4
    assert all_fours.total == 13 * 4 + 4 * 1
    assert any("items 4, 8, 12 and 16 are reverse-scored" in x for x in all_ones.explanation)


def test_tsk17_range_is_17_to_68(kb: KnowledgeBase):
    assert kb.instrument("tsk17").total_range() == (17, 68)


@pytest.mark.parametrize(("total", "flagged"), [(17, False), (37, False), (38, True), (68, True)])
def test_tsk17_above_37_is_high_kinesiophobia(kb: KnowledgeBase, total: int, flagged: bool):
    s = painpath.score("tsk17", answers_for_total(kb.instrument("tsk17"), total))
    assert s.total == total
    assert ("kinesiophobia_high" in s.flags) is flagged


def test_tsk_answers_run_from_one_to_four():
    with pytest.raises(painpath.ScoringError, match=r"^tsk17 item 3: 0 is out of range 1–4$"):
        painpath.score("tsk17", {str(i): 1 for i in range(1, 18)} | {"3": 0})


@pytest.mark.parametrize(
    ("total", "band"),
    [(11, "minimal"), (22, "minimal"), (23, "low"), (28, "low"), (29, "moderate"), (35, "moderate"),
     (36, "high"), (44, "high")],
)  # fmt: skip
def test_tsk11_is_a_plain_sum_with_descriptive_bands(kb: KnowledgeBase, total: int, band: str):
    s = painpath.score("tsk11", answers_for_total(kb.instrument("tsk11"), total))
    assert (s.total, s.band) == (total, band)


# --- CSI (Mayer 2012; Neblett 2013, 2017) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "flagged"),
    [(0, "subclinical", False), (29, "subclinical", False), (30, "mild", False),
     (39, "mild", False), (40, "moderate", True), (49, "moderate", True), (50, "severe", True),
     (59, "severe", True), (60, "extreme", True), (100, "extreme", True)],
)  # fmt: skip
def test_csi_severity_levels_and_the_forty_cut_off(kb: KnowledgeBase, total, band, flagged):
    s = painpath.score("csi", answers_for_total(kb.instrument("csi"), total))
    assert (s.total, s.band) == (total, band)
    assert ("central_sensitization_likely" in s.flags) is flagged


# --- ISI (Bastien 2001; Morin 2011; Yang 2009) ---------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "none"), (7, "none"), (8, "subthreshold"), (14, "subthreshold"), (15, "moderate"),
     (21, "moderate"), (22, "severe"), (28, "severe")],
)  # fmt: skip
def test_isi_bands(kb: KnowledgeBase, total: int, band: str):
    s = painpath.score("isi", answers_for_total(kb.instrument("isi"), total))
    assert (s.total, s.band) == (total, band)


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [(20, 14, "improved"), (20, 15, "no_meaningful_change"), (8, 14, "worsened")],
)
def test_isi_six_point_minimally_important_difference(before, after, status):
    assert painpath.compare("isi", before, after).status == status
