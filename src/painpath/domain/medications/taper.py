"""An opioid taper schedule (CDC 2022 recommendation 5; rules taper.*).

After long-term use (a year or more) each step takes off a share of the *current* dose once a
month; after shorter use, a share of the *original* dose each week until about 30 % remains,
then a share of what remains each week. Once the dose is at or below a small share of the
original, the last step takes it less often and the next one stops: never an abrupt stop from a
meaningful dose. A flare or a fall in function pauses the schedule (the signals feed this):
every later step moves back by the pause. Follow-up is at least monthly throughout.
Doses are in MME/day; the prescriber turns them into the strengths the patient can take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from painpath.domain.explain import Citation, Reason, sources_of
from painpath.domain.medications.knowledge import TaperRules
from painpath.domain.medications.mme import round_mme
from painpath.domain.numbers import read_number

__all__ = [
    "EARLIEST",
    "LATEST",
    "TaperError",
    "TaperPause",
    "TaperPlan",
    "TaperStep",
    "plan_taper",
]

MAX_MME = 5000.0
MAX_WEEKS = 5200.0
# Dates a clinical schedule can mean (and that leave room for a years-long taper).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)


class TaperError(ValueError):
    """Bad input for a taper; the message names the field and the allowed range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class TaperPause:
    """Hold the dose from ``start`` for ``days``: a flare or a fall in function (signals)."""

    start: dt.date
    days: int
    reason: str


@dataclass(frozen=True)
class TaperStep:
    """One dated change: the new daily dose and what it removes."""

    number: int
    date: dt.date
    kind: Literal["reduce", "extend_interval", "stop", "pause"]
    mme_per_day: float
    reduction: float
    percent_of_original: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "mme_per_day": self.mme_per_day,
            "reduction": self.reduction,
            "percent_of_original": self.percent_of_original,
            "text": self.text,
        }


@dataclass(frozen=True)
class TaperPlan:
    """The schedule, the regimen chosen and why, follow-up dates and cautions."""

    start: dt.date
    starting_mme: float
    duration_weeks: float
    regimen: Literal["long_term", "short_term"]
    steps: tuple[TaperStep, ...]
    follow_ups: tuple[dt.date, ...]
    end: dt.date
    reasons: tuple[Reason, ...]
    cautions: tuple[str, ...]
    sources: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "starting_mme_per_day": self.starting_mme,
            "duration_weeks": self.duration_weeks,
            "regimen": self.regimen,
            "end": self.end.isoformat(),
            "steps": [s.to_dict() for s in self.steps],
            "follow_ups": [d.isoformat() for d in self.follow_ups],
            "reasons": [r.model_dump(mode="json") for r in self.reasons],
            "cautions": list(self.cautions),
            "sources": [c.short for c in self.sources],
        }


def _number(value: object, field: str, low: float, high: float, *, open_low: bool) -> float:
    bound = f"more than {low:g} and at most {high:g}" if open_low else f"{low:g}–{high:g}"
    number = read_number(value)
    if isinstance(number, str):
        shown = "the number" if number == "is too large" else repr(value)
        raise TaperError(field, f"{shown} {number}; give {bound}")
    if (number <= low if open_low else number < low) or number > high:
        raise TaperError(field, f"{number:g} is out of range; give {bound}")
    return number


def _merged(pauses: Sequence[TaperPause], start: dt.date) -> list[TaperPause]:
    """Pauses as the schedule sees them: the part before the taper's start dropped, and
    overlapping pauses merged into one (two flares in the same fortnight are one hold)."""
    spans: list[tuple[dt.date, dt.date, list[str]]] = []
    for p in sorted(pauses, key=lambda p: p.start):
        begin, end = max(p.start, start), p.start + dt.timedelta(days=p.days)
        if end <= begin:
            continue
        if spans and begin <= spans[-1][1]:
            last = spans[-1]
            spans[-1] = (last[0], max(last[1], end), [*last[2], p.reason])
        else:
            spans.append((begin, end, [p.reason]))
    return [TaperPause(b, (e - b).days, "; ".join(dict.fromkeys(r))) for b, e, r in spans]


def _r(value: float) -> float:
    return round_mme(value)


def plan_taper(
    mme_per_day: float,
    duration_weeks: float,
    start: dt.date,
    rules: TaperRules,
    pauses: Sequence[TaperPause] | None = (),
) -> TaperPlan:
    """A gradual taper from ``mme_per_day`` after ``duration_weeks`` of use, starting ``start``
    (rules taper.long_term_weeks, taper.long_term_monthly_percent,
    taper.short_term_weekly_percent, taper.switch_at_percent, taper.remaining_weekly_percent,
    taper.stop_at_percent, taper.stop_at_mme, taper.follow_up_days; CDC 2022
    recommendation 5).

    >>> from painpath.knowledge import default_knowledge
    >>> plan = plan_taper(100, 8, dt.date(2026, 1, 5), default_knowledge().medications.taper)
    >>> [s.mme_per_day for s in plan.steps][:8]
    [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 27.0]
    """
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise TaperError("start", f"{start!r} is not a date (YYYY-MM-DD)")
    if not EARLIEST <= start <= LATEST:
        raise TaperError("start", f"{start} is out of range; give {EARLIEST}–{LATEST}")
    # Doses are kept to 0.1 MME/day from the start: the schedule works on what it shows.
    original = _r(_number(mme_per_day, "mme_per_day", 0, MAX_MME, open_low=True))
    if original <= 0:
        raise TaperError("mme_per_day", f"{mme_per_day!r} is below 0.1 MME/day; nothing to taper")
    weeks = _number(duration_weeks, "duration_weeks", 0, MAX_WEEKS, open_low=False)
    if pauses is None:
        pauses = ()
    if isinstance(pauses, TaperPause) or not isinstance(pauses, Sequence):
        raise TaperError("pauses", "give a list of TaperPause(start, days, reason)")
    for n, pause in enumerate(pauses):
        if not isinstance(pause, TaperPause):
            raise TaperError(f"pauses[{n}]", f"{pause!r} is not a TaperPause(start, days, reason)")
        if isinstance(pause.start, dt.datetime) or not isinstance(pause.start, dt.date):
            raise TaperError(f"pauses[{n}].start", f"{pause.start!r} is not a date (YYYY-MM-DD)")
        if not isinstance(pause.reason, str) or not pause.reason.strip():
            raise TaperError(f"pauses[{n}].reason", "say why the taper pauses (a flare, …)")
        if isinstance(pause.days, bool) or not isinstance(pause.days, int):
            raise TaperError(f"pauses[{n}].days", f"{pause.days!r}: give a whole number 1–365")
        if pause.days < 1 or pause.days > 365:
            raise TaperError(f"pauses[{n}].days", f"{pause.days} is out of range; give 1–365")
    long_term = weeks >= rules.long_term_weeks.value
    # The last steps come only from a dose low in relative *and* absolute terms: 10% of 2000
    # MME/day is still 200 MME/day, far too much to stop from.
    stop_at = min(original * rules.stop_at_percent.value / 100, rules.stop_at_mme.value)
    switch_at = _r(original * rules.switch_at_percent.value / 100)
    if long_term:
        interval = int(rules.long_term_step_days.value)
        regimen: Literal["long_term", "short_term"] = "long_term"
        why = Reason(
            rule="taper.long_term",
            text=(
                f"{weeks:g} weeks of use is long-term (≥ {rules.long_term_weeks.value:g} weeks): "
                f"{rules.long_term_monthly_percent.value:g}% of the current dose every "
                f"{interval} days, or slower"
            ),
            data={"duration_weeks": weeks},
            sources=sources_of(rules.long_term_weeks, rules.long_term_monthly_percent),
        )
    else:
        interval = int(rules.short_term_step_days.value)
        regimen = "short_term"
        why = Reason(
            rule="taper.short_term",
            text=(
                f"{weeks:g} weeks of use is shorter than {rules.long_term_weeks.value:g} weeks: "
                f"{rules.short_term_weekly_percent.value:g}% of the original dose every "
                f"{interval} days until about {rules.switch_at_percent.value:g}% remains, then "
                f"{rules.remaining_weekly_percent.value:g}% of the remaining dose"
            ),
            data={"duration_weeks": weeks},
            sources=sources_of(
                rules.short_term_weekly_percent,
                rules.switch_at_percent,
                rules.remaining_weekly_percent,
            ),
        )

    # Doses first, dates after: a pause moves dates, never doses.
    doses: list[tuple[Literal["reduce", "extend_interval", "stop"], float]] = []
    current = original
    while current > stop_at + 1e-9:
        if long_term:
            cut = current * rules.long_term_monthly_percent.value / 100
        elif current > switch_at + 1e-9:
            # 10% of the original, but never past the switch point in one step.
            cut = min(original * rules.short_term_weekly_percent.value / 100, current - switch_at)
        else:
            cut = current * rules.remaining_weekly_percent.value / 100
        lower = _r(current - cut)
        # Doses are kept to 0.1 MME: rounding must never stall a small dose at the same value.
        lower = lower if lower < current else _r(current - 0.1)
        if lower <= 0:
            break
        current = lower
        doses.append(("reduce", current))
    doses += [("extend_interval", current), ("stop", 0.0)]

    ordered_pauses = _merged(pauses, start)
    steps: list[TaperStep] = []
    previous = original
    date = start
    pause_index = 0
    for n, (kind, dose) in enumerate(doses):
        date = start if n == 0 else date + dt.timedelta(days=interval)
        while pause_index < len(ordered_pauses) and ordered_pauses[pause_index].start <= date:
            pause = ordered_pauses[pause_index]
            steps.append(
                TaperStep(
                    0,
                    max(pause.start, steps[-1].date if steps else start),
                    "pause",
                    previous,
                    0.0,
                    _r(100 * previous / original),
                    f"Hold at {previous:g} MME/day for {pause.days} days: {pause.reason}",
                )
            )
            date += dt.timedelta(days=pause.days)
            pause_index += 1
        pct = _r(100 * dose / original)
        if kind == "reduce":
            text = f"Reduce to {dose:g} MME/day ({pct:g}% of the starting dose)"
        elif kind == "extend_interval":
            text = (
                f"Take the current dose ({dose:g} MME/day) less often, for example every other "
                "day: the last step before stopping"
            )
        else:
            text = "Stop; keep the flare plan and the follow-up visit"
        steps.append(
            TaperStep(
                0,
                date,
                kind,
                dose,
                _r(previous - dose) if kind != "extend_interval" else 0.0,
                pct,
                text,
            )
        )
        previous = dose
    steps = [
        TaperStep(i, s.date, s.kind, s.mme_per_day, s.reduction, s.percent_of_original, s.text)
        for i, s in enumerate(steps, start=1)
    ]
    end = steps[-1].date
    every = int(rules.follow_up_days.value)
    follow: list[dt.date] = []
    while not follow or follow[-1] <= end:
        follow.append(start + dt.timedelta(days=every * (len(follow) + 1)))
    cautions = (
        "Never stop abruptly or cut quickly from a high dose: withdrawal, pain, and overdose "
        "risk if the patient returns to a previous dose (CDC 2022).",
        "Pause, do not reverse, on a flare or a fall in function; resume when it settles.",
        "Offer naloxone; screen for opioid use disorder and offer treatment if present.",
        "Support with the active programme, sleep and psychological care during the taper.",
    )
    return TaperPlan(
        start=start,
        starting_mme=_r(original),
        duration_weeks=weeks,
        regimen=regimen,
        steps=tuple(steps),
        follow_ups=tuple(follow),
        end=end,
        reasons=(why,),
        cautions=cautions,
        sources=sources_of(rules),
    )
