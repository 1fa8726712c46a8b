"""Submitting an intake: score the questionnaires, assess, plan, and store all three at once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from painpath._api import assess, plan
from painpath.domain.assessment import IntakeError
from painpath.knowledge import KnowledgeBase
from painpath.services._use_case import use_case
from painpath.services.errors import InvalidInput, NotFound
from painpath.store.models import Assessment, Episode, Goal, IntakeRecord, PlanRevision
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = ["IntakeResult", "get_assessment", "get_intake", "jsonable", "submit_intake"]


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
    (revision 1) and the patient's goals in one transaction (clinicians; once per episode)."""
    uow.about("intake", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("intake", None, patient_id=episode.patient_id)
    uow.records.principal.require_clinician()
    if episode.status != "open":
        raise InvalidInput([("episode_id", f"the episode is {episode.status}")])
    if uow.records.find(IntakeRecord, IntakeRecord.episode_id == episode.id):
        raise InvalidInput(
            [("episode_id", "this episode already has an intake; revise the plan instead")]
        )
    try:
        assessment = assess(data, knowledge=knowledge)  # type: ignore[arg-type]
    except IntakeError as exc:
        raise InvalidInput(exc.problems) from None
    made = plan(assessment, today=max(today, episode.start_date), knowledge=knowledge)
    stored = jsonable(data)
    assessed = jsonable(assessment.to_dict())
    intake = uow.records.add(
        IntakeRecord(
            episode_id=episode.id,
            data=stored,
            scores=assessed.get("questionnaires") or {},
            entered_by=uow.records.principal.user_id,
        )
    )
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
    uow: SqlUnitOfWork, model: type[Assessment] | type[IntakeRecord], episode_id: str, what: str
) -> Any:
    uow.about(what, None)
    episode = uow.records.get(Episode, episode_id)
    uow.about(what, None, patient_id=episode.patient_id)
    found = uow.records.find(model, model.episode_id == episode.id)
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
    """The episode's intake as submitted, with its questionnaire scores."""
    found: IntakeRecord = _of_episode(uow, IntakeRecord, episode_id, "intake")
    return found
