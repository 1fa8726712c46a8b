"""DN4, painDETECT and S-LANSS, scored as Bouhassira 2005, Freynhagen 2006 and Bennett 2005
publish them."""

from __future__ import annotations

import pytest

import painpath

# --- DN4 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("yes", "flagged"), [(0, False), (3, False), (4, True), (10, True)])
def test_dn4_four_of_ten_means_a_neuropathic_component_is_likely(yes: int, flagged: bool):
    answers = {str(i): int(i <= yes) for i in range(1, 11)}
    s = painpath.score("dn4", answers)
    assert s.total == yes
    assert ("neuropathic_likely" in s.flags) is flagged


def test_dn4_reports_the_interview_items_as_a_subscale():
    # Examination items 8–10 only: the interview subscale (items 1–7) is zero.
    s = painpath.score("dn4", {str(i): int(i >= 8) for i in range(1, 11)})
    assert s.total == 3
    assert s.subscales == {"interview": 0}


def test_dn4_answers_are_yes_or_no():
    with pytest.raises(painpath.ScoringError, match=r"^dn4 item 2: 2 is out of range 0–1$"):
        painpath.score("dn4", {str(i): 0 for i in range(1, 11)} | {"2": 2})


# --- painDETECT -----------------------------------------------------------------------------------


def _paindetect(symptoms: list[int], course: int, radiating: int) -> dict[str, int]:
    return {str(i + 1): v for i, v in enumerate(symptoms)} | {"8": course, "9": radiating}


@pytest.mark.parametrize(
    ("symptoms", "course", "radiating", "total", "band", "flags"),
    [
        ([0] * 7, -1, 0, -1, "unlikely", ()),
        ([2, 2, 2, 2, 2, 1, 1], 0, 0, 12, "unlikely", ()),
        ([2, 2, 2, 2, 2, 1, 1], 1, 0, 13, "uncertain", ("neuropathic_uncertain",)),
        ([2, 2, 2, 2, 2, 2, 2], 0, 2, 16, "uncertain", ("neuropathic_uncertain",)),
        ([2, 2, 2, 2, 2, 2, 2], 2, 2, 18, "uncertain", ("neuropathic_uncertain",)),
        ([3, 2, 2, 2, 2, 2, 2], 2, 2, 19, "likely", ("neuropathic_likely",)),
        ([5] * 7, 1, 2, 38, "likely", ("neuropathic_likely",)),
    ],
)
def test_paindetect_bands_twelve_and_nineteen(symptoms, course, radiating, total, band, flags):
    s = painpath.score("paindetect", _paindetect(symptoms, course, radiating))
    assert (s.total, s.band, s.flags) == (total, band, flags)


@pytest.mark.parametrize("course", [-1, 0, 1, 2])
def test_paindetect_course_pattern_takes_minus_one_to_two(course: int):
    assert painpath.score("paindetect", _paindetect([0] * 7, course, 0)).total == course


def test_paindetect_rejects_a_course_pattern_of_three_and_radiating_pain_of_one():
    with pytest.raises(painpath.ScoringError, match=r"^paindetect item 8: 3 is out of range -1–2$"):
        painpath.score("paindetect", _paindetect([0] * 7, 3, 0))
    with pytest.raises(
        painpath.ScoringError,
        match=r"^paindetect item 9: 1 is not an allowed answer; allowed answers are 0 or 2$",
    ):
        painpath.score("paindetect", _paindetect([0] * 7, 0, 1))


def test_paindetect_reports_its_theoretical_range_honestly(kb):
    # Published as −1 to 38; the item ranges of the contract (course −1…2) allow 39.
    assert kb.instrument("paindetect").total_range() == (-1, 39)


# --- S-LANSS ------------------------------------------------------------------------------------

WEIGHTS = {1: 5, 2: 5, 3: 3, 4: 2, 5: 1, 6: 5, 7: 3}


@pytest.mark.parametrize(("item", "weight"), sorted(WEIGHTS.items()))
def test_slanss_each_yes_scores_its_published_weight(item: int, weight: int):
    answers = {str(i): int(i == item) for i in range(1, 8)}
    s = painpath.score("slanss", answers)
    assert s.total == weight
    assert any(f"item {item} answered 1 counts as {weight}" in x for x in s.explanation)


@pytest.mark.parametrize(
    ("yes", "total", "band"),
    [((), 0, "unlikely"), ((1, 3, 4, 5), 11, "unlikely"), ((1, 2, 4), 12, "likely"),
     ((1, 2, 3, 4, 5, 6, 7), 24, "likely")],
)  # fmt: skip
def test_slanss_twelve_or_more_means_neuropathic_origin_likely(yes, total, band):
    s = painpath.score("slanss", {str(i): int(i in yes) for i in range(1, 8)})
    assert (s.total, s.band) == (total, band)
    assert ("neuropathic_likely" in s.flags) is (band == "likely")
