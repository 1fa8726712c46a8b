"""What the progress view, the checkpoint screen and the printed report read of an episode:
its goals, the daily logs of its days and its sessions — each through its use case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from painpath.knowledge import KnowledgeBase
from painpath.services import care, plans
from painpath.store.models import CareSession, DailyLog, Goal
from painpath.web.security import Caller
from painpath.web.ui._episode import EpisodeView

__all__ = [
    "KIND_LABELS",
    "ProgressData",
    "goal_now",
    "load_progress",
    "read_all",
    "session_kind",
    "treatment_kinds",
    "treatment_labels",
]

T = TypeVar("T")
_PAGE = 500

KIND_LABELS = {
    "passive": "Passive",
    "active": "Active",
    "mixed": "Passive and active",
    "psychological": "Psychological",
    "intervention": "Intervention",
    "surgery": "Surgery",
    "other": "Other",
}


@dataclass(frozen=True)
class ProgressData:
    """An episode's goals, logged days and sessions from its start to ``last_day``."""

    goals: list[Goal]
    logs: list[DailyLog]
    sessions: list[CareSession]
    first_day: dt.date
    last_day: dt.date


def read_all(fetch: Callable[[int, int], tuple[list[T], int]]) -> list[T]:
    """Every item of a paged use case (``fetch(limit, offset)`` → items, total)."""
    items: list[T] = []
    while True:
        page, total = fetch(_PAGE, len(items))
        items.extend(page)
        if not page or len(items) >= total:
            return items


def load_progress(caller: Caller, view: EpisodeView) -> ProgressData:
    """The goals (once the intake set them), logs and sessions of the episode, up to today
    or the day it ended."""
    episode = view.episode
    today = view.evaluation.today if view.evaluation else caller.ctx.today()
    last = min(today, episode.ended_on) if episode.ended_on else today
    first = episode.start_date
    goals = plans.list_goals(caller.uow(), episode.id) if view.has_plan else []
    logs = read_all(
        lambda limit, offset: care.list_logs(
            caller.uow(),
            episode.patient_id,
            since=first,
            until=last,
            limit=limit,
            offset=offset,
        )
    )
    sessions = read_all(
        lambda limit, offset: care.list_sessions(
            caller.uow(), episode.id, limit=limit, offset=offset
        )
    )
    return ProgressData(goals, logs, sessions, first, max(first, last))


def treatment_kinds(kb: KnowledgeBase) -> dict[str, str]:
    """Each treatment id of the knowledge base with its kind (passive, active, …)."""
    return {t.id: t.kind for t in kb.treatments.treatments}


def treatment_labels(kb: KnowledgeBase) -> dict[str, str]:
    """Each treatment id of the knowledge base with its name for people."""
    return {t.id: t.label for t in kb.treatments.treatments}


def session_kind(modalities: list[Mapping[str, Any]], kinds: Mapping[str, str]) -> str:
    """A session as the charts mark it: passive, active, mixed (both), or the one other kind
    it holds (psychological, intervention, surgery) — "other" when none is known."""
    found = {m.get("kind") or kinds.get(str(m.get("name")), "") for m in modalities}
    found.discard("")
    if "passive" in found and "active" in found:
        return "mixed"
    for kind in ("passive", "active", "intervention", "surgery", "psychological"):
        if kind in found:
            return kind
    return "other"


def goal_now(goal: Goal, report: Any) -> float | None:
    """The goal's level this week (the engine's goal_progress level), if known."""
    if report is None:
        return None
    for s in report.of("goal_progress"):
        if s.goal == goal.key:
            level = s.evidence.data.get("level")
            return float(level) if level is not None else None
    return None
