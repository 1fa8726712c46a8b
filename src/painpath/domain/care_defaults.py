"""The numeric defaults of the care model (care-model.md §6 signals, §7 checkpoints).

Each number is a Parameter: a value with its unit, the range a clinic may set it to, and the
sources it comes from (the seed document and, where one exists, the published evidence). The
timeline engine reads these; it holds no number of its own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from painpath.domain.explain import Sourced

__all__ = ["CheckpointDefaults", "Parameter", "SignalDefaults"]

Unit = Literal[
    "days", "weeks", "hours", "minutes", "sessions", "points", "percent", "count", "mme_per_day"
]
_WHOLE_UNITS = {"days", "hours", "minutes", "sessions", "count"}


class Parameter(Sourced):
    """One default number with its unit, its permitted range and its sources."""

    value: int | float
    unit: Unit
    allowed_min: float
    allowed_max: float
    seed: str | None = Field(
        default=None, pattern=r"^00[0-4]$", description="The seed document it is distilled from"
    )
    basis: str = Field(min_length=1, description="What the seed or source says, paraphrased")

    @model_validator(mode="after")
    def _in_range(self) -> Parameter:
        if self.allowed_min > self.allowed_max:
            raise ValueError("allowed_min is above allowed_max")
        if not self.allowed_min <= self.value <= self.allowed_max:
            raise ValueError(
                f"value {self.value} is outside the allowed range "
                f"{self.allowed_min:g}–{self.allowed_max:g} {self.unit}"
            )
        if self.unit in _WHOLE_UNITS and not float(self.value).is_integer():
            raise ValueError(f"value {self.value} must be a whole number of {self.unit}")
        return self


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _ordered(low: Parameter, high: Parameter, what: str) -> None:
    if low.value > high.value:
        raise ValueError(f"{what}: the lower bound {low.value} is above the upper {high.value}")


class Baseline(_Group):
    window_days: Parameter
    min_days: Parameter

    @model_validator(mode="after")
    def _fits(self) -> Baseline:
        if self.min_days.value > self.window_days.value:
            raise ValueError("baseline.min_days cannot exceed baseline.window_days")
        return self


class ExpectedSoreness(_Group):
    onset_from_hours: Parameter
    onset_to_hours: Parameter
    settled_by_hours: Parameter
    rise_points: Parameter

    @model_validator(mode="after")
    def _order(self) -> ExpectedSoreness:
        _ordered(self.onset_from_hours, self.onset_to_hours, "expected_soreness onset")
        return self


class FlareDefaults(_Group):
    pain_rise_points: Parameter
    goal_drop_percent: Parameter
    min_days: Parameter
    settle_within_hours: Parameter
    relief_guard_days: Parameter
    setback_worse_points: Parameter


class ReliefWindow(_Group):
    pain_drop_points: Parameter
    pain_drop_percent: Parameter


class ResponseEstablished(_Group):
    min_relief_days: Parameter
    within_sessions: Parameter


class MovementEntry(_Group):
    relief_window_days: Parameter


class PassiveActiveRatio(_Group):
    window_days: Parameter


class Plateau(_Group):
    sessions: Parameter
    min_days: Parameter


class GoalDefaults(_Group):
    met_held_days: Parameter
    meaningful_share_percent: Parameter


class CareSimplyContinuing(_Group):
    sessions_after_plateau: Parameter


class DataGap(_Group):
    window_days: Parameter
    min_logged_days: Parameter

    @model_validator(mode="after")
    def _fits(self) -> DataGap:
        if self.min_logged_days.value > self.window_days.value:
            raise ValueError("data_gap.min_logged_days cannot exceed data_gap.window_days")
        return self


class SignalDefaults(_Group):
    """care-model.md §6: the defaults every timeline signal uses."""

    version: int = Field(ge=1)
    baseline: Baseline
    expected_soreness: ExpectedSoreness
    flare: FlareDefaults
    relief_window: ReliefWindow
    response_established: ResponseEstablished
    movement_entry: MovementEntry
    passive_active_ratio: PassiveActiveRatio
    plateau: Plateau
    goal: GoalDefaults
    care_simply_continuing: CareSimplyContinuing
    data_gap: DataGap


class CheckpointDefaults(_Group):
    """care-model.md §7: when checkpoints fall due."""

    version: int = Field(ge=1)
    interval_days: Parameter
    interval_sessions: Parameter
    after_intervention_min_days: Parameter
    after_intervention_max_days: Parameter
    ongoing_care_max_review_days: Parameter
    refer_overlap_days: Parameter
    ongoing_care_progress_percent: Parameter
    capacity_progress_percent: Parameter

    @model_validator(mode="after")
    def _order(self) -> CheckpointDefaults:
        _ordered(
            self.after_intervention_min_days,
            self.after_intervention_max_days,
            "after_intervention days",
        )
        return self
