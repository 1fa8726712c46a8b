"""The tables: every row of patient data carries its clinic (the tenant).

Identifiers are random (UUID4 hex), so a record's id says nothing about how many others exist.
Plans are versioned by keeping every revision; episodes and checkpoints carry a ``version``
column for optimistic concurrency. The audit table is append-only (triggers in the migration).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ROLES",
    "STAFF_ROLES",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "AuthSession",
    "Base",
    "CareSession",
    "CheckpointRecord",
    "Clinic",
    "DailyLog",
    "Episode",
    "Goal",
    "IntakeRecord",
    "Patient",
    "PlanRevision",
    "Referral",
    "TeamNote",
    "User",
    "new_id",
    "utcnow",
]

CLINICAL_ROLES = (
    "physician",
    "physiatrist",
    "physical_therapist",
    "psychologist",
    "pharmacist",
    "occupational_therapist",
)
STAFF_ROLES = (*CLINICAL_ROLES, "clinic_admin")
ROLES = (*STAFF_ROLES, "patient")

_NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMES)


def _id() -> Mapped[str]:
    return mapped_column(String(32), primary_key=True, default=new_id)


def _clinic() -> Mapped[str]:
    return mapped_column(ForeignKey("clinic.id"), index=True)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow)


class Clinic(Base):
    __tablename__ = "clinic"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created()


class Patient(Base):
    __tablename__ = "patient"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(20))
    mrn: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = _created()


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # A patient's account points at their own record; staff accounts leave it empty.
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patient.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = _created()


class Episode(Base):
    __tablename__ = "episode"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|graduated|closed
    start_phase: Mapped[str | None] = mapped_column(String(40))
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    # The current plan revision's number (0 = no plan yet): revising names the version it
    # read, and only one of several concurrent revisions of the same version can win.
    plan_version: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every checkpoint decision, referral and graduation (optimistic concurrency).
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = _created()


class IntakeRecord(Base):
    __tablename__ = "intake"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # draft|submitted
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entered_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = _created()


class Assessment(Base):
    __tablename__ = "assessment"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    intake_id: Mapped[str] = mapped_column(ForeignKey("intake.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    knowledge_version: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = _created()


class PlanRevision(Base):
    __tablename__ = "plan_revision"
    __table_args__ = (UniqueConstraint("episode_id", "number"),)
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()


class Goal(Base):
    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("episode_id", "key"),)
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # the id daily logs use: g1, g2, g3
    activity: Mapped[str] = mapped_column(String(500))
    metric: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(100))
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(10))
    meaningful_change: Mapped[float | None] = mapped_column(Float)


class DailyLog(Base):
    __tablename__ = "daily_log"
    __table_args__ = (UniqueConstraint("patient_id", "day"),)
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    pain: Mapped[int | None] = mapped_column(Integer)
    steps: Mapped[int | None] = mapped_column(Integer)
    sitting_min: Mapped[int | None] = mapped_column(Integer)
    sleep_h: Mapped[float | None] = mapped_column(Float)
    function: Mapped[float | None] = mapped_column(Float)
    goals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[dt.datetime] = _created()


class CareSession(Base):
    __tablename__ = "care_session"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    modalities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    provider_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    relief_window_days: Mapped[int | None] = mapped_column(Integer)
    soreness_expected: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()


class CheckpointRecord(Base):
    __tablename__ = "checkpoint"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    proposed: Mapped[str] = mapped_column(String(20))
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[str] = mapped_column(String(20))
    to_phase: Mapped[str | None] = mapped_column(String(40))
    overlap_days: Mapped[int | None] = mapped_column(Integer)
    review_by: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = _created()


class Referral(Base):
    __tablename__ = "referral"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    to_service: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    overlap_days: Mapped[int] = mapped_column(Integer)
    day: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = _created()


class TeamNote(Base):
    __tablename__ = "team_note"
    id: Mapped[str] = _id()
    clinic_id: Mapped[str] = _clinic()
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    # Which part of the mechanism hypothesis the note speaks to (e.g. "nociplastic",
    # "psychosocial.fear_avoidance", "irritability").
    hypothesis: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = _created()


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_login", "action", "actor", "at"),)
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(100))  # the username, as typed at login
    role: Mapped[str | None] = mapped_column(String(40))
    clinic_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(20))
    client: Mapped[str | None] = mapped_column(String(64))


class AuthSession(Base):
    __tablename__ = "auth_session"
    # The SHA-256 of the cookie's secret: a copy of the table does not sign anyone in.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = _created()
    last_seen_at: Mapped[dt.datetime] = _created()


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[str] = _id()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = _created()
