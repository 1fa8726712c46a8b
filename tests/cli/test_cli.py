"""The `painpath` command as a user runs it: real processes, real output, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli

PHQ9 = {"1": 2, "2": 2, "3": 3, "4": 2, "5": 1, "6": 1, "7": 1, "8": 0, "9": 1}


def _error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_instruments_lists_all_seventeen():
    out = run_cli("instruments", "--json")
    assert out.returncode == 0
    listed = json.loads(out.stdout)
    assert len(listed) == 17
    assert {"phq9", "odi", "slanss"} <= {i["id"] for i in listed}
    table = run_cli("instruments")
    assert table.returncode == 0 and "painDETECT" in table.stdout


def test_score_prints_the_contract_json():
    out = run_cli("score", "phq9", "--answers", json.dumps(PHQ9))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"instrument", "total", "band", "subscales", "flags", "missing", "explanation"} <= set(
        result
    )
    assert result["instrument"] == "phq9"
    assert result["total"] == 13
    assert result["band"] == "moderate"
    assert result["subscales"] == {}
    assert result["flags"] == ["safety_item9"]
    assert result["missing"] == []
    assert all("[" in line for line in result["explanation"])


def test_score_reads_answers_from_a_file_and_from_stdin(tmp_path: Path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"1": 7, "2": 7, "3": 8}))
    from_file = run_cli("score", "peg", "--answers", f"@{path}")
    from_stdin = run_cli("score", "peg", "--answers", "@-", stdin=path.read_text())
    assert json.loads(from_file.stdout)["total"] == json.loads(from_stdin.stdout)["total"] == 7.33


def test_score_text_format_is_for_people():
    out = run_cli("score", "startback", "--format", "text", "-a",
                  '{"1":1,"2":0,"3":1,"4":1,"5":1,"6":1,"7":1,"8":0,"9":3}')  # fmt: skip
    assert out.returncode == 0
    assert "High risk" in out.stdout and "psychosocial 4" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "phq9", "--answers", json.dumps(PHQ9 | {"4": 5})], "error: phq9 item 4: 5 is out of range 0–3"),
        (["score", "phq9", "--answers", '{"10": 1}'], 'error: phq9 item 10: unknown item; phq9 has items "1"…"9"'),
        (["score", "phq9", "--answers", '{"4": "x"}'], 'error: phq9 item 4: "x" is not a whole number; allowed answers are 0–3'),
        (["score", "odi", "--answers", '{"1": 2}'], "error: odi: 9 of 10 items unanswered (items 2, 3, 4, 5, 6, 7, 8, 9 and 10); at most 2 may be missing"),
        (["score", "phq10", "--answers", "{}"], "error: unknown instrument 'phq10'; known instruments: csi, dn4, gad2, gad7, isi, nprs, odi, paindetect, pcs, peg, phq2, phq9, psfs, slanss, startback, tsk11, tsk17"),
        (["score", "phq9", "--answers", "{bad"], "error: --answers is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
        (["score", "phq9", "--answers", "@/no/such/file.json"], "error: --answers @/no/such/file.json: no such file"),
        (["score", "phq9"], """error: give the answers: painpath score phq9 --answers '{"1": 0, ...}'"""),
        (["score"], "error: name an instrument, e.g. `painpath score phq9 --answers '{...}'`"),
        (["compare", "phq9", "--before", "30", "--after", "3"], "error: phq9 before: 30 is out of range 0–27"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line_and_no_traceback(args: list[str], message: str):
    out = run_cli(*args)
    assert out.returncode == 2
    assert _error_line(out.stderr) == message
    assert out.stdout == ""


def test_score_a_fhir_questionnaire_response(tmp_path: Path):
    cirg = json.loads((FIXTURES / "external" / "CIRG-PEG.json").read_text())
    items = []
    for item, value in zip(cirg["item"][:3], ["6", "4", "5"], strict=True):
        (option,) = [o for o in item["answerOption"] if o["valueCoding"]["display"] == value]
        items.append({"linkId": item["linkId"], "answer": [{"valueCoding": option["valueCoding"]}]})
    items.append({"linkId": "91147-9", "answer": [{"valueDecimal": 3}]})
    path = tmp_path / "response.json"
    path.write_text(
        json.dumps({"resourceType": "QuestionnaireResponse", "status": "completed", "item": items})
    )
    out = run_cli("score", "--fhir", str(path))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["instrument"], result["total"]) == ("peg", 5)
    assert result["fhir"]["stored_total"] == {"linkId": "91147-9", "value": 3.0, "agrees": False}
    assert any(line.startswith("fhir.stored_total") for line in result["explanation"])


def test_score_fhir_refuses_a_resource_it_cannot_read(tmp_path: Path):
    path = tmp_path / "patient.json"
    path.write_text('{"resourceType": "Patient"}')
    out = run_cli("score", "--fhir", str(path))
    assert out.returncode == 2
    assert _error_line(out.stderr) == "error: expected a QuestionnaireResponse, got Patient"


def test_compare_says_which_threshold_it_used():
    out = run_cli("compare", "odi", "--before", "48", "--after", "30")
    assert out.returncode == 0
    result = json.loads(out.stdout)
    assert result["status"] == "improved"
    assert result["threshold"] == {
        "kind": "mic",
        "points": 10.0,
        "percent": 30.0,
        "source": ["Ostelo 2008"],
    }
    answers = run_cli(
        "compare", "peg", "--before", '{"1":7,"2":7,"3":8}', "--after", "5", "--format", "text"
    )
    assert "improved" in answers.stdout and "MID 1 or 30%" in answers.stdout


def test_knowledge_check_summarises_a_valid_base():
    out = run_cli("knowledge", "check")
    assert out.returncode == 0
    assert (
        "is valid" in out.stdout
        and "17 instruments" in out.stdout
        and "33 care-model defaults" in out.stdout
    )


def test_knowledge_check_reports_every_problem_of_a_bad_override(tmp_path: Path):
    (tmp_path / "signals.yaml").write_text(
        "override:\n  reason: x\nflare:\n  pain_rise_points: 0\n"
    )
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "odi.yaml").write_text(
        "override:\n  reason: x\nscoring:\n  max_missing: 10\n"
    )
    out = run_cli("knowledge", "check", "--overrides", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "error: signals.yaml (with overrides/signals.yaml): entry flare, field pain_rise_points: value 0 is outside the allowed range 1–5 points",
        "error: instruments/odi.yaml (with overrides/instruments/odi.yaml): scoring.max_missing 10 leaves no item",
    ]  # fmt: skip


def test_knowledge_check_lists_what_a_clinic_changed(tmp_path: Path):
    (tmp_path / "checkpoints.yaml").write_text(
        "override:\n  reason: weekly checkpoints\n  approved_by: clinic lead\ninterval_days: 7\n"
    )
    out = run_cli("knowledge", "check", env={"PAINPATH_KNOWLEDGE_OVERRIDES": str(tmp_path)})
    assert out.returncode == 0
    assert "override checkpoints.yaml: weekly checkpoints (approved by clinic lead)" in out.stdout
    assert "changed checkpoints.interval_days.value" in out.stdout


def test_knowledge_show_prints_an_entry_with_its_source():
    out = run_cli("knowledge", "show", "phq9.bands.moderate")
    assert out.returncode == 0
    assert out.stdout.splitlines()[0].startswith("instruments.phq9.bands.moderate")
    assert "lte: 14" in out.stdout
    assert "[kroenke2001] Kroenke K, Spitzer RL, Williams JB." in out.stdout


def test_knowledge_show_a_default_cites_its_seed():
    out = run_cli("knowledge", "show", "signals.flare.settle_within_hours")
    assert out.returncode == 0
    assert "value: 72" in out.stdout and "[seed-002]" in out.stdout


def test_knowledge_show_an_unknown_key_suggests_near_ones():
    out = run_cli("knowledge", "show", "phq9.bandz")
    assert out.returncode == 2
    assert _error_line(out.stderr).startswith(
        "error: no knowledge entry 'phq9.bandz'; did you mean instruments.phq9.bands"
    )


def test_the_committed_instrument_reference_is_current():
    out = run_cli("knowledge", "docs")
    assert out.returncode == 0
    committed = (ROOT / "docs" / "instruments.md").read_text()
    assert out.stdout == committed, (
        "docs/instruments.md is stale: run `painpath knowledge docs -o docs/instruments.md`"
    )


def test_fhir_questionnaire_prints_one_or_writes_all(tmp_path: Path):
    out = run_cli("fhir", "questionnaire", "peg")
    assert out.returncode == 0
    assert json.loads(out.stdout)["code"][0]["code"] == "91148-7"
    written = run_cli("fhir", "questionnaire", "all", "--output", str(tmp_path / "q"))
    assert written.returncode == 0
    assert len(list((tmp_path / "q").glob("Questionnaire-*.json"))) == 17
    unknown = run_cli("fhir", "questionnaire", "rmdq")
    assert unknown.returncode == 2 and _error_line(unknown.stderr).startswith(
        "error: unknown instrument"
    )


def test_ask_administers_a_questionnaire_and_asks_again_after_a_bad_answer():
    out = run_cli("ask", "peg", "--json", stdin="7\n11\nseven\n7\n8\n")
    assert out.returncode == 0, out.stderr
    assert "peg item 2: 11 is out of range 0–10" in out.stdout
    assert 'peg item 2: "seven" is not a whole number' in out.stdout
    result = json.loads(out.stdout[out.stdout.index("{") :])
    assert result["total"] == 7.33


def test_ask_lets_optional_items_be_skipped_and_insists_on_the_rest():
    answers = "\n".join(["2", "", "2", "2", "2", "2", "2", "", "2", "2"]) + "\n"
    out = run_cli("ask", "odi", "--json", stdin=answers)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout[out.stdout.index("{") :])
    assert result["missing"] == ["2", "8"]
    required = run_cli("ask", "gad2", stdin="\n1\n1\n")
    assert "an answer is needed for this item" in required.stdout


def test_ask_stops_cleanly_when_input_ends():
    out = run_cli("ask", "phq9", stdin="1\n2\n")
    assert out.returncode == 1
    assert _error_line(out.stderr) == "error: no more input: the questionnaire was not finished"


def test_demo_intake_scores_the_seed_patient():
    out = run_cli("demo-intake")
    assert out.returncode == 0, out.stderr
    for expected in (
        "Severe disability",
        "neuropathic_likely",
        "kinesiophobia_high",
        "improved",
        "no meaningful change",
    ):
        assert expected in out.stdout


def test_version_and_help():
    assert run_cli("--version").stdout.strip().startswith("painpath 0.")
    helped = run_cli("--help")
    assert helped.returncode == 0
    for command in ("score", "compare", "ask", "instruments", "knowledge", "fhir", "demo-intake"):
        assert command in helped.stdout


def test_an_internal_error_prints_one_line_not_a_traceback(monkeypatch, capsys):
    import painpath.cli as cli

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 70
    err = capsys.readouterr().err
    assert err.startswith("painpath: internal error (RuntimeError)") and "Traceback" not in err


def test_python_dash_m_runs_the_same_cli():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "painpath", "score", "nprs", "-a", '{"1": 4}'],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0 and json.loads(out.stdout)["total"] == 4


# --- review regressions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "nprs", "-a", '{"1": ' + "9" * 5000 + "}"], "error: --answers is not valid JSON: "),
        (["score", "nprs", "-a", '{"1": 1, "1": 2}'], "error: --answers: the key '1' is given twice"),
        (["compare", "phq9", "--before", "1" + "0" * 400, "--after", "3"], "error: phq9 before: a very large number is out of range 0–27"),
        (["knowledge", "docs", "-o", "/nonexistent/dir/x.md"], "error: cannot write /nonexistent/dir/.x.md.painpath-tmp: No such file or directory"),
        (["fhir", "questionnaire", "phq9", "-o", "/tmp"], "error: cannot write /tmp: it is a directory"),
    ],
)  # fmt: skip
def test_hostile_input_still_gets_one_line_and_exit_2(args: list[str], message: str):
    out = run_cli(*args)
    assert out.returncode == 2, out.stderr
    assert _error_line(out.stderr).startswith(message)


def test_writing_all_questionnaires_is_all_or_nothing(tmp_path: Path):
    target = tmp_path / "q"
    (target / "Questionnaire-phq2.json").mkdir(parents=True)  # in the way
    out = run_cli("fhir", "questionnaire", "all", "-o", str(target))
    assert out.returncode == 2
    assert sorted(p.name for p in target.iterdir()) == ["Questionnaire-phq2.json"]


def _bundle(tmp_path: Path, *answers: int) -> Path:
    entries = [
        {"resource": {"resourceType": "QuestionnaireResponse", "status": "completed",
                      "questionnaire": "http://painpath.org/fhir/Questionnaire/nprs",
                      "item": [{"linkId": "1", "answer": [{"valueInteger": a}]}]}}
        for a in answers
    ]  # fmt: skip
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    return path


def test_a_bundle_in_text_and_its_exit_status(tmp_path: Path):
    mixed = run_cli("score", "--fhir", str(_bundle(tmp_path, 4, 12)), "--format", "text")
    assert mixed.returncode == 0
    assert mixed.stdout.splitlines() == [
        "entry 0: NPRS 4",
        "entry 1: nprs item 1: 12 is out of range 0–10 (response linkId '1')",
    ]
    failed = run_cli("score", "--fhir", str(_bundle(tmp_path, 11, 12)))
    assert failed.returncode == 2
    assert (
        _error_line(failed.stderr) == "error: none of the 2 responses in the Bundle could be scored"
    )
    assert len(json.loads(failed.stdout)) == 2


def test_instruments_json_includes_the_change_threshold():
    listed = {i["id"]: i for i in json.loads(run_cli("instruments", "--json").stdout)}
    assert listed["odi"]["change"] == {
        "kind": "mic",
        "points": 10.0,
        "percent": 30.0,
        "source": ["Ostelo 2008"],
    }
    assert listed["pcs"]["change"] is None


def test_minus_zero_is_zero():
    out = run_cli("compare", "nprs", "--before", "-0.0", "--after", "2", "--format", "text")
    assert out.stdout.startswith("0 → 2")


# --- assessment ------------------------------------------------------------------------------------

EXAMPLES = ROOT / "docs" / "examples" / "intake"


def test_assess_prints_the_contract_json():
    out = run_cli("assess", str(EXAMPLES / "02_sciatica_cannot_sit.json"))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"red_flags", "plan_blocked", "mechanisms", "drivers", "irritability", "psychosocial",
            "imaging", "explanation"} <= set(result)  # fmt: skip
    assert result["plan_blocked"] is False
    assert result["irritability"]["grade"] == "high"


def test_assess_text_is_the_clinician_summary_with_red_flags_first():
    out = run_cli("assess", str(EXAMPLES / "08_cauda_equina.json"), "--format", "text")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert "Red flags" in lines[0]
    assert " EMERGENCY " in out.stdout and "PLAN BLOCKED" in out.stdout


def test_assess_reads_standard_input():
    text = (EXAMPLES / "07_retired_teacher_knee_oa.json").read_text()
    assert json.loads(run_cli("assess", "-", stdin=text).stdout)["plan_blocked"] is False


def test_an_invalid_intake_exits_2_with_each_problem_by_path(tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"age": 200, "sex": "male", "duration_weeks": 4, "regions": ["low_back"],
                                "distribution": "regional", "red_flag_findings": ["purple_toes"],
                                "irritability": {"provoked_by": "minimal", "peak_severity": 11, "settle_hours": 1}}))  # fmt: skip
    out = run_cli("assess", str(path))
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "error: age: 200 is above the maximum 120",
        "error: irritability.peak_severity: 11 is above the maximum 10",
    ]
    path.write_text(json.dumps({"age": 40, "sex": "male", "duration_weeks": 4, "regions": ["low_back"],
                                "distribution": "regional", "red_flag_findings": ["purple_toes"]}))  # fmt: skip
    out = run_cli("assess", str(path))
    assert out.returncode == 2
    assert _error_line(out.stderr) == (
        "error: red_flag_findings[0]: unknown red-flag code 'purple_toes' (see `painpath knowledge show red_flags`)"
    )
    assert "Traceback" not in out.stderr


def test_imaging_prints_the_finding_in_context():
    out = run_cli("imaging", "--age", "45", "--finding", "disc_bulge")
    assert out.returncode == 0
    assert json.loads(out.stdout) == {
        "finding": "disc_bulge",
        "age": 45,
        "prevalence_pct": 55.0,
        "common": True,
        "text": "Disc bulge shows up on the scans of about 55 in 100 people aged 45 who have no back pain at all. Because it is so common in people without pain, on its own it is not proof of what is causing yours.",
        "source": ["Brinjikji 2015", "PMC4975884"],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--age", "45", "--finding", "knee_oa"], "error: unknown finding 'knee_oa'; the reference table has: disc_degeneration, disc_signal_loss, disc_height_loss, disc_bulge, disc_protrusion, annular_fissure, facet_degeneration, spondylolisthesis"),
        (["--age", "200", "--finding", "disc_bulge"], "error: --age: 200: give a whole number of years in 16–120"),
    ],
)  # fmt: skip
def test_imaging_refuses_what_it_cannot_answer(args, message):
    out = run_cli("imaging", *args)
    assert out.returncode == 2 and _error_line(out.stderr) == message


def test_schema_prints_the_published_intake_schema():
    out = run_cli("schema", "intake")
    assert json.loads(out.stdout) == json.loads(
        (ROOT / "docs" / "schema" / "intake.schema.json").read_text()
    )


def test_the_committed_assessment_rules_reference_is_current():
    out = run_cli("knowledge", "docs", "assessment")
    committed = (ROOT / "docs" / "assessment-rules.md").read_text()
    assert out.stdout == committed, (
        "run `painpath knowledge docs assessment -o docs/assessment-rules.md`"
    )


def test_the_committed_planning_rules_reference_is_current():
    out = run_cli("knowledge", "docs", "planning")
    committed = (ROOT / "docs" / "planning-rules.md").read_text()
    assert out.stdout == committed, (
        "run `painpath knowledge docs planning -o docs/planning-rules.md`"
    )
    assert "| Epidural steroid injection (`epidural_steroid_injection`)" in committed
    assert "| methadone | 6813 | 4.7 | mg/day |" in committed


def test_knowledge_show_reaches_assessment_entries():
    out = run_cli("knowledge", "show", "red_flags.flags.foot_drop")
    assert (
        out.returncode == 0 and "urgency: urgent" in out.stdout and "[finucane2020]" in out.stdout
    )
    irritability = run_cli("knowledge", "show", "assessment.irritability.settle_high_hours")
    assert "value: 4" in irritability.stdout


def test_assess_names_a_missing_file_and_a_directory_plainly(tmp_path: Path):
    missing = run_cli("assess", str(tmp_path / "nope.json"))
    assert _error_line(missing.stderr) == f"error: {tmp_path / 'nope.json'}: no such file"
    directory = run_cli("assess", str(tmp_path))
    assert _error_line(directory.stderr) == f"error: {tmp_path}: is a directory, not a file"


def test_an_unscreened_intake_says_so_in_red_not_none_found(tmp_path: Path):
    path = tmp_path / "i.json"
    path.write_text(
        json.dumps(
            {
                "age": 40,
                "sex": "female",
                "duration_weeks": 20,
                "regions": ["knee"],
                "distribution": "localized",
            }
        )
    )
    out = run_cli("assess", str(path), "--format", "text")
    assert "NOT SCREENED: record the red-flag findings" in out.stdout
