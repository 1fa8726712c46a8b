"""Red flags one by one, their urgency and escalation, and irritability at its edges."""

from __future__ import annotations

import pytest

import painpath
from painpath.knowledge import KnowledgeBase, load_knowledge
from tests.domain.assessment.helpers import intake

KB = load_knowledge()
CES = [f.id for f in KB.red_flags.flags if f.group == "cauda_equina"]


GROUPS = {g.id: g for g in KB.red_flags.groups}
ALONE = sorted(
    f.id for f in KB.red_flags.flags if not f.trigger and GROUPS[f.group].min_present == 1
)
TOGETHER = sorted(
    f.id for f in KB.red_flags.flags if not f.trigger and GROUPS[f.group].min_present > 1
)


@pytest.mark.parametrize("code", ALONE)
def test_every_recordable_red_flag_is_raised_with_urgency_and_referral(code: str):
    a = painpath.assess(intake(red_flag_findings=[code]))
    (flag,) = a.red_flags
    assert flag.id == code
    assert flag.urgency in {"emergency", "urgent", "soon"}
    assert flag.referral
    assert flag.reason.sources
    assert a.plan_blocked is (flag.urgency == "emergency")


@pytest.mark.parametrize("code", TOGETHER)
def test_inflammatory_back_pain_features_flag_only_together(code: str):
    alone = painpath.assess(intake(red_flag_findings=[code]))
    assert alone.red_flags == ()
    assert any(
        line.startswith(f"red_flags.{code}: ") and "noted, not flagged" in line
        for line in alone.explanation
    )
    pair = [code, next(c for c in TOGETHER if c != code)]
    together = painpath.assess(intake(red_flag_findings=pair))
    assert [f.urgency for f in together.red_flags] == ["soon", "soon"]
    assert "Rheumatology" in together.red_flags[0].referral


@pytest.mark.parametrize("code", CES)
def test_every_cauda_equina_sign_is_an_emergency_that_blocks_the_plan(code: str):
    a = painpath.assess(intake(red_flag_findings=[code]))
    assert a.urgency == "emergency"
    assert a.plan_blocked
    assert a.plan_blocked_reason.startswith("Emergency red flag: ")
    assert "emergency MRI (within 4 hours of request)" in a.plan_blocked_reason
    assert any(line.startswith("plan.blocked:") for line in a.explanation)


@pytest.mark.parametrize(
    ("code", "urgency"),
    [("foot_drop", "urgent"), ("progressive_neuro_deficit", "urgent"), ("history_of_cancer", "soon"),
     ("unexplained_weight_loss", "soon"), ("fever_systemic_illness", "urgent"), ("significant_trauma", "urgent"),
     ("severe_instability", "urgent"), ("pulsatile_abdominal_mass", "emergency")],
)  # fmt: skip
def test_single_flag_urgency(code: str, urgency: str):
    assert painpath.assess(intake(red_flag_findings=[code])).red_flags[0].urgency == urgency


@pytest.mark.parametrize(
    ("age", "urgency"), [(31, "urgent"), (49, "urgent"), (50, "soon"), (70, "soon")]
)
def test_a_cuff_tear_with_weakness_is_urgent_in_the_young(age: int, urgency: str):
    a = painpath.assess(
        intake(age=age, regions=["shoulder"], red_flag_findings=["acute_cuff_tear_with_weakness"])
    )
    assert a.red_flags[0].urgency == urgency


def test_two_malignancy_flags_together_escalate_to_urgent():
    one = painpath.assess(intake(red_flag_findings=["unexplained_weight_loss"]))
    two = painpath.assess(
        intake(red_flag_findings=["unexplained_weight_loss", "constant_night_pain"])
    )
    assert [f.urgency for f in one.red_flags] == ["soon"]
    assert [f.urgency for f in two.red_flags] == ["urgent", "urgent"]
    assert "2 spinal malignancy flags together → urgent" in two.red_flags[0].reason.text
    # Escalation changes the referral as well as the urgency.
    assert two.red_flags[0].referral.startswith("Urgent medical assessment within days")


@pytest.mark.parametrize(
    ("changes", "urgency"),
    [({}, "soon"), ({"age": 50}, "urgent"), ({"regions": ["upper_back"]}, "urgent"),
     ({"red_flag_findings": ["history_of_cancer", "unexplained_weight_loss"]}, "urgent")],
)  # fmt: skip
def test_a_history_of_cancer_is_urgent_with_age_thoracic_pain_or_another_flag(changes, urgency):
    a = painpath.assess(intake(**({"red_flag_findings": ["history_of_cancer"]} | changes)))
    assert a.red_flags[0].urgency == urgency


def test_fever_with_an_infection_risk_factor_is_an_emergency_with_its_own_referral():
    a = painpath.assess(
        intake(red_flag_findings=["fever_systemic_illness", "infection_risk_factor"])
    )
    assert a.urgency == "emergency" and a.plan_blocked
    assert "epidural abscess" in a.plan_blocked_reason


@pytest.mark.parametrize(
    ("codes", "combination"),
    [(["history_of_cancer", "foot_drop"], "suspected_spinal_cord_compression"),
     (["unexplained_weight_loss", "progressive_neuro_deficit"], "suspected_spinal_cord_compression"),
     (["infection_risk_factor", "upper_motor_neuron_signs"], "suspected_epidural_abscess")],
)  # fmt: skip
def test_malignancy_or_infection_with_a_neurological_deficit_is_an_emergency(codes, combination):
    a = painpath.assess(intake(red_flag_findings=codes))
    assert a.red_flags[0].id == combination
    assert a.red_flags[0].urgency == "emergency" and a.plan_blocked


def test_a_disclosed_thought_of_self_harm_can_be_recorded():
    a = painpath.assess(intake(red_flag_findings=["self_harm_disclosed"]))
    assert a.red_flags[0].kind == "safety" and a.red_flags[0].urgency == "urgent"


def test_an_unrecorded_red_flag_screen_is_never_read_as_clear():
    a = painpath.assess(intake())
    assert not a.red_flags_screened
    assert a.missing[0].startswith("red-flag screen not recorded")
    assert painpath.assess(intake(red_flag_findings=[])).red_flags_screened


def test_flags_are_listed_most_urgent_first():
    a = painpath.assess(
        intake(
            red_flag_findings=[
                "osteoporosis_or_steroids",
                "ces_saddle_anaesthesia",
                "severe_instability",
            ]
        )
    )
    assert [f.urgency for f in a.red_flags] == ["emergency", "urgent", "soon"]


PHQ9 = {str(i): 0 for i in range(1, 10)}


@pytest.mark.parametrize(("item9", "raised"), [(0, False), (1, True), (3, True)])
def test_phq9_item9_above_zero_is_a_safety_flag(item9: int, raised: bool):
    a = painpath.assess(intake(questionnaires={"phq9": PHQ9 | {"9": item9}}))
    safety = [f for f in a.red_flags if f.kind == "safety"]
    assert bool(safety) is raised
    if raised:
        assert safety[0].id == "phq9_self_harm_thoughts" and safety[0].urgency == "urgent"
        assert "suicide-risk review" in safety[0].referral
        assert not a.plan_blocked


def test_a_safety_flag_cannot_be_recorded_by_hand():
    assert "phq9_self_harm_thoughts" not in KB.red_flags.finding_codes


def test_a_clinic_can_change_a_red_flag_urgency(tmp_path):
    (tmp_path / "red_flags.yaml").write_text(
        "override:\n  reason: local pathway\nflags:\n  - id: foot_drop\n    urgency: emergency\n"
    )
    kb = load_knowledge(overrides=tmp_path)
    a = painpath.assess(intake(red_flag_findings=["foot_drop"]), knowledge=kb)
    assert a.plan_blocked
    assert "clinic override red_flags.yaml" in a.red_flags[0].reason.line()


# --- irritability (Maitland; thresholds 7/3 points, 4/1 hours, 2 high components) --------------


@pytest.mark.parametrize(
    ("provoked_by", "severity", "hours", "grade"),
    [
        ("vigorous", 3, 1, "low"),  # all low
        ("vigorous", 3, 1.5, "low"),  # two low, none high
        ("vigorous", 5, 1, "low"),  # seed example 07: only vigorous activity, 5/10, 1 hour
        ("vigorous", 5, 2, "moderate"),  # one low only
        ("minimal", 3, 1, "moderate"),  # two low but one high
        ("minimal", 7, 1, "high"),  # two high
        ("minimal", 6, 4, "high"),
        ("moderate", 7, 4, "high"),
        ("moderate", 6, 3.9, "moderate"),
        ("minimal", 10, 72, "high"),
        ("vigorous", 0, 0, "low"),
    ],
)
def test_irritability_edges(provoked_by: str, severity: int, hours: float, grade: str):
    irr = {"provoked_by": provoked_by, "peak_severity": severity, "settle_hours": hours}
    result = painpath.assess(intake(irritability=irr)).irritability
    assert result.grade == grade
    assert result.reason.rule == "irritability.grade"


def test_irritability_without_inputs_is_reported_missing_not_guessed():
    a = painpath.assess(intake())
    assert a.irritability.grade is None
    assert "irritability" in a.missing


def test_irritability_thresholds_come_from_the_knowledge_base(kb: KnowledgeBase):
    rules = kb.assessment_rules.irritability
    assert (rules.severity_high_at.value, rules.settle_high_hours.value) == (7, 4)
    assert all(
        p.source for p in (rules.severity_high_at, rules.settle_low_hours, rules.high_components)
    )


def test_a_clinic_can_move_the_irritability_threshold(tmp_path):
    (tmp_path / "assessment.yaml").write_text(
        "override:\n  reason: audit\nirritability:\n  severity_high_at: 6\n"
    )
    irr = {"provoked_by": "minimal", "peak_severity": 6, "settle_hours": 2}
    assert painpath.assess(intake(irritability=irr)).irritability.grade == "moderate"
    kb = load_knowledge(overrides=tmp_path)
    result = painpath.assess(intake(irritability=irr), knowledge=kb).irritability
    assert result.grade == "high"
    assert "clinic override assessment.yaml" in result.reason.line()
