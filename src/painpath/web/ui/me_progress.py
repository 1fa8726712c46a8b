"""What "My progress" tells a patient, in plain words: how far each goal has come (where it
started, the latest logged value, the target), what the current stage of the plan is for and
what comes next, and what the findings on their scans mean beside how common they are in
people of their age without pain.

Everything here is read from what a patient may read of their own record (episodes, goals,
daily logs, plan, assessment); never the signals or checkpoints, which are clinical working
material. The words for each stage come from the care model (care-model.md §4, seed 002).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from painpath.store.models import DailyLog, Goal
from painpath.web.ui.me_log import day_words

__all__ = [
    "PHASE_WORDS",
    "GoalProgress",
    "ImagingFinding",
    "PhaseView",
    "Stages",
    "goal_progress",
    "goals_progress",
    "imaging_findings",
    "latest_goal_values",
    "stages",
]


@dataclass(frozen=True)
class PhaseWords:
    title: str
    about: str


# The stages of the plan as a patient reads them (care-model.md §4; seed 002 "Building a
# progression that holds"). Keyed by the plan's phase ids.
PHASE_WORDS: Mapping[str, PhaseWords] = {
    "settle": PhaseWords(
        "Calm things down and see how your body responds",
        "The first stage asks one question: does your body respond to treatment? Hands-on care "
        "(and, where it helps, medicine or support with sleep and stress) aims to calm a "
        "sensitive system so that everyday things set off less pain. We look for a window "
        "after a treatment when pain is lower or your goal activities feel easier.",
    ),
    "extend_window": PhaseWords(
        "Make the good stretches last longer",
        "Hands-on treatment aims to make the easier stretch after each visit last longer. "
        "What counts is your life between visits: do the easier days last longer, and are the "
        "activities you want back getting easier at home and at work?",
    ),
    "blend": PhaseWords(
        "Add movement alongside treatment",
        "When the good stretches last about a week, gentle, gradually increasing exercise and "
        "practice at home join the hands-on care. Movement is added alongside, not instead; "
        "the mix shifts towards movement as your body copes with more.",
    ),
    "build_capacity": PhaseWords(
        "Build strength and confidence",
        "Mostly active work: exercise that steps up gradually towards your goals, with practice "
        "at home. Hands-on care is kept for calming a flare if one comes.",
    ),
    "graduate": PhaseWords(
        "Finish with a plan of your own",
        "Your goals are within reach or met. You leave with an exercise programme for home, a "
        "plan for flares and a follow-up appointment.",
    ),
}


def _words(phase_id: str, label: str | None) -> PhaseWords:
    found = PHASE_WORDS.get(phase_id)
    if found is not None:
        return found
    return PhaseWords(label or phase_id.replace("_", " ").capitalize(), "")


def _num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


# --- goals ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    """One goal in plain words, with the share of the way from its start to its target."""

    key: str
    title: str
    unit: str
    baseline: float
    target: float
    latest: float | None
    latest_day: dt.date | None
    percent: int | None  # 0–100 for the progress bar; None before anything is logged
    met: bool
    now: str  # "Now: 25 minutes (Tuesday 24 Nov)."
    story: str  # "You started at 10 minutes; your goal is 30 minutes."
    encouragement: str


def latest_goal_values(logs: Iterable[DailyLog]) -> dict[str, tuple[float, dt.date]]:
    """The newest logged value of each goal key, with its day."""
    latest: dict[str, tuple[float, dt.date]] = {}
    for log in sorted(logs, key=lambda d: d.day):
        for key, value in (log.goals or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                latest[key] = (float(value), log.day)
    return latest


def goal_progress(goal: Goal, latest: tuple[float, dt.date] | None, today: dt.date) -> GoalProgress:
    """Where a goal stands: the share of the distance from its start (the intake baseline) to
    its target covered by the latest logged value (care-model.md §6 "Goal progress"), shown
    from 0 to 100 (a value past the start in the wrong direction counts as 0)."""
    activity = goal.activity.strip()
    unit = (goal.unit or "").strip()

    def amount(value: float) -> str:
        return f"{_num(value)} {unit}".strip()

    story = f"You started at {amount(goal.baseline)}; your goal is {amount(goal.target)}."
    if latest is None:
        return GoalProgress(
            key=goal.key,
            title=activity[:1].upper() + activity[1:],
            unit=unit,
            baseline=goal.baseline,
            target=goal.target,
            latest=None,
            latest_day=None,
            percent=None,
            met=False,
            now="Nothing logged for this goal yet.",
            story=story,
            encouragement="Add it to your daily log and your progress will show here.",
        )
    value, day = latest
    distance = goal.target - goal.baseline
    share = 1.0 if distance == 0 else (value - goal.baseline) / distance
    met = value >= goal.target if distance >= 0 else value <= goal.target
    percent = 100 if met else max(0, min(99, round(share * 100)))
    if met:
        encouragement = (
            "You have reached your goal. Keep it up: your care team will check with you that "
            "it holds."
        )
    elif percent > 0:
        encouragement = f"You are about {percent}% of the way from where you started to your goal."
    else:
        encouragement = (
            "Not past your starting point yet. Ups and downs are normal, especially early on; "
            "your care team looks at how things go over weeks, not single days."
        )
    when = "today" if day == today else day_words(day, today)
    return GoalProgress(
        key=goal.key,
        title=activity[:1].upper() + activity[1:],
        unit=unit,
        baseline=goal.baseline,
        target=goal.target,
        latest=value,
        latest_day=day,
        percent=percent,
        met=met,
        now=f"Latest: {amount(value)} ({when}).",
        story=story,
        encouragement=encouragement,
    )


# --- the plan's stages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseView:
    id: str
    number: int
    title: str
    about: str
    start: dt.date | None
    end: dt.date | None
    current: bool


@dataclass(frozen=True)
class Stages:
    """The plan's stages as a patient reads them, which one they are in, and what is next."""

    phases: list[PhaseView] = field(default_factory=list)
    current: PhaseView | None = None
    following: PhaseView | None = None
    next_check: dt.date | None = None
    in_place: bool = True  # False: no plan of stages yet (the team is still deciding)


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def stages(plan: Mapping[str, Any] | None, today: dt.date, start_phase: str | None) -> Stages:
    """The plan's stages with the current one: the stage whose planned dates hold ``today``
    (before the first, the one the plan starts with; after the last, the last). The next
    check-in is the plan's first checkpoint on or after today."""
    raw = [p for p in (plan or {}).get("phases") or [] if isinstance(p, Mapping) and p.get("id")]
    if not raw:
        return Stages(in_place=False)
    spans = [(_date(p.get("start")), _date(p.get("end"))) for p in raw]
    index = 0
    for i, (start, end) in enumerate(spans):
        if start is not None and start <= today and (end is None or today < end):
            index = i
            break
    else:
        last_end = spans[-1][1]
        if last_end is not None and today >= last_end:
            index = len(raw) - 1
        else:
            ids = [str(p["id"]) for p in raw]
            index = ids.index(start_phase) if start_phase in ids else 0
    phases = []
    for i, (p, (start, end)) in enumerate(zip(raw, spans, strict=True)):
        words = _words(str(p["id"]), p.get("label"))
        phases.append(
            PhaseView(
                id=str(p["id"]),
                number=i + 1,
                title=words.title,
                about=words.about,
                start=start,
                end=end,
                current=i == index,
            )
        )
    checks = sorted(
        d
        for d in (_date(c.get("date")) for c in (plan or {}).get("checkpoints") or [])
        if d is not None and d >= today
    )
    return Stages(
        phases=phases,
        current=phases[index],
        following=phases[index + 1] if index + 1 < len(phases) else None,
        next_check=checks[0] if checks else None,
    )


# --- imaging -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImagingFinding:
    """A finding from a scan report beside how many in 100 pain-free people of the same age
    have it (Brinjikji 2015, through the assessment)."""

    label: str
    level: str | None
    text: str
    per_hundred: int | None
    age: int | None


def imaging_findings(assessment: Mapping[str, Any] | None) -> list[ImagingFinding]:
    """The assessment's imaging findings in the words written for the patient; a finding the
    reference table does not cover is left for the clinician to explain."""
    found = []
    for item in (assessment or {}).get("imaging") or []:
        if not isinstance(item, Mapping):
            continue
        raw = item.get("prevalence_pct")
        pct = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
        in_reference = bool(item.get("in_reference")) and pct is not None
        label = str(item.get("label") or str(item.get("finding") or "Finding").replace("_", " "))
        found.append(
            ImagingFinding(
                label=label,
                level=str(item["level"]) if item.get("level") else None,
                text=str(item.get("text") or "")
                if in_reference
                else "Your clinician will go through this finding with you.",
                per_hundred=int(pct + 0.5) if in_reference and pct is not None else None,
                age=int(item["age"]) if isinstance(item.get("age"), int) else None,
            )
        )
    return found


def goals_progress(
    goals: Sequence[Goal], logs: Iterable[DailyLog], today: dt.date
) -> list[GoalProgress]:
    """Each goal of the episode with its progress from the logs."""
    latest = latest_goal_values(logs)
    return [goal_progress(g, latest.get(g.key), today) for g in goals]
