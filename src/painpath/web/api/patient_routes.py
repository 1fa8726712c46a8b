"""Patients, their episodes and their daily logs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from painpath.services import care, patients
from painpath.services.commands import DayInput, EpisodeInput, PatientInput
from painpath.services.errors import InvalidInput
from painpath.web.api._routing import ApiRouter
from painpath.web.api.schemas import (
    DailyLogOut,
    EpisodeOut,
    ImportOut,
    LogWritten,
    Page,
    PatientOut,
    page,
)
from painpath.web.security import (
    CLINICIAN,
    PATIENT_OR_CLINICIAN,
    SIGNED_IN,
    STAFF,
    CallerDep,
)

__all__ = ["Limit", "Offset", "RecordId", "router"]

router = ApiRouter(tags=["patients"])

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (1–200)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
RecordId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A record id")]
MAX_CSV_BYTES = 1_000_000


@router.endpoint("GET", "/patients", access=SIGNED_IN, response_model=Page[PatientOut])
def list_patients(
    caller: CallerDep,
    limit: Limit = 50,
    offset: Offset = 0,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> object:
    """The clinic's patients by name (a patient gets only their own record)."""
    items, total = patients.list_patients(caller.uow(), limit=limit, offset=offset, name=name)
    return page(items, total, limit=limit, offset=offset, model=PatientOut)


@router.endpoint("POST", "/patients", access=STAFF, status_code=201, response_model=PatientOut)
def create_patient(caller: CallerDep, body: PatientInput) -> object:
    """Register a patient in the caller's clinic."""
    return patients.create_patient(caller.uow(), body)


@router.endpoint("GET", "/patients/{patient_id}", access=SIGNED_IN, response_model=PatientOut)
def get_patient(caller: CallerDep, patient_id: RecordId) -> object:
    return patients.get_patient(caller.uow(), patient_id)


@router.endpoint(
    "GET", "/patients/{patient_id}/episodes", access=SIGNED_IN, response_model=Page[EpisodeOut]
)
def list_episodes(
    caller: CallerDep, patient_id: RecordId, limit: Limit = 50, offset: Offset = 0
) -> object:
    items, total = patients.list_episodes(caller.uow(), patient_id, limit=limit, offset=offset)
    return page(items, total, limit=limit, offset=offset, model=EpisodeOut)


@router.endpoint(
    "POST",
    "/patients/{patient_id}/episodes",
    access=CLINICIAN,
    status_code=201,
    response_model=EpisodeOut,
)
def open_episode(caller: CallerDep, patient_id: RecordId, body: EpisodeInput) -> object:
    """Open an episode of care (at most one open per patient)."""
    return patients.open_episode(caller.uow(), patient_id, body)


@router.endpoint(
    "PUT",
    "/patients/{patient_id}/logs/{date}",
    access=PATIENT_OR_CLINICIAN,
    response_model=LogWritten,
)
def log_day(
    caller: CallerDep,
    patient_id: RecordId,
    date: Annotated[dt.date, Path(description="The day logged (YYYY-MM-DD)")],
    body: DayInput,
    response: Response,
) -> object:
    """Log one day. Idempotent: posting the same day again replaces it — 201 when new, 200
    with ``created: false`` when it replaced an earlier log."""
    result = care.log_day(caller.uow(), patient_id, date, body, today=caller.ctx.today())
    response.status_code = 201 if result.created else 200
    return LogWritten(log=DailyLogOut.model_validate(result.log), created=result.created)


@router.endpoint(
    "GET", "/patients/{patient_id}/logs", access=SIGNED_IN, response_model=Page[DailyLogOut]
)
def list_logs(
    caller: CallerDep,
    patient_id: RecordId,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> object:
    """The patient's daily logs, oldest first, between ``since`` and ``until``."""
    items, total = care.list_logs(
        caller.uow(), patient_id, since=since, until=until, limit=limit, offset=offset
    )
    return page(items, total, limit=limit, offset=offset, model=DailyLogOut)


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "date,steps,sleep_h\n2026-03-01,5400,7.5\n",
            }
        },
    }
}


@router.endpoint(
    "POST",
    "/patients/{patient_id}/logs/import",
    access=PATIENT_OR_CLINICIAN,
    response_model=ImportOut,
    openapi_extra=_CSV_BODY,
)
async def import_logs(caller: CallerDep, patient_id: RecordId, request: Request) -> object:
    """Import steps and sleep from a CSV (``date,steps[,sleep_h]``, UTF-8, at most 1 MB and
    5,000 rows). Every bad row is reported by line; if any is bad, nothing is written."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "text/csv":
        raise InvalidInput([("(body)", "send the file as text/csv")])
    raw = await request.body()
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidInput([("(body)", f"at most {MAX_CSV_BYTES:,} bytes per import")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([("(body)", "the file is not UTF-8 text")]) from None
    report = await run_in_threadpool(
        care.import_activity_csv, caller.uow(), patient_id, text, today=caller.ctx.today()
    )
    return ImportOut(rows=report.rows, created=report.created, updated=report.updated)
