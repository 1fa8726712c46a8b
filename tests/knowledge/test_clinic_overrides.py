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


# --- review regressions ------------------------------------------------------------------------


def test_a_prorated_total_is_rounded_so_it_always_has_a_band(tmp_path: Path):
    root = _override(
        tmp_path, "instruments/phq9.yaml", "override:\n  reason: x\nscoring:\n  max_missing: 1\n"
    )
    kb = load_knowledge(overrides=root)
    answers = {"1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 2, "7": 0, "8": 0}  # 17 × 9/8 = 19.125
    s = painpath.score("phq9", answers, knowledge=kb)
    assert (s.total, s.band, s.prorated) == (19, "moderately_severe", True)
    assert any("prorated × 9/8 = 19.12, rounded to 19" in line for line in s.explanation)
    assert any("safety_item9 not assessed: item 9 unanswered" in line for line in s.explanation)


def test_a_broken_bibliography_is_reported_once_not_in_every_file(tmp_path: Path):
    root = _override(
        tmp_path,
        "sources.yaml",
        "override:\n  reason: x\nsources:\n  - key: kroenke2001\n    short: 5\n",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=root)
    assert [p.line() for p in caught.value.problems] == [
        "sources.yaml (with overrides/sources.yaml): entry sources[kroenke2001], field short: Input should be a valid string"
    ]


def test_a_value_yaml_cannot_build_in_an_override_header_is_refused(tmp_path: Path):
    root = _override(tmp_path, "signals.yaml", "override:\n  reason: x\n  date: 2026-02-30\n")
    with pytest.raises(KnowledgeError, match=r"^overrides/signals.yaml: not valid YAML: "):
        load_knowledge(overrides=root)


def test_an_unreadable_override_file_is_refused(tmp_path: Path):
    (tmp_path / "signals.yaml").write_bytes(b"override:\n  reason: \xff\xfe\n")
    (tmp_path / "checkpoints.yaml").symlink_to(tmp_path / "missing.yaml")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=tmp_path)
    assert [p.line() for p in caught.value.problems] == [
        "overrides/checkpoints.yaml: the file cannot be read (No such file or directory)",
        "overrides/signals.yaml: the file is not UTF-8 text",
    ]


def test_other_files_in_the_override_directory_are_refused_not_ignored(tmp_path: Path):
    _override(tmp_path, "instruments/odi.json", "{}")
    _override(tmp_path, "README.md", "our overrides")  # a README is fine
    _override(tmp_path, "checkpoints.YAML", "override:\n  reason: weekly\ninterval_days: 7\n")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overrides=tmp_path)
    assert str(caught.value) == "overrides/instruments/odi.json: only .yaml override files are read"


def test_an_id_written_as_a_number_still_matches(tmp_path: Path):
    root = _override(tmp_path, "instruments/odi.yaml", LICENSED_ODI.replace('id: "5"', "id: 5"))
    assert load_knowledge(overrides=root).instrument("odi").item("5").text


def test_an_override_that_lists_an_entry_twice_is_refused(tmp_path: Path):
    text = "override:\n  reason: x\nbands:\n  - {id: mild, label: A}\n  - {id: mild, label: B}\n"
    with pytest.raises(KnowledgeError, match=r"bands\[mild\]: the override lists this entry twice"):
        load_knowledge(overrides=_override(tmp_path, "instruments/phq9.yaml", text))


def test_an_override_path_that_is_a_file_is_named_as_such(tmp_path: Path):
    (tmp_path / "file.yaml").write_text("x: 1\n")
    with pytest.raises(KnowledgeError, match="the override directory is not a directory"):
        load_knowledge(overrides=tmp_path / "file.yaml")


def test_override_citations_can_be_looked_up(tmp_path: Path):
    kb = load_knowledge(overrides=_override(tmp_path, "instruments/odi.yaml", ODI_ONE_MISSING))
    key, entry = kb.lookup("sources.override:instruments/odi.yaml")
    assert key == "sources.override:instruments/odi.yaml"
    assert entry["citation"].startswith("Clinic policy")
