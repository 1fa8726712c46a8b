"""Pages: the checkpoint screen — the decision Painpath proposes with its reasons and the data
behind them; confirming it or overriding it with a reason; referring on with an overlap period;
graduating; the history of decisions and referrals; and the team's notes on the hypothesis.

Every decision carries the episode version the clinician looked at (``expected_version``): if
someone else decided meanwhile, the page says so instead of recording a decision made on stale
information (409)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.domain.input_errors import describe, json_path
from painpath.domain.signals.timeline import PHASES
from painpath.services import checkpoints, intake, notes, patients, plans
from painpath.services.commands import CheckpointInput, GraduateInput, NoteInput, ReferralInput
from painpath.services.errors import Conflict, InvalidInput, NotFound
from painpath.web.security import CLINICIAN, STAFF, Caller, CallerDep
from painpath.web.ui._episode import EpisodeView, load_episode
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.audit import audit_refusal
from painpath.web.ui.checkpoint_view import (
    DECISIONS,
    history_rows,
    hypothesis_parts,
    note_rows,
    people,
    reason_views,
    referral_rows,
)
from painpath.web.ui.forms import FormReader, errors_by_field
from painpath.web.ui.progress_data import read_all
from painpath.web.ui.render import DECISION_LABELS, PHASE_LABELS, render

__all__ = ["FIELD_LABELS", "router"]

router = PageRouter()

EpisodeId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]
FORMS = ("confirm", "override", "refer", "graduate", "note")

# The label of every field on the screen (the error summary names fields by them). They are
# the accessible names another engineer's end-to-end test finds the controls by.
FIELD_LABELS = {
    "comment": "Comment (optional)",
    "decision": "Decision",
    "to": "Move to phase",
    "review_by": "Review by",
    "reason": "Reason",
    "refer_to": "Refer to",
    "refer_reason": "Referral question",
    "refer_overlap_days": "Overlap period (days)",
    "graduate_reason": "Graduation summary",
    "hypothesis": "Part of the hypothesis",
    "body": "Team note",
    "date": "Date",
    "expected_version": "Version",
    "episode_id": "Episode",
}

# Where each form's fields go in the use case's input (and back, for its errors).
_TO_INPUT = {
    "confirm": {"comment": "reason"},
    "override": {},
    "refer": {
        "refer_to": "to_service",
        "refer_reason": "reason",
        "refer_overlap_days": "overlap_days",
    },
    "graduate": {"graduate_reason": "reason"},
    "note": {},
}

_DONE = {
    "decided": "The decision is recorded.",
    "referred": "The referral is recorded. Its letter is ready to print.",
    "graduated": "The patient has graduated: the episode is closed.",
    "noted": "The note is added.",
}


def _form_field(form: str, field: str) -> str:
    """The form field for an error the use case names by its input field."""
    field = field.split(".")[0].split("[")[0]
    for name, target in _TO_INPUT[form].items():
        if target == field:
            return name
    if form == "confirm" and field in {"decision", "to", "review_by", "overlap_days"}:
        return "decision"
    return field


def _friendly(field: str, message: str) -> str:
    if field == "date" and "repeats" in message:
        return "a decision is already recorded today; the next one can be recorded tomorrow"
    return message


def _page(
    caller: Caller,
    request: Request,
    episode_id: str,
    *,
    status: int = 200,
    active: str | None = None,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    conflict: str | None = None,
    done: str | None = None,
) -> Response:
    view = load_episode(caller, episode_id, "checkpoint")
    episode = view.episode
    known = people(caller)
    me = caller.principal.user_id
    parts = _parts(caller, episode.id)
    records = read_all(
        lambda limit, offset: checkpoints.list_checkpoints(
            caller.uow(), episode.id, limit=limit, offset=offset
        )
    )
    referrals = read_all(
        lambda limit, offset: checkpoints.list_referrals(
            caller.uow(), episode.id, limit=limit, offset=offset
        )
    )
    team_notes = read_all(
        lambda limit, offset: notes.list_team_notes(
            caller.uow(), episode.id, limit=limit, offset=offset
        )
    )
    goals = _goals(caller, view)
    proposal = view.evaluation.proposal if view.evaluation else None
    defaults = _defaults(caller, proposal)
    forms: dict[str, dict[str, Any]] = {
        name: {"values": dict(defaults.get(name, {})), "errors": {}} for name in FORMS
    }
    if active in forms:
        forms[active]["values"].update(values or {})
        forms[active]["errors"] = dict(errors or {})
    is_open = episode.status == "open"
    clinician = caller.principal.is_clinician
    return render(
        request,
        "checkpoint/checkpoint.html",
        status=status,
        view=view,
        proposal=proposal,
        reasons=reason_views(proposal, goals) if proposal else [],
        history=history_rows(records, known, me),
        referrals=referral_rows(referrals, known, me),
        notes=note_rows(team_notes, parts, known, me),
        parts=parts,
        forms=forms,
        active=active,
        errors=dict(errors or {}),
        labels=FIELD_LABELS,
        conflict=conflict,
        typed_text=_typed_text(values) if conflict else "",
        done=_DONE.get(done or ""),
        can_decide=clinician and is_open and proposal is not None and not proposal.recorded,
        can_note=clinician,
        is_open=is_open,
        decision_options=[
            (
                d,
                DECISION_LABELS.get(d, d.replace("_", " ").capitalize())
                + (" (proposed)" if proposal and d == proposal.decision else ""),
            )
            for d in DECISIONS
        ],
        phase_options=[(p, PHASE_LABELS.get(p, p)) for p in PHASES],
        expected_version=episode.version,
    )


def _typed_text(values: Mapping[str, Any] | None) -> str:
    """What the clinician wrote in a refused form, to show it when the form is gone."""
    for name in ("reason", "comment", "refer_reason", "graduate_reason", "body"):
        text = (values or {}).get(name)
        if text:
            return str(text)
    return ""


def _goals(caller: Caller, view: EpisodeView) -> list[Any]:
    return plans.list_goals(caller.uow(), view.episode.id) if view.has_plan else []


def _defaults(caller: Caller, proposal: Any) -> dict[str, dict[str, str]]:
    overlap = (
        proposal.overlap_days
        if proposal is not None and proposal.overlap_days is not None
        else int(caller.ctx.knowledge.checkpoints.refer_overlap_days.value)
    )
    return {"refer": {"refer_overlap_days": str(overlap)}}


@router.page("GET", "/episodes/{episode_id}/checkpoint", access=STAFF)
def checkpoint_page(
    caller: CallerDep, request: Request, episode_id: EpisodeId, done: str | None = None
) -> Response:
    """The checkpoint screen (staff; deciding, referring, graduating and notes: clinicians)."""
    return _page(caller, request, episode_id, done=done)


@router.page("GET", "/episodes/{episode_id}/notes", access=STAFF)
def notes_page(caller: CallerDep, episode_id: EpisodeId) -> Response:
    """The team notes live on the checkpoint screen (404 for an episode out of reach)."""
    episode = patients.get_episode(caller.uow(), episode_id)
    return RedirectResponse(f"/episodes/{episode.id}/checkpoint#team-notes", status_code=303)


def _validation(form: str, exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors():
        path = json_path(error["loc"], "form")
        out.append((_form_field(form, path), describe(error)))
    return out


def _build(
    model: type[BaseModel], form: str, values: dict[str, Any]
) -> tuple[Any, list[tuple[str, str]]]:
    try:
        return model.model_validate(values), []
    except ValidationError as exc:
        return None, _validation(form, exc)


def _version(reader: FormReader) -> int | None:
    return reader.integer("expected_version", 1, 2**31 - 1, required=True, label="The version")


def _submit(
    caller: Caller,
    request: Request,
    episode_id: str,
    form: FormData,
    kind: str,
) -> Response:
    """Read one of the screen's forms, run its use case, and answer: a redirect when it is
    recorded, the screen again with the problems (422) or the conflict (409) when not."""
    reader = FormReader(form)
    today = caller.ctx.today()
    kb = caller.ctx.knowledge
    which = kind
    data: Any = None
    if kind == "decide":
        which = reader.choice("form", ("confirm", "override")) or "override"
    version = _version(reader) if which != "note" else None
    if which == "confirm":
        decision = reader.choice("decision", DECISIONS, required=True, label="The decision")
        to = reader.choice("to", PHASES)
        review_by = reader.date("review_by")
        overlap = reader.integer("overlap_days", 0, 180)
        comment = reader.text("comment", limit=2000)
        if not reader.errors:
            data, problems = _build(
                CheckpointInput,
                which,
                {
                    "date": today,
                    "decision": decision,
                    "expected_version": version,
                    "reason": comment,
                    "to": to,
                    "review_by": review_by,
                    "overlap_days": overlap,
                },
            )
            reader.errors.extend(problems)
    elif which == "override":
        decision = reader.choice("decision", DECISIONS, required=True, label="The decision")
        to = reader.choice("to", PHASES)
        review_by = reader.date("review_by", lo=today)
        reason = reader.text("reason", limit=2000)
        if decision == "transition" and to is None:
            reader.errors.append(("to", "choose the phase a transition moves to"))
        if not reader.errors:
            data, problems = _build(
                CheckpointInput,
                which,
                {
                    "date": today,
                    "decision": decision,
                    "expected_version": version,
                    "reason": reason,
                    "to": to if decision == "transition" else None,
                    "review_by": review_by if decision == "ongoing_care" else None,
                },
            )
            reader.errors.extend(problems)
    elif which == "refer":
        to_service = reader.text("refer_to", limit=200, required=True, label="Who to refer to")
        reason = reader.text("refer_reason", limit=2000, required=True, label="The question")
        overlap = reader.integer(
            "refer_overlap_days", 0, 180, required=True, label="The overlap period"
        )
        if not reader.errors:
            data, problems = _build(
                ReferralInput,
                which,
                {
                    "date": today,
                    "to_service": to_service,
                    "reason": reason,
                    "overlap_days": overlap,
                    "expected_version": version,
                },
            )
            reader.errors.extend(problems)
    elif which == "graduate":
        reason = reader.text(
            "graduate_reason", limit=2000, required=True, label="A graduation summary"
        )
        if not reader.errors:
            data, problems = _build(
                GraduateInput,
                which,
                {"date": today, "reason": reason, "expected_version": version},
            )
            reader.errors.extend(problems)
    else:  # a team note
        parts = [code for code, _ in _parts(caller, episode_id)]
        part = reader.choice("hypothesis", parts, required=True, label="The part of the hypothesis")
        body = reader.text("body", limit=10_000, required=True, label="The note")
        if not reader.errors:
            data, problems = _build(NoteInput, which, {"hypothesis": part, "body": body})
            reader.errors.extend(problems)

    conflict = None
    done = None
    if data is None or reader.errors:
        audit_refusal(caller, request)
    if data is not None and not reader.errors:
        try:
            if which in ("confirm", "override"):
                checkpoints.decide_checkpoint(
                    caller.uow(), episode_id, data, today=today, knowledge=kb
                )
                done = "decided"
            elif which == "refer":
                checkpoints.refer(caller.uow(), episode_id, data, today=today, knowledge=kb)
                done = "referred"
            elif which == "graduate":
                checkpoints.graduate(caller.uow(), episode_id, data, today=today, knowledge=kb)
                done = "graduated"
            else:
                notes.add_team_note(caller.uow(), episode_id, data)
                done = "noted"
        except InvalidInput as exc:
            reader.errors.extend((_form_field(which, f), _friendly(f, m)) for f, m in exc.errors)
        except Conflict:
            conflict = (
                "Someone recorded a decision on this episode while you had this page open. "
                "The page now shows the newest proposal and history: read them before you "
                "decide again."
            )
    if done is not None:
        anchor = "#team-notes" if done == "noted" else ""
        return RedirectResponse(
            f"/episodes/{episode_id}/checkpoint?done={done}{anchor}", status_code=303
        )
    return _page(
        caller,
        request,
        episode_id,
        status=409 if conflict else 422,
        active=which,
        values=reader.typed(),
        errors=errors_by_field(reader.errors),
        conflict=conflict,
    )


def _parts(caller: Caller, episode_id: str) -> list[tuple[str, str]]:
    """The parts of the episode's hypothesis a note can be tied to (from its assessment)."""
    try:
        assessment: Mapping[str, Any] | None = intake.get_assessment(caller.uow(), episode_id).data
    except NotFound:
        assessment = None
    return hypothesis_parts(assessment)


@router.page("POST", "/episodes/{episode_id}/checkpoint/decide", access=CLINICIAN)
async def decide_submit(caller: CallerDep, request: Request, episode_id: EpisodeId) -> Response:
    """Confirm the proposal, or record another decision with its reason (clinicians)."""
    form = await request.form()
    return await run_in_threadpool(_submit, caller, request, episode_id, form, "decide")


@router.page("POST", "/episodes/{episode_id}/checkpoint/refer", access=CLINICIAN)
async def refer_submit(caller: CallerDep, request: Request, episode_id: EpisodeId) -> Response:
    """Refer the patient on with an overlap period (clinicians)."""
    form = await request.form()
    return await run_in_threadpool(_submit, caller, request, episode_id, form, "refer")


@router.page("POST", "/episodes/{episode_id}/checkpoint/graduate", access=CLINICIAN)
async def graduate_submit(caller: CallerDep, request: Request, episode_id: EpisodeId) -> Response:
    """Graduate the patient, closing the episode (clinicians)."""
    form = await request.form()
    return await run_in_threadpool(_submit, caller, request, episode_id, form, "graduate")


@router.page("POST", "/episodes/{episode_id}/notes", access=CLINICIAN)
async def note_submit(caller: CallerDep, request: Request, episode_id: EpisodeId) -> Response:
    """Add a team note tied to a part of the hypothesis (clinicians)."""
    form = await request.form()
    return await run_in_threadpool(_submit, caller, request, episode_id, form, "note")
