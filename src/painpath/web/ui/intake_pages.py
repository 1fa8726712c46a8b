"""Pages: the intake wizard (clinicians) and the submitted intake (staff).

Every POST of the wizard saves the whole draft (`save_intake_draft`), so a half-finished intake
is a draft and nothing typed is lost: a step's problems are shown next to its fields with what
was typed. The last step submits the draft (`submit_intake`); its problems, named by JSON path,
are placed back on their step and field. Questionnaires are scored live through HTMX (and on
every save without JavaScript).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.services import intake, patients
from painpath.services.errors import Conflict, InvalidInput, NotFound
from painpath.web.security import CLINICIAN, STAFF, Caller, CallerDep
from painpath.web.ui._episode import EpisodeView, load_episode
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.forms import text_field
from painpath.web.ui.intake_form import (
    FINDINGS,
    GROUPS,
    IMAGING,
    STEPS,
    Problem,
    check_all,
    check_step,
    field_values,
    group_rows,
    make_problem,
    merge,
    read_step,
    step_by_id,
    step_index,
)
from painpath.web.ui.intake_scoring import instrument_views, score_view
from painpath.web.ui.intake_summary import summarise
from painpath.web.ui.render import render

__all__ = ["router"]

router = PageRouter()

EpisodeId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
_STEP_GROUP = {"treatments": "prior_treatments", "medications": "medications", "goals": "goals"}


@dataclass(frozen=True)
class Notice:
    tone: str
    text: str
    title: str = ""
    link: str = ""
    link_text: str = ""


def _submitted(caller: Caller, episode_id: str) -> Any:
    """The submitted intake (an IntakeRecord), or None before submission."""
    try:
        return intake.get_intake(caller.uow(), episode_id)
    except NotFound:
        return None


def _draft_data(record: Any) -> dict[str, Any]:
    data = record.data if record is not None else None
    return dict(data) if isinstance(data, Mapping) else {}


@router.page("GET", "/episodes/{episode_id}/intake", access=STAFF)
def intake_page(
    request: Request,
    caller: CallerDep,
    episode_id: EpisodeId,
    step: str = "",
    check: str = "",
    saved: str = "",
) -> Response:
    """The intake tab. Submitted: the intake read-only. Not yet: clinicians get the wizard at
    ``step`` (a saved draft opens at its review), the clinic lead the draft read-only.
    ``check=1`` shows the step's problems; ``saved=1`` says the draft was saved."""
    view = load_episode(caller, episode_id, "intake")
    kb = caller.ctx.knowledge
    record = _submitted(caller, episode_id)
    if record is not None:
        return render(
            request,
            "intake/submitted.html",
            view=view,
            submitted=True,
            submitted_on=record.created_at,
            draft_saved=False,
            sections=summarise(_draft_data(record), kb),
            notice=None,
        )
    draft = intake.get_intake_draft(caller.uow(), episode_id)
    if not caller.principal.is_clinician:
        return render(
            request,
            "intake/submitted.html",
            view=view,
            submitted=False,
            submitted_on=None,
            draft_saved=draft is not None,
            sections=summarise(_draft_data(draft), kb) if draft is not None else [],
            notice=None,
        )
    data = _draft_data(draft)
    step_id = step if step_by_id(step) else ("review" if draft is not None else "history")
    if step_id == "review":
        problems = check_all(data, kb)
    else:
        problems = check_step(data, step_id, kb) if check else []
    notice = Notice("good", "Draft saved.") if saved else None
    return _wizard(
        request,
        caller,
        view,
        step_id,
        data,
        version=intake.draft_version(draft),
        problems=problems,
        notice=notice,
        soft=bool(saved) or step_id == "review",
    )


@router.page("POST", "/episodes/{episode_id}/intake", access=CLINICIAN)
async def intake_save(request: Request, caller: CallerDep, episode_id: EpisodeId) -> Response:
    """Save the step's answers into the draft, then go where the button said (Back, Save
    draft, Next, a step of the list) — or, from the review, submit the intake."""
    form = await request.form()
    return await run_in_threadpool(_save, request, caller, episode_id, form)


@router.page("POST", "/episodes/{episode_id}/intake/score", access=CLINICIAN)
async def intake_score(request: Request, caller: CallerDep, episode_id: EpisodeId) -> Response:
    """One questionnaire scored as answered so far (an HTML fragment for HTMX). Pure: nothing
    is stored; the episode is looked up only so that another clinic's episode is not found."""
    form = await request.form()
    kb = caller.ctx.knowledge
    instrument = text_field(form, "instrument", limit=64)
    defn = kb.instruments.get(instrument)
    if defn is None:
        raise NotFound("questionnaire")
    await run_in_threadpool(patients.get_episode, caller.uow(), episode_id)
    answers = {
        item.id: text_field(form, f"questionnaires.{defn.id}.{item.id}", limit=20)
        for item in defn.items
    }
    return render(request, "intake/_score_response.html", score=score_view(defn, answers, kb))


def _version(form: FormData) -> int | None:
    raw = text_field(form, "draft_version", limit=12)
    return int(raw) if raw.isdigit() else None


def _save(request: Request, caller: Caller, episode_id: str, form: FormData) -> Response:
    kb = caller.ctx.knowledge
    view = load_episode(caller, episode_id, "intake")
    base = f"/episodes/{view.episode.id}/intake"
    step_id = text_field(form, "step", limit=40)
    if step_by_id(step_id) is None:
        step_id = "history"
    goto = text_field(form, "goto", limit=40)
    action = "goto" if step_by_id(goto) else (text_field(form, "action", limit=20) or "save")
    expected = _version(form)
    if action == "submit":
        return _submit(request, caller, view, expected)

    draft = intake.get_intake_draft(caller.uow(), episode_id)
    if step_id == "review":  # nothing to read: the review saves the draft as it is
        part: dict[str, Any] = {}
        data = _draft_data(draft)
    else:
        part = read_step(step_id, form, kb)
        data = merge(_draft_data(draft), step_id, part, kb)
    try:
        saved = intake.save_intake_draft(caller.uow(), episode_id, data, expected_version=expected)
    except Conflict:
        latest = intake.get_intake_draft(caller.uow(), episode_id)
        mixed = merge(_draft_data(latest), step_id, part, kb) if step_id != "review" else {}
        return _wizard(
            request,
            caller,
            view,
            step_id,
            mixed or _draft_data(latest),
            version=intake.draft_version(latest),
            status=409,
            notice=Notice(
                "warning",
                "Someone else saved this intake while you were working on it. Their changes "
                "are kept; this page shows what you typed here, which is NOT saved yet. Check "
                "it and save again to keep it.",
                title="Someone changed this first",
                link=f"{base}?step={step_id}",
                link_text="Reload this step without your changes",
            ),
        )
    except InvalidInput as exc:
        if _submitted(caller, episode_id) is not None:
            return RedirectResponse(base, status_code=303)
        problems = [make_problem(path, message, kb) for path, message in exc.errors]
        return _wizard(
            request,
            caller,
            view,
            step_id,
            data,
            version=intake.draft_version(draft),
            problems=problems,
            status=422,
            notice=Notice("danger", "The draft could not be saved.", title="Not saved"),
        )
    version = intake.draft_version(saved)
    index = step_index(step_id)
    if action == "next":
        problems = check_step(data, step_id, kb)
        if problems:
            return _wizard(
                request,
                caller,
                view,
                step_id,
                data,
                version=version,
                problems=problems,
                status=422,
                notice=Notice(
                    "info", "Saved as a draft. Fix these answers to go on to the next step."
                ),
            )
        target = STEPS[min(index + 1, len(STEPS) - 1)].id
        return RedirectResponse(f"{base}?step={target}", status_code=303)
    if action == "back":
        target = STEPS[max(index - 1, 0)].id
        return RedirectResponse(f"{base}?step={target}", status_code=303)
    if action == "goto":
        return RedirectResponse(f"{base}?step={goto}", status_code=303)
    return RedirectResponse(f"{base}?step={step_id}&saved=1&check=1", status_code=303)


def _submit(request: Request, caller: Caller, view: EpisodeView, expected: int | None) -> Response:
    kb = caller.ctx.knowledge
    episode_id = view.episode.id
    base = f"/episodes/{episode_id}/intake"
    draft = intake.get_intake_draft(caller.uow(), episode_id)
    if draft is None:
        if _submitted(caller, episode_id) is not None:
            return RedirectResponse(f"/episodes/{episode_id}/assessment", status_code=303)
        return _wizard(
            request,
            caller,
            view,
            "history",
            {},
            version=0,
            status=422,
            notice=Notice("danger", "There is nothing to submit yet: start with the history."),
        )
    data = _draft_data(draft)
    version = intake.draft_version(draft)
    if expected is not None and expected != version:
        return _wizard(
            request,
            caller,
            view,
            "review",
            data,
            version=version,
            problems=check_all(data, kb),
            status=409,
            notice=Notice(
                "warning",
                "Someone saved this intake after you opened the review. Check it again below, "
                "then submit.",
                title="Someone changed this first",
            ),
        )
    try:
        intake.submit_intake(caller.uow(), episode_id, data, today=caller.ctx.today(), knowledge=kb)
    except InvalidInput as exc:
        if _submitted(caller, episode_id) is not None:
            return RedirectResponse(base, status_code=303)
        problems = [make_problem(path, _message(message), kb) for path, message in exc.errors]
        return _wizard(
            request,
            caller,
            view,
            "review",
            data,
            version=version,
            problems=problems,
            status=422,
            notice=Notice(
                "danger",
                "The intake was not submitted. Each problem below links to its step; the "
                "draft is kept as it is.",
                title="Not submitted yet",
            ),
        )
    return RedirectResponse(f"/episodes/{episode_id}/assessment", status_code=303)


def _message(message: str) -> str:
    if message == "required":
        return "is required"
    if message.startswith("Input should be a valid integer"):
        return "give a whole number"
    if message.startswith("Input should be a valid number"):
        return "give a number"
    return message


def _red_flag_groups(caller: Caller) -> list[dict[str, Any]]:
    kb = caller.ctx.knowledge
    groups: dict[str, dict[str, Any]] = {}
    for g in kb.red_flags.groups:
        groups[g.id] = {"label": g.label[:1].upper() + g.label[1:], "flags": []}
    for f in kb.red_flags.flags:
        if f.trigger:  # raised from a questionnaire, not ticked
            continue
        groups.setdefault(f.group, {"label": f.group, "flags": []})["flags"].append(f)
    return [g for g in groups.values() if g["flags"]]


def _wizard(
    request: Request,
    caller: Caller,
    view: EpisodeView,
    step_id: str,
    data: Mapping[str, Any],
    *,
    version: int,
    problems: list[Problem] | None = None,
    status: int = 200,
    notice: Notice | None = None,
    soft: bool = False,
) -> Response:
    """The wizard at one step, showing ``data`` (the draft, or what was typed) and the
    problems placed on their fields (``soft``: listed as still to do, not as refused)."""
    kb = caller.ctx.knowledge
    step = step_by_id(step_id) or STEPS[0]
    problems = problems or []
    errors: dict[str, str] = {}
    for p in problems:
        errors.setdefault(p.key, p.message)
    context: dict[str, Any] = {
        "view": view,
        "steps": STEPS,
        "step": step,
        "number": step_index(step.id) + 1,
        "F": {f.name: f for f in step.fields},
        "values": field_values(data),
        "errors": errors,
        "problems": problems,
        "problem_steps": {p.step for p in problems} if step.id == "review" else set(),
        "version": version,
        "notice": notice,
        "soft_problems": soft,
        "editable": True,
    }
    if step.id == "red_flags":
        context["red_flag_groups"] = _red_flag_groups(caller)
        context["red_flag_codes"] = {f.id for f in kb.red_flags.flags}
    elif step.id == "questionnaires":
        answered = data.get("questionnaires")
        context["instruments"] = instrument_views(
            kb, answered if isinstance(answered, Mapping) else None
        )
        context["open_instruments"] = {p.key.split(".")[1] for p in problems if "." in p.key}
    elif step.id in _STEP_GROUP:
        group = GROUPS[_STEP_GROUP[step.id]]
        stored = data.get(group.key)
        context.update(
            group=group,
            row_count=group_rows(data, group),
            stored_rows=len(stored) if isinstance(stored, list) else 0,
        )
    elif step.id == "imaging":
        stored = data.get("imaging")
        stored = stored if isinstance(stored, list) else []
        reports = []
        for i in range(group_rows(data, IMAGING)):
            report = stored[i] if i < len(stored) and isinstance(stored[i], Mapping) else {}
            reports.append(
                {"index": i, "stored": i < len(stored), "findings": group_rows(report, FINDINGS)}
            )
        context.update(
            group=IMAGING,
            reports=reports,
            finding_fields=FINDINGS.fields,
            imaging_findings=kb.imaging.findings,
        )
    elif step.id == "review":
        context["sections"] = summarise(data, kb)
        if not problems:
            context["problem_steps"] = set()
    return render(request, "intake/wizard.html", status=status, **context)
