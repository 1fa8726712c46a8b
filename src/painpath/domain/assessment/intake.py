"""The intake: what a first visit records, as a typed model with a published JSON Schema.

care-model.md §2 (seed 001 "What to expect at your first visit"; seed 000). Coded where it can
be, so rules can read it; free text only where a person writes for a person. Every list and
string is bounded, every number has its range. ``None`` means *not recorded* and ``[]`` means
*examined, none found*: the engine never reads one as the other.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "Constraints",
    "Goal",
    "ImagingFinding",
    "ImagingReport",
    "Intake",
    "IrritabilityInputs",
    "Medication",
    "PriorTreatment",
]

Region = Literal[
    "head", "jaw", "neck", "shoulder", "upper_arm", "elbow", "forearm", "wrist_hand",
    "upper_back", "chest", "abdomen", "low_back", "buttock", "hip", "groin", "thigh", "knee",
    "lower_leg", "calf", "achilles", "ankle", "foot",
]  # fmt: skip
Distribution = Literal["localized", "regional", "multifocal", "widespread"]
Factor = Literal[
    "flexion", "extension", "rotation", "sitting", "standing", "walking", "running", "stairs",
    "lifting", "bending", "carrying", "overhead_activity", "reaching", "gripping", "driving",
    "lying", "rest", "activity", "exercise", "heat", "cold", "stress", "poor_sleep", "morning",
    "evening", "loading", "kneeling", "squatting", "jumping", "computer_work", "position_change",
    "medication", "manual_therapy",
]  # fmt: skip
NeuroSign = Literal[
    "dermatomal_sensory_loss", "myotomal_weakness", "reflex_change", "positive_neurodynamic_test",
]  # fmt: skip
HypersensitivitySign = Literal[
    "static_mechanical_allodynia", "dynamic_mechanical_allodynia", "heat_allodynia",
    "cold_allodynia", "painful_after_sensations", "widespread_pressure_tenderness",
]  # fmt: skip
HypersensitivityHistory = Literal["touch", "pressure", "movement", "heat", "cold"]
ComorbidSymptom = Literal[
    "sleep_disturbance", "fatigue", "cognitive_problems", "light_sensitivity",
    "sound_sensitivity", "odour_sensitivity",
]  # fmt: skip
InflammatoryFeature = Literal[
    "morning_stiffness_over_30_min", "better_with_exercise", "worse_with_rest",
    "night_pain_second_half", "swelling", "warmth",
]  # fmt: skip
MovementFinding = Literal[
    "strength_deficit", "mobility_deficit", "motor_control_deficit", "load_spike",
    "sustained_posture", "guarding",
]  # fmt: skip

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=4000)]

# Strict: "yes" is not true and true is not 1 — the intake takes what its schema says.
_STRICT = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)


def _once(values: list[Any] | None) -> list[Any] | None:
    if values is not None:
        seen: set[Any] = set()
        for v in values:
            if v in seen:
                raise ValueError(f"{v!r} is listed twice")
            seen.add(v)
    return values


class IrritabilityInputs(BaseModel):
    """How little provokes the symptoms, how severe they get, and how long they take to settle
    (Maitland's irritability; clinical-facts.md §16)."""

    model_config = _STRICT

    provoked_by: Literal["minimal", "moderate", "vigorous"] = Field(
        description="The least activity that provokes symptoms: minimal (e.g. a few minutes of "
        "sitting), moderate, or only vigorous activity"
    )
    peak_severity: int = Field(ge=0, le=10, description="How bad symptoms get, 0–10")
    settle_hours: float = Field(ge=0, le=720, description="How long symptoms take to settle")


class ImagingFinding(BaseModel):
    """One finding of an imaging report, by id (e.g. disc_bulge) and level (e.g. L4-L5)."""

    model_config = _STRICT

    finding: Code
    level: Annotated[str, StringConstraints(max_length=20)] | None = None
    note: Text | None = None


class ImagingReport(BaseModel):
    """One imaging study; a report with no findings is an unremarkable study."""

    model_config = _STRICT

    modality: Literal["mri", "ct", "xray", "ultrasound"]
    region: Region
    findings: list[ImagingFinding] = Field(default_factory=list, max_length=30)


class PriorTreatment(BaseModel):
    """A treatment tried before, and how it went ("the injection helped for two days")."""

    model_config = _STRICT

    name: Text
    kind: Literal["passive", "active", "intervention", "medication", "psychological", "surgery"]
    response: Literal["none", "partial", "good", "worse"]
    relief_days: float | None = Field(default=None, ge=0, le=3650)
    flared: bool | None = Field(default=None, description="Whether it provoked a flare")
    weeks: float | None = Field(default=None, ge=0, le=520, description="How long it was tried")


class Medication(BaseModel):
    """A current medication with its dose."""

    model_config = _STRICT

    name: Text
    rxnorm: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}$")] | None = None
    dose_mg: float | None = Field(
        default=None, gt=0, le=100000, description="Milligrams of the active drug per dose"
    )
    mcg_per_hr: float | None = Field(
        default=None, gt=0, le=1000, description="Patch strength, for transdermal fentanyl"
    )
    doses_per_day: float | None = Field(default=None, gt=0, le=48)
    prn: bool = False
    weeks: float | None = Field(
        default=None, ge=0, le=5200, description="How long it has been taken"
    )

    @model_validator(mode="after")
    def _one_dose(self) -> Medication:
        if self.dose_mg is not None and self.mcg_per_hr is not None:
            raise ValueError("give dose_mg or mcg_per_hr (a patch), not both")
        return self


class Goal(BaseModel):
    """One of the patient's top three functional goals, measurable ("walk 30 minutes")."""

    model_config = _STRICT

    activity: Text
    metric: Code
    unit: Annotated[str, StringConstraints(min_length=1, max_length=30)]
    baseline: float = Field(ge=0, le=1_000_000)
    target: float = Field(ge=0, le=1_000_000)

    @field_validator("target")
    @classmethod
    def _moves(cls, target: float, info: Any) -> float:
        if info.data.get("baseline") == target:
            raise ValueError("the target must differ from the baseline")
        return target


class Constraints(BaseModel):
    """What the plan has to fit around (seed 001: the warehouse worker)."""

    model_config = _STRICT

    covered_visits: int | None = Field(default=None, ge=0, le=500)
    schedule: Text | None = None
    transport: Literal["own", "public", "limited", "none"] | None = None
    caregiving: bool | None = None
    work_pattern: Text | None = None
    heavy_workload: bool | None = Field(
        default=None, description="Overtime, long shifts or little paid leave (seed 001)"
    )
    telehealth_ok: bool | None = None


class Intake(BaseModel):
    """Everything a first visit records for the assessment engine."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        strict=True,
        title="Painpath intake",
        json_schema_extra={"$id": "https://painpath.org/schema/intake.schema.json"},
    )

    schema_version: Literal[1] = 1
    patient_ref: Annotated[str, StringConstraints(max_length=64)] | None = None
    age: int = Field(ge=16, le=120, description="Years; Painpath's instruments are for adults")
    sex: Literal["female", "male", "other", "unknown"]
    duration_weeks: float = Field(ge=0, le=5200, description="How long the pain has lasted")
    regions: list[Region] = Field(min_length=1, max_length=22)
    distribution: Distribution
    aggravating: list[Factor] | None = Field(default=None, max_length=33)
    easing: list[Factor] | None = Field(default=None, max_length=33)
    flares_after_minor_stressors: bool | None = None
    pain_not_fully_explained: bool | None = Field(
        default=None,
        description="The clinician's judgement for IASP 2021 criterion 3: the pain cannot be "
        "entirely explained by nociceptive or neuropathic mechanisms (null: derive it)",
    )
    irritability: IrritabilityInputs | None = None
    red_flag_findings: list[Code] | None = Field(
        default=None, max_length=50, description="null: red-flag screen not recorded"
    )
    neuro_signs: list[NeuroSign] | None = None
    hypersensitivity_signs: list[HypersensitivitySign] | None = None
    hypersensitivity_history: list[HypersensitivityHistory] | None = None
    comorbid_symptoms: list[ComorbidSymptom] | None = None
    inflammatory_features: list[InflammatoryFeature] | None = None
    movement_findings: list[MovementFinding] | None = None
    questionnaires: dict[Code, dict[str, Any]] = Field(
        default_factory=dict, max_length=30, description="Instrument id → answers by item number"
    )
    imaging: list[ImagingReport] | None = Field(
        default=None, max_length=10, description="null: not known; []: no imaging done"
    )
    prior_treatments: list[PriorTreatment] | None = Field(default=None, max_length=30)
    medications: list[Medication] | None = Field(default=None, max_length=30)
    goals: list[Goal] = Field(default_factory=list, max_length=3)
    constraints: Constraints | None = None
    notes: LongText | None = None

    _no_repeats = field_validator(
        "regions",
        "aggravating",
        "easing",
        "red_flag_findings",
        "neuro_signs",
        "hypersensitivity_signs",
        "hypersensitivity_history",
        "comorbid_symptoms",
        "inflammatory_features",
        "movement_findings",
    )(_once)
