"""The shape of the assessment's knowledge: red flags, rules, evidence weights, imaging table.

Each model is what a knowledge file may say (``red_flags.yaml``, ``assessment.yaml``,
``drivers.yaml``, ``psychosocial.yaml``, ``imaging_prevalence.yaml``); the engine reads only
validated instances of them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from painpath.domain.care_defaults import Parameter
from painpath.domain.explain import Sourced
from painpath.domain.facts import FactTest

__all__ = [
    "URGENCY_ORDER",
    "AssessmentRules",
    "DriverDefinition",
    "DriverRules",
    "EvidenceRule",
    "ImagingRow",
    "ImagingTable",
    "PsychosocialRule",
    "PsychosocialRules",
    "RedFlag",
    "RedFlagCatalog",
    "RedFlagCombination",
    "RedFlagGroup",
    "Urgency",
]

Urgency = Literal["emergency", "urgent", "soon"]
URGENCY_ORDER: dict[str, int] = {"emergency": 3, "urgent": 2, "soon": 1}

_FROZEN = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
_ID = r"^[a-z][a-z0-9_]*$"


class _Rule(Sourced):
    """A rule over facts: all of ``when`` and, if given, any of ``when_any``."""

    when: tuple[FactTest, ...] = ()
    when_any: tuple[FactTest, ...] = ()

    @model_validator(mode="after")
    def _has_tests(self) -> _Rule:
        if not self.when and not self.when_any:
            raise ValueError("a rule needs at least one test in when or when_any")
        return self


# --- red flags -------------------------------------------------------------------------------


class UrgencyIf(BaseModel):
    """A different urgency when conditions hold (a cuff tear is urgent in a young labourer)."""

    model_config = _FROZEN
    when: tuple[FactTest, ...] = Field(min_length=1)
    urgency: Urgency


class RedFlagGroup(Sourced):
    """A suspected condition that several flags point to; together they may escalate.

    ``min_present``: the group's findings are features that raise flags only together (the
    inflammatory back pain features); below it they are noted, not flagged.
    """

    id: str = Field(pattern=_ID)
    label: str
    min_present: StrictInt = Field(default=1, ge=1)
    escalate_at: StrictInt | None = Field(default=None, ge=2)
    escalated_urgency: Urgency | None = None
    escalated_referral: str | None = None

    @model_validator(mode="after")
    def _pair(self) -> RedFlagGroup:
        escalation = (self.escalate_at, self.escalated_urgency, self.escalated_referral)
        if any(v is None for v in escalation) and any(v is not None for v in escalation):
            raise ValueError("escalate_at, escalated_urgency and escalated_referral go together")
        return self


class RedFlagCombination(Sourced):
    """A dangerous combination across groups (malignancy with a motor deficit: possible
    metastatic spinal cord compression), raised as a flag of its own."""

    id: str = Field(pattern=_ID)
    label: str
    groups: tuple[str, ...] = Field(min_length=2)
    urgency: Urgency
    referral: str


class RedFlag(Sourced):
    """A finding that overrides everything else: with its urgency and where to refer.

    Without ``trigger`` the flag is a finding code a clinician records in
    ``red_flag_findings``; with it, the flag is raised from facts (PHQ-9 item 9 > 0).
    """

    id: str = Field(pattern=_ID)
    label: str
    group: str = Field(pattern=_ID)
    kind: Literal["red_flag", "safety"] = "red_flag"
    urgency: Urgency
    urgency_if: tuple[UrgencyIf, ...] = ()
    referral: str
    trigger: tuple[FactTest, ...] = ()


class RedFlagCatalog(BaseModel):
    """red_flags.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    groups: tuple[RedFlagGroup, ...]
    flags: tuple[RedFlag, ...]
    combinations: tuple[RedFlagCombination, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RedFlagCatalog:
        group_ids = {g.id for g in self.groups}
        if len(group_ids) != len(self.groups):
            raise ValueError("a red-flag group id is repeated")
        ids = [f.id for f in self.flags] + [c.id for c in self.combinations]
        if len(set(ids)) != len(ids):
            raise ValueError("a red flag id is repeated")
        for f in self.flags:
            if f.group not in group_ids:
                raise ValueError(f"red flag {f.id} names unknown group {f.group}")
        for c in self.combinations:
            if unknown := [g for g in c.groups if g not in group_ids]:
                raise ValueError(f"combination {c.id} names unknown groups {unknown}")
        return self

    @property
    def finding_codes(self) -> frozenset[str]:
        """The codes a clinician may record in ``red_flag_findings``."""
        return frozenset(f.id for f in self.flags if not f.trigger)


# --- assessment rules --------------------------------------------------------------------------


class _Group(BaseModel):
    model_config = _FROZEN


class IrritabilityRules(Sourced):
    """Thresholds for grading irritability (Maitland; no validated cut-offs exist)."""

    severity_high_at: Parameter
    severity_low_at: Parameter
    settle_high_hours: Parameter
    settle_low_hours: Parameter
    high_components: Parameter
    low_components: Parameter

    @model_validator(mode="after")
    def _order(self) -> IrritabilityRules:
        if self.severity_low_at.value >= self.severity_high_at.value:
            raise ValueError("severity_low_at must be below severity_high_at")
        if self.settle_low_hours.value >= self.settle_high_hours.value:
            raise ValueError("settle_low_hours must be below settle_high_hours")
        return self


class NeuropathicScreen(_Group):
    instrument: str = Field(pattern=_ID)
    likely_flag: str = Field(pattern=_ID)
    uncertain_flag: str | None = Field(default=None, pattern=_ID)


class NeuropathicRules(Sourced):
    screens: tuple[NeuropathicScreen, ...] = Field(min_length=1)


class NociceptiveRules(Sourced):
    mechanical_factors: tuple[str, ...] = Field(min_length=1)
    local_distributions: tuple[str, ...] = Field(min_length=1)


class NociplasticRules(Sourced):
    min_duration_weeks: Parameter
    regional_distributions: tuple[str, ...] = Field(min_length=1)
    support_flag_instrument: str = Field(pattern=_ID)
    support_flag: str = Field(pattern=_ID)


class MismatchRules(Sourced):
    min_duration_weeks: Parameter
    pain_at_least: Parameter
    odi_at_least: Parameter
    common_prevalence_pct: Parameter


class PatternFeature(_Rule):
    id: str = Field(pattern=_ID)
    label: str


class CentralSensitisationPattern(Sourced):
    features: tuple[PatternFeature, ...] = Field(min_length=1)
    recommendation: str


class FearAvoidanceResidue(Sourced):
    """A failed, flaring active programme in the history (seed 002)."""

    kinds: tuple[str, ...] = Field(min_length=1)
    responses: tuple[str, ...] = Field(min_length=1)


class AssessmentRules(BaseModel):
    """assessment.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    irritability: IrritabilityRules
    nociceptive: NociceptiveRules
    neuropathic: NeuropathicRules
    nociplastic: NociplasticRules
    mismatch: MismatchRules
    central_sensitisation_pattern: CentralSensitisationPattern
    fear_avoidance_residue: FearAvoidanceResidue


# --- drivers and psychosocial findings ----------------------------------------------------------


class DriverDefinition(Sourced):
    id: str = Field(pattern=_ID)
    label: str
    explanation: str


class EvidenceRule(_Rule):
    """Evidence for one driver, worth ``points`` toward its rank."""

    id: str = Field(pattern=_ID)
    driver: str = Field(pattern=_ID)
    points: StrictInt = Field(ge=1, le=10)
    label: str


class DriverRules(BaseModel):
    """drivers.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    drivers: tuple[DriverDefinition, ...] = Field(min_length=1)
    evidence: tuple[EvidenceRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> DriverRules:
        driver_ids = {d.id for d in self.drivers}
        if len(driver_ids) != len(self.drivers):
            raise ValueError("a driver id is repeated")
        ids = [e.id for e in self.evidence]
        if len(set(ids)) != len(ids):
            raise ValueError("an evidence rule id is repeated")
        for e in self.evidence:
            if e.driver not in driver_ids:
                raise ValueError(f"evidence {e.id} names unknown driver {e.driver}")
        return self


class PsychosocialRule(_Rule):
    """A psychosocial finding (catastrophising, kinesiophobia, low mood, …) and what it asks.

    ``instruments`` names where the value shown comes from: the first one administered."""

    id: str = Field(pattern=_ID)
    label: str
    instruments: tuple[str, ...] = ()
    action: str


class ExpectedInstruments(_Group):
    """Instruments of which one should be administered at intake (when ``when`` holds)."""

    instruments: tuple[str, ...] = Field(min_length=1)
    when: tuple[FactTest, ...] = ()
    note: str | None = Field(default=None, description="What is lost when none is given")


class PsychosocialRules(BaseModel):
    """psychosocial.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    findings: tuple[PsychosocialRule, ...] = Field(min_length=1)
    expected_instruments: tuple[ExpectedInstruments, ...] = ()

    @field_validator("findings")
    @classmethod
    def _unique(cls, findings: tuple[PsychosocialRule, ...]) -> tuple[PsychosocialRule, ...]:
        ids = [f.id for f in findings]
        if len(set(ids)) != len(ids):
            raise ValueError("a psychosocial finding id is repeated")
        return findings


# --- imaging ------------------------------------------------------------------------------------


class ImagingRow(Sourced):
    id: str = Field(pattern=_ID)
    label: str
    prevalence_pct: tuple[float, ...]
    can_affect_nerve_root: bool = Field(
        default=False,
        description="May be concordant with radicular signs (a disc protrusion at the level)",
    )


class ImagingTable(Sourced):
    """imaging_prevalence.yaml: prevalence of findings in people without pain, by age."""

    version: StrictInt = Field(ge=1)
    ages: tuple[StrictInt, ...] = Field(min_length=2)
    regions: tuple[str, ...] = Field(min_length=1, description="Regions the table describes")
    findings: tuple[ImagingRow, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> ImagingTable:
        if list(self.ages) != sorted(set(self.ages)):
            raise ValueError("ages must rise")
        if len({r.id for r in self.findings}) != len(self.findings):
            raise ValueError("a finding id is repeated")
        for row in self.findings:
            if len(row.prevalence_pct) != len(self.ages):
                raise ValueError(f"{row.id} needs one prevalence per age ({len(self.ages)})")
            if any(not 0 <= p <= 100 for p in row.prevalence_pct):
                raise ValueError(f"{row.id}: a prevalence lies outside 0–100")
        return self

    def row(self, finding: str) -> ImagingRow | None:
        """The row for a finding id, if the table has one."""
        return next((r for r in self.findings if r.id == finding), None)
