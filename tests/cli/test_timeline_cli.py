"""`painpath signals` and `painpath checkpoint`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _timeline(pid: str = "p1", pain: list[int | None] | None = None) -> dict:
    pain = pain if pain is not None else [3] * 9 + [7, 6, 3, 3, 3]
    return {
        "patient_id": pid,
        "start": "2026-01-05",
        "phase": "settle",
        "goals": [
            {
                "id": "walk",
                "metric": "minutes_walked",
                "baseline": 10,
                "target": 30,
                "direction": "increase",
            }
        ],
        "days": [
            {"date": f"2026-01-{5 + i:02d}", "pain": p, "goals": {"walk": 10}}
            for i, p in enumerate(pain)
        ],
        "sessions": [{"date": "2026-01-12", "modalities": [{"name": "dry_needling"}]}],
    }


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_signals_prints_the_patient_the_phase_and_every_signal_with_evidence(tmp_path: Path):
    out = run_cli("signals", _write(tmp_path, _timeline()), "--today", "2026-01-18")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["patient_id"] == "p1" and report["phase"] == "settle"
    assert report["today"] == "2026-01-18"
    flare = next(s for s in report["signals"] if s["id"] == "flare")
    assert flare["status"] == "settling" and flare["start"] == "2026-01-14"
    assert flare["peak"] == {"date": "2026-01-14", "value": 7}
    assert flare["evidence"]["rule"] == "signals.flare"
    assert flare["evidence"]["data"]["baseline"] == 3
    assert "Painpath care model" in flare["evidence"]["sources"]
    assert all({"id", "evidence"} <= set(s) for s in report["signals"])


def test_signals_reads_a_list_and_answers_patient_by_patient(tmp_path: Path):
    data = [_timeline("a"), _timeline("b", [5] * 14)]
    out = run_cli("signals", _write(tmp_path, data), "--today", "2026-01-18")
    assert out.returncode == 0, out.stderr
    reports = json.loads(out.stdout)
    assert [r["patient_id"] for r in reports] == ["a", "b"]
    assert any(s["id"] == "flare" for s in reports[0]["signals"])
    assert not any(s["id"] == "flare" for s in reports[1]["signals"])


def test_rows_after_today_are_ignored(tmp_path: Path):
    early = run_cli("signals", _write(tmp_path, _timeline()), "--today", "2026-01-13")
    assert not any(s["id"] == "flare" for s in json.loads(early.stdout)["signals"])


def test_checkpoint_prints_a_decision_with_reasons(tmp_path: Path):
    out = run_cli("checkpoint", _write(tmp_path, _timeline()), "--today", "2026-01-18")
    assert out.returncode == 0, out.stderr
    proposal = json.loads(out.stdout)
    assert proposal["decision"] in {
        "continue",
        "adjust",
        "transition",
        "refer",
        "ongoing_care",
        "graduate",
    }
    assert proposal["reasons"] and all({"rule", "text"} <= set(r) for r in proposal["reasons"])


def test_text_formats_read_as_a_clinician_summary(tmp_path: Path):
    path = _write(tmp_path, _timeline())
    sig = run_cli("signals", path, "--today", "2026-01-18", "--format", "text")
    assert sig.returncode == 0 and "flare (settling)" in sig.stdout and "phase settle" in sig.stdout
    cp = run_cli("checkpoint", path, "--today", "2026-01-18", "--format", "text")
    assert cp.returncode == 0 and "Proposed:" in cp.stdout


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t["days"][3].update(pain=11), "error: days[3].pain: 11 is out of range 0–10"),
        (
            lambda t: t["days"][2].update(steps=-5),
            "error: days[2].steps: -5 is out of range 0–200 000 steps",
        ),
        (
            lambda t: t["days"][4].update(date="2026-01-06"),
            "error: days[4].date: 2026-01-06 comes before days[3].date 2026-01-08: list days in date order",
        ),
        (
            lambda t: t["days"][4].update(date="2026-01-08"),
            "error: days[4].date: 2026-01-08 repeats days[3].date",
        ),
        (
            lambda t: t["sessions"][0].update(date="2026-01-01"),
            "error: sessions[0].date: 2026-01-01 is before start 2026-01-05",
        ),
        (
            lambda t: t["days"][0].update(goals={"run": 3}),
            "error: days[0].goals.run: unknown goal id (goals: walk)",
        ),
    ],
    ids=[
        "pain 11",
        "negative steps",
        "dates out of order",
        "duplicate day",
        "session before start",
        "unknown goal",
    ],
)
def test_bad_input_exits_2_naming_the_path_and_prints_nothing(tmp_path: Path, change, expected):
    data = _timeline()
    change(data)
    for command in ("signals", "checkpoint"):
        out = run_cli(command, _write(tmp_path, data), "--today", "2026-01-18")
        assert out.returncode == 2
        assert expected in out.stderr.splitlines()
        assert out.stdout == "" and "Traceback" not in out.stderr


def test_a_bad_timeline_inside_a_list_is_named_by_its_index(tmp_path: Path):
    bad = _timeline("b")
    bad["days"][1]["pain"] = -1
    out = run_cli("signals", _write(tmp_path, [_timeline("a"), bad]), "--today", "2026-01-18")
    assert out.returncode == 2
    assert "error: [1].days[1].pain: -1 is out of range 0–10" in out.stderr.splitlines()


@pytest.mark.parametrize("today", ["2026-02-30", "yesterday", "1900-01-01"])
def test_a_bad_today_is_refused(tmp_path: Path, today: str):
    out = run_cli("signals", _write(tmp_path, _timeline()), "--today", today)
    assert out.returncode == 2 and out.stderr.startswith("error: today:")


def test_the_published_timeline_schema_is_current():
    root = Path(__file__).resolve().parents[2]
    out = run_cli("schema", "timeline")
    assert json.loads(out.stdout) == json.loads(
        (root / "docs" / "schema" / "timeline.schema.json").read_text()
    ), "stale: painpath schema timeline > docs/schema/timeline.schema.json"
