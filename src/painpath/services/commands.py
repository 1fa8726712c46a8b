"""The typed inputs of the use cases: validated at the boundary (API bodies, CLI, imports).

Every bound here is what a user sees in a 422: the field, and the range it must fall in.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    low, high, _unit = RANGES[name]
    return {"ge": low, "le": high}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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

    pain: int | None = Field(default=None, **_range("pain"))
    steps: int | None = Field(default=None, **_range("steps"))
    sitting_min: int | None = Field(default=None, **_range("sitting_min"))
    sleep_h: float | None = Field(default=None, **_range("sleep_h"))
    function: float | None = Field(default=None, **_range("function"))
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
    relief_window_days: int | None = Field(default=None, **_range("relief_window_days"))
    soreness_expected: bool | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class CheckpointInput(_Input):
    """The clinician's decision at a checkpoint: confirm the proposal or override it with a
    reason. ``expected_version`` is the episode version the clinician looked at."""

    date: dt.date
    decision: Decision
    expected_version: int = Field(ge=1)
    reason: Reason | None = None
    to: Phase | None = None
    overlap_days: int | None = Field(default=None, **_range("overlap_days"))
    review_by: dt.date | None = None


class PlanRevisionInput(_Input):
    """A new revision of the plan; ``expected_version`` is the revision the author edited."""

    expected_version: int = Field(ge=1)
    reason: Reason
    plan: dict[str, Any] = Field(max_length=100)


class ReferralInput(_Input):
    """A referral, with the days of care that overlap the hand-over."""

    date: dt.date
    to_service: Name
    reason: Reason
    overlap_days: int = Field(**_range("overlap_days"))
    expected_version: int = Field(ge=1)


class GraduateInput(_Input):
    date: dt.date
    reason: Reason
    expected_version: int = Field(ge=1)


class NoteInput(_Input):
    """A team note, tied to the part of the hypothesis it speaks to."""

    hypothesis: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,99}$")]
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


class UserInput(_Input):
    """A new account in the caller's clinic."""

    username: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.@-]{2,99}$")]
    display_name: Name
    role: Role
    password: Annotated[str, Field(min_length=12, max_length=1000)]
    patient_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
