"""The treatment, medication and planning knowledge: what ships, and what the loader refuses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import painpath
from painpath.domain.medications.review import applicable
from painpath.domain.planning.plan import stance_verdict
from painpath.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from tests.conftest import DATA


def _refused(tmp_path: Path, rel: str, text: str) -> list[str]:
    path = tmp_path / rel
    path.write_text("override:\n  reason: test\n" + text)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=tmp_path)
    return [p.line() for p in caught.value.problems]


# Every modality the issue names, with the kind it must have.
MODALITIES = {
    "pain_education": "passive", "graded_exercise": "active",
    "directional_preference_exercise": "active", "nerve_glides": "active",
    "motor_control_exercise": "active", "aerobic_conditioning": "active", "pacing": "active",
    "manual_therapy": "passive", "dry_needling": "passive", "acupuncture": "passive",
    "massage": "passive", "cbt": "psychological", "act": "psychological",
    "mindfulness": "psychological", "yoga_tai_chi": "active", "biofeedback": "psychological",
    "sleep_rehabilitation": "psychological", "multidisciplinary_rehabilitation": "active",
    "prp_injection": "intervention", "epidural_steroid_injection": "intervention",
    "facet_joint_injection": "intervention", "sacroiliac_joint_injection": "intervention",
    "medial_branch_block": "intervention", "radiofrequency_ablation": "intervention",
    "peripheral_nerve_block": "intervention", "spinal_cord_stimulation": "intervention",
    "discectomy": "surgery", "laminectomy": "surgery", "spinal_fusion": "surgery",
}  # fmt: skip


@pytest.mark.parametrize(("treatment", "kind"), sorted(MODALITIES.items()))
def test_every_modality_the_issue_names_is_in_the_knowledge(kb: KnowledgeBase, treatment, kind):
    t = kb.treatments.get(treatment)
    assert t.kind == kind
    assert t.source and t.evidence and t.trial_weeks >= 1


@pytest.mark.parametrize(
    "procedure",
    ["epidural_steroid_injection", "facet_joint_injection", "sacroiliac_joint_injection",
     "medial_branch_block", "radiofrequency_ablation", "trigger_point_injection"],
)  # fmt: skip
def test_bmj_2025_recommends_strongly_against_spine_procedures_in_chronic_spine_pain(
    kb: KnowledgeBase, procedure
):
    # Busse 2025 (BMJ Rapid Recommendations): strong recommendations against these procedures
    # for chronic (≥ 12 weeks) spine pain; the stance applies to a chronic low back patient.
    facts = {"intake.regions": ("low_back",), "intake.duration_weeks": 26}
    stances = applicable(kb.treatments.get(procedure).stances, facts)
    assert any(s.guideline == "BMJ 2025" and s.strength == "strong_against" for s in stances)
    assert stance_verdict(stances) == "not_recommended"
    # … and does not apply to a knee.
    knee = {"intake.regions": ("knee",), "intake.duration_weeks": 26}
    assert not any(
        s.guideline == "BMJ 2025" for s in applicable(kb.treatments.get(procedure).stances, knee)
    )


def test_every_intervention_with_a_bridge_role_pairs_a_rehab_hand_off_within_a_week(
    kb: KnowledgeBase,
):
    paired = [t for t in kb.treatments.treatments if t.pairing is not None]
    assert {t.id for t in paired} >= {"epidural_steroid_injection", "radiofrequency_ablation"}
    assert all(t.pairing.rehab_within_days <= 7 for t in paired if t.pairing)
    # One reassessment window for every intervention: checkpoints.yaml, 14–21 days (seed 001).
    assert kb.checkpoints.after_intervention_min_days.value == 14
    assert kb.checkpoints.after_intervention_max_days.value == 21


# CDC 2022 MME conversion factors (clinical-facts.md §14a, the CDC 2022 table).
CDC_2022 = {
    "codeine": 0.15, "fentanyl": 2.4, "hydrocodone": 1.0, "hydromorphone": 5.0,
    "methadone": 4.7, "morphine": 1.0, "oxycodone": 1.5, "oxymorphone": 3.0,
    "tapentadol": 0.4, "tramadol": 0.2,
}  # fmt: skip


def test_the_mme_factors_are_the_cdc_2022_table(kb: KnowledgeBase):
    assert {f.ingredient: f.factor for f in kb.medications.mme.factors} == CDC_2022
    assert kb.medications.mme.factor_for("4337").per == "mcg_per_hr"  # fentanyl patches
    assert kb.medications.mme.exclusion_for("1819") is not None  # buprenorphine: no factor
    assert kb.medications.mme.caution_at.value == 50
    assert kb.medications.mme.taper_now_at.value == 90


def test_every_ingredient_of_the_rxnorm_table_has_a_factor_or_an_exclusion(kb: KnowledgeBase):
    ingredients = {
        i.rxnorm_ingredient for p in kb.opioid_table.products.values() for i in p.ingredients
    }
    covered = {f.rxnorm_ingredient for f in kb.medications.mme.factors}
    covered |= {e.rxnorm_ingredient for e in kb.medications.mme.excluded}
    assert ingredients <= covered, ingredients - covered


def test_the_rxnorm_table_is_the_shared_nlm_data_with_its_notice(kb: KnowledgeBase):
    with (DATA / "rxnorm" / "rxnorm-opioid-ingredients.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len({r["rxnorm_drug_code"] for r in rows}) == len(kb.opioid_table.products)
    product = kb.opioid_table.get("856987")
    assert product is not None and [i.name for i in product.ingredients] == ["hydrocodone"]
    assert kb.opioid_table.get("197696").is_patch  # fentanyl 75 mcg/hr transdermal system
    notice = (DATA / "rxnorm" / "NOTICE.md").read_text(encoding="utf-8")
    assert "courtesy of the U.S. National Library of Medicine" in notice


def test_the_taper_rules_are_cdc_2022_recommendation_5(kb: KnowledgeBase):
    t = kb.medications.taper
    assert (t.long_term_weeks.value, t.long_term_monthly_percent.value) == (52, 10)
    assert (t.short_term_weekly_percent.value, t.switch_at_percent.value) == (10, 30)
    assert t.remaining_weekly_percent.value == 10
    assert t.follow_up_days.value <= 31  # at least monthly


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("treatments.yaml", "treatments:\n  - id: pacing\n    considered_when: [{fact: derived.irritabilty, in: [high]}]\n",
         "treatments.yaml (with overrides/treatments.yaml): entry treatments[pacing], field considered_when[0]: the engine provides no fact 'derived.irritabilty'"),
        ("treatments.yaml", "treatments:\n  - id: pacing\n    targets: [sensitization]\n",
         "treatments.yaml (with overrides/treatments.yaml): entry treatments[pacing], field targets: unknown drivers ['sensitization']"),
        ("treatments.yaml", "treatments:\n  - id: manual_therapy\n    held_when_any: [{fact: derived.red_flag_groups, contains: malignancyy}]\n",
         "treatments.yaml (with overrides/treatments.yaml): entry treatments[manual_therapy], field held_when_any[0]: derived.red_flag_groups can never be malignancyy"),
        ("medications.yaml", "classes:\n  - id: opioid\n    checks:\n      - id: opioid_central_sensitisation\n        when_any: [{fact: derived.nociplastic, in: [probabel]}]\n",
         "medications.yaml (with overrides/medications.yaml): entry classes[opioid].checks[opioid_central_sensitisation], field when_any[0]: derived.nociplastic can never be probabel"),
        ("planning.yaml", "entry:\n  - phase: settle\n    reason: test\n    when: [{fact: derived.irritability, in: [severe]}]\n    source: care-model\n",
         "planning.yaml (with overrides/planning.yaml): entry entry[0], field when[0]: derived.irritability can never be severe"),
    ],
)  # fmt: skip
def test_a_planning_rule_naming_something_that_does_not_exist_is_refused(
    tmp_path, rel, text, expected
):
    lines = _refused(tmp_path, rel, text)
    assert any(line.startswith(expected) for line in lines), lines


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("planning.yaml", "phases:\n  - id: blend\n    exit_per_goal: '{activity}: {goal}'\n",
         "unknown goal fields ['goal']"),
        ("medications.yaml", "taper:\n  long_term_monthly_percent: 25\n",
         "value 25 is outside the allowed range 2–10 percent"),
        ("treatments.yaml", "treatments:\n  - id: radiofrequency_ablation\n    pairing: {rehab_within_days: 40, source: care-model}\n",
         "less than or equal to 28"),
        ("treatments.yaml", "treatments:\n  - id: massage\n    alternative_to: manual_therapyy\n",
         "massage is an alternative to unknown treatment manual_therapyy"),
        ("treatments.yaml", "treatments:\n  - id: massage\n    held_when_any: [{fact: intake.age, gte: 90}]\n    hold_reason: null\n",
         "held_when_any needs a hold_reason"),
        # The YAML trap: an unquoted comma inside a flow mapping splits the sentence into a key.
        ("medications.yaml", "mme:\n  caution_at: {value: 50, basis: pause, then reassess}\n",
         "unknown field"),
    ],
)  # fmt: skip
def test_a_malformed_planning_entry_is_refused_with_a_clear_message(tmp_path, rel, text, expected):
    assert any(expected in line for line in _refused(tmp_path, rel, text))


def test_an_opioid_agent_without_a_factor_or_exclusion_is_refused(tmp_path: Path):
    text = (
        "classes:\n  - id: opioid\n    agents:\n"
        "      - {id: morphine, names: [morphine], rxnorm_ingredient: '999999'}\n"
    )
    assert any(
        "an opioid needs an RxNorm ingredient with an MME factor or an exclusion" in line
        for line in _refused(tmp_path, "medications.yaml", text)
    )


def test_a_bad_row_in_the_rxnorm_table_is_refused_with_its_line(data_copy: Path):
    path = data_copy / "rxnorm" / "rxnorm-opioid-ingredients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",MG/ML", ",GRAINS")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_dir=data_copy)
    assert any("line 4" in p.line() and "strength_unit" in p.line() for p in caught.value.problems)


def test_a_missing_rxnorm_table_is_refused(data_copy: Path):
    (data_copy / "rxnorm" / "rxnorm-opioid-ingredients.csv").unlink()
    with pytest.raises(KnowledgeError, match="the RxNorm opioid table is missing"):
        load_knowledge(data_dir=data_copy)


def test_a_clinic_threshold_renames_the_flag_and_is_cited(tmp_path: Path):
    (tmp_path / "medications.yaml").write_text(
        "override:\n  reason: our opioid stewardship policy\nmme:\n  caution_at: 40\n"
    )
    kb = load_knowledge(overrides=tmp_path)
    result = painpath.mme(
        [{"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3}], knowledge=kb
    )
    assert result.total_mme_per_day == 45.0
    assert result.flags == ("mme_at_or_above_40",)
    assert any(c.key.startswith("override:") for c in kb.medications.mme.caution_at.source)
    # The shipped thresholds still give the contract's flag names.
    assert painpath.mme([{"ingredient": "oxycodone", "dose_mg": 20, "doses_per_day": 2}]).flags == (
        "mme_at_or_above_50",
    )
