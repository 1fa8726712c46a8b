"""Rules are checked against the facts they name: a typo cannot silently switch a rule off."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

import painpath
from painpath.cli.assessment import render_assessment
from painpath.knowledge import KnowledgeError, load_knowledge
from tests.domain.assessment.helpers import intake


def _refused(tmp_path: Path, rel: str, text: str) -> list[str]:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("override:\n  reason: test\n" + text)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=tmp_path)
    return [p.line() for p in caught.value.problems]


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        # The review's case: a one-letter typo that would have disabled the suicide-risk flag.
        ("red_flags.yaml", "flags:\n  - id: phq9_self_harm_thoughts\n    trigger: [{fact: q.phq9.items.9, gt: 0}]\n",
         "red_flags.yaml (with overrides/red_flags.yaml): entry flags[phq9_self_harm_thoughts], field trigger[0]: the engine provides no fact 'q.phq9.items.9'"),
        ("drivers.yaml", "evidence:\n  - id: guarding\n    when: [{fact: intake.age, contains: x}]\n",
         "drivers.yaml (with overrides/drivers.yaml): entry evidence[guarding], field when[0]: intake.age is a number; this test needs a list"),
        ("drivers.yaml", "evidence:\n  - id: guarding\n    when: [{fact: intake.movement_findings, contains: guardng}]\n",
         "drivers.yaml (with overrides/drivers.yaml): entry evidence[guarding], field when[0]: intake.movement_findings can never be guardng"),
        ("drivers.yaml", "evidence:\n  - id: startback_high\n    when: [{fact: q.startback.band, in: [hihg]}]\n",
         "drivers.yaml (with overrides/drivers.yaml): entry evidence[startback_high], field when[0]: q.startback.band can never be hihg"),
        ("drivers.yaml", "evidence:\n  - id: csi_high\n    when: [{fact: q.cis.flags, contains: central_sensitization_likely}]\n",
         "drivers.yaml (with overrides/drivers.yaml): entry evidence[csi_high], field when[0]: the engine provides no fact 'q.cis.flags'"),
        ("assessment.yaml", "neuropathic:\n  screens:\n    - {instrument: dn4, likely_flag: neuropathic_likly}\n",
         "assessment.yaml (with overrides/assessment.yaml): entry neuropathic.screens[0], field likely_flag: unknown neuropathic_likly"),
        ("assessment.yaml", "nociceptive:\n  mechanical_factors: [flexion, runing]\n",
         "assessment.yaml (with overrides/assessment.yaml): entry nociceptive, field mechanical_factors: unknown runing"),
        ("psychosocial.yaml", "findings:\n  - id: insomnia\n    instruments: [iss]\n",
         "psychosocial.yaml (with overrides/psychosocial.yaml): entry findings[insomnia], field instruments: unknown iss"),
    ],
)  # fmt: skip
def test_a_rule_naming_something_that_does_not_exist_is_refused(tmp_path, rel, text, expected):
    lines = _refused(tmp_path, rel, text)
    assert any(line.startswith(expected) for line in lines), lines


def test_the_shipped_rules_all_name_real_facts():
    load_knowledge()  # would raise KnowledgeError otherwise


def test_a_valid_override_of_an_imaging_row_is_cited_in_the_explanation(tmp_path: Path):
    (tmp_path / "imaging_prevalence.yaml").write_text(
        "override:\n  reason: local cohort\nfindings:\n"
        "  - id: disc_bulge\n    prevalence_pct: [10, 12, 15, 20, 25, 30, 35]\n"
    )
    kb = load_knowledge(overrides=tmp_path)
    data = intake(
        imaging=[{"modality": "mri", "region": "low_back", "findings": [{"finding": "disc_bulge"}]}]
    )
    line = next(
        x
        for x in painpath.assess(data, knowledge=kb).explanation
        if x.startswith("imaging.disc_bulge")
    )
    assert "17.5% of people without pain" in line
    assert "clinic override imaging_prevalence.yaml" in line


def test_an_overridden_group_escalation_is_cited(tmp_path: Path):
    (tmp_path / "red_flags.yaml").write_text(
        "override:\n  reason: local pathway\ngroups:\n  - id: malignancy\n    escalated_urgency: emergency\n"
    )
    kb = load_knowledge(overrides=tmp_path)
    a = painpath.assess(
        intake(red_flag_findings=["unexplained_weight_loss", "constant_night_pain"]), knowledge=kb
    )
    assert a.plan_blocked
    assert "clinic override red_flags.yaml" in a.red_flags[0].reason.line()


def test_an_overridden_pattern_feature_is_cited(tmp_path: Path):
    (tmp_path / "assessment.yaml").write_text(
        "override:\n  reason: local\ncentral_sensitisation_pattern:\n  features:\n"
        "    - id: widespread_pain\n      when: [{fact: intake.distribution, in: [widespread, multifocal]}]\n"
    )
    kb = load_knowledge(overrides=tmp_path)
    reason = painpath.assess(
        intake(distribution="multifocal"), knowledge=kb
    ).central_sensitisation_pattern.reason
    assert "clinic override assessment.yaml" in reason.line()
    assert "widespread pain: yes" in reason.text


def test_a_label_with_markup_characters_prints_as_text(tmp_path: Path):
    (tmp_path / "drivers.yaml").write_text(
        "override:\n  reason: test\nevidence:\n  - id: directional_sensitivity\n    label: 'worse with [/] flexion [bold]'\n"
    )
    kb = load_knowledge(overrides=tmp_path)
    console = Console(record=True, width=200)
    console.print(render_assessment(painpath.assess(intake(aggravating=["flexion"]), knowledge=kb)))
    assert "worse with [/] flexion [bold]" in console.export_text()
