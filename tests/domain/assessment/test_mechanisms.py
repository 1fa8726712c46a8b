"""The mechanism profile: nociceptive, neuropathic, nociplastic (IASP 2021) and the mismatch."""

from __future__ import annotations

from typing import Any

import pytest

import painpath
from tests.domain.assessment.helpers import intake

DN4_POSITIVE = {str(i): int(i <= 5) for i in range(1, 11)}
DN4_NEGATIVE = {str(i): int(i <= 2) for i in range(1, 11)}
PD_UNCERTAIN = {"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2, "7": 2, "8": 0, "9": 0}  # 14


@pytest.mark.parametrize(
    ("questionnaires", "signs", "status"),
    [
        ({"dn4": DN4_POSITIVE}, ["dermatomal_sensory_loss"], "likely"),
        ({"dn4": DN4_POSITIVE}, [], "possible"),
        ({"dn4": DN4_POSITIVE}, None, "possible"),
        ({"paindetect": PD_UNCERTAIN}, [], "possible"),
        ({}, ["reflex_change"], "possible"),
        ({"dn4": DN4_NEGATIVE}, [], "unlikely"),
        ({"dn4": DN4_NEGATIVE}, None, "unlikely"),
        ({}, [], "unlikely"),
        ({}, None, "not_assessed"),
    ],
)
def test_neuropathic_status(questionnaires: dict[str, Any], signs, status: str):
    a = painpath.assess(intake(questionnaires=questionnaires, neuro_signs=signs))
    assert a.mechanism("neuropathic").status == status


@pytest.mark.parametrize(
    ("distribution", "aggravating", "inflammatory", "status"),
    [
        ("regional", ["flexion"], None, "likely"),
        ("localized", [], ["swelling"], "likely"),
        ("localized", [], None, "possible"),
        ("widespread", ["walking"], None, "possible"),
        ("widespread", ["stress"], None, "unlikely"),
    ],
)
def test_nociceptive_status(distribution, aggravating, inflammatory, status):
    data = intake(
        distribution=distribution, aggravating=aggravating, inflammatory_features=inflammatory
    )
    assert painpath.assess(data).mechanism("nociceptive").status == status


NOCIPLASTIC = {
    "duration_weeks": 26,
    "distribution": "widespread",
    "aggravating": ["stress"],
    "neuro_signs": [],  # examined: criterion 3 can be derived
    "hypersensitivity_signs": ["dynamic_mechanical_allodynia"],
    "hypersensitivity_history": ["touch"],
    "comorbid_symptoms": ["fatigue"],
}


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, "probable"),
        ({"comorbid_symptoms": []}, "possible"),  # criterion 6 not met
        ({"hypersensitivity_history": []}, "possible"),  # criterion 5 not met
        ({"comorbid_symptoms": None}, "possible"),  # not recorded: no more than possible
        ({"duration_weeks": 11}, "not_met"),  # criterion 1: under three months
        ({"duration_weeks": 12}, "probable"),
        ({"distribution": "localized"}, "not_met"),  # criterion 2
        ({"distribution": "multifocal"}, "probable"),
        ({"hypersensitivity_signs": []}, "not_met"),  # criterion 4
        ({"hypersensitivity_signs": None}, "not_assessed"),  # criterion 4 not examined
        (
            {"aggravating": ["flexion"], "distribution": "regional"},
            "not_met",
        ),  # explained (derived)
        (
            {
                "aggravating": ["flexion"],
                "distribution": "regional",
                "pain_not_fully_explained": True,
            },
            "probable",
        ),
        ({"pain_not_fully_explained": False}, "not_met"),  # the clinician says it is explained
        ({"neuro_signs": None}, "not_assessed"),  # nerve not examined: criterion 3 underivable
        ({"neuro_signs": None, "pain_not_fully_explained": True}, "probable"),
    ],
)
def test_iasp_2021_possible_and_probable(changes: dict[str, Any], status: str):
    a = painpath.assess(intake(**(NOCIPLASTIC | changes)))
    result = a.mechanism("nociplastic")
    assert result.status == status
    assert [c.id for c in result.criteria] == [
        "duration", "regional_distribution", "not_explained", "hypersensitivity_signs",
        "hypersensitivity_history", "comorbidity",
    ]  # fmt: skip


def test_the_csi_supports_but_does_not_decide():
    csi_high = {str(i): 2 for i in range(1, 26)}  # 50
    supported = painpath.assess(intake(**(NOCIPLASTIC | {"questionnaires": {"csi": csi_high}})))
    alone = painpath.assess(intake(questionnaires={"csi": csi_high}))
    assert supported.mechanism("nociplastic").status == "probable"
    assert supported.mechanism("nociplastic").support
    assert alone.mechanism("nociplastic").status != "probable"


def test_more_than_one_mechanism_is_a_mixed_profile():
    a = painpath.assess(intake(aggravating=["flexion"], neuro_signs=["reflex_change"]))
    assert a.mixed
    assert not painpath.assess(intake(aggravating=["flexion"], neuro_signs=[])).mixed


LUMBAR = {"modality": "mri", "region": "low_back"}


@pytest.mark.parametrize(
    ("nprs", "imaging", "signs", "present"),
    [
        (8, [LUMBAR | {"findings": []}], [], True),  # severe with unremarkable imaging
        (8, [LUMBAR | {"findings": [{"finding": "disc_bulge"}]}], [], True),  # common at 45 (55%)
        (8, [LUMBAR | {"findings": [{"finding": "spondylolisthesis"}]}], [], False),  # 11% at 45
        (8, [LUMBAR | {"findings": [{"finding": "disc_protrusion"}]}], ["reflex_change"], None),
        (5, [LUMBAR | {"findings": []}], [], False),  # not severe
        (8, None, [], None),  # no imaging to compare
        (8, [], [], None),  # no imaging done
        (
            8,
            [
                {
                    "modality": "xray",
                    "region": "knee",
                    "findings": [{"finding": "knee_osteoarthritis"}],
                }
            ],
            [],
            None,
        ),
    ],
)
def test_the_mismatch_rule(nprs, imaging, signs, present):
    data = intake(questionnaires={"nprs": {"1": nprs}}, imaging=imaging, neuro_signs=signs)
    if signs:
        data["questionnaires"]["dn4"] = DN4_POSITIVE
    result = painpath.assess(data).mismatch
    if present is None and signs:
        # Nerve signs make the disc finding concordant: not a mismatch.
        assert result.present is False
        assert (
            "with nerve signs: the findings (Disc protrusion) may be concordant"
            in result.reason.text
        )
    else:
        assert result.present is present


def test_mismatch_is_not_assessable_without_a_severity_measure():
    result = painpath.assess(intake(imaging=[LUMBAR | {"findings": []}])).mismatch
    assert result.present is None
    assert "no NPRS, PEG or ODI" in result.reason.text


def test_mismatch_counts_severe_odi():
    odi = {str(i): 3 for i in range(1, 11)}  # 60%
    result = painpath.assess(
        intake(questionnaires={"odi": odi}, imaging=[LUMBAR | {"findings": []}])
    ).mismatch
    assert result.present is True


def test_nerve_signs_alone_make_a_disc_finding_concordant():
    # No screening questionnaire, but dermatomal loss and a positive neurodynamic test.
    data = intake(
        questionnaires={"nprs": {"1": 8}},
        neuro_signs=["dermatomal_sensory_loss", "positive_neurodynamic_test"],
        imaging=[LUMBAR | {"findings": [{"finding": "disc_protrusion", "level": "L5-S1"}]}],
    )
    a = painpath.assess(data)
    assert a.mismatch.present is False
    assert "may be relevant to your pain" in a.imaging[0].text
    assert a.central_sensitisation_pattern.features["unremarkable_imaging"] is False


def test_severe_early_pain_is_not_a_mismatch():
    data = intake(
        duration_weeks=2, questionnaires={"nprs": {"1": 8}}, imaging=[LUMBAR | {"findings": []}]
    )
    result = painpath.assess(data).mismatch
    assert result.present is False
    assert "severe early pain is expected" in result.reason.text


def test_unrecorded_aggravating_factors_are_not_read_as_none():
    recorded = painpath.assess(intake(distribution="widespread", aggravating=[], easing=[]))
    unrecorded = painpath.assess(intake(distribution="widespread"))
    assert recorded.mechanism("nociceptive").status == "unlikely"
    assert unrecorded.mechanism("nociceptive").status == "not_assessed"
    assert "aggravating not recorded" in unrecorded.missing
