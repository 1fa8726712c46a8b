"""An episode of care: intake, assessment, plan, goals, sessions, signals and checkpoints,
referrals, graduation and team notes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Body, Query

from painpath.services import care, checkpoints, intake, notes, patients, plans
from painpath.services.commands import (
    CheckpointInput,
    GraduateInput,
    NoteInput,
    PlanRevisionInput,
    ReferralInput,
    SessionInput,
)
from painpath.web.api._routing import ApiRouter
from painpath.web.api.patient_routes import Limit, Offset, RecordId
from painpath.web.api.schemas import (
    AssessmentOut,
    CheckpointOut,
    EpisodeOut,
    EvaluationOut,
    GoalOut,
    IntakeOut,
    IntakeSubmitted,
    NoteOut,
    Page,
    PlanOut,
    ReferralOut,
    SessionOut,
    page,
)
from painpath.web.security import CLINICIAN, SIGNED_IN, STAFF, CallerDep

__all__ = ["router"]

router = ApiRouter(prefix="/episodes", tags=["episodes"])

IntakeBody = Annotated[
    dict[str, Any],
    Body(
        description="An intake in the format of docs/schema/intake.schema.json",
        max_length=200,
    ),
]


@router.endpoint("GET", "/{episode_id}", access=SIGNED_IN, response_model=EpisodeOut)
def get_episode(caller: CallerDep, episode_id: RecordId) -> object:
    return patients.get_episode(caller.uow(), episode_id)


@router.endpoint(
    "POST",
    "/{episode_id}/intake",
    access=CLINICIAN,
    status_code=201,
    response_model=IntakeSubmitted,
)
def submit_intake(caller: CallerDep, episode_id: RecordId, body: IntakeBody) -> object:
    """Submit the intake: questionnaires are scored, the assessment and the first plan made,
    and all of it stored with the patient's goals (once per episode)."""
    result = intake.submit_intake(
        caller.uow(), episode_id, body, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
    )
    return {
        "intake": IntakeOut.model_validate(result.intake),
        "assessment": AssessmentOut.model_validate(result.assessment),
        "plan": PlanOut.model_validate(result.plan),
    }


@router.endpoint("GET", "/{episode_id}/intake", access=STAFF, response_model=IntakeOut)
def get_intake(caller: CallerDep, episode_id: RecordId) -> object:
    """The intake as submitted, with its questionnaire scores."""
    return intake.get_intake(caller.uow(), episode_id)


@router.endpoint("GET", "/{episode_id}/assessment", access=SIGNED_IN, response_model=AssessmentOut)
def get_assessment(caller: CallerDep, episode_id: RecordId) -> object:
    return intake.get_assessment(caller.uow(), episode_id)


@router.endpoint("GET", "/{episode_id}/plan", access=SIGNED_IN, response_model=PlanOut)
def get_plan(caller: CallerDep, episode_id: RecordId) -> object:
    """The current revision of the plan."""
    return plans.current_plan(caller.uow(), episode_id)


@router.endpoint("GET", "/{episode_id}/plan/revisions", access=STAFF, response_model=Page[PlanOut])
def plan_revisions(
    caller: CallerDep, episode_id: RecordId, limit: Limit = 50, offset: Offset = 0
) -> object:
    """Every revision of the plan, newest first, with its author and reason."""
    items, total = plans.plan_history(caller.uow(), episode_id, limit=limit, offset=offset)
    return page(items, total, limit=limit, offset=offset, model=PlanOut)


@router.endpoint(
    "POST",
    "/{episode_id}/plan/revisions",
    access=CLINICIAN,
    status_code=201,
    response_model=PlanOut,
    conflicts=True,
)
def revise_plan(caller: CallerDep, episode_id: RecordId, body: PlanRevisionInput) -> object:
    """Revise the plan; 409 when ``expected_version`` is no longer the current revision."""
    return plans.revise_plan(caller.uow(), episode_id, body)


@router.endpoint("GET", "/{episode_id}/goals", access=SIGNED_IN, response_model=list[GoalOut])
def list_goals(caller: CallerDep, episode_id: RecordId) -> object:
    return plans.list_goals(caller.uow(), episode_id)


@router.endpoint(
    "POST", "/{episode_id}/sessions", access=CLINICIAN, status_code=201, response_model=SessionOut
)
def record_session(caller: CallerDep, episode_id: RecordId, body: SessionInput) -> object:
    return care.record_session(
        caller.uow(), episode_id, body, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
    )


@router.endpoint("GET", "/{episode_id}/sessions", access=SIGNED_IN, response_model=Page[SessionOut])
def list_sessions(
    caller: CallerDep, episode_id: RecordId, limit: Limit = 50, offset: Offset = 0
) -> object:
    items, total = care.list_sessions(caller.uow(), episode_id, limit=limit, offset=offset)
    return page(items, total, limit=limit, offset=offset, model=SessionOut)


@router.endpoint("GET", "/{episode_id}/signals", access=STAFF, response_model=EvaluationOut)
def evaluate(
    caller: CallerDep,
    episode_id: RecordId,
    today: Annotated[dt.date | None, Query(description="Evaluate as of this day")] = None,
) -> object:
    """Every signal with its evidence, and the proposed checkpoint decision with its reasons,
    as of ``today`` (default: the clinic's today)."""
    day = caller.ctx.today() if today is None else today
    result = checkpoints.evaluate_episode(
        caller.uow(), episode_id, today=day, knowledge=caller.ctx.knowledge
    )
    return EvaluationOut(
        episode_id=result.episode.id,
        episode_version=result.episode.version,
        today=result.today,
        signals=result.report.to_dict(),
        proposal=result.proposal.to_dict(),
    )


@router.endpoint(
    "POST",
    "/{episode_id}/checkpoints",
    access=CLINICIAN,
    status_code=201,
    response_model=CheckpointOut,
    conflicts=True,
)
def decide(caller: CallerDep, episode_id: RecordId, body: CheckpointInput) -> object:
    """Confirm the proposed decision or override it (an override needs a reason)."""
    return checkpoints.decide_checkpoint(
        caller.uow(), episode_id, body, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
    )


@router.endpoint(
    "GET", "/{episode_id}/checkpoints", access=STAFF, response_model=Page[CheckpointOut]
)
def list_checkpoints(
    caller: CallerDep, episode_id: RecordId, limit: Limit = 50, offset: Offset = 0
) -> object:
    items, total = checkpoints.list_checkpoints(
        caller.uow(), episode_id, limit=limit, offset=offset
    )
    return page(items, total, limit=limit, offset=offset, model=CheckpointOut)


@router.endpoint(
    "POST",
    "/{episode_id}/referrals",
    access=CLINICIAN,
    status_code=201,
    response_model=ReferralOut,
    conflicts=True,
)
def refer(caller: CallerDep, episode_id: RecordId, body: ReferralInput) -> object:
    """Refer on with an overlap period (records a `refer` checkpoint decision too)."""
    return checkpoints.refer(
        caller.uow(), episode_id, body, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
    )


@router.endpoint("GET", "/{episode_id}/referrals", access=STAFF, response_model=Page[ReferralOut])
def list_referrals(
    caller: CallerDep, episode_id: RecordId, limit: Limit = 50, offset: Offset = 0
) -> object:
    items, total = checkpoints.list_referrals(caller.uow(), episode_id, limit=limit, offset=offset)
    return page(items, total, limit=limit, offset=offset, model=ReferralOut)


@router.endpoint(
    "POST", "/{episode_id}/graduate", access=CLINICIAN, response_model=EpisodeOut, conflicts=True
)
def graduate(caller: CallerDep, episode_id: RecordId, body: GraduateInput) -> object:
    """Graduate the patient: a `graduate` decision that closes the episode."""
    return checkpoints.graduate(
        caller.uow(), episode_id, body, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
    )


@router.endpoint(
    "POST", "/{episode_id}/notes", access=CLINICIAN, status_code=201, response_model=NoteOut
)
def add_note(caller: CallerDep, episode_id: RecordId, body: NoteInput) -> object:
    """A team note tied to a part of the hypothesis (staff only; patients do not see them)."""
    return notes.add_team_note(caller.uow(), episode_id, body)


@router.endpoint("GET", "/{episode_id}/notes", access=STAFF, response_model=Page[NoteOut])
def list_notes(
    caller: CallerDep, episode_id: RecordId, limit: Limit = 50, offset: Offset = 0
) -> object:
    items, total = notes.list_team_notes(caller.uow(), episode_id, limit=limit, offset=offset)
    return page(items, total, limit=limit, offset=offset, model=NoteOut)
