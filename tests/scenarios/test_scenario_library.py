"""The scenario library (docs/scenarios/): clinical stories with the signals and decision a
clinician expects, written from the specification and checked against the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import painpath
from painpath.domain.signals import SIGNAL_IDS

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "docs" / "scenarios").glob("*.json"))


def _matches(signal: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(signal.get(k) == v for k, v in wanted.items())


def _show(signals: list[dict[str, Any]]) -> str:
    keys = ("id", "status", "goal", "start", "end", "session", "value")
    return "\n".join(str({k: s.get(k) for k in keys if s.get(k) is not None}) for s in signals)


def test_the_library_covers_every_signal_and_every_decision():
    seen_ids: set[str] = set()
    decisions: set[str] = set()
    for path in SCENARIOS:
        expected = json.loads(path.read_text())["about"]["expected"]
        seen_ids |= {s["id"] for s in expected.get("signals", [])}
        decisions.add(expected["decision"])
    assert len(SCENARIOS) >= 20
    assert set(SIGNAL_IDS) <= seen_ids
    assert decisions == {"continue", "adjust", "transition", "refer", "ongoing_care", "graduate"}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path):
    data = json.loads(path.read_text())
    about = data["about"]
    expected = about["expected"]
    report = painpath.signals(data, today=about["today"]).to_dict()
    produced = report["signals"]
    for wanted in expected.get("signals", []):
        assert any(_matches(s, wanted) for s in produced), (
            f"{about['title']}: expected {wanted}\nproduced:\n{_show(produced)}"
        )
    for unwanted in expected.get("absent", []):
        pattern = {"id": unwanted} if isinstance(unwanted, str) else unwanted
        hits = [s for s in produced if _matches(s, pattern)]
        assert not hits, f"{about['title']}: unexpected {pattern}\n{_show(hits)}"
    proposal = painpath.propose_checkpoint(data, today=about["today"])
    assert proposal.decision == expected["decision"], (
        f"{about['title']}: proposed {proposal.decision} "
        f"({[r.rule for r in proposal.reasons]}), expected {expected['decision']}"
    )
    if "to" in expected:
        assert proposal.to == expected["to"]
