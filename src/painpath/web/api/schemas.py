"""What the API answers: one model per resource, read from the stored rows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AssessmentOut",
    "AuditEventOut",
    "CheckpointOut",
    "ClinicOut",
    "DailyLogOut",
    "EpisodeOut",
    "EvaluationOut",
    "GoalOut",
    "ImportOut",
    "IntakeOut",
    "IntakeSubmitted",
    "LogWritten",
    "LoginIn",
    "LoginOut",
    "NoteOut",
    "Page",
    "PatientOut",
    "PlanOut",
    "Problem",
    "ReferralOut",
    "SessionOut",
    "UserOut",
]

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list; ask for the next with ``offset=next_offset`` until it is null."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None


def page(items: list[Any], total: int, *, limit: int, offset: int, model: type[BaseModel]) -> Any:
    nxt = offset + limit if offset + limit < total else None
    return {
        "items": [model.model_validate(i) for i in items],
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": nxt,
    }


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class UserOut(_Out):
    id: str
    username: str
    display_name: str
    role: str
    clinic_id: str
    patient_id: str | None


class ClinicOut(_Out):
    id: str
    name: str


class AuditEventOut(_Out):
    id: int
    at: dt.datetime
    user_id: str | None
    actor: str | None
    role: str | None
    action: str
    record_type: str | None
    record_id: str | None
    patient_id: str | None
    outcome: str
    client: str | None


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every state-changing request")


class PatientOut(_Out):
    id: str
    name: str
    birth_date: dt.date | None
    sex: str | None
    mrn: str | None


class EpisodeOut(_Out):
    id: str
    patient_id: str
    title: str
    start_date: dt.date
    status: str
    start_phase: str | None
    ended_on: dt.date | None
    plan_version: int
    version: int


class IntakeOut(_Out):
    id: str
    episode_id: str
    status: str
    data: dict[str, Any]
    scores: dict[str, Any]
    created_at: dt.datetime


class AssessmentOut(_Out):
    id: str
    episode_id: str
    intake_id: str
    data: dict[str, Any]
    knowledge_version: str | None
    created_at: dt.datetime


class PlanOut(_Out):
    id: str
    episode_id: str
    number: int
    data: dict[str, Any]
    author_id: str
    reason: str
    created_at: dt.datetime


class IntakeSubmitted(BaseModel):
    intake: IntakeOut
    assessment: AssessmentOut
    plan: PlanOut


class GoalOut(_Out):
    id: str
    key: str
    activity: str
    metric: str
    unit: str | None
    baseline: float
    target: float
    direction: str


class DailyLogOut(_Out):
    id: str
    patient_id: str
    day: dt.date
    pain: int | None
    steps: int | None
    sitting_min: int | None
    sleep_h: float | None
    function: float | None
    goals: dict[str, Any]
    event: str | None
    note: str | None
    updated_at: dt.datetime


class LogWritten(BaseModel):
    log: DailyLogOut
    created: bool = Field(description="False when an earlier log of the same day was replaced")


class ImportOut(BaseModel):
    rows: int
    created: int
    updated: int


class SessionOut(_Out):
    id: str
    episode_id: str
    day: dt.date
    modalities: list[Any]
    provider_id: str
    relief_window_days: int | None
    soreness_expected: bool | None
    note: str | None


class CheckpointOut(_Out):
    id: str
    episode_id: str
    day: dt.date
    proposed: str
    decision: str
    to_phase: str | None
    overlap_days: int | None
    review_by: dt.date | None
    reason: str | None
    decided_by: str
    proposal: dict[str, Any]


class ReferralOut(_Out):
    id: str
    episode_id: str
    to_service: str
    reason: str
    overlap_days: int
    day: dt.date


class NoteOut(_Out):
    id: str
    episode_id: str
    hypothesis: str
    body: str
    author_id: str
    created_at: dt.datetime


class EvaluationOut(BaseModel):
    episode_id: str
    episode_version: int = Field(description="Send it as expected_version with a decision")
    today: dt.date
    signals: dict[str, Any]
    proposal: dict[str, Any]
