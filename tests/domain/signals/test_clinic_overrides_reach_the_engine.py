"""Every number the engine uses comes from the knowledge base, so a clinic's override of a
default changes the signals — and the evidence shows the number that was used."""

from __future__ import annotations

from pathlib import Path

import painpath
from painpath import load_knowledge
from tests.domain.signals.builder import iso, timeline


def _clinic(tmp_path: Path, text: str) -> painpath.KnowledgeBase:
    (tmp_path / "signals.yaml").write_text("override: {reason: our clinic's rule}\n" + text)
    return load_knowledge(overrides=tmp_path)


def test_a_clinic_that_counts_a_one_point_rise_as_a_flare_sees_one(tmp_path: Path):
    tl = timeline("3*7 4 3 3 3")
    default = painpath.signals(tl, today=iso(10))
    assert default.of("flare") == []
    strict = _clinic(tmp_path, "flare:\n  pain_rise_points:\n    value: 1\n")
    report = painpath.signals(tl, today=iso(10), knowledge=strict)
    (flare,) = report.of("flare")
    assert flare.start.isoformat() == iso(7)
    assert flare.evidence.parameters["pain_rise_points"] == 1
    assert flare.evidence.data["baseline"] == 3


def test_a_clinic_with_a_longer_checkpoint_interval_is_not_due_yet(tmp_path: Path):
    (tmp_path / "checkpoints.yaml").write_text(
        "override: {reason: monthly reviews}\ninterval_days:\n  value: 28\n"
    )
    tl = timeline("3*20")
    assert painpath.signals(tl, today=iso(19)).of("checkpoint_due")
    relaxed = load_knowledge(overrides=tmp_path)
    assert painpath.signals(tl, today=iso(19), knowledge=relaxed).of("checkpoint_due") == []
