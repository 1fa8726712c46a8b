"""The intake wizard as data: its steps, the fields of each step, and the two-way mapping
between a browser form and the intake JSON (docs/schema/intake.schema.json).

Form field names ARE the intake's JSON paths (``age``, ``irritability.peak_severity``,
``goals[0].target``, ``questionnaires.phq9.4``), so an error the intake's own validation names
by path lands on the field that holds it. A draft is stored exactly as typed: a number that does
not read as one stays text in the draft (nothing typed is lost) and the intake's validation
names it. ``None`` / absent means *not recorded* and ``[]`` *examined, none found*: every list
has its own "none" box, so an empty form never claims a negative finding.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData

from painpath.domain.assessment import IntakeError
from painpath.domain.assessment.engine import read_intake
from painpath.domain.assessment.intake import (
    ComorbidSymptom,
    Constraints,
    Distribution,
    Factor,
    HypersensitivityHistory,
    HypersensitivitySign,
    ImagingReport,
    InflammatoryFeature,
    Intake,
    IrritabilityInputs,
    MovementFinding,
    NeuroSign,
    PriorTreatment,
    Region,
)
from painpath.knowledge import KnowledgeBase

__all__ = [
    "FINDINGS",
    "GOALS",
    "GROUPS",
    "IMAGING",
    "MEDICATIONS",
    "STEPS",
    "TREATMENTS",
    "Field",
    "Group",
    "Problem",
    "Step",
    "anchor_of",
    "check_all",
    "check_step",
    "code_label",
    "error_key",
    "field_values",
    "group_rows",
    "make_problem",
    "merge",
    "path_label",
    "read_step",
    "step_by_id",
    "step_index",
    "step_of_path",
]

# --- option lists: from the intake model (the schema's enums), labelled for people --------------

_LABELS = {
    "low_back": "Low back",
    "upper_back": "Upper back",
    "wrist_hand": "Wrist and hand",
    "upper_arm": "Upper arm",
    "lower_leg": "Lower leg",
    "mri": "MRI",
    "ct": "CT",
    "xray": "X-ray",
    "ultrasound": "Ultrasound",
    "computer_work": "Computer work",
    "overhead_activity": "Overhead activity",
    "position_change": "Changing position",
    "poor_sleep": "Poor sleep",
    "manual_therapy": "Manual therapy",
    "morning_stiffness_over_30_min": "Morning stiffness over 30 minutes",
    "night_pain_second_half": "Night pain in the second half of the night",
    "positive_neurodynamic_test": "Positive neurodynamic test (e.g. straight leg raise)",
    "widespread_pressure_tenderness": "Widespread pressure tenderness",
    "painful_after_sensations": "Painful after-sensations",
    "load_spike": "Recent spike in load",
    "sustained_posture": "Sustained postures",
    "guarding": "Protective guarding",
}


def code_label(code: object) -> str:
    """A code as a person reads it: ``low_back`` → "Low back"."""
    text = str(code)
    return _LABELS.get(text, text.replace("_", " ").capitalize())


def _literals(annotation: object) -> list[str]:
    """The string values of a Literal inside ``annotation`` (through Optional / list[...])."""
    if typing.get_origin(annotation) is typing.Literal:
        return [a for a in typing.get_args(annotation) if isinstance(a, str)]
    found: list[str] = []
    for arg in typing.get_args(annotation):
        found += _literals(arg)
    return found


def _enum(
    model: type[BaseModel], name: str, labels: Mapping[str, str] | None = None
) -> tuple[tuple[str, str], ...]:
    """A field's allowed values (its schema enum), each with the words a person reads."""
    values = _literals(model.model_fields[name].annotation)
    return tuple((v, (labels or {}).get(v) or code_label(v)) for v in values)


def _options(alias: object) -> tuple[tuple[str, str], ...]:
    return tuple((v, code_label(v)) for v in _literals(alias))


# --- fields and steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One input. ``kind``: int, number, text, longtext, choice (one of ``options``), multi
    (any of ``options``, with a ``none_label`` box meaning "examined, none found"), tribool
    (yes / no / not recorded), check (a box that is true or false)."""

    name: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    required: bool = False
    none_label: str = ""
    width: str = ""

    def named(self, prefix: str) -> Field:
        """This field inside a row: ``name`` → ``goals[0].name``."""
        return Field(
            f"{prefix}.{self.name}",
            self.label,
            self.kind,
            self.options,
            self.hint,
            self.required,
            self.none_label,
            self.width,
        )

    @property
    def inputmode(self) -> str:
        return {"int": "numeric", "number": "decimal"}.get(self.kind, "")


@dataclass(frozen=True)
class Group:
    """Repeating rows of a list of objects (medications, prior treatments, goals, imaging)."""

    key: str
    row_label: str
    fields: tuple[Field, ...]
    max_rows: int
    spare_rows: int
    none_label: str = ""
    min_rows: int = 0


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    intro: str
    keys: tuple[str, ...]
    fields: tuple[Field, ...] = ()
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()


_YES_NO = (("yes", "Yes"), ("no", "No"))

HISTORY = (
    Field("age", "Age (years)", "int", required=True, width="short"),
    Field("sex", "Sex", "choice", _enum(Intake, "sex"), required=True),
    Field("duration_weeks", "Duration of pain (weeks)", "number", required=True),
    Field(
        "regions",
        "Pain regions",
        "multi",
        _options(Region),
        required=True,
        hint="Tick every region where the patient has pain.",
    ),
    Field("distribution", "Distribution", "choice", _options(Distribution), required=True),
    Field(
        "aggravating",
        "Aggravating factors",
        "multi",
        _options(Factor),
        none_label="Asked: nothing reliably aggravates it",
    ),
    Field(
        "easing",
        "Easing factors",
        "multi",
        _options(Factor),
        none_label="Asked: nothing reliably eases it",
    ),
    Field(
        "flares_after_minor_stressors",
        "Flares after minor stressors",
        "tribool",
        _YES_NO,
        hint="Does the pain flare after minor physical or emotional stressors?",
    ),
    Field("notes", "Clinical notes", "longtext", hint="Free text for the team (optional)"),
)

IRRITABILITY = (
    Field(
        "irritability.provoked_by",
        "Least activity that provokes symptoms",
        "choice",
        _enum(
            IrritabilityInputs,
            "provoked_by",
            {
                "minimal": "Minimal activity (e.g. a few minutes of sitting)",
                "moderate": "Moderate activity",
                "vigorous": "Only vigorous activity",
            },
        ),
    ),
    Field(
        "irritability.peak_severity",
        "Peak severity (0-10)",
        "int",
        width="short",
        hint="How bad symptoms get, 0 to 10",
    ),
    Field(
        "irritability.settle_hours",
        "Hours to settle",
        "number",
        width="short",
        hint="How long symptoms take to settle after being provoked, in hours",
    ),
)

EXAMINATION = (
    Field(
        "neuro_signs",
        "Neurological signs",
        "multi",
        _options(NeuroSign),
        none_label="Examined: no neurological signs",
    ),
    Field(
        "hypersensitivity_signs",
        "Signs of hypersensitivity",
        "multi",
        _options(HypersensitivitySign),
        none_label="Examined: no signs of hypersensitivity",
    ),
    Field(
        "hypersensitivity_history",
        "History of hypersensitivity (to)",
        "multi",
        _options(HypersensitivityHistory),
        none_label="Asked: no history of hypersensitivity",
    ),
    Field(
        "comorbid_symptoms",
        "Comorbid symptoms",
        "multi",
        _options(ComorbidSymptom),
        none_label="Asked: none of these",
    ),
    Field(
        "inflammatory_features",
        "Inflammatory features",
        "multi",
        _options(InflammatoryFeature),
        none_label="Asked: no inflammatory features",
    ),
    Field(
        "movement_findings",
        "Movement findings",
        "multi",
        _options(MovementFinding),
        none_label="Examined: no movement findings",
    ),
    Field(
        "pain_not_fully_explained",
        "Pain not fully explained by nociceptive or neuropathic mechanisms",
        "tribool",
        _YES_NO,
        hint="Your judgement for IASP criterion 3. Leave it as not recorded to let Painpath "
        "derive it.",
    ),
)

CONSTRAINTS = (
    Field(
        "constraints.covered_visits",
        "Covered visits",
        "int",
        width="short",
        hint="How many visits the patient's cover pays for",
    ),
    Field("constraints.schedule", "Schedule", "text", hint="e.g. full-time office job"),
    Field("constraints.work_pattern", "Work pattern", "text", hint="e.g. warehouse shifts"),
    Field(
        "constraints.transport",
        "Transport",
        "choice",
        _enum(
            Constraints,
            "transport",
            {"own": "Own transport", "public": "Public transport", "none": "No transport"},
        ),
    ),
    Field("constraints.caregiving", "Caring for someone", "tribool", _YES_NO),
    Field(
        "constraints.heavy_workload",
        "Heavy workload",
        "tribool",
        _YES_NO,
        hint="Overtime, long shifts or little paid leave",
    ),
    Field("constraints.telehealth_ok", "Telehealth is possible", "tribool", _YES_NO),
)

TREATMENTS = Group(
    "prior_treatments",
    "Prior treatment",
    (
        Field("name", "Treatment", "text", required=True),
        Field("kind", "Kind", "choice", _enum(PriorTreatment, "kind"), required=True),
        Field("response", "Response", "choice", _enum(PriorTreatment, "response"), required=True),
        Field("weeks", "Weeks tried", "number", width="short"),
        Field("relief_days", "Days of relief", "number", width="short"),
        Field("flared", "Provoked a flare", "tribool", _YES_NO),
    ),
    max_rows=30,
    spare_rows=1,
    none_label="Asked: no treatment tried before",
)

MEDICATIONS = Group(
    "medications",
    "Medication",
    (
        Field("name", "Name", "text", required=True, hint="e.g. tramadol, or OxyContin 20 mg"),
        Field("dose_mg", "Dose (mg per dose)", "number", width="short"),
        Field("doses_per_day", "Doses per day", "number", width="short"),
        Field(
            "mcg_per_hr", "Patch strength (mcg/hour)", "number", width="short", hint="Patches only"
        ),
        Field("weeks", "Weeks taken", "number", width="short"),
        Field("prn", "Taken as needed (PRN)", "check"),
        Field("rxnorm", "RxNorm code", "text", width="short", hint="Optional"),
    ),
    max_rows=30,
    spare_rows=1,
    none_label="Asked: no current medications",
)

GOALS = Group(
    "goals",
    "Goal",
    (
        Field("activity", "Activity", "text", required=True, hint="In the patient's words"),
        Field(
            "metric",
            "Measure",
            "text",
            hint="A short code such as minutes_walked; left empty, it is made from the activity",
        ),
        Field("unit", "Unit", "text", required=True, width="short", hint="e.g. minutes"),
        Field("baseline", "Baseline", "number", required=True, width="short"),
        Field("target", "Target", "number", required=True, width="short"),
    ),
    max_rows=3,
    spare_rows=0,
    min_rows=3,
)

IMAGING = Group(
    "imaging",
    "Imaging report",
    (
        Field("modality", "Modality", "choice", _enum(ImagingReport, "modality"), required=True),
        Field("region", "Region", "choice", _enum(ImagingReport, "region"), required=True),
    ),
    max_rows=10,
    spare_rows=1,
    none_label="No imaging has been done",
)
FINDINGS = Group(
    "findings",
    "Finding",
    (
        Field("finding", "Finding", "text", hint="A code, e.g. disc_bulge"),
        Field("level", "Level", "text", width="short", hint="e.g. L4-L5"),
        Field("note", "Note", "text"),
    ),
    max_rows=30,
    spare_rows=2,
)

GROUPS = {g.key: g for g in (TREATMENTS, MEDICATIONS, GOALS, IMAGING)}

STEPS: tuple[Step, ...] = (
    Step(
        "history",
        "History",
        "Who the patient is and where, how long and in what pattern the pain is.",
        (
            "age",
            "sex",
            "duration_weeks",
            "regions",
            "distribution",
            "aggravating",
            "easing",
            "flares_after_minor_stressors",
            "notes",
        ),
        HISTORY,
    ),
    Step(
        "irritability",
        "Irritability",
        "Maitland's three questions: how little provokes the symptoms, how severe they get and "
        "how long they take to settle. Leave all three empty if they were not asked.",
        ("irritability",),
        IRRITABILITY,
    ),
    Step(
        "examination",
        "Examination",
        "Coded examination findings. Tick what was found, or the 'none' box when you examined "
        "and found nothing: an empty group means not examined.",
        (
            "neuro_signs",
            "hypersensitivity_signs",
            "hypersensitivity_history",
            "comorbid_symptoms",
            "inflammatory_features",
            "movement_findings",
            "pain_not_fully_explained",
        ),
        EXAMINATION,
    ),
    Step(
        "red_flags",
        "Red-flag screen",
        "Tick every red flag found. If you screened and found none, tick the box that says so: "
        "an unticked screen is shown as NOT SCREENED.",
        ("red_flag_findings",),
    ),
    Step(
        "questionnaires",
        "Questionnaires",
        "Enter the answers of each questionnaire the patient completed. Scores update as you "
        "answer (and on saving); leave a questionnaire empty if it was not given.",
        ("questionnaires",),
    ),
    Step(
        "imaging",
        "Imaging",
        "Each imaging study with its findings. Findings are compared with how common they are "
        "in people of the same age without pain.",
        ("imaging",),
    ),
    Step(
        "treatments",
        "Prior treatments",
        "What has been tried before and how it went.",
        ("prior_treatments",),
    ),
    Step(
        "medications",
        "Medications",
        "Current medications with their doses (opioid doses are converted to MME/day).",
        ("medications",),
    ),
    Step(
        "constraints",
        "Constraints",
        "What the plan has to fit around. The goals stay the same; the route changes.",
        ("constraints",),
        CONSTRAINTS,
    ),
    Step(
        "goals",
        "Goals",
        "The patient's three most important functional goals, each measurable: where they are "
        "now (baseline) and where they want to be (target).",
        ("goals",),
    ),
    Step(
        "review",
        "Review and submit",
        "Check the intake, then submit it: Painpath scores the questionnaires, makes the "
        "assessment and the first plan.",
        (),
    ),
)

_BY_ID = {s.id: s for s in STEPS}
_STEP_OF_KEY = {key: s.id for s in STEPS for key in s.keys}
_SIMPLE = {f.name: f for s in STEPS for f in s.fields}
_MULTI = {name for name, f in _SIMPLE.items() if f.kind == "multi"} | {"red_flag_findings"}
# What a step that is not the history is checked with, so the intake's required fields (all in
# the history) do not hide the step's own problems.
_PLACEHOLDER: dict[str, Any] = {
    "age": 40,
    "sex": "unknown",
    "duration_weeks": 1,
    "regions": ["low_back"],
    "distribution": "localized",
}


def step_index(step_id: str) -> int:
    """The position of a step (0-based); unknown ids count as the first step."""
    for n, s in enumerate(STEPS):
        if s.id == step_id:
            return n
    return 0


def step_by_id(step_id: str) -> Step | None:
    return _BY_ID.get(step_id)


def step_of_path(path: str) -> str:
    """The step that holds a JSON path: ``goals[0].target`` → goals; anything the wizard does
    not ask for (``patient_ref``, an unknown key, the whole intake) → review."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return _STEP_OF_KEY.get(head, "review")


def error_key(path: str) -> str:
    """The form field an error path belongs to: ``regions[2]`` → ``regions`` (a checkbox
    group); everything else is its own field name."""
    bare = re.sub(r"\[\d+\]$", "", path)
    return bare if bare in _MULTI else path


def anchor_of(path: str) -> str:
    """The id of the element that shows ``path`` (an input, or the fieldset of a group)."""
    name = error_key(path)
    return "f-" + name.replace(".", "-").replace("[", "-").replace("]", "")


def path_label(path: str, kb: KnowledgeBase | None = None) -> str:
    """A path as a person reads it: ``goals[0].target`` → "Goal 1: Target"."""
    key = error_key(path)
    if key in _SIMPLE:
        return _SIMPLE[key].label
    if key == "red_flag_findings":
        return "Red flags"
    m = re.fullmatch(r"questionnaires\.([a-z0-9_]+)(?:\.(\d+))?", key)
    if m:
        short = m.group(1)
        if kb is not None and m.group(1) in kb.instruments:
            short = kb.instruments[m.group(1)].short_name
        return f"{short} item {m.group(2)}" if m.group(2) else short
    m = re.fullmatch(r"imaging\[(\d+)\]\.findings\[(\d+)\](?:\.(\w+))?", key)
    if m:
        where = f"Imaging report {int(m.group(1)) + 1}, finding {int(m.group(2)) + 1}"
        return _with_field(where, FINDINGS, m.group(3))
    m = re.fullmatch(r"([a-z_]+)\[(\d+)\](?:\.(\w+))?", key)
    if m and m.group(1) in GROUPS:
        group = GROUPS[m.group(1)]
        return _with_field(f"{group.row_label} {int(m.group(2)) + 1}", group, m.group(3))
    head = key.split(".")[0]
    if head == "irritability":
        return "Irritability"
    if head == "constraints":
        return "Constraints"
    if key in {"imaging", "prior_treatments", "medications", "goals"}:
        return _BY_ID[_STEP_OF_KEY[key]].title
    return "The intake" if key == "(intake)" else code_label(key)


def _with_field(where: str, group: Group, name: str | None) -> str:
    if not name:
        return where
    for f in group.fields:
        if f.name == name:
            return f"{where}: {f.label}"
    return f"{where}: {code_label(name)}"


# --- form → intake ------------------------------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TEXT_LIMIT = 10_000  # far above any limit of the schema: the intake's validation names it


def _raw(form: FormData, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:_TEXT_LIMIT]


def _number(raw: str) -> int | float | str:
    """What a number field holds: a number when the text reads as one, else the text itself
    (kept in the draft, named by the intake's validation)."""
    # "1,500" is a thousand and a half; "1,5" is refused (never read as 15).
    text = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw) else raw
    if _INT.match(text):
        return int(text)
    if _NUM.match(text):
        number = float(text)
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number
    return raw


def _read_field(f: Field, form: FormData) -> tuple[bool, Any]:
    """(present, value) of one field: absent fields are left out of the intake."""
    if f.kind in {"int", "number"}:
        raw = _raw(form, f.name)
        return (True, _number(raw)) if raw else (False, None)
    if f.kind in {"text", "longtext", "choice"}:
        raw = _raw(form, f.name)
        return (True, raw) if raw else (False, None)
    if f.kind == "tribool":
        raw = _raw(form, f.name)
        if raw in {"yes", "no"}:
            return True, raw == "yes"
        return False, None
    if f.kind == "check":
        return True, _raw(form, f.name) in {"on", "true", "yes", "1"}
    if f.kind == "multi":
        chosen = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
        chosen = list(dict.fromkeys(chosen))
        if chosen:
            return True, chosen
        if _raw(form, f.name + ".none"):
            return True, []
        return False, None
    raise ValueError(f"unknown field kind {f.kind}")


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _read_fields(fields: Iterable[Field], form: FormData) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        present, value = _read_field(f, form)
        if present:
            _put(out, f.name, value)
    return out


def _row_indexes(form: FormData, prefix: str) -> list[int]:
    pattern = re.compile(re.escape(prefix) + r"\[(\d+)\]\.")
    found = {int(m.group(1)) for k in form if (m := pattern.match(k))}
    return sorted(i for i in found if i < 100)


def _read_group(group: Group, form: FormData, prefix: str) -> list[dict[str, Any]]:
    """The non-blank rows of a group (a row with only unticked boxes is blank)."""
    rows: list[dict[str, Any]] = []
    for i in _row_indexes(form, prefix):
        at = f"{prefix}[{i}]"
        if _raw(form, f"{at}.remove"):
            continue
        row: dict[str, Any] = {}
        for f in group.fields:
            present, value = _read_field(f.named(at), form)
            if present:
                row[f.name] = value
        meaningful = any(v is not False for v in row.values())
        if group is IMAGING:
            # A study without findings is an unremarkable one: recorded as such, explicitly.
            row["findings"] = _read_group(FINDINGS, form, f"{at}.findings")
            meaningful = meaningful or bool(row["findings"])
        if meaningful:
            rows.append(row)
    return rows


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "goal_" + slug
    return slug[:64].rstrip("_")


def read_step(step_id: str, form: FormData, kb: KnowledgeBase) -> dict[str, Any]:
    """The part of the intake one step's form holds (only keys that were filled in)."""
    step = _BY_ID[step_id]
    if step.fields:
        return _read_fields(step.fields, form)
    if step_id == "red_flags":
        codes = {f.id for f in kb.red_flags.flags if not f.trigger}
        present, value = _read_field(
            Field("red_flag_findings", "Red flags", "multi", tuple((c, c) for c in codes)), form
        )
        return {"red_flag_findings": value} if present else {}
    if step_id == "questionnaires":
        answers: dict[str, dict[str, Any]] = {}
        for instrument in kb.instruments.values():
            given: dict[str, Any] = {}
            for item in instrument.items:
                raw = _raw(form, f"questionnaires.{instrument.id}.{item.id}")
                if raw:
                    given[item.id] = int(raw) if _INT.match(raw) else raw
            if given:
                answers[instrument.id] = given
        return {"questionnaires": answers} if answers else {}
    group = {"imaging": IMAGING, "treatments": TREATMENTS, "medications": MEDICATIONS}.get(step_id)
    if group is not None:
        rows = _read_group(group, form, group.key)
        if rows:
            return {group.key: rows}
        return {group.key: []} if _raw(form, f"{group.key}.none") else {}
    if step_id == "goals":
        goals = _read_group(GOALS, form, "goals")
        for g in goals:
            if not g.get("metric") and isinstance(g.get("activity"), str):
                g["metric"] = _slug(g["activity"])
        return {"goals": goals} if goals else {}
    return {}


def merge(
    data: Mapping[str, Any], step_id: str, part: Mapping[str, Any], kb: KnowledgeBase
) -> dict[str, Any]:
    """The draft with one step's keys replaced by what its form now holds. Questionnaires the
    knowledge base does not define (from another source) are kept."""
    step = _BY_ID[step_id]
    merged = {k: v for k, v in data.items() if k not in step.keys}
    merged.update(part)
    if step_id == "questionnaires":
        old = data.get("questionnaires")
        new = dict(part.get("questionnaires", {}))
        if isinstance(old, Mapping):
            for instrument, answers in old.items():
                if instrument not in kb.instruments and instrument not in new:
                    new[instrument] = answers
        if new:
            merged["questionnaires"] = new
        else:
            merged.pop("questionnaires", None)
    return merged


# --- intake → form ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def field_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """What every field of the wizard shows for ``data``: text for inputs, a list of codes for
    checkbox groups, and ``<name>.none`` set when a list was recorded empty."""
    values: dict[str, Any] = {}
    for s in STEPS:
        for f in s.fields:
            _show(values, f, _get(data, f.name))
    flags = data.get("red_flag_findings")
    _show(values, Field("red_flag_findings", "", "multi"), flags)
    qs = data.get("questionnaires")
    if isinstance(qs, Mapping):
        for instrument, answers in qs.items():
            if isinstance(answers, Mapping):
                for item, answer in answers.items():
                    values[f"questionnaires.{instrument}.{item}"] = _text(answer)
    for group in (TREATMENTS, MEDICATIONS, GOALS, IMAGING):
        rows = data.get(group.key)
        if rows == []:
            values[f"{group.key}.none"] = "on"
        if not isinstance(rows, list):
            continue
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                continue
            for f in group.fields:
                _show(values, f.named(f"{group.key}[{i}]"), row.get(f.name))
            if group is IMAGING and isinstance(row.get("findings"), list):
                for j, finding in enumerate(row["findings"]):
                    if isinstance(finding, Mapping):
                        for f in FINDINGS.fields:
                            _show(
                                values,
                                f.named(f"imaging[{i}].findings[{j}]"),
                                finding.get(f.name),
                            )
    return values


def _show(values: dict[str, Any], f: Field, value: Any) -> None:
    if f.kind == "multi":
        if isinstance(value, list):
            values[f.name] = [str(v) for v in value]
            if not value:
                values[f.name + ".none"] = "on"
        return
    if f.kind == "check":
        if value is True:
            values[f.name] = "on"
        return
    if value is not None:
        values[f.name] = _text(value)


def group_rows(data: Mapping[str, Any], group: Group, parent: Any = None) -> int:
    """How many rows of ``group`` to show: the stored ones and the spare blank ones."""
    source = data if parent is None else parent
    rows = source.get(group.key) if isinstance(source, Mapping) else None
    stored = len(rows) if isinstance(rows, list) else 0
    return min(max(stored + group.spare_rows, group.min_rows), max(group.max_rows, stored))


# --- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of the intake, placed on its step and field."""

    path: str
    message: str
    step: str
    key: str = field(default="")
    label: str = ""
    anchor: str = ""


def _problems(data: Mapping[str, Any], kb: KnowledgeBase) -> list[tuple[str, str]]:
    try:
        read_intake(dict(data), kb.assessment)
    except IntakeError as exc:
        return list(exc.problems)
    return []


def _polish(path: str, message: str, data: Mapping[str, Any]) -> str:
    shown = _shown(data, path)
    if message.startswith("Input should be a valid integer"):
        return f"{shown} is not a whole number" if shown else "give a whole number"
    if message.startswith("Input should be a valid number"):
        return f"{shown} is not a number" if shown else "give a number"
    if message == "required":
        return "is required"
    if message == "give dose_mg or mcg_per_hr (a patch), not both":
        return "give a dose in mg or a patch strength, not both"
    if message.startswith("Extra inputs are not permitted"):
        return "is not part of the intake"
    return message


def _shown(data: Mapping[str, Any], path: str) -> str:
    node: Any = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        else:
            node = node.get(part) if isinstance(node, Mapping) else None
    return f'"{node}"' if isinstance(node, str) else ""


def make_problem(path: str, message: str, kb: KnowledgeBase | None = None) -> Problem:
    """A problem placed on its step, field and anchor."""
    return Problem(
        path=path,
        message=message,
        step=step_of_path(path),
        key=error_key(path),
        label=path_label(path, kb),
        anchor=anchor_of(path),
    )


def check_step(data: Mapping[str, Any], step_id: str, kb: KnowledgeBase) -> list[Problem]:
    """The problems of one step's part of the intake, found by the intake's own validation
    (the other steps stand in with valid placeholders so they hide nothing)."""
    if step_id == "review":
        return _check_review(data, kb)
    probe = {k: v for k, v in data.items() if step_of_path(k) == step_id}
    if step_id != "history":
        probe = {**_PLACEHOLDER, **probe}
    return [
        make_problem(path, _polish(path, message, data), kb)
        for path, message in _problems(probe, kb)
        if step_of_path(path) == step_id
    ]


def _check_review(data: Mapping[str, Any], kb: KnowledgeBase) -> list[Problem]:
    probe = {**_PLACEHOLDER, **{k: v for k, v in data.items() if step_of_path(k) == "review"}}
    return [
        make_problem(path, _polish(path, message, data), kb)
        for path, message in _problems(probe, kb)
        if step_of_path(path) == "review"
    ]


def check_all(data: Mapping[str, Any], kb: KnowledgeBase) -> list[Problem]:
    """Every problem of the draft, step by step in the wizard's order."""
    found: list[Problem] = []
    for s in STEPS:
        found += check_step(data, s.id, kb)
    return found
