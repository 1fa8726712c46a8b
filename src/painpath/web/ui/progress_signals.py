"""The timeline engine's signals as a clinician (and, in plain words, a patient) reads them:
grouped by what they are about, each with its evidence in words, its rule and its sources,
and the short summaries the printed report uses. (The badges at the top of an episode screen
are the episode's row of the patient list: services.clinic.episode_overview.)

Nothing here decides anything clinical: every word comes from a signal's evidence or names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from painpath.domain.signals.report import Signal, SignalReport

__all__ = [
    "SIGNAL_TITLES",
    "SignalGroup",
    "SignalItem",
    "flare_status_label",
    "goal_names",
    "group_signals",
    "plain_summary",
    "signal_item",
]

SIGNAL_TITLES = {
    "expected_soreness": "Expected soreness after a session",
    "flare": "Flare",
    "relief_window": "Relief window",
    "response_established": "Response established",
    "non_responder": "No relief window yet",
    "movement_entry_ready": "Ready for movement entry",
    "passive_active_ratio": "Passive : active share",
    "plateau": "Plateau",
    "goal_progress": "Goal progress",
    "goal_met": "Goal met",
    "care_simply_continuing": "Care simply continuing",
    "checkpoint_due": "Checkpoint due",
    "data_gap": "Data gap",
}

FLARE_STATUS = {
    "settling": "Settling (normal response)",
    "prolonged": "Prolonged: reassess",
    "setback": "Setback: reassess",
}

# (group title, the signal ids it holds, in the order they are read)
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Flares and soreness", ("flare", "expected_soreness")),
    (
        "Response to sessions",
        (
            "non_responder",
            "response_established",
            "movement_entry_ready",
            "relief_window",
            "passive_active_ratio",
        ),
    ),
    ("Goals", ("goal_met", "plateau", "goal_progress")),
    ("Checkpoints and logging", ("care_simply_continuing", "checkpoint_due", "data_gap")),
)

# How each signal is shown: danger | warning | info | good (badges always carry words too).
_SEVERITY = {
    "expected_soreness": "info",
    "relief_window": "info",
    "response_established": "good",
    "non_responder": "warning",
    "movement_entry_ready": "good",
    "passive_active_ratio": "info",
    "plateau": "warning",
    "goal_progress": "info",
    "goal_met": "good",
    "care_simply_continuing": "warning",
    "checkpoint_due": "info",
    "data_gap": "info",
}
_FLARE_SEVERITY = {"settling": "info", "prolonged": "danger", "setback": "warning"}


def flare_status_label(status: str | None) -> str:
    """The words for a flare's status."""
    return FLARE_STATUS.get(status or "", "Flare")


def goal_names(goals: Iterable[Any]) -> dict[str, str]:
    """Each goal's key (g1, g2, …) with the activity the patient named."""
    return {g.key: g.activity for g in goals}


@dataclass(frozen=True)
class SignalItem:
    """One signal as the page shows it."""

    id: str
    title: str
    status: str | None
    severity: str
    when: str
    text: str
    rule: str
    sources: tuple[str, ...]
    parameters: Mapping[str, Any]
    goal: str | None = None


@dataclass(frozen=True)
class SignalGroup:
    title: str
    items: list[SignalItem] = field(default_factory=list)


def _day(d: dt.date | None) -> str:
    return d.strftime("%-d %b %Y") if d else ""


def _when(s: Signal) -> str:
    if s.id == "relief_window" and s.session:
        return f"after the {_day(s.session)} session"
    if s.start and s.end and s.start != s.end:
        return f"{_day(s.start)} – {_day(s.end)}"
    if s.start and s.end is None and s.id in ("flare", "plateau", "care_simply_continuing"):
        return f"since {_day(s.start)}"
    if s.start:
        return _day(s.start)
    if s.session:
        return f"after the {_day(s.session)} session"
    return ""


def signal_item(s: Signal, names: Mapping[str, str]) -> SignalItem:
    """One signal as the pages show it: a title naming its goal by the patient's words, its
    status in words, when it happened, its evidence, rule and sources."""
    title = SIGNAL_TITLES.get(s.id, s.id.replace("_", " ").capitalize())
    status: str | None = None
    severity = _SEVERITY.get(s.id, "info")
    if s.id == "flare":
        what = f"goal “{names.get(s.goal, s.goal)}”" if s.goal else "pain"
        title = f"Flare of {what}"
        status = flare_status_label(s.status)
        severity = _FLARE_SEVERITY.get(s.status or "", "info")
    elif s.goal:
        title = f"{title}: {names.get(s.goal, s.goal)}"
    if s.id == "checkpoint_due" and s.status:
        status = {
            "interval_days": "by days since the last decision",
            "interval_sessions": "by sessions since the last decision",
            "after_intervention": "after an intervention",
        }.get(s.status, s.status.replace("_", " "))
    if s.id == "care_simply_continuing" and s.status:
        status = {
            "plateau": "plateau with no decision",
            "ongoing_care_overdue": "ongoing-care review overdue",
        }.get(s.status, s.status.replace("_", " "))
    if s.id == "response_established" and s.status == "early":
        status = "within the first sessions"
    return SignalItem(
        id=s.id,
        title=title,
        status=status,
        severity=severity,
        when=_when(s),
        text=s.evidence.text,
        rule=s.evidence.rule,
        sources=tuple(c.short for c in s.evidence.sources),
        parameters=dict(s.evidence.parameters),
        goal=s.goal,
    )


def _newest_first(signals: Sequence[Signal]) -> list[Signal]:
    def key(s: Signal) -> dt.date:
        return s.start or s.session or dt.date.min

    return sorted(signals, key=key, reverse=True)


def group_signals(report: SignalReport | None, goals: Iterable[Any] = ()) -> list[SignalGroup]:
    """Every signal of the report in its group (empty groups left out), newest first."""
    if report is None:
        return []
    names = goal_names(goals)
    out: list[SignalGroup] = []
    placed: set[str] = set()
    for title, ids in _GROUPS:
        items = [signal_item(s, names) for i in ids for s in _newest_first(report.of(i))]
        placed.update(ids)
        if items:
            out.append(SignalGroup(title, items))
    rest = [signal_item(s, names) for s in report.signals if s.id not in placed]
    if rest:
        out.append(SignalGroup("Other signals", rest))
    return out


# --- plain words for the printed report --------------------------------------------------------


def plain_summary(report: SignalReport | None, goals: Iterable[Any] = ()) -> list[str]:
    """What the signals say, in sentences a patient can read (the printed progress report)."""
    if report is None:
        return ["Painpath starts reading the daily logs once the intake and plan are in place."]
    names = goal_names(goals)
    lines: list[str] = []
    flares = report.of("flare")
    if flares:
        by_status = {
            s: sum(1 for f in flares if f.status == s) for s in ("settling", "prolonged", "setback")
        }
        parts = []
        if by_status["settling"]:
            parts.append(f"{by_status['settling']} settled or is settling as expected")
        if by_status["prolonged"]:
            parts.append(f"{by_status['prolonged']} took longer than 72 hours to settle")
        if by_status["setback"]:
            parts.append(f"{by_status['setback']} settled at a higher level (a setback)")
        lines.append(
            f"There {'was' if len(flares) == 1 else 'were'} {len(flares)} "
            f"flare{'' if len(flares) == 1 else 's'} of pain or of a goal activity: "
            f"{'; '.join(parts)}."
        )
    else:
        lines.append("No flare so far.")
    if report.of("expected_soreness"):
        lines.append(
            "Soreness in the day or two after a session settled within 48 hours, "
            "as expected after treatment."
        )
    windows = [s for s in report.of("relief_window") if s.value]
    if windows:
        best = max(windows, key=lambda s: s.value or 0)
        lines.append(
            f"Sessions brought relief for up to {best.value:g} "
            f"day{'' if best.value == 1 else 's'} (after the {_day(best.session)} session)."
        )
    if report.of("movement_entry_ready"):
        lines.append("Relief now lasts a week or more: active work can start alongside care.")
    if report.of("non_responder"):
        lines.append(
            "The first sessions have not brought relief: the team is reviewing the approach."
        )
    if report.of("plateau"):
        lines.append("Progress on the goals has levelled off recently: a time to review the plan.")
    for s in report.of("goal_met"):
        lines.append(f"Goal reached and held: {names.get(s.goal or '', s.goal or '')}.")
    if report.of("data_gap"):
        lines.append("Fewer than four days were logged in the last week: daily logs help us judge.")
    return lines
