"""The plan: every revision kept with its author and reason; revising is optimistic."""

from __future__ import annotations

from painpath.services._use_case import use_case
from painpath.services.commands import PlanRevisionInput
from painpath.services.errors import Conflict, NotFound
from painpath.services.intake import jsonable
from painpath.store.models import Episode, Goal, PlanRevision
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = ["current_plan", "list_goals", "plan_history", "revise_plan"]


@use_case("plan.read")
def current_plan(uow: SqlUnitOfWork, episode_id: str) -> PlanRevision:
    """The newest revision of the episode's plan."""
    uow.about("plan_revision", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("plan_revision", None, patient_id=episode.patient_id)
    found = uow.records.find(
        PlanRevision,
        PlanRevision.episode_id == episode.id,
        PlanRevision.number == episode.plan_version,
    )
    if found is None:
        raise NotFound("plan")
    uow.about("plan_revision", found.id, patient_id=episode.patient_id)
    return found


@use_case("plan.history")
def plan_history(
    uow: SqlUnitOfWork, episode_id: str, *, limit: int, offset: int
) -> tuple[list[PlanRevision], int]:
    """Every revision of the plan, newest first, with who changed it and why."""
    uow.about("plan_revision", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("plan_revision", None, patient_id=episode.patient_id)
    return uow.records.page(
        PlanRevision,
        PlanRevision.episode_id == episode.id,
        order_by=(PlanRevision.number.desc(),),
        limit=limit,
        offset=offset,
    )


@use_case("plan.revise")
def revise_plan(uow: SqlUnitOfWork, episode_id: str, data: PlanRevisionInput) -> PlanRevision:
    """Store a new revision of the plan. ``expected_version`` must be the current revision: of
    several clinicians revising the same version at once, exactly one wins, the others get 409."""
    uow.about("plan_revision", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("plan_revision", None, patient_id=episode.patient_id)
    uow.records.principal.require_clinician()
    if episode.plan_version == 0:
        raise NotFound("plan")
    if not uow.records.claim_version(Episode, episode.id, "plan_version", data.expected_version):
        raise Conflict(
            f"the plan is at revision {episode.plan_version}, not {data.expected_version}: "
            "someone revised it meanwhile; reload it and apply your change again"
        )
    revision = uow.records.add(
        PlanRevision(
            episode_id=episode.id,
            number=data.expected_version + 1,
            data=jsonable(data.plan),
            author_id=uow.records.principal.user_id,
            reason=data.reason,
        )
    )
    uow.about("plan_revision", revision.id, patient_id=episode.patient_id)
    return revision


@use_case("goal.list")
def list_goals(uow: SqlUnitOfWork, episode_id: str) -> list[Goal]:
    """The patient's functional goals for the episode (set at intake)."""
    uow.about("goal", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("goal", None, patient_id=episode.patient_id)
    return uow.records.all(Goal, Goal.episode_id == episode.id, order_by=[Goal.key])
