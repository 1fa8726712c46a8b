"""Pages: the clinic's patient list, a new patient with their first episode, and the short
addresses of a patient and of an episode (each sends the clinician to the right screen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.domain.input_errors import describe
from painpath.knowledge import KnowledgeBase
from painpath.services import clinic, patients
from painpath.services.clinic import EpisodeRow
from painpath.services.commands import EpisodeInput, PatientInput
from painpath.services.errors import InvalidInput
from painpath.store.models import Patient
from painpath.web.security import CLINICIAN, STAFF, Caller, CallerDep
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.audit import audit_refusal_async
from painpath.web.ui.forms import FormReader, errors_by_field
from painpath.web.ui.render import PHASE_LABELS, render

__all__ = ["badge_labels", "list_view", "router"]

router = PageRouter()

RecordId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]

# Sortable columns and the direction each starts in (badges: the most urgent first).
SORTS = {"name": "asc", "phase": "asc", "next_checkpoint": "asc", "badges": "desc"}
DEFAULT_SORT = "name"
STATUSES = ("open", "all")
SEXES = (("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown"))
_SEVERITY_RANK = ("danger", "warning", "info", "good")
_PHASE_ORDER = {phase: n for n, phase in enumerate(PHASE_LABELS)}
_SEARCH_LIMIT = 100

# Words for the badge filter (a row's own badge may say more: "Red flag: emergency").
# What the list says when a badge filter finds nobody ("No patient has a plateau").
_NOBODY = {
    "red_flag": "No patient has a red flag",
    "plan_blocked": "No patient's plan is blocked by red flags",
    "flare_prolonged": "No patient has a prolonged flare",
    "setback": "No patient has a setback",
    "flare": "No patient has a settling flare",
    "non_responder": "Every patient has shown a relief window",
    "plateau": "No patient has a plateau",
    "care_simply_continuing": "No patient's care is simply continuing",
    "movement_entry_ready": "No patient is ready for movement entry",
    "checkpoint_due": "No patient has a checkpoint due",
    "data_gap": "No patient has a data gap",
    "goal_met": "No patient has met a goal",
    "intake_needed": "Every patient's intake is done",
    "data_error": "No patient's data has an error",
}


def badge_labels(knowledge: KnowledgeBase) -> dict[str, str]:
    """Every badge the list can filter by, in the service's order, with the words a row's
    badge carries (services.clinic.badge_label)."""
    return {badge_id: clinic.badge_label(badge_id, knowledge) for badge_id in clinic.BADGE_IDS}


@dataclass(frozen=True)
class ListQuery:
    """The list's sort and filters, as read from the address (anything unknown: the default)."""

    q: str
    badge: str
    status: str
    sort: str
    dir: str

    @classmethod
    def read(
        cls,
        *,
        q: str | None,
        badge: str | None,
        status: str | None,
        sort: str | None,
        dir: str | None,
    ) -> ListQuery:
        sort_ = sort if sort in SORTS else DEFAULT_SORT
        return cls(
            q=" ".join((q or "").replace("\x00", "").split())[:_SEARCH_LIMIT],
            badge=badge if badge in clinic.BADGE_IDS else "",
            status=status if status in STATUSES else "open",
            sort=sort_,
            dir=dir if dir in ("asc", "desc") else SORTS[sort_],
        )

    def url(self, **changes: str) -> str:
        """This list's address with some parameters changed (defaults left out)."""
        values = {
            "q": self.q,
            "badge": self.badge,
            "status": self.status,
            "sort": self.sort,
            "dir": self.dir,
        }
        values.update(changes)
        defaults = {"status": "open", "sort": DEFAULT_SORT, "dir": SORTS[values["sort"]]}
        kept = {k: v for k, v in values.items() if v and defaults.get(k) != v}
        return "/patients" + ("?" + urlencode(kept) if kept else "")

    def sort_url(self, column: str) -> str:
        """The address a column header links to: this column, or the other direction."""
        if column == self.sort:
            return self.url(dir="asc" if self.dir == "desc" else "desc")
        return self.url(sort=column, dir=SORTS[column])

    def aria_sort(self, column: str) -> str | None:
        if column != self.sort:
            return None
        return "ascending" if self.dir == "asc" else "descending"


def _urgency(row: EpisodeRow) -> tuple[int, ...]:
    return tuple(sum(1 for b in row.badges if b.severity == s) for s in _SEVERITY_RANK)


def _sort_key(sort: str) -> Callable[[EpisodeRow], Any]:
    if sort == "phase":
        return lambda r: None if r.phase is None else _PHASE_ORDER.get(r.phase, len(_PHASE_ORDER))
    if sort == "next_checkpoint":
        return lambda r: r.next_checkpoint
    if sort == "badges":
        return _urgency
    return lambda r: (r.patient_name.casefold(), r.start_date)


def sort_rows(rows: Sequence[EpisodeRow], sort: str, direction: str) -> list[EpisodeRow]:
    """Rows by ``sort`` in ``direction``; rows without a value (no phase, no checkpoint) last
    either way; ties by patient name."""
    key = _sort_key(sort)
    by_name = sorted(rows, key=lambda r: (r.patient_name.casefold(), r.start_date))
    known = [r for r in by_name if key(r) is not None]
    unknown = [r for r in by_name if key(r) is None]
    return sorted(known, key=key, reverse=direction == "desc") + unknown


@dataclass(frozen=True)
class ListView:
    """What the list page shows."""

    query: ListQuery
    rows: list[EpisodeRow]
    total_patients: int
    shown_patients: int
    badge_counts: list[tuple[str, str, int]]  # (id, words, episodes with it)
    labels: dict[str, str]
    without_episode: list[Patient]
    empty_message: str


def list_view(
    rows: Sequence[EpisodeRow],
    others: Sequence[Patient],
    query: ListQuery,
    labels: dict[str, str],
) -> ListView:
    """Filter (status is the service's), search by name, count the badges of what the search
    leaves, filter by badge and sort. ``others``: the clinic's patients not in ``rows``."""
    needle = query.q.casefold()
    found = [r for r in rows if needle in r.patient_name.casefold()] if needle else list(rows)
    counts = [
        (badge_id, words, sum(1 for r in found if r.has(badge_id)))
        for badge_id, words in labels.items()
    ]
    shown = [r for r in found if r.has(query.badge)] if query.badge else found
    without = [] if query.badge else [p for p in others if needle in p.name.casefold()]
    if query.badge:
        empty = _NOBODY.get(query.badge, f"No patient has “{labels[query.badge]}”")
        if query.q:
            empty += f" among the names matching “{query.q}”"
    elif query.q:
        empty = f"No patient's name matches “{query.q}”"
    elif query.status == "open":
        empty = "No patient is in care now"
    else:
        empty = "The clinic has no episodes of care yet"
    return ListView(
        query=query,
        rows=sort_rows(shown, query.sort, query.dir),
        total_patients=len({r.patient_id for r in rows}) + len(others),
        shown_patients=len({r.patient_id for r in shown}) + len(without),
        badge_counts=counts,
        labels=labels,
        without_episode=without,
        empty_message=empty + ".",
    )


def _all_patients(caller: Caller) -> list[Patient]:
    found: list[Patient] = []
    while True:
        page, total = patients.list_patients(caller.uow(), limit=500, offset=len(found))
        found += page
        if not page or len(found) >= total:
            return found


@router.page("GET", "/patients", access=STAFF)
def patient_list(
    request: Request,
    caller: CallerDep,
    q: str | None = None,
    badge: str | None = None,
    status: str | None = None,
    sort: str | None = None,
    dir: str | None = None,
) -> Response:
    """The clinic's patients in care: each open episode with its phase, next checkpoint and
    current signals as badges; sorted and filtered by the address (?q= ?badge= ?status=open|all
    ?sort=name|phase|next_checkpoint|badges ?dir=asc|desc, unknown values fall back to the
    defaults). Patients with no episode in the list are named below it."""
    query = ListQuery.read(q=q, badge=badge, status=status, sort=sort, dir=dir)
    rows = clinic.clinic_overview(
        caller.uow(),
        today=caller.ctx.today(),
        knowledge=caller.ctx.knowledge,
        include_closed=query.status == "all",
    )
    listed = {r.patient_id for r in rows}
    others = [p for p in _all_patients(caller) if p.id not in listed]
    view = list_view(rows, others, query, badge_labels(caller.ctx.knowledge))
    return render(request, "patients/list.html", view=view)


# --- a new patient ---------------------------------------------------------------------------


def _pydantic_errors(exc: ValidationError) -> list[tuple[str, str]]:
    return [(str((e.get("loc") or ("name",))[0]), describe(e)) for e in exc.errors()]


def _episode_input(
    reader: FormReader, today: dt.date, birth_date: dt.date | None = None
) -> EpisodeInput | None:
    title = reader.text("title", limit=200, required=True, label="What brings them")
    start = reader.date(
        "start_date",
        required=True,
        label="The start of care",
        lo=dt.date(1990, 1, 1),
        hi=today + dt.timedelta(days=365),
    )
    if start and birth_date and start < birth_date:
        reader.errors.append(("start_date", "must not be before the date of birth"))
        return None
    if title is None or start is None:
        return None
    try:
        return EpisodeInput(title=title, start_date=start)
    except ValidationError as exc:
        reader.errors += _pydantic_errors(exc)
        return None


def _new_patient_inputs(
    form: FormData, today: dt.date
) -> tuple[PatientInput | None, EpisodeInput | None, FormReader]:
    reader = FormReader(form)
    name = reader.text("name", limit=200, required=True, label="The full name")
    birth = reader.date("birth_date", lo=dt.date(1900, 1, 1), hi=today)
    sex = reader.choice("sex", [v for v, _ in SEXES])
    mrn = reader.text("mrn", limit=64)
    episode = _episode_input(reader, today, birth)
    patient = None
    if name is not None:
        try:
            patient = PatientInput(name=name, birth_date=birth, sex=sex, mrn=mrn)
        except ValidationError as exc:
            reader.errors += _pydantic_errors(exc)
    return patient, episode, reader


def _new_form(
    request: Request,
    values: dict[str, str],
    errors: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> Response:
    return render(
        request,
        "patients/new.html",
        status=status,
        values=values,
        errors=errors_by_field(errors),
        sexes=SEXES,
    )


@router.page("GET", "/patients/new", access=CLINICIAN)
def new_patient_form(request: Request, caller: CallerDep) -> Response:
    """The form for a new patient and the first episode of their care."""
    return _new_form(request, {"start_date": caller.ctx.today().isoformat()})


@router.page("POST", "/patients/new", access=CLINICIAN)
async def new_patient_submit(request: Request, caller: CallerDep) -> Response:
    """Create the patient, then open their first episode, then on to its intake (303). A
    problem shows the form again (422) with each message beside its field and nothing lost."""
    form = await request.form()
    patient_in, episode_in, reader = _new_patient_inputs(form, caller.ctx.today())
    if reader.errors or patient_in is None or episode_in is None:
        await audit_refusal_async(caller, request)
        return _new_form(request, reader.typed(), reader.errors, status=422)
    try:
        patient = await run_in_threadpool(patients.create_patient, caller.uow(), patient_in)
    except InvalidInput as exc:
        return _new_form(request, reader.typed(), exc.errors, status=422)
    try:
        episode = await run_in_threadpool(
            patients.open_episode, caller.uow(), patient.id, episode_in
        )
    except InvalidInput:
        # The patient is stored; their page offers to open the episode again.
        return RedirectResponse(f"/patients/{patient.id}", status_code=303)
    return RedirectResponse(f"/episodes/{episode.id}/intake", status_code=303)


# --- one patient, one episode ----------------------------------------------------------------


def _patient_page(
    request: Request,
    caller: Caller,
    patient_id: str,
    values: dict[str, str],
    errors: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> Response:
    patient = patients.get_patient(caller.uow(), patient_id)
    episodes, _ = patients.list_episodes(caller.uow(), patient.id, limit=200, offset=0)
    return render(
        request,
        "patients/patient.html",
        status=status,
        patient=patient,
        episodes=episodes,
        values=values,
        errors=errors_by_field(errors),
    )


@router.page("GET", "/patients/{patient_id}", access=STAFF)
def patient_page(request: Request, caller: CallerDep, patient_id: RecordId) -> Response:
    """A patient in care goes to their open episode; otherwise their episodes so far, and (for
    clinicians) a form to open a new one."""
    episodes, _ = patients.list_episodes(caller.uow(), patient_id, limit=200, offset=0)
    current = next((e for e in episodes if e.status == "open"), None)
    if current is not None:
        return RedirectResponse(f"/episodes/{current.id}", status_code=303)
    return _patient_page(
        request, caller, patient_id, {"start_date": caller.ctx.today().isoformat()}
    )


@router.page("POST", "/patients/{patient_id}/episodes", access=CLINICIAN)
async def open_episode_submit(
    request: Request, caller: CallerDep, patient_id: RecordId
) -> Response:
    """Open a new episode of care for the patient, then on to its intake (303); a problem shows
    the patient's page again (422) with the messages and what was typed."""
    form = await request.form()
    reader = FormReader(form)
    episode_in = _episode_input(reader, caller.ctx.today())
    errors: Sequence[tuple[str, str]] = reader.errors
    if episode_in is None or errors:
        await audit_refusal_async(caller, request)
    if episode_in is not None and not errors:
        try:
            episode = await run_in_threadpool(
                patients.open_episode, caller.uow(), patient_id, episode_in
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return RedirectResponse(f"/episodes/{episode.id}/intake", status_code=303)
    return await run_in_threadpool(
        _patient_page, request, caller, patient_id, reader.typed(), errors, 422
    )


@router.page("GET", "/episodes/{episode_id}", access=STAFF)
def episode_page(caller: CallerDep, episode_id: RecordId) -> Response:
    """An episode without a plan yet opens at its intake; one with a plan at its progress."""
    episode = patients.get_episode(caller.uow(), episode_id)
    tab = "progress" if episode.plan_version > 0 else "intake"
    return RedirectResponse(f"/episodes/{episode.id}/{tab}", status_code=303)
