"""The timeline engine over stored data: signals, the proposed checkpoint decision, and the
clinician's confirm or override — including referral with overlap and graduation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from painpath._timeline_api import propose_checkpoint, read_timelines, signals
from painpath.domain.checkpoints import CheckpointProposal
from painpath.domain.signals.report import SignalReport
from painpath.domain.signals.timeline import TimelineError
from painpath.knowledge import KnowledgeBase
from painpath.services._use_case import use_case
from painpath.services.commands import CheckpointInput, GraduateInput, ReferralInput
from painpath.services.errors import Conflict, InvalidInput
from painpath.services.intake import jsonable
from painpath.store.models import (
    CareSession,
    CheckpointRecord,
    DailyLog,
    Episode,
    Goal,
    Referral,
    User,
)
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "Evaluation",
    "decide_checkpoint",
    "episode_timeline",
    "evaluate_episode",
    "graduate",
    "list_checkpoints",
    "list_referrals",
    "refer",
]


def _day(d: DailyLog, goal_keys: set[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"date": d.day.isoformat()}
    for name in ("pain", "steps", "sitting_min", "sleep_h", "function", "event", "note"):
        value = getattr(d, name)
        if value is not None:
            row[name] = value
    goals = {k: v for k, v in (d.goals or {}).items() if k in goal_keys}
    if goals:
        row["goals"] = goals
    return row


def episode_timeline(uow: SqlUnitOfWork, episode: Episode, *, until: dt.date) -> dict[str, Any]:
    """The episode as the timeline engine reads it (docs/signals.md, "The timeline"), built
    from stored goals, daily logs, sessions and checkpoint decisions up to ``until``."""
    r = uow.records
    goals = r.all(Goal, Goal.episode_id == episode.id, order_by=[Goal.key])
    keys = {g.key for g in goals}
    end = min(until, episode.ended_on) if episode.ended_on else until
    days = r.all(
        DailyLog,
        DailyLog.patient_id == episode.patient_id,
        DailyLog.day >= episode.start_date,
        DailyLog.day <= end,
        order_by=[DailyLog.day],
    )
    sessions = r.all(
        CareSession,
        CareSession.episode_id == episode.id,
        CareSession.day <= end,
        order_by=[CareSession.day],
    )
    checkpoints = r.all(
        CheckpointRecord,
        CheckpointRecord.episode_id == episode.id,
        order_by=[CheckpointRecord.day, CheckpointRecord.created_at],
    )
    names = {
        u.id: u.username for u in uow.db.query(User).filter(User.clinic_id == episode.clinic_id)
    }
    timeline: dict[str, Any] = {
        "patient_id": episode.id,
        "start": episode.start_date.isoformat(),
        "goals": [
            {
                "id": g.key,
                "metric": g.metric,
                "label": g.activity,
                "baseline": g.baseline,
                "target": g.target,
                "direction": g.direction,
                **({"unit": g.unit} if g.unit else {}),
                **({"meaningful_change": g.meaningful_change} if g.meaningful_change else {}),
            }
            for g in goals
        ],
        "days": [_day(d, keys) for d in days],
        "sessions": [
            {
                "date": s.day.isoformat(),
                "modalities": s.modalities,
                **(
                    {"relief_window_days": s.relief_window_days}
                    if s.relief_window_days is not None
                    else {}
                ),
                **(
                    {"soreness_expected": s.soreness_expected}
                    if s.soreness_expected is not None
                    else {}
                ),
            }
            for s in sessions
        ],
        "checkpoints": [
            {
                "date": c.day.isoformat(),
                "decision": c.decision,
                "by": names.get(c.decided_by),
                "proposed": c.proposed,
                **({"reason": c.reason} if c.reason else {}),
                **({"to": c.to_phase} if c.to_phase else {}),
                **({"overlap_days": c.overlap_days} if c.overlap_days is not None else {}),
                **({"review_by": c.review_by.isoformat()} if c.review_by else {}),
            }
            for c in checkpoints
        ],
    }
    if episode.start_phase:
        timeline["phase"] = episode.start_phase
    return timeline


@dataclass(frozen=True)
class Evaluation:
    """Signals and the proposed checkpoint decision for one episode on one day."""

    episode: Episode
    today: dt.date
    report: SignalReport
    proposal: CheckpointProposal


def _evaluate(
    uow: SqlUnitOfWork, episode: Episode, today: dt.date, kb: KnowledgeBase
) -> Evaluation:
    timeline = episode_timeline(uow, episode, until=today)
    try:
        report = signals(timeline, today=today, knowledge=kb)
        proposal = propose_checkpoint(timeline, None, today=today, knowledge=kb)
    except TimelineError as exc:
        raise InvalidInput(exc.problems) from None
    return Evaluation(episode=episode, today=today, report=report, proposal=proposal)


def _in_episode(episode: Episode, day: dt.date, today: dt.date, field: str = "date") -> None:
    if not episode.start_date <= day <= today:
        raise InvalidInput(
            [
                (
                    field,
                    f"must be between the episode's start ({episode.start_date}) "
                    f"and today ({today})",
                )
            ]
        )


@use_case("signals.read")
def evaluate_episode(
    uow: SqlUnitOfWork, episode_id: str, *, today: dt.date, knowledge: KnowledgeBase
) -> Evaluation:
    """Every signal and the proposed checkpoint decision for an episode as of ``today``."""
    uow.about("episode", episode_id)
    episode = uow.records.get(Episode, episode_id)
    uow.about("episode", episode.id, patient_id=episode.patient_id)
    _in_episode(episode, today, dt.date.max, "today")
    return _evaluate(uow, episode, today, knowledge)


_CHECKPOINT_PATH = re.compile(r"^checkpoints\[\d+\]\.?")


def _decide(
    uow: SqlUnitOfWork,
    episode: Episode,
    data: CheckpointInput,
    *,
    today: dt.date,
    kb: KnowledgeBase,
) -> CheckpointRecord:
    uow.records.principal.require_clinician()
    _in_episode(episode, data.date, today)
    if episode.status != "open":
        raise InvalidInput([("episode_id", f"the episode is {episode.status}")])
    if not uow.records.claim_version(Episode, episode.id, "version", data.expected_version):
        raise Conflict(
            f"the episode is at version {episode.version}, not {data.expected_version}: another "
            "decision was recorded meanwhile; reload the proposal"
        )
    proposal = _evaluate(uow, episode, data.date, kb).proposal
    if data.decision != proposal.decision and not data.reason:
        raise InvalidInput(
            [("reason", f"Painpath proposed {proposal.decision}; an override needs a reason")]
        )
    record = CheckpointRecord(
        episode_id=episode.id,
        day=data.date,
        proposed=proposal.decision,
        proposal=jsonable(proposal.to_dict()),
        decision=data.decision,
        to_phase=data.to,
        overlap_days=data.overlap_days,
        review_by=data.review_by,
        reason=data.reason,
        decided_by=uow.records.principal.user_id,
    )
    # The decision is checked by the same rules as a timeline file (a transition needs `to`,
    # a review date lies within the allowed window, …), before anything is stored.
    timeline = episode_timeline(uow, episode, until=data.date)
    timeline["checkpoints"].append(
        {
            k: v
            for k, v in {
                "date": data.date.isoformat(),
                "decision": data.decision,
                "to": data.to,
                "overlap_days": data.overlap_days,
                "review_by": data.review_by.isoformat() if data.review_by else None,
            }.items()
            if v is not None
        }
    )
    try:
        read_timelines(timeline, knowledge=kb)
    except TimelineError as exc:
        raise InvalidInput(
            [(_CHECKPOINT_PATH.sub("", path) or "decision", msg) for path, msg in exc.problems]
        ) from None
    uow.records.add(record)
    if data.decision == "graduate":
        episode.status, episode.ended_on = "graduated", data.date
    uow.db.flush()
    return record


@use_case("checkpoint.decide")
def decide_checkpoint(
    uow: SqlUnitOfWork,
    episode_id: str,
    data: CheckpointInput,
    *,
    today: dt.date,
    knowledge: KnowledgeBase,
) -> CheckpointRecord:
    """Confirm the proposed decision, or override it with a reason. ``expected_version`` is the
    episode version the clinician saw: of concurrent decisions exactly one wins (409)."""
    uow.about("checkpoint", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("checkpoint", None, patient_id=episode.patient_id)
    record = _decide(uow, episode, data, today=today, kb=knowledge)
    uow.about("checkpoint", record.id, patient_id=episode.patient_id)
    return record


@use_case("checkpoint.list")
def list_checkpoints(
    uow: SqlUnitOfWork, episode_id: str, *, limit: int, offset: int
) -> tuple[list[CheckpointRecord], int]:
    uow.about("checkpoint", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("checkpoint", None, patient_id=episode.patient_id)
    uow.records.principal.require_staff()
    return uow.records.page(
        CheckpointRecord,
        CheckpointRecord.episode_id == episode.id,
        order_by=(CheckpointRecord.day, CheckpointRecord.created_at),
        limit=limit,
        offset=offset,
    )


@use_case("referral.create")
def refer(
    uow: SqlUnitOfWork,
    episode_id: str,
    data: ReferralInput,
    *,
    today: dt.date,
    knowledge: KnowledgeBase,
) -> Referral:
    """Refer the patient on, keeping care going for ``overlap_days`` so the hand-over has no
    gap (care-model: refer with overlap). Records a `refer` checkpoint decision with it."""
    uow.about("referral", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("referral", None, patient_id=episode.patient_id)
    _decide(
        uow,
        episode,
        CheckpointInput(
            date=data.date,
            decision="refer",
            expected_version=data.expected_version,
            reason=data.reason,
            overlap_days=data.overlap_days,
        ),
        today=today,
        kb=knowledge,
    )
    referral = uow.records.add(
        Referral(
            episode_id=episode.id,
            to_service=data.to_service,
            reason=data.reason,
            overlap_days=data.overlap_days,
            day=data.date,
            created_by=uow.records.principal.user_id,
        )
    )
    uow.about("referral", referral.id, patient_id=episode.patient_id)
    return referral


@use_case("referral.list")
def list_referrals(
    uow: SqlUnitOfWork, episode_id: str, *, limit: int, offset: int
) -> tuple[list[Referral], int]:
    uow.about("referral", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("referral", None, patient_id=episode.patient_id)
    return uow.records.page(
        Referral,
        Referral.episode_id == episode.id,
        order_by=(Referral.day,),
        limit=limit,
        offset=offset,
    )


@use_case("episode.graduate")
def graduate(
    uow: SqlUnitOfWork,
    episode_id: str,
    data: GraduateInput,
    *,
    today: dt.date,
    knowledge: KnowledgeBase,
) -> Episode:
    """Graduate the patient: a `graduate` checkpoint decision that closes the episode."""
    uow.about("episode", episode_id)
    episode = uow.records.get(Episode, episode_id)
    uow.about("episode", episode.id, patient_id=episode.patient_id)
    _decide(
        uow,
        episode,
        CheckpointInput(
            date=data.date,
            decision="graduate",
            expected_version=data.expected_version,
            reason=data.reason,
        ),
        today=today,
        kb=knowledge,
    )
    return episode
