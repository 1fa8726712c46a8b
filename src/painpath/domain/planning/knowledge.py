"""The shape of the planning knowledge: treatments with guideline stances, phases and rules.

``treatments.yaml`` and ``planning.yaml`` are validated into these models; the planner reads
only validated instances.
"""

from __future__ import annotations

import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from painpath.domain.care_defaults import Parameter
from painpath.domain.explain import Sourced
from painpath.domain.facts import FactTest
from painpath.domain.stances import Stance

__all__ = [
    "PHASES",
    "EntryRule",
    "Pairing",
    "Phase",
    "PlanningRules",
    "ReferralFollowUp",
    "Stance",
    "Treatment",
    "TreatmentCatalog",
]

PhaseId = Literal["settle", "extend_window", "blend", "build_capacity", "graduate"]
PHASES: tuple[PhaseId, ...] = ("settle", "extend_window", "blend", "build_capacity", "graduate")
Kind = Literal["passive", "active", "psychological", "intervention", "surgery"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
_ID = r"^[a-z][a-z0-9_]*$"


class Pairing(Sourced):
    """An intervention is a bridge, paired with a rehab hand-off (seed 001); it is reassessed in
    the after-intervention window of checkpoints.yaml."""

    rehab_within_days: StrictInt = Field(ge=0, le=28)


class Treatment(Sourced):
    """A modality the plan can choose, with what it targets and what guidelines say."""

    id: str = Field(pattern=_ID)
    label: str
    kind: Kind
    targets: tuple[str, ...] = Field(min_length=1)
    mechanisms: tuple[Literal["nociceptive", "neuropathic", "nociplastic"], ...] = ()
    phases: tuple[PhaseId, ...] = Field(min_length=1)
    evidence: str
    grade: Literal["high", "moderate", "low", "very_low", "not_graded"] = Field(
        default="not_graded",
        description="Certainty of evidence as the cited guideline rated it (GRADE wording)",
    )
    stances: tuple[Stance, ...] = ()
    considered_when: tuple[FactTest, ...] = ()
    considered_when_any: tuple[FactTest, ...] = ()
    held_when_any: tuple[FactTest, ...] = ()
    hold_reason: str | None = None
    pairing: Pairing | None = None
    alternative_to: str | None = Field(default=None, pattern=_ID)
    trial_weeks: StrictInt = Field(ge=1, le=52)
    reassess_days: StrictInt = Field(ge=1, le=90)
    telehealth: bool = False
    home: bool = False
    core: bool = Field(default=False, description="In every plan that reaches its phases")

    @model_validator(mode="after")
    def _hold_has_reason(self) -> Treatment:
        if self.held_when_any and not self.hold_reason:
            raise ValueError("held_when_any needs a hold_reason")
        return self


class TreatmentCatalog(BaseModel):
    """treatments.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    anchors: dict[str, Any] = Field(default_factory=dict, description="Shared YAML anchors")
    treatments: tuple[Treatment, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> TreatmentCatalog:
        ids = [t.id for t in self.treatments]
        if len(set(ids)) != len(ids):
            raise ValueError("a treatment id is repeated")
        for t in self.treatments:
            if t.alternative_to and t.alternative_to not in ids:
                raise ValueError(
                    f"{t.id} is an alternative to unknown treatment {t.alternative_to}"
                )
        return self

    def get(self, treatment_id: str) -> Treatment:
        """The treatment with this id."""
        return next(t for t in self.treatments if t.id == treatment_id)


_GOAL_FIELDS = {"activity", "metric", "unit", "baseline", "target", "halfway", "direction"}


class Phase(Sourced):
    """One phase of the staged plan (care-model.md §4)."""

    id: PhaseId
    label: str
    purpose: str
    emphasis: Literal["passive", "blend", "active", "self-management"]
    trial_weeks: Parameter
    sessions_per_week: Parameter
    exit: tuple[str, ...] = Field(min_length=1)
    exit_per_goal: str | None = Field(
        default=None, description="A criterion written once per goal: {activity}, {halfway}, …"
    )

    @field_validator("exit_per_goal")
    @classmethod
    def _known_fields(cls, template: str | None) -> str | None:
        if template is not None:
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            if unknown := names - _GOAL_FIELDS:
                raise ValueError(
                    f"unknown goal fields {sorted(unknown)}; use {sorted(_GOAL_FIELDS)}"
                )
        return template


class EntryRule(Sourced):
    """Where a plan starts: the first rule whose tests hold chooses the entry phase."""

    phase: PhaseId
    reason: str
    when: tuple[FactTest, ...] = ()
    when_any: tuple[FactTest, ...] = ()

    @model_validator(mode="after")
    def _tests(self) -> EntryRule:
        if not self.when and not self.when_any:
            raise ValueError("an entry rule needs tests; the default phase is default_entry")
        return self


class Constraints(Sourced):
    """How constraints change the plan, not the goals (seed 001, the warehouse worker)."""

    few_visits_at_most: Parameter
    session_minutes_when_few: Parameter


class ReferralFollowUp(Sourced):
    """When the plan's first checkpoint confirms a red-flag referral, by urgency."""

    emergency_confirm_days: Parameter
    urgent_confirm_days: Parameter
    soon_confirm_days: Parameter

    def days(self, urgency: str) -> int:
        """Days from today to the checkpoint that confirms a referral of this urgency."""
        chosen = {
            "emergency": self.emergency_confirm_days,
            "urgent": self.urgent_confirm_days,
            "soon": self.soon_confirm_days,
        }[urgency]
        return int(chosen.value)


class PlanningRules(BaseModel):
    """planning.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    phases: tuple[Phase, ...]
    entry: tuple[EntryRule, ...] = Field(min_length=1)
    default_entry: PhaseId
    default_entry_reason: str
    max_modalities_per_phase: Parameter
    halfway_percent: Parameter
    constraints: Constraints
    referrals: ReferralFollowUp

    @field_validator("phases")
    @classmethod
    def _all_in_order(cls, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
        if tuple(p.id for p in phases) != PHASES:
            raise ValueError(f"phases must be {', '.join(PHASES)}, in that order")
        return phases

    def phase(self, phase_id: str) -> Phase:
        """The phase with this id."""
        return next(p for p in self.phases if p.id == phase_id)
