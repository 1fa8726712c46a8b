"""NPRS, PEG, PSFS and the Oswestry Disability Index, scored as their sources publish them."""

from __future__ import annotations

import pytest

import painpath

# --- NPRS (Farrar 2001; Ostelo 2008) -----------------------------------------------------------


@pytest.mark.parametrize("pain", [0, 3, 10])
def test_nprs_total_is_the_rating(pain: int):
    s = painpath.score("nprs", {"1": pain})
    assert (s.total, s.band, s.range) == (pain, None, (0, 10))


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [
        (7, 5, "improved"),  # two points
        (7, 6, "no_meaningful_change"),  # one point, 14%
        (3, 2, "improved"),  # one point but 33% of the baseline (Farrar: ~30%)
        (10, 7, "improved"),  # three points, 30%
        (5, 7, "worsened"),  # two points worse
        (2, 3, "no_meaningful_change"),  # a 50% rise of one point is not meaningful
        (0, 0, "no_meaningful_change"),
        (6, 6, "no_meaningful_change"),
    ],
)
def test_nprs_change_uses_two_points_or_thirty_percent(before: int, after: int, status: str):
    change = painpath.compare("nprs", before, after)
    assert change.status == status
    assert (change.threshold_kind, change.threshold_points, change.threshold_percent) == (
        "mcid",
        2,
        30,
    )


# --- PEG (Krebs 2009; Reed 2024; CDC) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "e", "g", "total"),
    [(0, 0, 0, 0), (10, 10, 10, 10), (7, 7, 8, 7.33), (5, 4, 6, 5), (1, 0, 0, 0.33)],
)
def test_peg_is_the_mean_of_its_three_items(p: int, e: int, g: int, total: float):
    s = painpath.score("peg", {"1": p, "2": e, "3": g})
    assert s.total == total
    assert s.band is None  # Krebs 2009 defines no bands; a web calculator's bands are not used


def test_peg_needs_all_three_items():
    with pytest.raises(painpath.ScoringError, match=r"peg: 1 of 3 items unanswered \(items 2\)"):
        painpath.score("peg", {"1": 5, "2": None, "3": 5})


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [
        (7, 6, "improved"),  # the 1-point MID
        ({"1": 7, "2": 7, "3": 7}, {"1": 7, "2": 6, "3": 6}, "no_meaningful_change"),  # 0.67
        ({"1": 2, "2": 2, "3": 2}, {"1": 2, "2": 1, "3": 1}, "improved"),  # 0.67 but 33%
        (4, 5, "worsened"),
    ],
)
def test_peg_change_uses_the_mid_or_the_cdc_thirty_percent(before, after, status):
    assert painpath.compare("peg", before, after).status == status


# --- PSFS (Stratford 1995) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total"),
    [({"1": 3}, 3), ({"1": 2, "2": 4}, 3), ({"1": 1, "2": 4, "3": 2}, 2.33), ({"3": 10}, 10)],
)
def test_psfs_is_the_mean_of_the_activities_the_patient_named(answers, total):
    s = painpath.score("psfs", answers)
    assert s.total == total
    assert s.prorated is False


def test_psfs_needs_at_least_one_activity():
    with pytest.raises(painpath.ScoringError, match=r"psfs: 3 of 3 items unanswered"):
        painpath.score("psfs", {})


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [(2, 4, "improved"), (4, 2, "worsened"), (3, 4, "no_meaningful_change")],
)
def test_psfs_change_uses_the_mdc_because_higher_is_better(before, after, status):
    change = painpath.compare("psfs", before, after)
    assert change.status == status
    assert change.threshold_kind == "mdc"
    assert change.direction == "higher_is_better"


# --- ODI v2.1a (Fairbank 2000) -----------------------------------------------------------------


def _odi(sum_of_sections: int, answered: int = 10) -> dict[str, int | None]:
    """Sections 1…answered carrying ``sum_of_sections`` between them; the rest unanswered."""
    answers: dict[str, int | None] = {str(i): None for i in range(1, 11)}
    remaining = sum_of_sections
    for i in range(1, answered + 1):
        answers[str(i)] = min(5, remaining)
        remaining -= answers[str(i)] or 0
    assert remaining == 0
    return answers


@pytest.mark.parametrize(
    ("section_sum", "percent", "band"),
    [
        (0, 0, "minimal"),
        (10, 20, "minimal"),
        (11, 22, "moderate"),
        (20, 40, "moderate"),
        (21, 42, "severe"),
        (30, 60, "severe"),
        (31, 62, "crippled"),
        (40, 80, "crippled"),
        (41, 82, "bed_bound"),
        (50, 100, "bed_bound"),
    ],
)
def test_odi_all_ten_sections_is_twice_the_sum_and_banded_by_fairbank(
    section_sum: int, percent: int, band: str
):
    s = painpath.score("odi", _odi(section_sum))
    assert (s.total, s.band) == (percent, band)


def test_odi_missing_section_takes_five_out_of_the_denominator():
    # Fairbank's worked example: 16 points over 9 sections = 16/45 × 100 = 35.6%.
    s = painpath.score("odi", _odi(16, answered=9))
    assert s.total == 35.6
    assert s.band == "moderate"
    assert s.missing == ("10",)
    assert any("16 / (5 × 9 answered) × 100 = 35.6%" in line for line in s.explanation)
    assert any("odi.missing" in line for line in s.explanation)


def test_odi_not_applicable_sex_life_section_counts_as_missing():
    answers = {str(i): 2 for i in range(1, 11)} | {"8": None}
    s = painpath.score("odi", answers)
    assert s.total == 40  # 18 / 45
    assert s.missing == ("8",)


def test_odi_scores_with_two_missing_sections_and_refuses_three():
    assert painpath.score("odi", _odi(16, answered=8)).total == 40
    with pytest.raises(
        painpath.ScoringError,
        match=r"^odi: 3 of 10 items unanswered \(items 8, 9 and 10\); at most 2 may be missing$",
    ):
        painpath.score("odi", _odi(14, answered=7))


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [
        (40, 30, "improved"),  # 10 points (Ostelo 2008)
        (40, 32, "no_meaningful_change"),  # 8 points, 20%
        (20, 14, "improved"),  # 6 points but 30% of the baseline
        (30, 40, "worsened"),
        (30, 38, "no_meaningful_change"),
    ],
)
def test_odi_change_uses_ten_points_or_thirty_percent(before, after, status):
    assert painpath.compare("odi", before, after).status == status
