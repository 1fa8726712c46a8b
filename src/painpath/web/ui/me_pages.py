"""The patient's own pages: the daily log (today and the 6 days before) and "My progress".

The routes carry the policy ``patient_or_clinician`` (the same as writing a daily log through
the API), and the pages themselves refuse everyone but a patient: they show the signed-in
patient's own record, never anyone else's, so a clinician gets the 403 page (audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.services import care, intake, patients, plans
from painpath.services.errors import Forbidden, InvalidInput, NotFound
from painpath.store.models import DailyLog, Episode, Goal
from painpath.web.security import PATIENT_OR_CLINICIAN, Caller, CallerDep
from painpath.web.ui import me_log, me_progress
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.forms import FormReader, errors_by_field
from painpath.web.ui.render import render

__all__ = ["router"]

router = PageRouter()

DayPath = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")]
# Enough logged days to find each goal's latest value (a patient logs about one a day).
_RECENT_LOGS = 200


def _audit(caller: Caller, request: Request, outcome: str, patient_id: str | None) -> None:
    """One audit event for a request the page refused before any use case ran: a role that
    is not a patient's (denied), or a day's form that could not be saved (invalid)."""
    route = request.scope.get("route")
    with caller.uow() as uow:
        action = f"{request.method} {getattr(route, 'path', request.url.path)}"
        uow.audit(
            action,
            outcome=outcome,
            record_type="daily_log" if patient_id else None,
            patient_id=patient_id,
        )
        uow.commit()


def _own_patient(caller: Caller, request: Request) -> str:
    """The signed-in patient's record id; anyone else is refused (403, audited)."""
    p = caller.principal
    if p.is_patient and p.patient_id:
        return p.patient_id
    _audit(caller, request, "denied", None)
    raise Forbidden("these pages are a patient's own daily log and progress")


def _episodes(caller: Caller, patient_id: str) -> list[Episode]:
    found, _total = patients.list_episodes(caller.uow(), patient_id, limit=50, offset=0)
    return found


def _open_goals(caller: Caller, patient_id: str) -> list[Goal]:
    """The goals of the patient's open episode (the ones a daily log may record)."""
    episode = next((e for e in _episodes(caller, patient_id) if e.status == "open"), None)
    return plans.list_goals(caller.uow(), episode.id) if episode else []


def _week_logs(caller: Caller, patient_id: str, today: dt.date) -> list[DailyLog]:
    first, last = me_log.window(today)
    logs, _total = care.list_logs(
        caller.uow(), patient_id, since=first, until=last, limit=care.PATIENT_EDIT_DAYS, offset=0
    )
    return logs


def _log_page(
    request: Request,
    caller: Caller,
    patient_id: str,
    day: dt.date,
    *,
    goals: list[Goal] | None = None,
    values: dict[str, str] | None = None,
    errors: list[tuple[str, str]] | None = None,
    notice: str | None = None,
    saved: str | None = None,
    status: int = 200,
) -> Response:
    today = caller.ctx.today()
    goals = _open_goals(caller, patient_id) if goals is None else goals
    logs = _week_logs(caller, patient_id, today)
    stored = next((log for log in logs if log.day == day), None)
    fields = me_log.log_fields(goals)
    by_field = errors_by_field(errors or [])
    return render(
        request,
        "me/log.html",
        status=status,
        day=day,
        day_iso=day.isoformat(),
        words=me_log.day_words(day, today),
        is_today=day == today,
        logged=stored is not None,
        daily_fields=[f for f in fields if not f.name.startswith("goals.")],
        goal_fields=[f for f in fields if f.name.startswith("goals.")],
        values=me_log.form_values(stored) if values is None else values,
        errors=by_field,
        error_list=list(by_field.items()),
        week=me_log.week(logs, goals, today),
        notice=notice,
        saved=saved,
        event_limit=me_log.EVENT_LIMIT,
        note_limit=me_log.NOTE_LIMIT,
    )


def _in_window(day: dt.date | None, today: dt.date) -> bool:
    first, last = me_log.window(today)
    return day is not None and first <= day <= last


@router.page("GET", "/me/log", access=PATIENT_OR_CLINICIAN)
def log_today(request: Request, caller: CallerDep, saved: str | None = None) -> Response:
    """Today's log form and the last 7 days, with a confirmation after a save."""
    patient_id = _own_patient(caller, request)
    today = caller.ctx.today()
    day = me_log.parse_day(saved or "")
    confirmation = (
        f"Saved {me_log.day_words(day, today)}."
        if day is not None and _in_window(day, today)
        else None
    )
    return _log_page(request, caller, patient_id, today, saved=confirmation)


@router.page("GET", "/me/log/{day}", access=PATIENT_OR_CLINICIAN)
def log_day_form(request: Request, caller: CallerDep, day: DayPath) -> Response:
    """One day's form (its stored values when it was logged). A day outside the last 7 gets
    today's form with a message saying which days can be logged (404)."""
    patient_id = _own_patient(caller, request)
    today = caller.ctx.today()
    chosen = me_log.parse_day(day)
    if not _in_window(chosen, today):
        return _log_page(
            request,
            caller,
            patient_id,
            today,
            notice=me_log.window_message(today),
            status=404,
        )
    assert chosen is not None
    return _log_page(request, caller, patient_id, chosen)


def _save(
    request: Request, caller: Caller, patient_id: str, day_text: str, form: FormData
) -> Response:
    today = caller.ctx.today()
    day = me_log.parse_day(day_text)
    if day is None or not _in_window(day, today):
        _audit(caller, request, "invalid", patient_id)
        return _log_page(
            request,
            caller,
            patient_id,
            today,
            notice=me_log.window_message(today) + " Nothing was saved.",
            status=422,
        )
    typed = FormReader(form).typed()
    goals = _open_goals(caller, patient_id)
    stored = next((log for log in _week_logs(caller, patient_id, today) if log.day == day), None)
    data, problems = me_log.read_day(form, goals, keep=stored)
    if data is None:
        _audit(caller, request, "invalid", patient_id)
        return _log_page(
            request, caller, patient_id, day, goals=goals, values=typed, errors=problems, status=422
        )
    try:
        care.log_day(caller.uow(), patient_id, day, data, today=today)
    except InvalidInput as exc:
        window = [m for f, m in exc.errors if f == "date"]
        return _log_page(
            request,
            caller,
            patient_id,
            today if window else day,
            goals=goals,
            values=None if window else typed,
            errors=[(f, m) for f, m in exc.errors if f != "date"],
            notice=(me_log.window_message(today) + " Nothing was saved.") if window else None,
            status=422,
        )
    return RedirectResponse(f"/me/log?saved={day.isoformat()}", status_code=303)


@router.page("POST", "/me/log/{day}", access=PATIENT_OR_CLINICIAN)
async def log_day_submit(request: Request, caller: CallerDep, day: DayPath) -> Response:
    """Save one day (new or corrected) and go back to the log with a confirmation; a refused
    form comes back (422) with each problem next to its field and everything typed kept."""
    patient_id = await run_in_threadpool(_own_patient, caller, request)
    form = await request.form()
    return await run_in_threadpool(_save, request, caller, patient_id, day, form)


# --- my progress ---------------------------------------------------------------------------------


def _progress(request: Request, caller: Caller, patient_id: str) -> Response:
    today = caller.ctx.today()
    episodes = _episodes(caller, patient_id)
    episode = next((e for e in episodes if e.status == "open"), None) or (
        episodes[0] if episodes else None
    )
    context: dict[str, Any] = {
        "episode": episode,
        "goals": [],
        "stages": me_progress.Stages(in_place=False),
        "imaging": [],
        "ended": None,
        "graduated": False,
    }
    if episode is not None:
        goals = plans.list_goals(caller.uow(), episode.id)
        logs: list[DailyLog] = []
        if goals:
            _first, total = care.list_logs(
                caller.uow(), patient_id, since=episode.start_date, until=today, limit=1, offset=0
            )
            if total:
                logs, _total = care.list_logs(
                    caller.uow(),
                    patient_id,
                    since=episode.start_date,
                    until=today,
                    limit=_RECENT_LOGS,
                    offset=max(0, total - _RECENT_LOGS),
                )
        plan: dict[str, Any] | None = None
        if episode.plan_version > 0:
            plan = plans.current_plan(caller.uow(), episode.id).data
        try:
            assessment: dict[str, Any] | None = intake.get_assessment(caller.uow(), episode.id).data
        except NotFound:
            assessment = None
        context.update(
            goals=me_progress.goals_progress(goals, logs, today),
            stages=me_progress.stages(plan, today, episode.start_phase),
            imaging=me_progress.imaging_findings(assessment),
            ended=episode.ended_on if episode.status != "open" else None,
            graduated=episode.status == "graduated",
        )
    return render(request, "me/progress.html", **context)


@router.page("GET", "/me/progress", access=PATIENT_OR_CLINICIAN)
def my_progress(request: Request, caller: CallerDep) -> Response:
    """The patient's goals in plain words, the stage of the plan, what soreness and flares
    mean and when to call, and their scan findings beside how common they are without pain."""
    patient_id = _own_patient(caller, request)
    return _progress(request, caller, patient_id)
