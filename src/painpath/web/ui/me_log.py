"""The patient's daily log as a form: which days may be logged, what each field is called and
allows, how a posted form becomes a `DayInput`, and what the last week's list shows.

A patient logs today and the 6 days before it (`services.care.PATIENT_EDIT_DAYS`); every
measure is optional, but a saved day holds at least one answer. Errors name the field as the
patient reads it and the whole allowed range, and what was typed is kept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from painpath.domain.signals.timeline import RANGES
from painpath.services.care import PATIENT_EDIT_DAYS
from painpath.services.commands import DayInput
from painpath.store.models import DailyLog, Goal
from painpath.web.ui.forms import FormReader

__all__ = [
    "EVENT_LIMIT",
    "NOTE_LIMIT",
    "DayRow",
    "LogField",
    "day_words",
    "form_values",
    "goal_field",
    "log_fields",
    "parse_day",
    "read_day",
    "week",
    "window",
    "window_message",
]

EVENT_LIMIT = 500
NOTE_LIMIT = 2000
_PAIN_LO, _PAIN_HI, _ = RANGES["pain"]


@dataclass(frozen=True)
class LogField:
    """One number field of the form: its form name, the words the patient reads, the range
    and whether it takes whole numbers only."""

    name: str
    label: str
    short: str  # how an error names it: "Sleep must be a number from 0 to 24 hours"
    lo: float
    hi: float
    whole: bool
    unit: str = ""
    hint: str = ""

    @property
    def message(self) -> str:
        """What the field allows, as the error says it: "a whole number from 0 to 1,440"."""
        kind = "a whole number" if self.whole else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.short} must be {kind} from {_plain(self.lo)} to {_plain(self.hi)}{unit}"

    @property
    def inputmode(self) -> str:
        return "numeric" if self.whole else "decimal"


def _plain(value: float) -> str:
    """A bound as a person writes it: 200,000 not 2e+05.

    >>> _plain(200000), _plain(0.5), _plain(24.0)
    ('200,000', '0.5', '24')
    """
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _range(name: str) -> tuple[float, float]:
    low, high, _unit = RANGES[name]
    return float(low), float(high)


def goal_field(goal: Goal) -> LogField:
    """The form field of one goal activity, named ``goals.<key>`` (the key daily logs use)."""
    lo, hi = _range("goal")
    activity = goal.activity.strip()
    label = activity[:1].upper() + activity[1:]
    unit = (goal.unit or "").strip()
    return LogField(
        name=f"goals.{goal.key}",
        label=f"{label} ({unit})" if unit else label,
        short=label,
        lo=lo,
        hi=hi,
        whole=False,
        unit=unit,
        hint=(
            f"You started at {_plain(goal.baseline)}"
            f"{' ' + unit if unit else ''}; your goal is {_plain(goal.target)}"
            f"{' ' + unit if unit else ''}."
        ),
    )


def log_fields(goals: Sequence[Goal]) -> list[LogField]:
    """The number fields after pain, in the order of the form: the daily measures, then one
    field per goal activity of the patient's open episode."""
    steps, sitting, sleep = _range("steps"), _range("sitting_min"), _range("sleep_h")
    return [
        LogField(
            "steps", "Steps", "Steps", *steps, whole=True, hint="From your phone or step counter."
        ),
        LogField(
            "sitting_min",
            "Longest sitting (minutes)",
            "Longest sitting",
            *sitting,
            whole=True,
            unit="minutes",
            hint="The longest time you sat in one go.",
        ),
        LogField(
            "sleep_h",
            "Sleep (hours)",
            "Sleep",
            *sleep,
            whole=False,
            unit="hours",
            hint="Last night.",
        ),
        *(goal_field(g) for g in goals),
    ]


# --- the days a patient may log ------------------------------------------------------------------


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a patient may log: the 6 days before today, and today."""
    return today - dt.timedelta(days=PATIENT_EDIT_DAYS - 1), today


def day_words(day: dt.date, today: dt.date | None = None) -> str:
    """A day as a patient says it: "Tuesday 24 Nov" (with the year when it is not this one).

    >>> day_words(dt.date(2026, 11, 24), dt.date(2026, 11, 26))
    'Tuesday 24 Nov'
    >>> day_words(dt.date(2025, 12, 30), dt.date(2026, 1, 2))
    'Tuesday 30 Dec 2025'
    """
    text = f"{day:%A} {day.day} {day:%b}"
    return text if today is None or day.year == today.year else f"{text} {day.year}"


def window_message(today: dt.date) -> str:
    """Why a day cannot be logged here, with the days that can."""
    first, last = window(today)
    return (
        f"You can log today and the {PATIENT_EDIT_DAYS - 1} days before it "
        f"({day_words(first, today)} to {day_words(last, today)}). "
        "For an older day, please tell your care team at your next visit."
    )


def parse_day(text: str) -> dt.date | None:
    """The day of a ``/me/log/{day}`` path (YYYY-MM-DD), or None when it is not a real date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# --- reading the form ----------------------------------------------------------------------------


# A comma is read only as a thousands separator ("4,200" steps): "6,5" is refused rather than
# read as 65, so nothing is ever stored ten times too large.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _number(reader: FormReader, field: LogField) -> float | None:
    text = reader.raw(field.name).replace(" ", "")
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if (
        not math.isfinite(value)
        or not field.lo <= value <= field.hi
        or (field.whole and not value.is_integer())
    ):
        reader.errors.append((field.name, field.message))
        return None
    return value


def read_day(
    form: Mapping[str, Any], goals: Sequence[Goal], *, keep: DailyLog | None = None
) -> tuple[DayInput | None, list[tuple[str, str]]]:
    """The posted form as a `DayInput`, or the problems, each naming its field and range.

    ``keep``: the day as stored, whose values the form does not show (the optional function
    score a clinician may have entered) stay as they were."""
    reader = FormReader(form)
    values: dict[str, Any] = {}
    pain = reader.raw("pain")
    if pain:
        if pain.isascii() and pain.isdecimal() and _PAIN_LO <= int(pain) <= _PAIN_HI:
            values["pain"] = int(pain)
        else:
            reader.errors.append(
                ("pain", f"Pain must be a whole number from {_PAIN_LO:g} to {_PAIN_HI:g}")
            )
    goal_values: dict[str, float] = {}
    for field in log_fields(goals):
        number = _number(reader, field)
        if number is None:
            continue
        if field.name.startswith("goals."):
            goal_values[field.name.removeprefix("goals.")] = number
        else:
            values[field.name] = int(number) if field.whole else number
    for name, label, limit in (
        ("event", "Something happened", EVENT_LIMIT),
        ("note", "Note for your care team", NOTE_LIMIT),
    ):
        text = reader.raw(name)
        if len(text) > limit:
            reader.errors.append((name, f"{label} must be at most {limit:,} characters"))
        elif text:
            values[name] = text
    if not reader.errors and not values and not goal_values:
        reader.errors.append(
            ("pain", "Please answer at least one question before saving (pain is the most useful)")
        )
    if reader.errors:
        return None, reader.errors
    if keep is not None and keep.function is not None:
        values["function"] = keep.function
    try:
        return DayInput(**values, goals=goal_values), []
    except ValidationError as exc:  # a bound the form did not know (kept in step with RANGES)
        return None, [(_field(e["loc"]), str(e["msg"])) for e in exc.errors()]


def _field(loc: Iterable[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "pain"


def _typed(value: float) -> str:
    """A stored number as it is typed into the form: 4200, 7.5."""
    return str(int(value)) if float(value).is_integer() else str(value)


def form_values(log: DailyLog | None) -> dict[str, str]:
    """A stored day as the form shows it (empty for a day not logged yet)."""
    if log is None:
        return {}
    shown: dict[str, str] = {}
    for name in ("pain", "steps", "sitting_min", "sleep_h"):
        value = getattr(log, name)
        if value is not None:
            shown[name] = _typed(value)
    for key, value in (log.goals or {}).items():
        if isinstance(value, int | float):
            shown[f"goals.{key}"] = _typed(value)
    for name in ("event", "note"):
        value = getattr(log, name)
        if value:
            shown[name] = value
    return shown


# --- the last week -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    """One day of the last week in the list under the form."""

    day: dt.date
    words: str
    is_today: bool
    logged: bool
    summary: list[str]
    event: str | None


def _summary(log: DailyLog, goals: Sequence[Goal]) -> list[str]:
    parts: list[str] = []
    if log.pain is not None:
        parts.append(f"Pain {log.pain}/10")
    if log.steps is not None:
        parts.append(f"{log.steps:,} steps")
    if log.sitting_min is not None:
        parts.append(f"sat {_plain(log.sitting_min)} min")
    if log.sleep_h is not None:
        parts.append(f"slept {_plain(log.sleep_h)} h")
    stored = log.goals or {}
    for goal in goals:
        value = stored.get(goal.key)
        if isinstance(value, int | float):
            unit = f" {goal.unit}" if goal.unit else ""
            parts.append(f"{goal.activity}: {_plain(float(value))}{unit}")
    return parts


def week(logs: Iterable[DailyLog], goals: Sequence[Goal], today: dt.date) -> list[DayRow]:
    """Today and the 6 days before, newest first, each with what was logged (if anything)."""
    by_day = {log.day: log for log in logs}
    first, _last = window(today)
    rows = []
    for offset in range(PATIENT_EDIT_DAYS):
        day = today - dt.timedelta(days=offset)
        if day < first:
            break
        log = by_day.get(day)
        rows.append(
            DayRow(
                day=day,
                words=day_words(day, today),
                is_today=day == today,
                logged=log is not None,
                summary=_summary(log, goals) if log else [],
                event=log.event if log else None,
            )
        )
    return rows
