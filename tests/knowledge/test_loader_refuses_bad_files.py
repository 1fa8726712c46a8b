"""A bad knowledge file is refused whole, with a message naming file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from painpath.knowledge import KnowledgeError, load_knowledge
from painpath.knowledge._yaml import parse_yaml


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _problems(data_dir: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_dir=data_dir)
    return [p.line() for p in caught.value.problems]


def test_a_band_bound_that_is_not_a_number_names_file_entry_and_field(data_copy: Path):
    _edit(
        data_copy / "instruments/phq9.yaml",
        "when: [{on: total, lte: 14}]",
        "when: [{on: total, lte: fourteen}]",
    )
    assert _problems(data_copy) == [
        "instruments/phq9.yaml: entry bands[moderate], field when[0].lte: "
        "Input should be a valid number, unable to parse string as a number"
    ]


def test_an_unknown_source_key_is_refused(data_copy: Path):
    _edit(data_copy / "instruments/tsk17.yaml", "source: vlaeyen1995", "source: nobody2020")
    (line,) = _problems(data_copy)
    assert line.startswith("instruments/tsk17.yaml: entry flags[kinesiophobia_high], field source")
    assert "unknown source 'nobody2020'" in line


def test_a_band_without_a_source_cannot_load(data_copy: Path):
    _edit(
        data_copy / "instruments/gad7.yaml",
        "{id: mild, label: Mild, when: [{on: total, lte: 9}], source: spitzer2006, certainty: "
        "confirmed}",
        "{id: mild, label: Mild, when: [{on: total, lte: 9}]}",
    )
    assert _problems(data_copy) == [
        "instruments/gad7.yaml: entry bands[mild], field source: required field is missing"
    ]


def test_bands_that_leave_a_gap_are_refused(data_copy: Path):
    # Upper bounds tried in order cannot leave a gap; a lower bound set too high can.
    _edit(
        data_copy / "instruments/tsk11.yaml",
        "when: [{on: total, gte: 36}]",
        "when: [{on: total, gte: 37}]",
    )
    (line,) = _problems(data_copy)
    assert line.startswith("instruments/tsk11.yaml:")
    assert line.endswith("no band covers a total of 36")


def test_wording_of_a_licensed_instrument_is_refused(data_copy: Path):
    _edit(
        data_copy / "instruments/odi.yaml",
        '  - {id: "1", topic: Pain intensity}',
        '  - {id: "1", topic: Pain intensity, text: "copied wording"}',
    )
    (line,) = _problems(data_copy)
    assert "does not allow shipping item wording (items 1)" in line


def test_a_default_outside_its_allowed_range_is_refused(data_copy: Path):
    _edit(
        data_copy / "signals.yaml",
        "  pain_rise_points:\n    value: 2",
        "  pain_rise_points:\n    value: 9",
    )
    assert _problems(data_copy) == [
        "signals.yaml: entry flare, field pain_rise_points: "
        "value 9 is outside the allowed range 1–5 points"
    ]


def test_a_misspelt_field_is_refused_not_ignored(data_copy: Path):
    _edit(data_copy / "instruments/isi.yaml", "  max: 4\nitems:", "  max: 4\n  maks: 5\nitems:")
    assert _problems(data_copy) == [
        "instruments/isi.yaml: entry response, field maks: "
        "unknown field (check the spelling; the schema does not have it)"
    ]


def test_a_duplicated_key_is_refused_with_its_line(data_copy: Path):
    _edit(data_copy / "instruments/nprs.yaml", "version: 1\n", "version: 1\nversion: 2\n")
    (line,) = _problems(data_copy)
    assert line == (
        "instruments/nprs.yaml: not valid YAML (line 3, column 1): "
        "the key 'version' is written twice"
    )


def test_an_id_must_match_its_file_name(data_copy: Path):
    (data_copy / "instruments/nprs.yaml").rename(data_copy / "instruments/pain.yaml")
    assert _problems(data_copy) == [
        "instruments/pain.yaml: field id: the id 'nprs' must match the file name 'pain'"
    ]


def test_a_file_without_a_schema_is_refused(data_copy: Path):
    (data_copy / "procedures.yaml").write_text("version: 1\n")
    assert _problems(data_copy) == ["procedures.yaml: no schema is known for this file"]


def test_every_problem_in_every_file_is_reported_at_once(data_copy: Path):
    _edit(data_copy / "instruments/phq9.yaml", "max: 3\n  options", "max: three\n  options")
    _edit(
        data_copy / "checkpoints.yaml",
        "value: 14\n  unit: days\n  allowed_min: 7",
        "value: 0\n  unit: days\n  allowed_min: 7",
    )
    lines = _problems(data_copy)
    assert len(lines) == 2
    assert lines[0].startswith("checkpoints.yaml: entry interval_days")
    assert lines[1].startswith("instruments/phq9.yaml: entry response, field max")


def test_yaml_one_point_one_booleans_are_plain_words():
    # `on` and `no` would be booleans in YAML 1.1; knowledge files use them as words.
    assert parse_yaml("{on: total, label: no, other: yes, flag: true}", "x.yaml") == {
        "on": "total",
        "label": "no",
        "other": "yes",
        "flag": True,
    }


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("when: [{on: total, lte: 14}]", "when: [{on: total, lte: .inf}]", "entry bands[moderate], field when[0].lte: Input should be a finite number"),
        ("when: [{on: total, lte: 14}]", "when: [{on: total, lte: .nan}]", "entry bands[moderate], field when[0].lte: Input should be a finite number"),
        ("  points: 5\n", "  points: .inf\n", "entry change, field points: Input should be a finite number"),
        ("  method: sum\n", "  method: sum\n  max_missing: true\n", "entry scoring, field max_missing: Input should be a valid integer"),
        ("  method: sum\n", "  method: sum\n  max_missing: 1.0\n", "entry scoring, field max_missing: Input should be a valid integer"),
        ("  min: 0\n  max: 3\n", "  min: 0\n  max: 2000000000\n", "entry response: a response scale spans at most 100 points"),
    ],
)  # fmt: skip
def test_numbers_a_scale_cannot_hold_are_refused(
    data_copy: Path, old: str, new: str, expected: str
):
    _edit(data_copy / "instruments/phq9.yaml", old, new)
    lines = _problems(data_copy)
    assert any(line.startswith(f"instruments/phq9.yaml: {expected}") for line in lines), lines


def test_a_recode_to_nan_is_refused(data_copy: Path):
    _edit(
        data_copy / "instruments/startback.yaml", "recode: {0: 0, 1: 0,", "recode: {0: .nan, 1: 0,"
    )
    (line,) = _problems(data_copy)
    assert "field recode.0: Input should be a finite number" in line


def test_a_subscale_cannot_count_an_item_twice(data_copy: Path):
    _edit(
        data_copy / "instruments/dn4.yaml",
        'items: ["1", "2", "3", "4", "5", "6", "7"]',
        'items: ["1", "1", "3"]',
    )
    (line,) = _problems(data_copy)
    assert line.startswith("instruments/dn4.yaml: entry subscales[interview], field items: ")
    assert "an item is listed twice" in line


@pytest.mark.parametrize("value", ["2026-02-30", "!!int abc"])
def test_yaml_values_that_cannot_be_built_are_refused(data_copy: Path, value: str):
    _edit(data_copy / "instruments/nprs.yaml", "version: 1\n", f"version: 1\nextra: {value}\n")
    (line,) = _problems(data_copy)
    assert line.startswith("instruments/nprs.yaml: not valid YAML: ")
