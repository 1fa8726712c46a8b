"""Pages: an episode's progress — charts of the goals, pain, steps, sitting and sleep with the
sessions, flares, relief windows, baseline and target drawn on them; the current signals with
their evidence in words; the sessions; and the form a clinician records a session with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.domain.input_errors import describe, json_path
from painpath.services import care
from painpath.services.commands import SessionInput
from painpath.services.errors import InvalidInput
from painpath.web.security import CLINICIAN, STAFF, Caller, CallerDep
from painpath.web.ui._episode import load_episode
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.audit import audit_refusal
from painpath.web.ui.forms import FormReader, errors_by_field
from painpath.web.ui.progress_charts import build_charts, session_rows
from painpath.web.ui.progress_data import KIND_LABELS, load_progress, read_all
from painpath.web.ui.progress_signals import group_signals
from painpath.web.ui.render import render

__all__ = ["FIELD_LABELS", "EpisodeId", "modality_groups", "router"]

router = PageRouter()

EpisodeId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]

KINDS = ("passive", "active", "psychological", "intervention", "surgery")
# The label of each field of the session form (the error summary names fields by them).
FIELD_LABELS = {
    "date": "Date of the session",
    "modalities": "Treatments given",
    "other_name": "Another treatment (not in the list)",
    "other_kind": "Kind of that treatment",
    "relief_window_days": "Relief window reported (days)",
    "soreness_expected": "Soreness expected after this session",
    "note": "Session note (optional)",
}
SORENESS = (("", "Not recorded"), ("yes", "Yes, soreness was expected"), ("no", "No"))


def modality_groups(caller: Caller) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The knowledge base's treatments by kind, as the session form lists them:
    (kind, its label, [(treatment id, name)])."""
    treatments = caller.ctx.knowledge.treatments.treatments
    return [
        (
            kind,
            KIND_LABELS[kind],
            sorted(((t.id, t.label) for t in treatments if t.kind == kind), key=lambda x: x[1]),
        )
        for kind in KINDS
    ]


def _page(
    caller: Caller,
    request: Request,
    episode_id: str,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    selected: list[str] | None = None,
    errors: Mapping[str, str] | None = None,
    recorded: str | None = None,
) -> Response:
    view = load_episode(caller, episode_id, "progress")
    data = load_progress(caller, view)
    kb = caller.ctx.knowledge
    report = view.evaluation.report if view.evaluation else None
    charts = build_charts(data, report, kb)
    today = caller.ctx.today()
    return render(
        request,
        "progress/progress.html",
        status=status,
        view=view,
        charts=charts,
        groups=group_signals(report, data.goals),
        sessions=session_rows(data, report, kb),
        goals=data.goals,
        modality_groups=modality_groups(caller),
        kinds=[(k, KIND_LABELS[k]) for k in KINDS],
        soreness_options=SORENESS,
        can_record=caller.principal.is_clinician and view.episode.status == "open",
        values=dict(values or {"date": today.isoformat()}),
        selected=selected or [],
        errors=dict(errors or {}),
        labels=FIELD_LABELS,
        recorded=recorded,
        min_date=view.episode.start_date.isoformat(),
        max_date=today.isoformat(),
    )


@router.page("GET", "/episodes/{episode_id}/progress", access=STAFF)
def progress_page(
    caller: CallerDep, request: Request, episode_id: EpisodeId, recorded: str | None = None
) -> Response:
    """The progress view (staff): charts, signals with their evidence, sessions."""
    try:
        shown = dt.date.fromisoformat(recorded).isoformat() if recorded else None
    except ValueError:
        shown = None
    return _page(caller, request, episode_id, recorded=shown)


def _session_input(
    reader: FormReader, start: dt.date, today: dt.date, known: set[str]
) -> SessionInput | None:
    """The session the form describes, or None with the problems kept in ``reader``."""
    day = reader.date("date", required=True, label="The date", lo=start, hi=today)
    chosen = reader.raw_all("modalities")
    modalities: list[dict[str, str]] = []
    for name in chosen:
        if name not in known:
            reader.errors.append(("modalities", f"{name[:40]!r} is not a treatment in the list"))
        else:
            modalities.append({"name": name})
    other = reader.text("other_name", limit=100)
    other_kind = reader.choice("other_kind", KINDS)
    if other and other_kind:
        modalities.append({"name": other, "kind": other_kind})
    elif other in known:
        modalities.append({"name": other})
    elif other and not any(f == "other_kind" for f, _ in reader.errors):
        reader.errors.append(("other_kind", "choose the kind of this treatment"))
    if not modalities and not any(f == "modalities" for f, _ in reader.errors):
        reader.errors.append(("modalities", "choose at least one treatment given in the session"))
    relief = reader.integer("relief_window_days", 0, 365)
    soreness = reader.choice("soreness_expected", ("yes", "no"))
    note = reader.text("note", limit=2000)
    if reader.errors or day is None:
        return None
    try:
        return SessionInput(
            date=day,
            modalities=modalities,
            relief_window_days=relief,
            soreness_expected=None if soreness is None else soreness == "yes",
            note=note,
        )
    except ValidationError as exc:
        for error in exc.errors():
            path = json_path(error["loc"], "session")
            reader.errors.append((_form_field(path), describe(error)))
        return None


def _form_field(path: str) -> str:
    """The form field a use case's error names (``modalities[1].kind`` → ``modalities``)."""
    if path.startswith("modalities"):
        return "modalities"
    return path


def _record(caller: Caller, request: Request, episode_id: str, form: FormData) -> Response:
    reader = FormReader(form)
    view = load_episode(caller, episode_id, "progress", evaluate=False)
    today = caller.ctx.today()
    known = {t.id for t in caller.ctx.knowledge.treatments.treatments}
    data = _session_input(reader, view.episode.start_date, today, known)
    if view.episode.status != "open":
        # record_session itself does not refuse a closed episode (reported).
        reader.errors.append(
            ("date", f"the episode is {view.episode.status}: no more sessions are recorded in it")
        )
        data = None
    if data is not None:
        taken = read_all(
            lambda limit, offset: care.list_sessions(
                caller.uow(), view.episode.id, limit=limit, offset=offset
            )
        )
        if any(s.day == data.date for s in taken):
            # The timeline holds one session per day: a second provider's work is added to it.
            reader.errors.append(
                (
                    "date",
                    f"a session is already recorded on {data.date.isoformat()} "
                    "(one session per day)",
                )
            )
            data = None
    if data is None:
        audit_refusal(caller, request)
    else:
        try:
            care.record_session(
                caller.uow(), view.episode.id, data, today=today, knowledge=caller.ctx.knowledge
            )
        except InvalidInput as exc:
            reader.errors.extend((_form_field(f), m) for f, m in exc.errors)
        else:
            target = (
                f"/episodes/{view.episode.id}/progress?recorded={data.date.isoformat()}#sessions"
            )
            return RedirectResponse(target, status_code=303)
    return _page(
        caller,
        request,
        episode_id,
        status=422,
        values=reader.typed(),
        selected=reader.raw_all("modalities"),
        errors=errors_by_field(reader.errors),
    )


@router.page("POST", "/episodes/{episode_id}/sessions", access=CLINICIAN)
async def record_session_submit(
    caller: CallerDep, request: Request, episode_id: EpisodeId
) -> Response:
    """Record a treatment session (clinicians); a refused form comes back with what was typed."""
    form = await request.form()
    return await run_in_threadpool(_record, caller, request, episode_id, form)
