"""What happens between checkpoints: daily logs (typed or imported) and treatment sessions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from pydantic import ValidationError

from painpath.domain.input_errors import describe, json_path
from painpath.knowledge import KnowledgeBase
from painpath.services._use_case import use_case
from painpath.services.commands import DayInput, SessionInput
from painpath.services.errors import Forbidden, InvalidInput
from painpath.store.models import CareSession, DailyLog, Episode, Goal, Patient, utcnow
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "ImportReport",
    "import_activity_csv",
    "list_logs",
    "list_sessions",
    "log_day",
    "record_session",
]

# A patient corrects their own log within the last week (issue 7's "editable for 7 days").
PATIENT_EDIT_DAYS = 7
EARLIEST = dt.date(1990, 1, 1)
MAX_IMPORT_ROWS = 5000


def _goal_keys(uow: SqlUnitOfWork, patient_id: str) -> list[str]:
    episode = uow.records.find(Episode, Episode.patient_id == patient_id, Episode.status == "open")
    if episode is None:
        return []
    return [
        g.key for g in uow.records.all(Goal, Goal.episode_id == episode.id, order_by=[Goal.key])
    ]


def _check_day(uow: SqlUnitOfWork, day: dt.date, today: dt.date) -> None:
    p = uow.records.principal
    if p.is_patient:
        earliest = today - dt.timedelta(days=PATIENT_EDIT_DAYS - 1)
        if not earliest <= day <= today:
            raise InvalidInput(
                [
                    (
                        "date",
                        f"you can log today and the {PATIENT_EDIT_DAYS - 1} days before it "
                        f"({earliest.isoformat()} to {today.isoformat()})",
                    )
                ]
            )
    elif not EARLIEST <= day <= today:
        raise InvalidInput(
            [("date", f"must be between {EARLIEST.isoformat()} and today ({today.isoformat()})")]
        )


@dataclass(frozen=True)
class LogResult:
    log: DailyLog
    created: bool


@use_case("daily_log.write", retry_on_race=True)
def log_day(
    uow: SqlUnitOfWork, patient_id: str, day: dt.date, data: DayInput, *, today: dt.date
) -> LogResult:
    """Record one day for a patient — the patient or a clinician. Idempotent per patient and
    date: a second post for the same day replaces it and says so (``created`` is False)."""
    uow.about("daily_log", None, patient_id=patient_id)
    p = uow.records.principal
    if not (p.is_patient or p.is_clinician):
        raise Forbidden("daily logs are written by the patient or a clinician")
    patient = uow.records.get(Patient, patient_id)
    _check_day(uow, day, today)
    keys = _goal_keys(uow, patient.id)
    unknown = [k for k in data.goals if k not in keys]
    if unknown:
        allowed = ", ".join(keys) or "none yet (the intake sets them)"
        raise InvalidInput(
            [(f"goals.{k}", f"no such goal; this patient's goals: {allowed}") for k in unknown]
        )
    values = data.model_dump()
    log = uow.records.find(DailyLog, DailyLog.patient_id == patient.id, DailyLog.day == day)
    created = log is None
    if log is None:
        log = uow.records.add(
            DailyLog(patient_id=patient.id, day=day, entered_by=p.user_id, **values)
        )
    else:
        for name, value in values.items():
            setattr(log, name, value)
        log.entered_by = p.user_id
        log.updated_at = utcnow()
        uow.db.flush()
    uow.about("daily_log", log.id, patient_id=patient.id)
    return LogResult(log=log, created=created)


@use_case("daily_log.list")
def list_logs(
    uow: SqlUnitOfWork,
    patient_id: str,
    *,
    since: dt.date | None,
    until: dt.date | None,
    limit: int,
    offset: int,
) -> tuple[list[DailyLog], int]:
    uow.about("daily_log", None, patient_id=patient_id)
    uow.records.get(Patient, patient_id)
    where = [DailyLog.patient_id == patient_id]
    if since:
        where.append(DailyLog.day >= since)
    if until:
        where.append(DailyLog.day <= until)
    return uow.records.page(DailyLog, *where, order_by=(DailyLog.day,), limit=limit, offset=offset)


@use_case("care_session.create")
def record_session(
    uow: SqlUnitOfWork,
    episode_id: str,
    data: SessionInput,
    *,
    today: dt.date,
    knowledge: KnowledgeBase,
) -> CareSession:
    """Record a treatment session in an open episode (clinicians; one per day — the timeline
    engine reads a day's care as one session). A modality without a kind must be one of the
    knowledge base's treatments, so the engine can tell passive from active."""
    uow.about("care_session", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("care_session", None, patient_id=episode.patient_id)
    uow.records.principal.require_clinician()
    if episode.status != "open":
        raise InvalidInput([("episode_id", f"the episode is {episode.status}")])
    problems: list[tuple[str, str]] = []
    same_day = uow.records.find(
        CareSession, CareSession.episode_id == episode.id, CareSession.day == data.date
    )
    if same_day is not None:
        problems.append(
            ("date", f"a session is already recorded on {data.date}; one session per day")
        )
    if not episode.start_date <= data.date <= today:
        problems.append(
            (
                "date",
                f"must be between the episode's start ({episode.start_date}) and today ({today})",
            )
        )
    known = {t.id for t in knowledge.treatments.treatments}
    for i, m in enumerate(data.modalities):
        if m.kind is None and m.name not in known:
            problems.append(
                (
                    f"modalities[{i}].kind",
                    "give the kind (passive, active, …) for a treatment "
                    "that is not in the knowledge base",
                )
            )
    if problems:
        raise InvalidInput(problems)
    session = uow.records.add(
        CareSession(
            episode_id=episode.id,
            day=data.date,
            modalities=[m.model_dump(exclude_none=True) for m in data.modalities],
            provider_id=uow.records.principal.user_id,
            relief_window_days=data.relief_window_days,
            soreness_expected=data.soreness_expected,
            note=data.note,
        )
    )
    uow.about("care_session", session.id, patient_id=episode.patient_id)
    return session


@use_case("care_session.list")
def list_sessions(
    uow: SqlUnitOfWork, episode_id: str, *, limit: int, offset: int
) -> tuple[list[CareSession], int]:
    uow.about("care_session", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("care_session", None, patient_id=episode.patient_id)
    return uow.records.page(
        CareSession,
        CareSession.episode_id == episode.id,
        order_by=(CareSession.day, CareSession.created_at),
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True)
class ImportReport:
    """What an import did: days created and updated (steps and sleep only)."""

    created: int
    updated: int
    rows: int
    errors: list[tuple[str, str]] = field(default_factory=list)


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The CSV's rows with their line numbers; any line ending (\n, \r\n, \r) is read."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InvalidInput(
            [(f"line {reader.line_num + 1}", f"not readable as CSV ({exc})")]
        ) from None
    return rows


def _parse_csv(text: str, today: dt.date) -> dict[dt.date, DayInput]:
    """Rows of ``date,steps[,sleep_h]`` by date; InvalidInput lists every bad row by line."""
    problems: list[tuple[str, str]] = []
    lines = _rows(text)
    header = [h.strip().lower() for h in (lines[0][1] if lines else [])]
    if header[:2] != ["date", "steps"] or header[2:] not in ([], ["sleep_h"]):
        raise InvalidInput([("line 1", "the header must be date,steps or date,steps,sleep_h")])
    if len(lines) - 1 > MAX_IMPORT_ROWS:
        raise InvalidInput([("(body)", f"at most {MAX_IMPORT_ROWS} rows per import")])
    rows: dict[dt.date, DayInput] = {}
    seen: dict[dt.date, int] = {}
    for number, row in lines[1:]:
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {number}"
        if len(row) != len(header):
            problems.append((where, f"expected {len(header)} values, found {len(row)}"))
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        try:
            day = dt.date.fromisoformat(cells["date"])
        except ValueError:
            problems.append((f"{where}.date", f"{cells['date'][:40]!r} is not a date (YYYY-MM-DD)"))
            continue
        if not EARLIEST <= day <= today:
            problems.append((f"{where}.date", f"must be between {EARLIEST} and today ({today})"))
            continue
        if day in seen:
            problems.append((f"{where}.date", f"{day} repeats line {seen[day]}"))
            continue
        seen[day] = number
        values = {k: v for k, v in cells.items() if k != "date" and v != ""}
        if not values:
            problems.append((where, "the row has no value besides its date"))
            continue
        try:
            rows[day] = DayInput.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors():
                path = json_path(error["loc"], "row")
                problems.append((f"{where}.{path}", describe(error)))
    if problems:
        raise InvalidInput(problems[:200])
    if not rows:
        raise InvalidInput([("line 2", "the file holds no rows after its header")])
    return rows


@use_case("daily_log.import", retry_on_race=True)
def import_activity_csv(
    uow: SqlUnitOfWork, patient_id: str, text: str, *, today: dt.date
) -> ImportReport:
    """Import steps and sleep from a CSV (``date,steps[,sleep_h]``), merged into the daily logs
    without touching pain, goals or notes. Every bad row is reported by line; if any row is bad
    nothing is written."""
    uow.about("daily_log", None, patient_id=patient_id)
    p = uow.records.principal
    if not (p.is_patient or p.is_clinician):
        raise Forbidden("daily logs are written by the patient or a clinician")
    patient = uow.records.get(Patient, patient_id)
    rows = _parse_csv(text, today)
    existing = {
        log.day: log
        for log in uow.records.all(
            DailyLog, DailyLog.patient_id == patient.id, DailyLog.day.in_(list(rows))
        )
    }
    created = updated = 0
    for day, values in sorted(rows.items()):
        log = existing.get(day)
        if log is None:
            uow.records.add(
                DailyLog(
                    patient_id=patient.id,
                    day=day,
                    steps=values.steps,
                    sleep_h=values.sleep_h,
                    goals={},
                    entered_by=p.user_id,
                )
            )
            created += 1
        else:
            # An empty cell keeps what is stored: an import only adds what it knows.
            if values.steps is not None:
                log.steps = values.steps
            if values.sleep_h is not None:
                log.sleep_h = values.sleep_h
            log.updated_at = utcnow()
            updated += 1
    uow.db.flush()
    return ImportReport(created=created, updated=updated, rows=len(rows))
