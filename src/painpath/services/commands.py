"""The typed inputs of the use cases: validated at the boundary (API bodies, CLI, imports).

Every bound here is what a user sees in a 422: the field, and the range it must fall in.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from painpath.domain.signals.timeline import RANGES, Decision, Modality, Phase

__all__ = [
    "CheckpointInput",
    "DayInput",
    "EpisodeInput",
    "GraduateInput",
    "NoteInput",
    "PatientInput",
    "PlanRevisionInput",
    "ReferralInput",
    "SessionInput",
    "UserInput",
]

Name = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Role = Literal[
    "physician",
    "physiatrist",
    "physical_therapist",
    "psychologist",
    "pharmacist",
    "occupational_therapist",
    "clinic_admin",
    "patient",
]


def _range(name: str) -> dict[str, Any]:
    """A Field's bounds from the timeline's RANGES: published in the schema as minimum and
    maximum, and checked by `_in_range` so that a refusal names the whole range."""
    low, high, _unit = RANGES[name]
    return {"json_schema_extra": {"minimum": low, "maximum": high}}


def _in_range(name: str) -> AfterValidator:
    low, high, unit = RANGES[name]

    def check(value: float | None) -> float | None:
        if value is not None and not low <= value <= high:
            raise ValueError(f"{value:g} is out of range {low:g}–{high:g}{unit}")
        return value

    return AfterValidator(check)


def _no_nul(value: object) -> object:
    # A NUL character is never meant in clinical text, and PostgreSQL cannot store it.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


# The largest version a 32-bit integer column holds (PostgreSQL's INTEGER).
MAX_VERSION = 2**31 - 1


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _text_without_nul(cls, value: object) -> object:
        return _no_nul(value)


class PatientInput(_Input):
    """A new patient of the clinic."""

    name: Name
    birth_date: dt.date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    mrn: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not dt.date(1900, 1, 1) <= value <= dt.date(2100, 12, 31):
            raise ValueError("must be between 1900-01-01 and 2100-12-31")
        return value


class EpisodeInput(_Input):
    """An episode of care: what brings the patient, from which day."""

    title: Name
    start_date: dt.date


class DayInput(_Input):
    """One day's log; any measure may be left out."""

    pain: Annotated[int | None, _in_range("pain")] = Field(default=None, **_range("pain"))
    steps: Annotated[int | None, _in_range("steps")] = Field(default=None, **_range("steps"))
    sitting_min: Annotated[int | None, _in_range("sitting_min")] = Field(
        default=None, **_range("sitting_min")
    )
    sleep_h: Annotated[float | None, _in_range("sleep_h")] = Field(
        default=None, **_range("sleep_h")
    )
    function: Annotated[float | None, _in_range("function")] = Field(
        default=None, **_range("function")
    )
    goals: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")],
        Annotated[float, Field(ge=0, le=1_000_000)],
    ] = Field(default_factory=dict, max_length=10)
    event: Annotated[str, Field(max_length=500)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class SessionInput(_Input):
    """A treatment session: what was done and, if reported, how long relief lasted."""

    date: dt.date
    modalities: list[Modality] = Field(default_factory=list, max_length=30)
    relief_window_days: Annotated[int | None, _in_range("relief_window_days")] = Field(
        default=None, **_range("relief_window_days")
    )
    soreness_expected: bool | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class CheckpointInput(_Input):
    """The clinician's decision at a checkpoint: confirm the proposal or override it with a
    reason. ``expected_version`` is the episode version the clinician looked at."""

    date: dt.date
    decision: Decision
    expected_version: int = Field(ge=1, le=MAX_VERSION)
    reason: Reason | None = None
    to: Phase | None = None
    overlap_days: Annotated[int | None, _in_range("overlap_days")] = Field(
        default=None, **_range("overlap_days")
    )
    review_by: dt.date | None = None


class PlanRevisionInput(_Input):
    """A new revision of the plan; ``expected_version`` is the revision the author edited."""

    expected_version: int = Field(ge=1, le=MAX_VERSION)
    reason: Reason
    plan: dict[str, Any] = Field(max_length=100)


class ReferralInput(_Input):
    """A referral, with the days of care that overlap the hand-over."""

    date: dt.date
    to_service: Name
    reason: Reason
    overlap_days: Annotated[int, _in_range("overlap_days")] = Field(**_range("overlap_days"))
    expected_version: int = Field(ge=1, le=MAX_VERSION)


class GraduateInput(_Input):
    date: dt.date
    reason: Reason
    expected_version: int = Field(ge=1, le=MAX_VERSION)


class NoteInput(_Input):
    """A team note, tied to the part of the hypothesis it speaks to."""

    hypothesis: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,99}$")]
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


class UserInput(_Input):
    """A new account in the caller's clinic."""

    username: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.@-]{2,99}$")]
    display_name: Name
    role: Role
    # A password is kept exactly as typed: spaces at its ends are part of it.
    password: Annotated[
        str, Field(min_length=12, max_length=1000), StringConstraints(strip_whitespace=False)
    ]
    patient_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
