"""A clinic overrides individual values; the override is validated like the base and cited."""

from __future__ import annotations

from pathlib import Path

import pytest

import painpath
from painpath.knowledge import KnowledgeError, default_knowledge, load_knowledge


def _override(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return root


ODI_ONE_MISSING = """\
override:
  reason: Clinic policy — refuse an ODI with more than one missing section
  approved_by: Dr A. Lead
  date: 2026-11-20
scoring:
  max_missing: 1
"""


def test_a_clinic_lowers_the_odi_missing_section_limit(tmp_path: Path):
    kb = load_knowledge(overrides=_override(tmp_path, "instruments/odi.yaml", ODI_ONE_MISSING))
    two_missing = {str(i): 2 for i in range(1, 9)}
    with pytest.raises(painpath.ScoringError, match=r"at most 1 may be missing"):
        painpath.score("odi", two_missing, knowledge=kb)
    one_missing = painpath.score("odi", two_missing | {"9": 2}, knowledge=kb)
    assert one_missing.total == 40
    # The rule that used the clinic's number cites the override beside the original sources.
    missing_line = next(x for x in one_missing.explanation if x.startswith("odi.missing"))
    assert "clinic override instruments/odi.yaml" in missing_line
    assert "Fairbank 2000" in missing_line


def test_the_override_is_recorded_with_its_reason_and_changes_the_version(tmp_path: Path):
    kb = load_knowledge(overrides=_override(tmp_path, "instruments/odi.yaml", ODI_ONE_MISSING))
    (record,) = kb.overrides
    assert record.file == "instruments/odi.yaml"
    assert record.approved_by == "Dr A. Lead"
    assert record.changed == ("instruments.odi.scoring.max_missing",)
    assert kb.version.startswith("2026.11.1+clinic.")
    assert kb.version != load_knowledge().version
    assert [o.file for o in kb.overrides_for("odi.scoring")] == ["instruments/odi.yaml"]
    assert kb.overrides_for("odi.bands") == []


def test_a_default_can_be_overridden_with_a_bare_number(tmp_path: Path):
    root = _override(
        tmp_path,
        "signals.yaml",
        "override:\n  reason: Our flares are counted from 3 points\nflare:\n  pain_rise_points: 3\n",
    )
    kb = load_knowledge(overrides=root)
    parameter = kb.signals.flare.pain_rise_points
    assert parameter.value == 3
    assert parameter.unit == "points"
    assert "override:signals.yaml" in {c.key for c in parameter.source}
    assert kb.signals.flare.goal_drop_percent.value == 30  # untouched


def test_an_override_is_validated_like_the_base_and_names_both_files(tmp_path: Path):
    root = _override(
        tmp_path, "signals.yaml", "override:\n  reason: typo\nflare:\n  pain_rise_points: 9\n"
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=root)
    assert str(caught.value) == (
        "signals.yaml (with overrides/signals.yaml): entry flare, field pain_rise_points: "
        "value 9 is outside the allowed range 1–5 points"
    )


def test_a_band_id_the_base_does_not_have_is_refused(tmp_path: Path):
    root = _override(
        tmp_path,
        "instruments/phq9.yaml",
        "override:\n  reason: x\nbands:\n  - id: moderat\n    label: Moderate\n",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=root)
    assert str(caught.value) == (
        "overrides/instruments/phq9.yaml: entry bands[moderat]: "
        "no such entry in the base file; an override changes existing entries"
    )


def test_a_band_threshold_can_be_moved(tmp_path: Path):
    root = _override(
        tmp_path,
        "instruments/phq9.yaml",
        "override:\n  reason: local validation\nbands:\n"
        "  - id: mild\n    when: [{on: total, lte: 10}]\n",
    )
    kb = load_knowledge(overrides=root)
    assert painpath.score("phq9", {str(i): int(i <= 10) for i in range(1, 10)} | {"1": 2, "2": 1},
                          knowledge=kb).band == "mild"  # fmt: skip


def test_an_override_must_say_why(tmp_path: Path):
    root = _override(tmp_path, "instruments/odi.yaml", "scoring:\n  max_missing: 1\n")
    with pytest.raises(KnowledgeError, match=r"an override file starts with `override: \{reason"):
        load_knowledge(overrides=root)


def test_an_override_of_a_file_that_does_not_exist_is_refused(tmp_path: Path):
    root = _override(tmp_path, "instruments/rmdq.yaml", "override:\n  reason: x\n")
    with pytest.raises(KnowledgeError, match=r"there is no base knowledge file instruments/rmdq"):
        load_knowledge(overrides=root)


def test_a_missing_override_directory_is_refused(tmp_path: Path):
    with pytest.raises(KnowledgeError, match=r"the override directory does not exist"):
        load_knowledge(overrides=tmp_path / "nowhere")


LICENSED_ODI = """\
override:
  reason: ODI v2.1a wording under our Mapi licence
licence:
  clinic_licence: Mapi Research Trust licence 2026-0042
items:
  - id: "5"
    text: Sitting (licensed statement list held by the clinic)
"""


def test_a_clinic_supplies_licensed_wording_it_holds(tmp_path: Path):
    kb = load_knowledge(overrides=_override(tmp_path, "instruments/odi.yaml", LICENSED_ODI))
    odi = kb.instrument("odi")
    assert odi.item("5").text == "Sitting (licensed statement list held by the clinic)"
    assert odi.licence.clinic_licence == "Mapi Research Trust licence 2026-0042"


def test_licensed_wording_without_naming_the_licence_is_refused(tmp_path: Path):
    text = LICENSED_ODI.replace(
        "licence:\n  clinic_licence: Mapi Research Trust licence 2026-0042\n", ""
    )
    with pytest.raises(KnowledgeError, match=r"does not allow shipping item wording"):
        load_knowledge(overrides=_override(tmp_path, "instruments/odi.yaml", text))


def test_a_clinic_may_add_its_own_sources(tmp_path: Path):
    root = _override(
        tmp_path,
        "sources.yaml",
        "override:\n  reason: our audit\nsources:\n  - key: clinic-audit-2026\n"
        "    short: Clinic audit 2026\n    kind: web\n    citation: Internal audit of ODI use.\n",
    )
    _override(
        root,
        "instruments/odi.yaml",
        "override:\n  reason: audit\nscoring:\n  max_missing: 1\n"
        "  source: [fairbank2000, clinic-audit-2026]\n",
    )
    kb = load_knowledge(overrides=root)
    # The clinic's own citation, plus the override itself because a value changed too.
    assert [c.key for c in kb.instrument("odi").scoring.source] == [
        "fairbank2000",
        "clinic-audit-2026",
        "override:instruments/odi.yaml",
    ]


def test_the_environment_variable_points_the_process_at_the_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    root = _override(tmp_path, "instruments/odi.yaml", ODI_ONE_MISSING)
    monkeypatch.setenv("PAINPATH_KNOWLEDGE_OVERRIDES", str(root))
    assert default_knowledge().instrument("odi").scoring.max_missing == 1
    with pytest.raises(painpath.ScoringError, match=r"at most 1 may be missing"):
        painpath.score("odi", {str(i): 2 for i in range(1, 9)})
    monkeypatch.delenv("PAINPATH_KNOWLEDGE_OVERRIDES")
    assert default_knowledge().instrument("odi").scoring.max_missing == 2
