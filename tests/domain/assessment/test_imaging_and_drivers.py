"""Imaging in context (Brinjikji 2015), drivers ranked by evidence, psychosocial findings and
the central sensitisation pattern."""

from __future__ import annotations

import pytest

import painpath
from tests.domain.assessment.helpers import intake

# Brinjikji 2015, Table 1 (ages 20–80), as clinical-facts.md §13 gives it.
TABLE = {
    "disc_degeneration": [37, 52, 68, 80, 88, 93, 96],
    "disc_signal_loss": [17, 33, 54, 73, 86, 94, 97],
    "disc_height_loss": [24, 34, 45, 56, 67, 76, 84],
    "disc_bulge": [30, 40, 50, 60, 69, 77, 84],
    "disc_protrusion": [29, 31, 33, 36, 38, 40, 43],
    "annular_fissure": [19, 20, 22, 23, 25, 27, 29],
    "facet_degeneration": [4, 9, 18, 32, 50, 69, 83],
    "spondylolisthesis": [3, 5, 8, 14, 23, 35, 50],
}
AGES = [20, 30, 40, 50, 60, 70, 80]


@pytest.mark.parametrize(
    ("finding", "age", "pct"),
    [(f, a, p) for f, row in TABLE.items() for a, p in zip(AGES, row, strict=True)],
)
def test_every_table_value_at_its_decade_point(finding: str, age: int, pct: int):
    c = painpath.imaging_context(age, finding)
    assert c.prevalence_pct == pct
    assert c.in_reference
    assert c.source == ("Brinjikji 2015", "PMC4975884")


@pytest.mark.parametrize("finding", sorted(TABLE))
@pytest.mark.parametrize("age", [25, 33, 47, 58, 61, 75])
def test_between_decades_the_prevalence_is_interpolated_linearly(finding: str, age: int):
    row = TABLE[finding]
    lo = (age // 10) * 10
    i = AGES.index(lo)
    expected = round(row[i] + (row[i + 1] - row[i]) * (age - lo) / 10, 1)
    assert painpath.imaging_context(age, finding).prevalence_pct == expected


@pytest.mark.parametrize(("age", "shown"), [(16, 20), (19, 20), (81, 80), (120, 80)])
def test_ages_outside_the_table_take_its_nearest_end(age: int, shown: int):
    c = painpath.imaging_context(age, "disc_bulge")
    assert c.prevalence_pct == TABLE["disc_bulge"][AGES.index(shown)]
    assert f"aged {shown} (the table ends at {shown})" in c.text


def test_common_findings_are_explained_reassuringly_and_uncommon_ones_honestly():
    common = painpath.imaging_context(50, "disc_bulge")
    rare = painpath.imaging_context(30, "spondylolisthesis")
    assert common.common and "on its own it is not proof of what is causing yours" in common.text
    assert "about 60 in 100 people aged 50" in common.text
    assert rare.common is False and "less common" in rare.text and "not proof" not in rare.text


def test_findings_outside_the_table_are_listed_not_guessed():
    c = painpath.imaging_context(50, "knee_osteoarthritis")
    assert (c.in_reference, c.prevalence_pct, c.text) == (False, None, "not in reference table")


def test_neck_imaging_is_outside_a_lumbar_table():
    a = painpath.assess(intake(regions=["neck"], imaging=[{"modality": "mri", "region": "neck",
                                                          "findings": [{"finding": "disc_bulge", "level": "C5-C6"}]}]))  # fmt: skip
    (c,) = a.imaging
    assert not c.in_reference
    assert c.text == "not in reference table (it describes low back imaging)"
    assert c.level == "C5-C6"


@pytest.mark.parametrize("age", [15, 121, True, 45.5, "45"])
def test_imaging_context_refuses_an_impossible_age(age):
    with pytest.raises(
        painpath.IntakeError, match=r"^age: .*: give a whole number of years in 16–120$"
    ):
        painpath.imaging_context(age, "disc_bulge")


# --- drivers -------------------------------------------------------------------------------------


def test_drivers_are_ranked_by_their_evidence():
    a = painpath.assess(
        intake(
            aggravating=["flexion"],
            movement_findings=["strength_deficit", "load_spike"],
            inflammatory_features=["swelling"],
        )
    )
    ranked = [(d.id, d.rank, d.score) for d in a.drivers if d.rank]
    # directional 2 + mechanical generator 1 + strength 1 + load spike 1; swelling 1
    assert ranked == [("biomechanical", 1, 5), ("inflammatory", 2, 1)]
    biomechanical = a.drivers[0]
    assert [r.rule for r in biomechanical.evidence] == [
        "drivers.directional_sensitivity", "drivers.mechanical_generator",
        "drivers.strength_deficit", "drivers.load_spike",
    ]  # fmt: skip
    assert all(r.sources for r in biomechanical.evidence)


def test_drivers_without_evidence_are_listed_unranked():
    a = painpath.assess(intake())
    assert {d.id for d in a.drivers} == {
        "sensitisation", "movement_avoidance", "psychosocial_load", "biomechanical", "inflammatory",
        "neural",
    }  # fmt: skip
    assert all(d.rank is None for d in a.drivers if d.score == 0)


TSK17_HIGH = {str(i): 3 for i in range(1, 18)}  # 13×3 + 4×2 = 47
PCS_HIGH = {str(i): 3 for i in range(1, 14)}  # 39


def test_psychosocial_findings_come_with_what_to_do():
    a = painpath.assess(intake(questionnaires={"tsk17": TSK17_HIGH, "pcs": PCS_HIGH}))
    found = {p.id: p for p in a.psychosocial}
    assert set(found) == {"kinesiophobia", "catastrophizing"}
    assert found["kinesiophobia"].instrument == "tsk17" and found["kinesiophobia"].value == 47
    assert "Graded exposure" in found["kinesiophobia"].action
    movement = next(d for d in a.drivers if d.id == "movement_avoidance")
    assert movement.score == 2


@pytest.mark.parametrize(
    ("treatment", "residue"),
    [
        ({"name": "gym", "kind": "active", "response": "worse", "flared": True}, True),
        ({"name": "gym", "kind": "active", "response": "none", "flared": True}, True),
        ({"name": "gym", "kind": "active", "response": "worse", "flared": False}, False),
        ({"name": "gym", "kind": "active", "response": "good", "flared": True}, False),
        ({"name": "massage", "kind": "passive", "response": "worse", "flared": True}, False),
    ],
)
def test_a_failed_flaring_active_programme_leaves_fear_avoidance_residue(treatment, residue):
    a = painpath.assess(intake(prior_treatments=[treatment]))
    assert ("fear_avoidance_residue" in {p.id for p in a.psychosocial}) is residue
    if residue:
        finding = next(p for p in a.psychosocial if p.id == "fear_avoidance_residue")
        assert "Explain the sequence" in finding.action


def test_instruments_not_administered_are_reported():
    back = painpath.assess(intake())
    knee = painpath.assess(intake(regions=["knee"]))
    assert "startback not administered" in back.missing
    assert "startback not administered" not in knee.missing
    assert "pcs not administered" in knee.missing


# --- the central sensitisation pattern (seed 001) ----------------------------------------------------

PATTERN = {
    "distribution": "widespread",
    "comorbid_symptoms": ["sleep_disturbance"],
    "flares_after_minor_stressors": True,
    "imaging": [{"modality": "mri", "region": "low_back", "findings": []}],
}


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, "present"),
        ({"imaging": None}, "possible"),  # unremarkable imaging unknown
        ({"flares_after_minor_stressors": None}, "possible"),
        ({"flares_after_minor_stressors": False}, "absent"),
        ({"distribution": "regional"}, "absent"),
        (
            {"comorbid_symptoms": [], "questionnaires": {"isi": {str(i): 3 for i in range(1, 8)}}},
            "present",
        ),
        (
            {
                "imaging": [
                    {
                        "modality": "mri",
                        "region": "low_back",
                        "findings": [{"finding": "spondylolisthesis"}],
                    }
                ]
            },
            "absent",
        ),
    ],
)
def test_central_sensitisation_pattern(changes, status):
    result = painpath.assess(intake(**(PATTERN | changes))).central_sensitisation_pattern
    assert result.status == status
    assert (result.recommendation is not None) is (status != "absent")


def test_equal_scores_share_a_rank():
    # strength deficit + a likely generator (2) against stiffness + swelling (2)
    a = painpath.assess(
        intake(
            movement_findings=["strength_deficit"],
            inflammatory_features=["morning_stiffness_over_30_min", "swelling"],
        )
    )
    ranks = {d.id: (d.rank, d.score) for d in a.drivers if d.rank}
    assert ranks == {"biomechanical": (1, 2), "inflammatory": (1, 2)}


def test_the_value_shown_is_the_instrument_that_triggered():
    tsk17_low = {str(i): 1 for i in range(1, 18)}  # 13 + 4×4 = 29, not high
    tsk11_high = {str(i): 4 for i in range(1, 12)}  # 44, band high
    a = painpath.assess(intake(questionnaires={"tsk17": tsk17_low, "tsk11": tsk11_high}))
    (finding,) = [p for p in a.psychosocial if p.id == "kinesiophobia"]
    assert (finding.instrument, finding.value) == ("tsk11", 44)


def test_imaging_context_refuses_a_finding_that_is_not_text():
    with pytest.raises(painpath.IntakeError, match=r"^finding: null: give a finding id"):
        painpath.imaging_context(45, None)
