"""`painpath plan`, `painpath mme` and `painpath taper` as a user runs them: real processes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli

EXAMPLES = ROOT / "docs" / "examples" / "intake"
SYNTHEA = FIXTURES / "external" / "synthea-anna632-brekke496.json"


def _error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), stderr
    return lines


def test_plan_prints_the_plan_as_json():
    out = run_cli(
        "plan", str(EXAMPLES / "06_warehouse_worker_overtime.json"), "--today", "2026-01-05"
    )
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert {"status", "entry_phase", "phases", "checkpoints", "considered_not_planned",
            "medications", "mme", "taper", "constraints", "reasons", "missing"} <= set(plan)  # fmt: skip
    assert (plan["today"], plan["status"], plan["entry_phase"]) == (
        "2026-01-05",
        "plan",
        "extend_window",
    )
    assert [p["id"] for p in plan["phases"]] == [
        "extend_window",
        "blend",
        "build_capacity",
        "graduate",
    ]
    assert sum(p["sessions"] for p in plan["phases"]) <= 6
    assert plan["checkpoints"][0] == {"date": "2026-01-19", "window_end": None, "kind": "interval",
                                      "phase": "extend_window", "question": plan["checkpoints"][0]["question"]}  # fmt: skip
    assert plan == json.loads(
        (ROOT / "tests" / "golden" / "plan" / "06_warehouse_worker_overtime.json").read_text()
    )


def test_plan_text_shows_the_phases_and_what_was_considered():
    out = run_cli(
        "plan",
        str(EXAMPLES / "10_failed_flaring_active_programme.json"),
        "--today",
        "2026-01-05",
        "--format",
        "text",
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    headings = ["Referrals", "1. Settle and establish a response", "2. Extend the relief window",
                "3. Blend in active work", "4. Build capacity", "5. Graduate", "Checkpoints",
                "Considered, not planned", "Medication review",
                "Constraints change the plan, not the goals", "Why"]  # fmt: skip
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)  # referrals first, then the phases in order
    assert text.startswith("PROVISIONAL  An urgent referral comes first")
    assert "URGENT  Same-day clinician suicide-risk review" in text
    assert "2026-01-06 → 2026-02-03 · 4-week trial · 7 sessions" in text
    assert "Manual therapy (mobilisation, manipulation, soft tissue) (or Massage)" in text
    assert "Cognitive behavioural therapy for pain (or Acceptance and commitment therapy)" in text
    assert "In person: group with other visits or choose a telehealth alternative" in text
    assert "Acupuncture: guidelines disagree" in text
    assert "Total 60 MME/day  [mme_at_or_above_50]" in text
    assert "walk to the shops: at least 18 minutes (halfway from 5 to 30)" in text


def test_plan_reads_standard_input_and_shows_what_is_held_and_missing():
    text = (EXAMPLES / "12_cancer_history_night_pain.json").read_text()
    out = run_cli("plan", "-", "--today", "2026-01-05", "--format", "text", stdin=text)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("PROVISIONAL")
    assert (
        "Dry needling: held — Needling waits until serious pathology, a progressive" in out.stdout
    )
    assert "Missing" in out.stdout and "goals: no functional goals recorded" in out.stdout


def test_plan_refuses_a_bad_intake_one_line_per_problem(tmp_path: Path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"age": 5, "sex": "x", "duration_weeks": 10,
                                "regions": ["low_back"], "distribution": "regional",
                                "goals": [{"activity": "walk", "metric": "walk", "unit": "min",
                                           "baseline": 10, "target": 10}]}))  # fmt: skip
    out = run_cli("plan", str(path), "--today", "2026-01-05")
    assert out.returncode == 2
    assert out.stdout == ""
    assert _error_lines(out.stderr) == [
        "error: age: 5 is below the minimum 16",
        "error: sex: \"x\" is not one of 'female', 'male', 'other' or 'unknown'",
        "error: goals[0].target: the target must differ from the baseline",
    ]


def test_plan_refuses_a_bad_date():
    out = run_cli(
        "plan", str(EXAMPLES / "07_retired_teacher_knee_oa.json"), "--today", "2026-02-30"
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert _error_lines(out.stderr) == [
        "error: --today: '2026-02-30' is not a date; give YYYY-MM-DD"
    ]


def test_mme_of_a_simple_list(tmp_path: Path):
    path = tmp_path / "meds.json"
    path.write_text(json.dumps([{"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3},
                                {"ingredient": "morphine", "dose_mg": 15, "doses_per_day": 2}]))  # fmt: skip
    out = run_cli("mme", str(path))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["total_mme_per_day"] == 75.0  # 45 + 30
    assert result["complete"] is True and result["errors"] == []
    assert result["flags"] == ["mme_at_or_above_50"]
    assert [i["mme_per_day"] for i in result["items"]] == [45.0, 30.0]


def test_mme_of_a_synthea_bundle_prints_the_lower_bound_and_names_the_failing_order():
    out = run_cli("mme", str(SYNTHEA))
    assert out.returncode == 2
    result = json.loads(out.stdout)
    assert result["total_mme_per_day"] == 20.0
    assert result["complete"] is False and result["total_is_lower_bound"] is True
    assert result["items"][0]["ingredient"] == "hydrocodone"
    lines = _error_lines(out.stderr)
    assert lines[-1] == "error: the total is a lower bound"
    assert len(lines) == len(result["errors"]) + 1
    for line in lines[:-1]:
        assert "MedicationRequest/" in line
        assert "dosageInstruction[0]." in line  # the field that could not be read
    assert any(line.endswith("doseQuantity: no dose is given") for line in lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not valid JSON: Expecting value (line 1, column 1)"),
        ("[]", "error: the list is empty: give at least one medication"),
        (
            "42",
            "error: expected a FHIR MedicationRequest, a Bundle, a list of resources, or a list of items like",
        ),
    ],
    ids=["not-json", "empty-list", "a-number"],
)
def test_mme_refuses_what_is_not_a_medication_list(tmp_path: Path, content: str, message: str):
    path = tmp_path / "meds.json"
    path.write_text(content)
    out = run_cli("mme", str(path))
    assert out.returncode == 2
    assert out.stdout == ""
    (line,) = _error_lines(out.stderr)
    assert message in line


def test_taper_prints_dated_steps_as_json():
    out = run_cli("taper", "--mme", "100", "--duration-weeks", "8", "--start", "2026-01-05")
    assert out.returncode == 0, out.stderr
    taper = json.loads(out.stdout)
    assert (taper["regimen"], taper["start"], taper["starting_mme_per_day"]) == (
        "short_term",
        "2026-01-05",
        100.0,
    )
    steps = taper["steps"]
    assert [s["mme_per_day"] for s in steps[:8]] == [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 27.0]
    assert [s["date"] for s in steps[:3]] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert [s["kind"] for s in steps[-2:]] == ["extend_interval", "stop"]
    assert steps[-1]["mme_per_day"] == 0.0 and taper["end"] == steps[-1]["date"]
    assert all(a["mme_per_day"] >= b["mme_per_day"] for a, b in itertools.pairwise(steps))
    assert taper["follow_ups"][0] == "2026-02-02"  # at least monthly


def test_taper_text_is_a_dated_table():
    out = run_cli("taper", "--mme", "100", "--duration-weeks", "8", "--start", "2026-01-05",
                  "--format", "text")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "2026-01-12" in out.stdout and "Reduce to 80 MME/day" in out.stdout
    assert "Follow-up: 2026-02-02" in out.stdout
    assert "Never stop abruptly" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mme", "0", "--duration-weeks", "8"], "error: --mme: 0 is out of range; give more than 0 and at most 5000"),
        (["--mme", "-5", "--duration-weeks", "8"], "error: --mme: -5 is out of range; give more than 0 and at most 5000"),
        (["--mme", "100", "--duration-weeks", "8", "--start", "2026-13-01"], "error: --start: '2026-13-01' is not a date; give YYYY-MM-DD"),
        (["--mme", "100", "--duration-weeks", "abc"], "error: --duration-weeks: 'abc' is not a number; give 0–5200"),
        (["--mme", "nan", "--duration-weeks", "8"], "error: --mme: 'nan' is not a number; give more than 0 and at most 5000"),
        (["--mme", "100", "--duration-weeks", "-1"], "error: --duration-weeks: -1 is out of range; give 0–5200"),
    ],
    ids=["mme-zero", "mme-negative", "start-month-13", "weeks-text", "mme-nan", "weeks-negative"],
)  # fmt: skip
def test_taper_refuses_bad_options_naming_the_option(args: list[str], message: str):
    out = run_cli("taper", *args)
    assert out.returncode == 2
    assert out.stdout == ""
    assert _error_lines(out.stderr) == [message]
