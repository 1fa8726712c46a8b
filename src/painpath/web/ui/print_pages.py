"""Pages for paper: a patient's progress report and a referral letter. Both read cleanly when
printed (templates/print/, static/css/print.css: no navigation, black on white, A4 margins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response

from painpath.services import admin, checkpoints, intake, plans
from painpath.services.errors import NotFound
from painpath.web.security import STAFF, Caller, CallerDep
from painpath.web.ui._episode import EpisodeView, load_episode
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.checkpoint_view import people
from painpath.web.ui.progress_data import (
    KIND_LABELS,
    load_progress,
    read_all,
    session_kind,
    treatment_kinds,
)
from painpath.web.ui.progress_signals import plain_summary
from painpath.web.ui.progress_summary import (
    decision_words,
    goal_lines,
    next_checkpoint,
    pain_week,
    phase_info,
)
from painpath.web.ui.render import render

__all__ = ["router"]

router = PageRouter()

RecordId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]


def _plan(caller: Caller, view: EpisodeView) -> Mapping[str, Any] | None:
    if not view.has_plan:
        return None
    try:
        return plans.current_plan(caller.uow(), view.episode.id).data
    except NotFound:
        return None


def _assessment(caller: Caller, view: EpisodeView) -> Mapping[str, Any] | None:
    try:
        return intake.get_assessment(caller.uow(), view.episode.id).data
    except NotFound:
        return None


def _summary(caller: Caller, view: EpisodeView) -> dict[str, Any]:
    """What both printed pages say about the episode's progress."""
    data = load_progress(caller, view)
    report = view.evaluation.report if view.evaluation else None
    plan = _plan(caller, view)
    kinds = treatment_kinds(caller.ctx.knowledge)
    counts: dict[str, int] = {}
    for s in data.sessions:
        kind = session_kind(s.modalities, kinds)
        counts[kind] = counts.get(kind, 0) + 1
    records = read_all(
        lambda limit, offset: checkpoints.list_checkpoints(
            caller.uow(), view.episode.id, limit=limit, offset=offset
        )
    )
    last = max(records, key=lambda r: (r.day, r.created_at)) if records else None
    first_session = min((s.day for s in data.sessions), default=None)
    return {
        "goals": goal_lines(data.goals, report),
        "phase": phase_info(report.phase if report else view.episode.start_phase, plan),
        "sessions_total": len(data.sessions),
        "session_kinds": [(KIND_LABELS[k], n) for k, n in sorted(counts.items())],
        "signals": plain_summary(report, data.goals),
        "pain_before": pain_week(data.logs, first_session) if first_session else None,
        "pain_now": pain_week(data.logs, data.last_day),
        "last_decision": last,
        "last_decision_words": decision_words(last) if last else None,
        "next_checkpoint": _next_review(view, plan, data.last_day),
        "logged_days": len(data.logs),
        "until": data.last_day,
    }


def _next_review(
    view: EpisodeView, plan: Mapping[str, Any] | None, last_day: dt.date
) -> dict[str, Any] | None:
    """The next review: the date the patient list shows (the engine's schedule, so the letter
    and the list agree), with the question of the plan's next checkpoint."""
    if view.episode.status != "open":
        return None
    planned = next_checkpoint(plan, last_day)
    due = view.row.next_checkpoint if view.row is not None else None
    if due is None:
        return planned
    return {"date": due, "question": (planned or {}).get("question", "")}


def _signer(caller: Caller) -> dict[str, str]:
    name, role = people(caller)[caller.principal.user_id]
    return {"name": name, "role": role}


@router.page("GET", "/episodes/{episode_id}/print/report", access=STAFF)
def print_report(caller: CallerDep, request: Request, episode_id: RecordId) -> Response:
    """The patient's progress report, for paper (staff)."""
    view = load_episode(caller, episode_id, "progress")
    clinic = admin.get_clinic(caller.uow())
    return render(
        request,
        "print/report.html",
        view=view,
        clinic=clinic,
        signer=_signer(caller),
        back_href=f"/episodes/{view.episode.id}/progress",
        back_label="Back to progress",
        **_summary(caller, view),
    )


@router.page("GET", "/episodes/{episode_id}/print/referral", access=STAFF)
def print_latest_referral(caller: CallerDep, episode_id: RecordId) -> Response:
    """The latest referral's letter (404 when the episode has none)."""
    referrals = read_all(
        lambda limit, offset: checkpoints.list_referrals(
            caller.uow(), episode_id, limit=limit, offset=offset
        )
    )
    if not referrals:
        raise NotFound("this episode has no referral yet")
    latest = max(referrals, key=lambda r: (r.day, r.created_at))
    return RedirectResponse(
        f"/episodes/{latest.episode_id}/print/referral/{latest.id}", status_code=303
    )


@router.page("GET", "/episodes/{episode_id}/print/referral/{referral_id}", access=STAFF)
def print_referral(
    caller: CallerDep, request: Request, episode_id: RecordId, referral_id: RecordId
) -> Response:
    """A referral letter for paper: to whom, why, the overlap, and a summary of the
    assessment, plan and progress, signed by the referring clinician (staff)."""
    view = load_episode(caller, episode_id, "checkpoint")
    referrals = read_all(
        lambda limit, offset: checkpoints.list_referrals(
            caller.uow(), view.episode.id, limit=limit, offset=offset
        )
    )
    referral = next((r for r in referrals if r.id == referral_id), None)
    if referral is None:
        raise NotFound("no such referral in this episode")
    known = people(caller)
    signer = None
    if referral.created_by in known:
        name, role = known[referral.created_by]
        signer = {"name": name, "role": role}
    assessment = _assessment(caller, view)
    clinic = admin.get_clinic(caller.uow())
    return render(
        request,
        "print/referral.html",
        view=view,
        clinic=clinic,
        referral=referral,
        overlap_until=referral.day + dt.timedelta(days=referral.overlap_days),
        signer=signer,
        back_href=f"/episodes/{view.episode.id}/checkpoint",
        back_label="Back to the checkpoint",
        assessment=_assessment_summary(assessment),
        **_summary(caller, view),
    )


def _assessment_summary(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The assessment in the few lines a referral letter carries."""
    data = data or {}
    mechanisms = [
        f"{str(m.get('id', '')).capitalize()} ({str(m.get('status')).replace('_', ' ')})"
        for m in data.get("mechanisms") or []
        if m.get("status") not in (None, "unlikely", "not_met")
    ]
    drivers = [d.get("label") or d.get("id") for d in (data.get("drivers") or [])[:3]]
    psychosocial = [p.get("label") or p.get("id") for p in data.get("psychosocial") or []]
    red_flags = [
        (f.get("label") or f.get("id") or "") + (f" ({f['urgency']})" if f.get("urgency") else "")
        for f in data.get("red_flags") or []
        if isinstance(f, Mapping)
    ]
    imaging = [
        f"{i.get('label')}{' ' + i['level'] if i.get('level') else ''}"
        + (
            f" (seen in about {i['prevalence_pct']:.0f} % of pain-free people of that age)"
            if isinstance(i.get("prevalence_pct"), int | float)
            else ""
        )
        for i in data.get("imaging") or []
    ]
    return {
        "present": bool(data),
        "mechanisms": mechanisms,
        "mixed": bool(data.get("mixed")),
        "irritability": (data.get("irritability") or {}).get("grade"),
        "drivers": drivers,
        "psychosocial": psychosocial,
        "red_flags": red_flags,
        "imaging": imaging,
    }
