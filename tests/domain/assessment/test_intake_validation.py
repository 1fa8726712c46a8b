"""An invalid intake is refused with every problem named by its JSON path; nothing is guessed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import painpath
from painpath.domain.assessment import Intake
from painpath.knowledge import load_knowledge
from tests.conftest import ROOT
from tests.domain.assessment.helpers import BASE, intake

KB = load_knowledge()


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(painpath.IntakeError) as caught:
        painpath.assess(data, knowledge=KB)
    return list(caught.value.problems)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"age": 200}, [("age", "200 is above the maximum 120")]),
        ({"age": 12}, [("age", "12 is below the minimum 16")]),
        ({"age": "forty"}, [("age", "Input should be a valid integer")]),
        ({"age": " 44 "}, [("age", "Input should be a valid integer")]),  # strict: no coercion
        ({"age": True}, [("age", "Input should be a valid integer")]),
        ({"flares_after_minor_stressors": "yes"}, [("flares_after_minor_stressors", "Input should be a valid boolean")]),
        ({"irritability": {"provoked_by": "minimal", "peak_severity": True, "settle_hours": 1}}, [("irritability.peak_severity", "Input should be a valid integer")]),
        ({"age": ...}, [("age", "required")]),
        ({"distribution": "everywhere"}, [("distribution", "\"everywhere\" is not one of 'localized', 'regional', 'multifocal' or 'widespread'")]),
        ({"regions": []}, [("regions", "needs at least 1")]),
        ({"regions": ["knee", "knee"]}, [("regions", "'knee' is listed twice")]),
        ({"irritability": {"provoked_by": "minimal", "peak_severity": 11, "settle_hours": 1}}, [("irritability.peak_severity", "11 is above the maximum 10")]),
        ({"duration_weeks": -1}, [("duration_weeks", "-1 is below the minimum 0")]),
        ({"duration_weeks": float("nan")}, [("duration_weeks", "Input should be a finite number")]),
        ({"red_flag_findings": ["ces_saddle_anaesthesia", "purple_toes"]}, [("red_flag_findings[1]", "unknown red-flag code 'purple_toes' (see `painpath knowledge show red_flags`)")]),
        ({"red_flag_findings": ["phq9_self_harm_thoughts"]}, [("red_flag_findings[0]", "unknown red-flag code 'phq9_self_harm_thoughts' (see `painpath knowledge show red_flags`)")]),
        ({"questionnaires": {"phq9": {"4": 5}}}, [("questionnaires.phq9.4", "5 is out of range 0–3")]),
        ({"questionnaires": {"phq10": {}}}, [("questionnaires.phq10", "unknown instrument; known: csi, dn4, gad2, gad7, isi, nprs, odi, paindetect, pcs, peg, phq2, phq9, psfs, slanss, startback, tsk11, tsk17")]),
        ({"questionnaires": {"peg": {"1": 5}}}, [("questionnaires.peg", "2 of 3 items unanswered (items 2 and 3); at most 0 may be missing")]),
        ({"goals": [{"activity": "walk", "metric": "minutes_walked", "unit": "min", "baseline": 10, "target": 10}]}, [("goals[0].target", "the target must differ from the baseline")]),
        ({"nickname": "Bob"}, [("nickname", "unknown field")]),
        ({"imaging": [{"modality": "pet", "region": "low_back"}]}, [("imaging[0].modality", "\"pet\" is not one of 'mri', 'ct', 'xray' or 'ultrasound'")]),
        ({"notes": "x" * 4001}, [("notes", "longer than 4000 characters")]),
    ],
)  # fmt: skip
def test_each_problem_is_named_by_its_path(changes: dict[str, Any], expected):
    assert problems(intake(**changes)) == expected


def test_every_problem_is_reported_at_once():
    found = problems(intake(age=200, sex="robot", regions=[]))
    assert [p for p, _ in found] == ["age", "sex", "regions"]


def test_knowledge_checks_report_all_their_problems_together():
    found = problems(intake(red_flag_findings=["nope"], questionnaires={"phq9": {"1": 9}, "x": {}}))
    assert [p for p, _ in found] == [
        "red_flag_findings[0]",
        "questionnaires.phq9.1",
        "questionnaires.x",
    ]


def test_an_intake_must_be_an_object():
    assert problems([1, 2]) == [("(intake)", "an intake is a JSON object, not a list")]


def test_a_typed_intake_is_checked_against_the_knowledge_base_too():
    typed = Intake.model_validate(intake(red_flag_findings=["purple_toes"]))
    with pytest.raises(
        painpath.IntakeError, match=r"red_flag_findings\[0\]: unknown red-flag code"
    ):
        painpath.assess(typed, knowledge=KB)


def test_the_published_schema_is_generated_from_the_model():
    committed = json.loads((ROOT / "docs" / "schema" / "intake.schema.json").read_text())
    assert committed == Intake.model_json_schema(), (
        "docs/schema/intake.schema.json is stale: painpath schema intake > docs/schema/intake.schema.json"
    )


@pytest.mark.parametrize("path", sorted((ROOT / "docs" / "examples" / "intake").glob("*.json")))
def test_every_example_intake_is_valid_against_the_model(path: Path):
    Intake.model_validate(json.loads(path.read_text()))


# --- properties -----------------------------------------------------------------------------------

codes = sorted(KB.red_flags.finding_codes)
regions = ["neck", "low_back", "knee", "shoulder", "hip", "achilles"]
factors = [
    "flexion",
    "extension",
    "sitting",
    "walking",
    "stress",
    "rest",
    "lifting",
    "overhead_activity",
]


def answers(instrument: str) -> st.SearchStrategy[dict[str, int]]:
    d = KB.instrument(instrument)
    return st.fixed_dictionaries({i.id: st.sampled_from(d.scale_for(i).allowed) for i in d.items})


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


valid_intakes = st.fixed_dictionaries(
    {
        "age": st.integers(16, 120),
        "sex": st.sampled_from(["female", "male", "other", "unknown"]),
        "duration_weeks": st.floats(0, 5200, allow_nan=False),
        "regions": st.lists(st.sampled_from(regions), min_size=1, max_size=4, unique=True),
        "distribution": st.sampled_from(["localized", "regional", "multifocal", "widespread"]),
    },
    optional={
        "aggravating": st.lists(st.sampled_from(factors), unique=True, max_size=4),
        "easing": st.lists(st.sampled_from(factors), unique=True, max_size=3),
        "flares_after_minor_stressors": maybe(st.booleans()),
        "pain_not_fully_explained": maybe(st.booleans()),
        "irritability": maybe(
            st.fixed_dictionaries(
                {
                    "provoked_by": st.sampled_from(["minimal", "moderate", "vigorous"]),
                    "peak_severity": st.integers(0, 10),
                    "settle_hours": st.floats(0, 720, allow_nan=False),
                }
            )
        ),
        "red_flag_findings": st.lists(st.sampled_from(codes), unique=True, max_size=3),
        "neuro_signs": maybe(
            st.lists(st.sampled_from(["reflex_change", "myotomal_weakness"]), unique=True)
        ),
        "hypersensitivity_signs": maybe(
            st.lists(st.sampled_from(["heat_allodynia", "cold_allodynia"]), unique=True)
        ),
        "hypersensitivity_history": maybe(
            st.lists(st.sampled_from(["touch", "cold"]), unique=True)
        ),
        "comorbid_symptoms": maybe(
            st.lists(st.sampled_from(["fatigue", "sleep_disturbance"]), unique=True)
        ),
        "inflammatory_features": maybe(
            st.lists(st.sampled_from(["swelling", "warmth"]), unique=True)
        ),
        "movement_findings": maybe(
            st.lists(st.sampled_from(["guarding", "load_spike"]), unique=True)
        ),
        "questionnaires": st.dictionaries(
            st.sampled_from(
                ["phq9", "nprs", "odi", "tsk17", "csi", "dn4", "startback", "isi", "pcs"]
            ),
            st.just(None),
            max_size=4,
        ),
        "imaging": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "modality": st.sampled_from(["mri", "xray"]),
                        "region": st.sampled_from(["low_back", "neck", "knee"]),
                        "findings": st.lists(
                            st.fixed_dictionaries(
                                {
                                    "finding": st.sampled_from(
                                        ["disc_bulge", "spondylolisthesis", "knee_osteoarthritis"]
                                    )
                                }
                            ),
                            max_size=3,
                        ),
                    }
                ),
                max_size=2,
            )
        ),
        "prior_treatments": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.just("programme"),
                    "kind": st.sampled_from(["active", "passive", "intervention"]),
                    "response": st.sampled_from(["none", "partial", "good", "worse"]),
                    "flared": maybe(st.booleans()),
                }
            ),
            max_size=2,
        ),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), intake_data=valid_intakes)
def test_random_valid_intakes_never_crash(data: st.DataObject, intake_data: dict[str, Any]):
    for instrument in list(intake_data.get("questionnaires", {})):
        intake_data["questionnaires"][instrument] = data.draw(answers(instrument))
    a = painpath.assess(intake_data, knowledge=KB)
    assert a.plan_blocked is any(f.urgency == "emergency" for f in a.red_flags)
    assert [m.id for m in a.mechanisms] == ["nociceptive", "neuropathic", "nociplastic"]
    scores = [d.score for d in a.drivers]
    for d in a.drivers:  # competition ranking: equal scores share a rank
        assert d.rank == (1 + sum(1 for s in scores if s > d.score) if d.score else None)
    assert all(line for line in a.explanation)
    json.dumps(a.to_dict())  # always serialisable
    assert painpath.assess(intake_data, knowledge=KB) == a  # deterministic


junk = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats()
    | st.text(max_size=8)
    | st.lists(st.integers(), max_size=2)
)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from([*sorted(Intake.model_fields), "unknown_field"]), value=junk)
def test_random_invalid_fields_are_refused_with_a_path(field: str, value: Any):
    data = dict(BASE) | {field: value}
    try:
        painpath.assess(data, knowledge=KB)
    except painpath.IntakeError as exc:
        assert exc.problems
        for path, message in exc.problems:
            assert path and message and "\n" not in message
            assert path.split(".")[0].split("[")[0] in {
                *Intake.model_fields,
                "unknown_field",
                "(intake)",
            }
