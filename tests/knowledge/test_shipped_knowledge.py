"""The shipped knowledge base: complete, sourced, and carrying the care model's defaults."""

from __future__ import annotations

import pytest

from painpath.domain.care_defaults import Parameter
from painpath.knowledge import KnowledgeBase

INSTRUMENTS = {
    "nprs", "peg", "odi", "psfs", "startback", "pcs", "tsk11", "tsk17", "csi", "phq9", "phq2",
    "gad7", "gad2", "isi", "dn4", "paindetect", "slanss",
}  # fmt: skip


def test_all_seventeen_instruments_are_defined(kb: KnowledgeBase):
    assert set(kb.instruments) == INSTRUMENTS


def test_every_knowledge_entry_names_a_source_in_the_bibliography(kb: KnowledgeBase):
    entries = list(kb.entries())
    # instruments, their scoring, bands, flags, subscales, licences, codes, change rules, and
    # every care-model default
    assert len(entries) > 100
    for key, entry in entries:
        assert entry.source, key
        for citation in entry.source:
            assert kb.sources[citation.key] == citation, key
            assert citation.citation.strip(), key


def test_every_instrument_part_that_states_a_rule_is_sourced(kb: KnowledgeBase):
    for d in kb.instruments.values():
        assert d.source and d.scoring.source and d.licence.source
        assert all(b.source for b in d.bands)
        assert all(f.source for f in d.flags)
        assert all(s.source for s in d.subscales)
        if d.change:
            assert d.change.source
        else:
            assert d.change_unavailable, d.id
        coded = any(i.code for i in d.items) or any(
            o.code for i in d.items for o in d.scale_for(i).options
        )
        if coded:
            assert d.codes is not None and d.codes.source, f"{d.id} has codes without a source"
        for item in d.items:
            if item.reverse or item.recode is not None:
                assert item.scoring_source is not None and item.scoring_source.source


def test_codes_name_their_code_system(kb: KnowledgeBase):
    for d in kb.instruments.values():
        codings = [i.code for i in d.items if i.code]
        codings += [o.code for i in d.items for o in d.scale_for(i).options if o.code]
        if d.codes:
            codings += [c for c in (d.codes.panel, d.codes.total) if c]
        for coding in codings:
            assert coding.system in {"LOINC", "SNOMED CT", "RxNorm"}
            assert coding.system_uri.startswith("http")


def test_item_wording_is_shipped_only_where_the_licence_allows(kb: KnowledgeBase):
    shipped = {d.id for d in kb.instruments.values() if any(i.text for i in d.items)}
    assert shipped == {"nprs", "peg", "psfs", "startback", "phq9", "phq2", "gad7", "gad2"}
    for d in kb.instruments.values():
        assert d.licence.notice
        if d.id not in shipped:
            assert not d.licence.wording_redistributable
            assert d.instructions is None


# care-model.md §6–7, default by default, with the seed each is distilled from.
CARE_DEFAULTS = [
    ("signals", "baseline.window_days", 7, "001"),
    ("signals", "baseline.min_days", 3, "001"),
    ("signals", "expected_soreness.rise_points", 2, "002"),
    ("signals", "flare.relief_guard_days", 28, "002"),
    ("signals", "goal.meaningful_share_percent", 20, "002"),
    ("signals", "expected_soreness.onset_from_hours", 24, "002"),
    ("signals", "expected_soreness.onset_to_hours", 48, "002"),
    ("signals", "expected_soreness.settled_by_hours", 48, "002"),
    ("signals", "flare.pain_rise_points", 2, "002"),
    ("signals", "flare.goal_drop_percent", 30, "002"),
    ("signals", "flare.min_days", 1, "002"),
    ("signals", "flare.settle_within_hours", 72, "002"),
    ("signals", "flare.setback_worse_points", 2, "002"),
    ("signals", "relief_window.pain_drop_points", 2, "002"),
    ("signals", "relief_window.pain_drop_percent", 30, "002"),
    ("signals", "response_established.min_relief_days", 1, "002"),
    ("signals", "response_established.within_sessions", 4, "002"),
    ("signals", "movement_entry.relief_window_days", 7, "002"),
    ("signals", "passive_active_ratio.window_days", 28, "002"),
    ("signals", "plateau.sessions", 3, "002"),
    ("signals", "plateau.min_days", 21, "002"),
    ("signals", "goal.met_held_days", 14, "002"),
    ("signals", "care_simply_continuing.sessions_after_plateau", 4, "002"),
    ("signals", "data_gap.window_days", 7, "001"),
    ("signals", "data_gap.min_logged_days", 4, "001"),
    ("checkpoints", "interval_days", 14, "002"),
    ("checkpoints", "interval_sessions", 4, "002"),
    ("checkpoints", "after_intervention_min_days", 14, "001"),
    ("checkpoints", "after_intervention_max_days", 21, "001"),
    ("checkpoints", "ongoing_care_max_review_days", 90, "002"),
    ("checkpoints", "refer_overlap_days", 14, "002"),
    ("checkpoints", "ongoing_care_progress_percent", 75, "002"),
    ("checkpoints", "capacity_progress_percent", 50, "002"),
]


@pytest.mark.parametrize(("group", "path", "value", "seed"), CARE_DEFAULTS)
def test_care_model_default_is_in_the_knowledge_base_with_its_seed(
    kb: KnowledgeBase, group: str, path: str, value: int, seed: str
):
    node: object = getattr(kb, group)
    for part in path.split("."):
        node = getattr(node, part)
    assert isinstance(node, Parameter)
    assert node.value == value
    assert node.seed == seed
    assert f"seed-{seed}" in {c.key for c in node.source}
    assert "care-model" in {c.key for c in node.source}


def test_every_care_default_is_listed_above(kb: KnowledgeBase):
    listed = {f"{group}.{path}" for group, path, _, _ in CARE_DEFAULTS}
    present = {
        k
        for k, e in kb.entries()
        if isinstance(e, Parameter) and k.startswith(("signals.", "checkpoints."))
    }
    assert present == listed


def test_knowledge_has_a_dated_version(kb: KnowledgeBase):
    assert kb.version.startswith("2026.")
