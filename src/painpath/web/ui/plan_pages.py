"""Pages: the plan of an episode, and revising it.

The plan as a timeline of phases (the current one highlighted), each with its modalities,
trial length, checkpoints and exit criteria; what was considered and not planned, with the
evidence; the medication review with MME and any taper; and every revision with who made it,
why, and what changed. Clinicians revise it with field-level edits and a reason; the whole new
document goes to `revise_plan` with the revision it was made from (someone else's revision in
between → "someone changed this first", with what was typed kept).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from jinja2.exceptions import UndefinedError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.services import intake, plans
from painpath.services.commands import PlanRevisionInput
from painpath.services.errors import Conflict, InvalidInput, NotFound
from painpath.web.security import CLINICIAN, STAFF, Caller, CallerDep
from painpath.web.ui._episode import EpisodeView, load_episode
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.audit import audit_refusal
from painpath.web.ui.checkpoint_view import author_name, people
from painpath.web.ui.forms import FormReader, errors_by_field
from painpath.web.ui.plan_diff import describe_changes
from painpath.web.ui.plan_edit import apply_edits, phase_field, treatment_options
from painpath.web.ui.render import render

__all__ = ["router"]

router = PageRouter()
log = logging.getLogger("painpath.web")

EpisodeId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
HISTORY_LIMIT = 50

VERDICTS = {
    "not_recommended": ("Not recommended", "danger"),
    "guidelines_disagree": ("Guidelines disagree", "warning"),
    "held": ("Held until a red flag is cleared", "warning"),
}
MED_VERDICTS = {
    "fits": ("Fits", "good"),
    "caution": ("Caution", "warning"),
    "concern": ("Concern", "danger"),
}
STATUS = {
    "referral": ("Referral only: no care plan until the emergency referral has answered", "danger"),
    "provisional": ("Provisional: starts once the urgent referral has been seen", "warning"),
}


def _current_phase(view: EpisodeView, plan: Mapping[str, Any], today: dt.date) -> str | None:
    """The phase the patient is in: the timeline engine's, else the plan's phase by date."""
    if view.evaluation is not None and getattr(view.evaluation.report, "phase", None):
        return str(view.evaluation.report.phase)
    for phase in plan.get("phases") or []:
        try:
            start = dt.date.fromisoformat(str(phase.get("start")))
            end = dt.date.fromisoformat(str(phase.get("end")))
        except ValueError:
            continue
        if start <= today < end:
            return str(phase.get("id"))
    return None


def _authors(caller: Caller, revisions: list[Any]) -> dict[str, str]:
    """Each revision's author as "Display name (Role label)", "(you)" for the caller's own."""
    known = people(caller)
    me = caller.principal.user_id
    return {r.author_id: author_name(r.author_id, known, me) for r in revisions}


def _history(caller: Caller, episode_id: str) -> tuple[list[dict[str, Any]], int]:
    revisions, total = plans.plan_history(caller.uow(), episode_id, limit=HISTORY_LIMIT, offset=0)
    authors = _authors(caller, revisions)
    rows = []
    for n, rev in enumerate(revisions):
        older = revisions[n + 1] if n + 1 < len(revisions) else None
        changes = None
        if older is not None and isinstance(older.data, Mapping) and isinstance(rev.data, Mapping):
            changes = describe_changes(older.data, rev.data)
        rows.append(
            {
                "number": rev.number,
                "when": rev.created_at,
                "author": authors[rev.author_id],
                "reason": rev.reason,
                "changes": changes,
                "first": rev.number == 1,
            }
        )
    return rows, total


def _page(
    request: Request,
    caller: Caller,
    view: EpisodeView,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: Mapping[str, str] | None = None,
    expected: int | None = None,
) -> Response:
    episode_id = view.episode.id
    try:
        current = plans.current_plan(caller.uow(), episode_id)
    except NotFound:
        draft = intake.get_intake_draft(caller.uow(), episode_id)
        return render(
            request,
            "plan/none.html",
            view=view,
            has_draft=draft is not None,
            can_edit=caller.principal.is_clinician,
        )
    plan: Mapping[str, Any] = current.data if isinstance(current.data, Mapping) else {}
    history, total = _history(caller, episode_id)
    phases = [p for p in plan.get("phases") or [] if isinstance(p, Mapping)]
    checkpoints = [c for c in plan.get("checkpoints") or [] if isinstance(c, Mapping)]
    form_values: dict[str, Any] = dict(values or {})
    if values is None:
        for p in phases:
            form_values[phase_field(str(p.get("id")), "trial_weeks")] = str(
                p.get("trial_weeks", "")
            )
            form_values[phase_field(str(p.get("id")), "sessions")] = str(p.get("sessions", ""))
        form_values["clinician_note"] = str(plan.get("clinician_note") or "")
    context = {
        "view": view,
        "plan": plan,
        "revision": current,
        "history": history,
        "history_total": total,
    }
    try:
        return _render_plan(
            request,
            caller,
            view,
            plan,
            current,
            phases,
            checkpoints,
            history,
            total,
            status=status,
            values=form_values,
            errors=errors,
            notice=notice,
            expected=expected,
        )
    except (UndefinedError, TypeError, AttributeError):
        # A revision stored through the API is any JSON object: one this page cannot lay out is
        # still shown, as data, with its history (never an error page).
        log.warning("plan revision %s is not in the planner's format", current.number)
        return render(request, "plan/raw.html", status=status, **context)


def _render_plan(
    request: Request,
    caller: Caller,
    view: EpisodeView,
    plan: Mapping[str, Any],
    current: Any,
    phases: list[Mapping[str, Any]],
    checkpoints: list[Mapping[str, Any]],
    history: list[dict[str, Any]],
    total: int,
    *,
    status: int,
    values: dict[str, Any],
    errors: Mapping[str, str] | None,
    notice: Mapping[str, str] | None,
    expected: int | None,
) -> Response:
    kb = caller.ctx.knowledge
    return render(
        request,
        "plan/view.html",
        status=status,
        view=view,
        plan=plan,
        revision=current,
        phases=phases,
        current_phase=_current_phase(view, plan, caller.ctx.today()),
        checkpoints_by_phase={
            str(p.get("id")): [c for c in checkpoints if c.get("phase") == p.get("id")]
            for p in phases
        },
        other_checkpoints=[c for c in checkpoints if not c.get("phase")],
        status_banner=STATUS.get(str(plan.get("status"))),
        verdicts=VERDICTS,
        med_verdicts=MED_VERDICTS,
        history=history,
        history_total=total,
        can_edit=caller.principal.is_clinician and view.episode.status == "open",
        options={str(p.get("id")): treatment_options(kb, p) for p in phases},
        values=values,
        errors=dict(errors or {}),
        notice=notice,
        expected=expected if expected is not None else current.number,
        phase_field=phase_field,
        field_labels=_field_labels(phases),
    )


def _field_labels(phases: list[Mapping[str, Any]]) -> dict[str, str]:
    labels = {
        "reason": "Reason for the change",
        "clinician_note": "Clinician's note",
        "expected_version": "Plan version",
    }
    for p in phases:
        pid, name = str(p.get("id")), str(p.get("label"))
        labels[phase_field(pid, "trial_weeks")] = f"{name}: trial length"
        labels[phase_field(pid, "sessions")] = f"{name}: sessions"
        labels[phase_field(pid, "add")] = f"{name}: modality to add"
    return labels


@router.page("GET", "/episodes/{episode_id}/plan", access=STAFF)
def plan_page(
    request: Request, caller: CallerDep, episode_id: EpisodeId, revised: str = ""
) -> Response:
    """The current plan, its revision history and (for clinicians) the revision form."""
    view = load_episode(caller, episode_id, "plan")
    notice = None
    if revised.isdigit():
        notice = {
            "tone": "good",
            "title": "",
            "text": f"Revision {int(revised)} saved.",
            "link": "",
        }
    return _page(request, caller, view, notice=notice)


@router.page("POST", "/episodes/{episode_id}/plan/revise", access=CLINICIAN)
async def plan_revise(request: Request, caller: CallerDep, episode_id: EpisodeId) -> Response:
    """Store the clinician's edits as the plan's next revision, with the reason."""
    form = await request.form()
    return await run_in_threadpool(_revise, request, caller, episode_id, form)


def _revise(request: Request, caller: Caller, episode_id: str, form: FormData) -> Response:
    view = load_episode(caller, episode_id, "plan")
    kb = caller.ctx.knowledge
    reader = FormReader(form)
    expected = reader.integer("expected_version", 1, 2**31 - 1, required=True, label="Version")
    reason = reader.text("reason", limit=2000, required=True, label="A reason")
    current = plans.current_plan(caller.uow(), episode_id)
    base: Mapping[str, Any] = current.data if isinstance(current.data, Mapping) else {}
    edited = apply_edits(base, reader, kb, who=caller.principal.username)
    typed: dict[str, Any] = dict(reader.typed())
    for key in form:
        if key.endswith(".remove"):
            typed[key] = reader.raw_all(key)
    if reader.errors or expected is None or reason is None:
        audit_refusal(caller, request)
        return _page(
            request,
            caller,
            view,
            status=422,
            values=typed,
            errors=errors_by_field(reader.errors),
            expected=expected,
        )
    if edited == dict(base):
        audit_refusal(caller, request)
        return _page(
            request,
            caller,
            view,
            status=422,
            values=typed,
            errors={"reason": "nothing in the plan was changed: edit a field, then save"},
            expected=expected,
        )
    try:
        data = PlanRevisionInput(expected_version=expected, reason=reason, plan=edited)
    except ValidationError as exc:
        problems = [
            (".".join(str(p) for p in e["loc"]) or "reason", e["msg"])
            for e in exc.errors(include_url=False)
        ]
        audit_refusal(caller, request)
        return _page(
            request,
            caller,
            view,
            status=422,
            values=typed,
            errors=errors_by_field(problems),
            expected=expected,
        )
    try:
        revision = plans.revise_plan(caller.uow(), episode_id, data)
    except Conflict:
        newest = plans.current_plan(caller.uow(), episode_id)
        return _page(
            request,
            caller,
            load_episode(caller, episode_id, "plan"),
            status=409,
            values=typed,
            notice={
                "tone": "warning",
                "title": "Someone changed this first",
                "text": f"Another clinician saved revision {newest.number} of the plan while "
                "you were editing, so your changes were not saved. The plan below is the "
                "newest; your edits are still in the form — check them against it and save "
                "again, or reload to start over.",
                "link": f"/episodes/{episode_id}/plan",
            },
            expected=newest.number,
        )
    except InvalidInput as exc:
        return _page(
            request,
            caller,
            view,
            status=422,
            values=typed,
            errors=errors_by_field(exc.errors),
            expected=expected,
        )
    return RedirectResponse(
        f"/episodes/{episode_id}/plan?revised={revision.number}#history", status_code=303
    )
