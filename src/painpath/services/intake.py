"""Submitting an intake: score the questionnaires, assess, plan, and store all three at once.

Before that, a partial intake can be kept as a **draft**: an ``IntakeRecord`` with
``status="draft"``, stored as typed (any JSON object, not checked against the intake schema), so
nothing typed into the wizard is lost. An episode has at most one intake row: its draft, which
submitting turns into the submitted intake, or the submitted intake itself. Only submitted intakes
are "the intake" (``get_intake``, the assessment, the plan, the clinic panel)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from sqlalchemy import select

from painpath._api import assess, plan
from painpath.domain.assessment import IntakeError
from painpath.knowledge import KnowledgeBase
from painpath.services._use_case import use_case
from painpath.services.commands import MAX_VERSION
from painpath.services.errors import Conflict, InvalidInput, NotFound
from painpath.store.models import Assessment, Episode, Goal, IntakeRecord, PlanRevision, utcnow
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "DRAFT",
    "MAX_DRAFT_BYTES",
    "MAX_DRAFT_DEPTH",
    "SUBMITTED",
    "IntakeResult",
    "draft_version",
    "get_assessment",
    "get_intake",
    "get_intake_draft",
    "json_problems",
    "jsonable",
    "save_intake_draft",
    "submit_intake",
]

DRAFT, SUBMITTED = "draft", "submitted"
# A draft is what one clinician types into the wizard: the example intakes are 1–5 kB.
MAX_DRAFT_BYTES = 200_000
MAX_DRAFT_DEPTH = 20
# Where a draft keeps its save counter (a draft has no questionnaire scores yet).
_DRAFT_VERSION = "draft_version"
_ROOT = "(intake)"


class IntakeResult:
    """The stored intake with the assessment and first plan made from it."""

    def __init__(self, intake: IntakeRecord, assessment: Assessment, plan: PlanRevision) -> None:
        self.intake = intake
        self.assessment = assessment
        self.plan = plan


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (dates become ISO strings), as the database stores it."""
    return json.loads(json.dumps(value, default=str))


def _goals(episode: Episode, data: dict[str, Any]) -> list[Goal]:
    goals = []
    for number, g in enumerate(data.get("goals") or [], start=1):
        baseline, target = float(g["baseline"]), float(g["target"])
        goals.append(
            Goal(
                episode_id=episode.id,
                key=f"g{number}",
                activity=g["activity"],
                metric=g["metric"],
                unit=g.get("unit"),
                baseline=baseline,
                target=target,
                # A goal whose target is below its baseline (wakings, minutes of pain) falls.
                direction="decrease" if target < baseline else "increase",
                meaningful_change=None,
            )
        )
    return goals


@use_case("intake.submit")
def submit_intake(
    uow: SqlUnitOfWork,
    episode_id: str,
    data: object,
    *,
    today: dt.date,
    knowledge: KnowledgeBase,
) -> IntakeResult:
    """Score and assess an intake, make the first plan, and store intake, assessment, plan
    (revision 1) and the patient's goals in one transaction (clinicians; once per episode).

    A saved draft of the episode's intake becomes the submitted intake (the data submitted here
    replaces the draft's); a refused submission leaves the draft as it was."""
    uow.about("intake", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("intake", None, patient_id=episode.patient_id)
    uow.records.principal.require_clinician()
    if episode.status != "open":
        raise InvalidInput([("episode_id", f"the episode is {episode.status}")])
    draft = _draft_or_refuse(uow, episode)
    problems = json_problems(data)
    if problems:
        raise InvalidInput(problems)
    try:
        assessment = assess(data, knowledge=knowledge)  # type: ignore[arg-type]
    except IntakeError as exc:
        raise InvalidInput(exc.problems) from None
    made = plan(assessment, today=max(today, episode.start_date), knowledge=knowledge)
    stored = jsonable(data)
    assessed = jsonable(assessment.to_dict())
    scores = assessed.get("questionnaires") or {}
    if draft is None:
        intake = uow.records.add(
            IntakeRecord(
                episode_id=episode.id,
                status=SUBMITTED,
                data=stored,
                scores=scores,
                entered_by=uow.records.principal.user_id,
            )
        )
    else:
        # The draft becomes the intake: one intake row per episode, and its id (named in the
        # draft's audit events) stays the same. Its time is now the time of submission.
        intake = draft
        intake.status, intake.data, intake.scores = SUBMITTED, stored, scores
        intake.entered_by = uow.records.principal.user_id
        intake.created_at = utcnow()
        uow.db.flush()
    record = uow.records.add(
        Assessment(
            episode_id=episode.id,
            intake_id=intake.id,
            data=assessed,
            knowledge_version=assessed.get("knowledge_version"),
        )
    )
    if not uow.records.claim_version(Episode, episode.id, "plan_version", episode.plan_version):
        raise InvalidInput([("episode_id", "the plan changed at the same time; try again")])
    revision = uow.records.add(
        PlanRevision(
            episode_id=episode.id,
            number=episode.plan_version,
            data=jsonable(made.to_dict()),
            author_id=uow.records.principal.user_id,
            reason="first plan, made from the intake",
        )
    )
    for goal in _goals(episode, stored):
        uow.records.add(goal)
    if episode.start_phase is None:
        episode.start_phase = made.entry_phase
    uow.db.flush()
    uow.about("intake", intake.id, patient_id=episode.patient_id)
    return IntakeResult(intake, record, revision)


def _of_episode(
    uow: SqlUnitOfWork,
    model: type[Assessment] | type[IntakeRecord],
    episode_id: str,
    what: str,
    *where: Any,
) -> Any:
    uow.about(what, None)
    episode = uow.records.get(Episode, episode_id)
    uow.about(what, None, patient_id=episode.patient_id)
    found = uow.records.find(model, model.episode_id == episode.id, *where)
    if found is None:
        raise NotFound(what)
    uow.about(what, found.id, patient_id=episode.patient_id)
    return found


@use_case("assessment.read")
def get_assessment(uow: SqlUnitOfWork, episode_id: str) -> Assessment:
    """The episode's assessment (red flags, mechanisms, drivers, imaging in context)."""
    found: Assessment = _of_episode(uow, Assessment, episode_id, "assessment")
    return found


@use_case("intake.read")
def get_intake(uow: SqlUnitOfWork, episode_id: str) -> IntakeRecord:
    """The episode's intake as submitted, with its questionnaire scores (a draft is not an
    intake: an episode with only a draft answers NotFound)."""
    found: IntakeRecord = _of_episode(
        uow, IntakeRecord, episode_id, "intake", IntakeRecord.status == SUBMITTED
    )
    return found


# --- drafts -------------------------------------------------------------------------------------


def json_problems(data: object) -> list[tuple[str, str]]:
    """What keeps ``data`` from being stored as an intake (draft or submitted), by path as the
    intake's own errors name them (``goals[0].activity``; the whole intake is ``(intake)``): it
    must be a JSON object of JSON values (finite numbers), without NUL characters (PostgreSQL
    cannot store them), at most MAX_DRAFT_DEPTH levels deep and MAX_DRAFT_BYTES long as JSON."""
    if not isinstance(data, dict):
        return [(_ROOT, f"an intake is a JSON object, not {_kind(data)}")]
    problems: list[tuple[str, str]] = []
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack and len(problems) < 20:
        value, path, depth = stack.pop()
        where = path or _ROOT
        if isinstance(value, str):
            if "\x00" in value:
                problems.append((where, "contains a NUL character"))
        elif isinstance(value, bool) or value is None or isinstance(value, int):
            pass
        elif isinstance(value, float):
            if not math.isfinite(value):
                problems.append((where, "is not a finite number"))
        elif isinstance(value, dict | list | tuple):
            if depth >= MAX_DRAFT_DEPTH:
                problems.append((where, f"is nested more than {MAX_DRAFT_DEPTH} levels deep"))
                continue
            if isinstance(value, dict):
                children = []
                for key, item in value.items():
                    if not isinstance(key, str):
                        problems.append((where, f"has a key that is not text: {key!r}"))
                        continue
                    at = f"{path}.{key}" if path else key
                    if "\x00" in key:
                        problems.append((at, "the name contains a NUL character"))
                        continue
                    children.append((item, at, depth + 1))
            else:
                children = [(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
            stack.extend(reversed(children))
        else:
            problems.append((where, f"is not a JSON value ({type(value).__name__})"))
    if problems:
        return sorted(set(problems), key=problems.index)
    size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    if size > MAX_DRAFT_BYTES:
        return [(_ROOT, f"is {size:,} bytes as JSON; at most {MAX_DRAFT_BYTES:,}")]
    return []


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def draft_version(record: IntakeRecord | None) -> int:
    """How many times the draft has been saved (0: no draft). Pass it back as
    ``expected_version`` to save over exactly the draft that was read."""
    if record is None or record.status != DRAFT:
        return 0
    version = (record.scores or {}).get(_DRAFT_VERSION)
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def _draft_or_refuse(uow: SqlUnitOfWork, episode: Episode) -> IntakeRecord | None:
    """The episode's draft, if any; InvalidInput when its intake is already submitted.

    The episode's row is locked first (PostgreSQL: SELECT … FOR UPDATE; SQLite's write
    transactions are serial anyway), so concurrent draft saves and submissions of one episode
    take turns and never make a second intake row."""
    uow.db.execute(select(Episode.id).where(Episode.id == episode.id).with_for_update())
    rows = uow.records.all(
        IntakeRecord,
        IntakeRecord.episode_id == episode.id,
        order_by=[IntakeRecord.created_at, IntakeRecord.id],
    )
    if any(r.status != DRAFT for r in rows):
        raise InvalidInput(
            [("episode_id", "this episode already has an intake; revise the plan instead")]
        )
    return rows[0] if rows else None


@use_case("intake.draft.save")
def save_intake_draft(
    uow: SqlUnitOfWork,
    episode_id: str,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> IntakeRecord:
    """Keep a partial intake as the episode's draft, exactly as typed (clinicians; an open
    episode whose intake is not yet submitted). Nothing is checked against the intake schema —
    only that it is a JSON object that can be stored (``json_problems``). A second save replaces
    the draft. ``expected_version`` (``draft_version`` of the draft that was read, 0 for none)
    makes the save refuse with 409 when someone else saved meanwhile; None saves regardless."""
    uow.about("intake", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("intake", None, patient_id=episode.patient_id)
    principal = uow.records.principal
    principal.require_clinician()
    if episode.status != "open":
        raise InvalidInput([("episode_id", f"the episode is {episode.status}")])
    if expected_version is not None and (
        isinstance(expected_version, bool)
        or not isinstance(expected_version, int)
        or not 0 <= expected_version <= MAX_VERSION
    ):
        raise InvalidInput([("expected_version", f"must be a whole number 0–{MAX_VERSION}")])
    problems = json_problems(data)
    if problems:
        raise InvalidInput(problems)
    draft = _draft_or_refuse(uow, episode)
    current = draft_version(draft)
    if expected_version is not None and expected_version != current:
        raise Conflict(
            f"the draft is at version {current}, not {expected_version}: someone saved it "
            "meanwhile; reload it and apply your change again"
        )
    meta = {_DRAFT_VERSION: current + 1, "saved_at": utcnow().isoformat()}
    if draft is None:
        draft = uow.records.add(
            IntakeRecord(
                episode_id=episode.id,
                status=DRAFT,
                data=jsonable(data),
                scores=meta,
                entered_by=principal.user_id,
            )
        )
    else:
        draft.data, draft.scores, draft.entered_by = jsonable(data), meta, principal.user_id
        uow.db.flush()
    uow.about("intake", draft.id, patient_id=episode.patient_id)
    return draft


@use_case("intake.draft.read")
def get_intake_draft(uow: SqlUnitOfWork, episode_id: str) -> IntakeRecord | None:
    """The episode's saved draft intake, or None when there is none (never the submitted intake).
    Staff only: a draft is clinical working material."""
    uow.about("intake", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("intake", None, patient_id=episode.patient_id)
    uow.records.principal.require_staff()
    found = uow.records.find(
        IntakeRecord, IntakeRecord.episode_id == episode.id, IntakeRecord.status == DRAFT
    )
    if found is not None:
        uow.about("intake", found.id, patient_id=episode.patient_id)
    return found
