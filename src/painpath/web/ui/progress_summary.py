"""An episode's progress in a few plain lines, for paper: each goal from baseline to now to
target, pain before care and this week, the phase and what it is for, what was decided last and
what comes next. The printed report and the referral letter share it."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from painpath.domain.signals.report import SignalReport
from painpath.store.models import CheckpointRecord, DailyLog, Goal
from painpath.web.ui.progress_data import goal_now
from painpath.web.ui.render import PHASE_LABELS

__all__ = [
    "DECISION_WORDS",
    "GoalLine",
    "PhaseInfo",
    "decision_words",
    "goal_lines",
    "next_checkpoint",
    "pain_week",
    "phase_info",
]

DECISION_WORDS = {
    "continue": "continue the current plan",
    "adjust": "adjust the plan: review the load of treatment and activity, and the hypothesis",
    "transition": "move on to the next phase",
    "refer": "refer for another opinion, with care here continuing alongside",
    "ongoing_care": "continue with intentional ongoing care, reviewed on a set date",
    "graduate": "graduate, with a home programme, a flare plan and follow-up",
}


def decision_words(record: CheckpointRecord) -> str:
    """A recorded decision in plain words."""
    words = DECISION_WORDS.get(record.decision, record.decision.replace("_", " "))
    if record.decision == "transition" and record.to_phase:
        words = f"move on to the phase “{PHASE_LABELS.get(record.to_phase, record.to_phase)}”"
    if record.decision == "refer" and record.overlap_days is not None:
        words += f" ({record.overlap_days} days of overlap)"
    if record.decision == "ongoing_care" and record.review_by:
        words += f" (review by {record.review_by:%-d %b %Y})"
    return words


@dataclass(frozen=True)
class GoalLine:
    key: str
    activity: str
    unit: str
    baseline: float
    now: float | None
    target: float
    share: float | None  # of the way from baseline to target
    met: bool


def goal_lines(goals: Iterable[Goal], report: SignalReport | None) -> list[GoalLine]:
    """Each goal: where it started, where it is this week, where it should get to."""
    met = {s.goal for s in report.of("goal_met")} if report else set()
    shares = {s.goal: s.value for s in report.of("goal_progress")} if report else {}
    return [
        GoalLine(
            g.key,
            g.activity,
            g.unit or g.metric.replace("_", " "),
            g.baseline,
            goal_now(g, report),
            g.target,
            shares.get(g.key),
            g.key in met,
        )
        for g in goals
    ]


def pain_week(logs: Sequence[DailyLog], until: dt.date) -> float | None:
    """The median pain of the 7 days ending ``until`` (None with fewer than 3 logged)."""
    start = until - dt.timedelta(days=6)
    values = [d.pain for d in logs if d.pain is not None and start <= d.day <= until]
    return float(statistics.median(values)) if len(values) >= 3 else None


@dataclass(frozen=True)
class PhaseInfo:
    id: str | None
    label: str
    purpose: str
    modalities: list[str]


def phase_info(phase: str | None, plan: Mapping[str, Any] | None) -> PhaseInfo:
    """The current phase with its purpose and treatments from the plan."""
    label = PHASE_LABELS.get(phase or "", (phase or "not set").replace("_", " "))
    for p in (plan or {}).get("phases") or []:
        if p.get("id") == phase:
            return PhaseInfo(
                phase,
                p.get("label") or label,
                p.get("purpose") or "",
                [m.get("label") or m.get("id", "") for m in p.get("modalities") or []],
            )
    return PhaseInfo(phase, label, "", [])


def next_checkpoint(plan: Mapping[str, Any] | None, after: dt.date) -> dict[str, Any] | None:
    """The plan's first checkpoint after ``after`` (its date and question), if any."""
    for c in (plan or {}).get("checkpoints") or []:
        try:
            day = dt.date.fromisoformat(str(c.get("date")))
        except ValueError:
            continue
        if day > after:
            return {"date": day, "question": c.get("question") or ""}
    return None
