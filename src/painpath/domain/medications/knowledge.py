"""The shape of the medication knowledge: classes and agents, review checks, MME factors and
the taper rules (medications.yaml; CDC 2022, ACP 2017, NICE NG59, seed 001)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from painpath.domain.care_defaults import Parameter
from painpath.domain.explain import Sourced
from painpath.domain.facts import FactTest
from painpath.domain.stances import Stance

__all__ = [
    "Agent",
    "DrugClass",
    "MedicationCatalog",
    "MedicationCheck",
    "MmeExclusion",
    "MmeFactor",
    "MmeRules",
    "NoResponseRule",
    "TaperDeferral",
    "TaperRules",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
_ID = r"^[a-z][a-z0-9_]*$"


class Agent(BaseModel):
    """One drug, recognised by RxNorm ingredient code or by any of its names."""

    model_config = _FROZEN
    id: str = Field(pattern=_ID)
    names: tuple[str, ...] = Field(min_length=1)
    rxnorm_ingredient: str | None = Field(default=None, pattern=r"^[0-9]+$")

    @field_validator("names")
    @classmethod
    def _lower(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        if any(n != n.lower().strip() or not n for n in names):
            raise ValueError("names are written in lower case, without surrounding spaces")
        return names


class MedicationCheck(Sourced):
    """A review finding for a class, when its tests hold for this patient."""

    id: str = Field(pattern=_ID)
    verdict: Literal["fits", "caution", "concern"]
    text: str
    when: tuple[FactTest, ...] = ()
    when_any: tuple[FactTest, ...] = ()

    @model_validator(mode="after")
    def _tests(self) -> MedicationCheck:
        if not self.when and not self.when_any:
            raise ValueError("a check needs at least one test")
        return self


class DrugClass(Sourced):
    """A medication class, the mechanisms and drivers it fits, its cautions and stances."""

    id: str = Field(pattern=_ID)
    label: str
    opioid: bool = False
    agents: tuple[Agent, ...] = Field(min_length=1)
    fits: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    stances: tuple[Stance, ...] = ()
    checks: tuple[MedicationCheck, ...] = ()


class MmeFactor(Sourced):
    """A CDC 2022 conversion factor: daily dose × factor = MME/day."""

    ingredient: str = Field(pattern=_ID)
    rxnorm_ingredient: str = Field(pattern=r"^[0-9]+$")
    factor: float = Field(gt=0, le=100)
    per: Literal["mg", "mcg_per_hr"] = "mg"


class MmeExclusion(Sourced):
    """An opioid without a CDC 2022 factor: reported, never counted."""

    ingredient: str = Field(pattern=_ID)
    rxnorm_ingredient: str = Field(pattern=r"^[0-9]+$")
    reason: str


class MmeRules(Sourced):
    factors: tuple[MmeFactor, ...] = Field(min_length=1)
    excluded: tuple[MmeExclusion, ...] = ()
    caution_at: Parameter
    taper_now_at: Parameter
    implausible_above: Parameter

    @model_validator(mode="after")
    def _unique(self) -> MmeRules:
        codes = [f.rxnorm_ingredient for f in self.factors] + [
            e.rxnorm_ingredient for e in self.excluded
        ]
        if len(set(codes)) != len(codes):
            raise ValueError("an ingredient has more than one factor or exclusion")
        if self.caution_at.value > self.taper_now_at.value:
            raise ValueError("caution_at is above taper_now_at")
        return self

    def factor_for(self, rxnorm_ingredient: str) -> MmeFactor | None:
        """The CDC 2022 factor of an ingredient, if it has one."""
        return next((f for f in self.factors if f.rxnorm_ingredient == rxnorm_ingredient), None)

    def exclusion_for(self, rxnorm_ingredient: str) -> MmeExclusion | None:
        """Why an ingredient is not counted, if it is excluded."""
        return next((e for e in self.excluded if e.rxnorm_ingredient == rxnorm_ingredient), None)


class TaperDeferral(Sourced):
    """When a taper is offered but not yet dated (a mental-health crisis, CDC 2022)."""

    when_any: tuple[FactTest, ...] = Field(min_length=1)
    text: str


class TaperRules(Sourced):
    """CDC 2022 recommendation 5: gradual tapers, never abrupt."""

    offer_after_weeks: Parameter
    long_term_weeks: Parameter
    long_term_monthly_percent: Parameter
    short_term_weekly_percent: Parameter
    switch_at_percent: Parameter
    remaining_weekly_percent: Parameter
    long_term_step_days: Parameter
    short_term_step_days: Parameter
    follow_up_days: Parameter
    stop_at_percent: Parameter
    stop_at_mme: Parameter
    defer: TaperDeferral


class NoResponseRule(Sourced):
    """A current medication the intake records as tried without response."""

    text: str


class MedicationCatalog(BaseModel):
    """medications.yaml."""

    model_config = _FROZEN
    version: StrictInt = Field(ge=1)
    anchors: dict[str, Any] = Field(default_factory=dict, description="Shared YAML anchors")
    classes: tuple[DrugClass, ...] = Field(min_length=1)
    no_response: NoResponseRule
    mme: MmeRules
    taper: TaperRules

    @model_validator(mode="after")
    def _unique(self) -> MedicationCatalog:
        classes = [c.id for c in self.classes]
        if len(set(classes)) != len(classes):
            raise ValueError("a class id is repeated")
        agents = [a.id for c in self.classes for a in c.agents]
        if len(set(agents)) != len(agents):
            raise ValueError("an agent id is repeated")
        names = [n for c in self.classes for a in c.agents for n in a.names]
        if len(set(names)) != len(names):
            raise ValueError("an agent name is repeated; each name must point to one agent")
        return self
