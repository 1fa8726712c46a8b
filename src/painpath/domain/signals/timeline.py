"""The timeline as it arrives: goals, daily logs, sessions and checkpoint decisions of one patient.

Validated at the boundary into frozen models (style.md, principle 9). Every problem is named
by its JSON path with the value and what is allowed, and nothing is guessed: days out of order,
a duplicate day, pain 11, negative steps, a session before the start or an unknown goal id
refuse the whole timeline (docs/signals.md, "The timeline").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from painpath.domain.input_errors import describe, json_path
from painpath.domain.instruments.answers import show
from painpath.domain.planning.knowledge import PHASES, Kind, PhaseId

__all__ = [
    "PHASES",
    "CheckpointDecision",
    "Day",
    "Decision",
    "Goal",
    "Modality",
    "Session",
    "Timeline",
    "TimelineError",
    "phase_on",
    "read_day",
    "read_timeline",
]

Phase = PhaseId
Decision = Literal["continue", "adjust", "transition", "refer", "ongoing_care", "graduate"]

# Timelines are read for dates from 1990 to 2100: anything else is a typing slip.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)


class TimelineError(ValueError):
    """A timeline that cannot be read; ``problems`` are (JSON path, message) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]]):
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{path}: {message}" for path, message in self.problems))


def read_day(value: object) -> dt.date:
    """A date given as a date or YYYY-MM-DD within EARLIEST–LATEST (ValueError otherwise)."""
    parsed = _date(value)
    assert isinstance(parsed, dt.date)
    return parsed


def _date(value: object) -> object:
    """A date, or text in the form YYYY-MM-DD within EARLIEST–LATEST; nothing else."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"{show(value)}: give a date (YYYY-MM-DD), not a date and time")
    parsed: dt.date | None = value if isinstance(value, dt.date) else None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{show(value)} is not a calendar date") from None
    if parsed is None:
        raise ValueError(f"{show(value)}: give a date as YYYY-MM-DD")
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError(f"{parsed.isoformat()} is outside {EARLIEST.year}–{LATEST.year}")
    return parsed


Date = Annotated[dt.date, BeforeValidator(_date)]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]

_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

# The ranges every measure is checked against: (low, high, unit shown in messages).
RANGES: dict[str, tuple[float, float, str]] = {
    "pain": (0, 10, ""),
    "steps": (0, 200_000, " steps"),
    "sitting_min": (0, 1440, " minutes"),
    "sleep_h": (0, 24, " hours"),
    "function": (0, 10, ""),
    "goal": (0, 1_000_000, ""),
    "relief_window_days": (0, 365, " days"),
    "overlap_days": (0, 180, " days"),
}


def _limits(key: str) -> dict[str, Any]:
    """The range of a measure, as the published JSON Schema states it."""
    low, high, _ = RANGES[key]
    return {"minimum": low, "maximum": high}


class Goal(BaseModel):
    """A functional goal set at intake: a metric, where it started and where it should go."""

    model_config = _STRICT

    id: Ident
    metric: Text
    label: Text | None = None
    baseline: float = Field(json_schema_extra=_limits("goal"))
    target: float = Field(json_schema_extra=_limits("goal"))
    direction: Literal["increase", "decrease"]
    meaningful_change: float | None = Field(default=None, gt=0)
    unit: Text | None = None


class Day(BaseModel):
    """One day's log; any measure may be missing."""

    model_config = _STRICT

    date: Date
    pain: int | None = Field(default=None, json_schema_extra=_limits("pain"))
    steps: int | None = Field(default=None, json_schema_extra=_limits("steps"))
    sitting_min: int | None = Field(default=None, json_schema_extra=_limits("sitting_min"))
    sleep_h: float | None = Field(default=None, json_schema_extra=_limits("sleep_h"))
    function: float | None = Field(default=None, json_schema_extra=_limits("function"))
    goals: dict[str, float | None] = Field(
        default_factory=dict,
        description="Goal values by goal id",
        json_schema_extra={
            "additionalProperties": {
                "anyOf": [{**_limits("goal"), "type": "number"}, {"type": "null"}]
            }
        },
    )
    event: Annotated[str, Field(max_length=500)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class Modality(BaseModel):
    """What was done in a session; ``kind`` may come from the knowledge base's treatments."""

    model_config = _STRICT

    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: Kind | None = None


class Session(BaseModel):
    """One clinical session."""

    model_config = _STRICT

    date: Date
    modalities: list[Modality] = Field(default_factory=list, max_length=30)
    provider: Text | None = None
    relief_window_days: int | None = Field(
        default=None, json_schema_extra=_limits("relief_window_days")
    )
    soreness_expected: bool | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class CheckpointDecision(BaseModel):
    """A decision recorded at a checkpoint, with who made it and why."""

    model_config = _STRICT

    date: Date
    decision: Decision
    by: Text | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    to: Phase | None = None
    overlap_days: int | None = Field(default=None, json_schema_extra=_limits("overlap_days"))
    review_by: Date | None = None
    proposed: Decision | None = None


class Timeline(BaseModel):
    """One patient's timeline (docs/schema/timeline.schema.json)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        title="Painpath timeline",
        json_schema_extra={"$id": "https://painpath.org/schema/timeline.schema.json"},
    )

    patient_id: Ident
    start: Date
    phase: Phase | None = None
    goals: list[Goal] = Field(default_factory=list, max_length=10)
    days: list[Day] = Field(default_factory=list, max_length=5000)
    sessions: list[Session] = Field(default_factory=list, max_length=2000)
    checkpoints: list[CheckpointDecision] = Field(default_factory=list, max_length=1000)
    about: dict[str, Any] | None = Field(
        default=None, description="Free metadata the engine ignores (scenario expectations)"
    )


def phase_on(timeline: Timeline, today: dt.date) -> str | None:
    """The phase the patient is in on ``today``: the latest transition recorded by then, else
    the phase at the start."""
    phase: str | None = timeline.phase
    for c in timeline.checkpoints:
        if c.date <= today and c.decision == "transition":
            phase = c.to
        elif c.date <= today and c.decision == "graduate":
            phase = "graduate"
    return phase


def _num(x: float) -> str:
    """A bound or value as a reader writes it: 10, 2.5, 200 000, 1 000 000."""
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", " ") if abs(x) >= 10_000 else str(int(x))
    return f"{x:g}"


def _in_range(problems: list[tuple[str, str]], path: str, value: float | None, key: str) -> None:
    if value is None:
        return
    low, high, unit = RANGES[key]
    if not low <= value <= high:
        problems.append((path, f"{_num(value)} is out of range {_num(low)}–{_num(high)}{unit}"))


def _in_order(problems: list[tuple[str, str]], name: str, dates: Sequence[dt.date]) -> None:
    for i in range(1, len(dates)):
        if dates[i] == dates[i - 1]:
            problems.append(
                (f"{name}[{i}].date", f"{dates[i].isoformat()} repeats {name}[{i - 1}].date")
            )
        elif dates[i] < dates[i - 1]:
            problems.append(
                (
                    f"{name}[{i}].date",
                    f"{dates[i].isoformat()} comes before {name}[{i - 1}].date "
                    f"{dates[i - 1].isoformat()}: list {name} in date order",
                )
            )


def _not_before_start(
    problems: list[tuple[str, str]], name: str, dates: Sequence[dt.date], start: dt.date
) -> None:
    for i, d in enumerate(dates):
        if d < start:
            problems.append(
                (f"{name}[{i}].date", f"{d.isoformat()} is before start {start.isoformat()}")
            )


def check_timeline(
    t: Timeline, *, kinds: Mapping[str, str], max_review_days: int
) -> list[tuple[str, str]]:
    """What the schema cannot say: ranges, date order, goals named by days, modality kinds and
    review dates. ``kinds`` maps treatment ids to their kind (the knowledge base)."""
    problems: list[tuple[str, str]] = []
    goal_ids = [g.id for g in t.goals]
    for i, g in enumerate(t.goals):
        if goal_ids.index(g.id) != i:
            problems.append((f"goals[{i}].id", f"{g.id!r} is used by an earlier goal"))
        _in_range(problems, f"goals[{i}].baseline", g.baseline, "goal")
        _in_range(problems, f"goals[{i}].target", g.target, "goal")
        going_up = g.target > g.baseline
        if g.target == g.baseline or going_up != (g.direction == "increase"):
            want = "above" if g.direction == "increase" else "below"
            problems.append(
                (
                    f"goals[{i}].target",
                    f"{_num(g.target)} must be {want} the baseline {_num(g.baseline)} "
                    f"for a goal to {g.direction}",
                )
            )
    for i, d in enumerate(t.days):
        for key in ("pain", "steps", "sitting_min", "sleep_h", "function"):
            _in_range(problems, f"days[{i}].{key}", getattr(d, key), key)
        for gid, value in d.goals.items():
            if gid not in goal_ids:
                known = ", ".join(goal_ids) or "none"
                problems.append((f"days[{i}].goals.{gid}", f"unknown goal id (goals: {known})"))
            _in_range(problems, f"days[{i}].goals.{gid}", value, "goal")
    for i, s in enumerate(t.sessions):
        _in_range(
            problems,
            f"sessions[{i}].relief_window_days",
            s.relief_window_days,
            "relief_window_days",
        )
        for j, m in enumerate(s.modalities):
            if m.kind is None and m.name not in kinds:
                problems.append(
                    (
                        f"sessions[{i}].modalities[{j}].kind",
                        f"required for {m.name!r}, which is not a treatment id of the "
                        "knowledge base (passive, active, psychological, intervention, surgery)",
                    )
                )
    for i, c in enumerate(t.checkpoints):
        where = f"checkpoints[{i}]"
        _in_range(problems, f"{where}.overlap_days", c.overlap_days, "overlap_days")
        if c.decision == "transition" and c.to is None:
            problems.append((f"{where}.to", "required for a transition: the phase it moves to"))
        if c.review_by is not None:
            latest = c.date + dt.timedelta(days=max_review_days)
            if not c.date <= c.review_by <= latest:
                problems.append(
                    (
                        f"{where}.review_by",
                        f"{c.review_by.isoformat()} must fall within {c.date.isoformat()}–"
                        f"{latest.isoformat()} (at most {max_review_days} days after the decision)",
                    )
                )
    for name, rows in (("days", t.days), ("sessions", t.sessions), ("checkpoints", t.checkpoints)):
        dates = [r.date for r in rows]
        _in_order(problems, name, dates)
        _not_before_start(problems, name, dates, t.start)
    return problems


def read_timeline(
    data: object, *, kinds: Mapping[str, str], max_review_days: int, at: str = ""
) -> Timeline:
    """Validate one timeline, or raise TimelineError naming every problem by JSON path
    (prefixed by ``at``, e.g. ``[2]`` for the third timeline of a list)."""
    if isinstance(data, Timeline):
        timeline = data
    elif not isinstance(data, Mapping):
        problem = f"a timeline is a JSON object, not {show(data)}"
        raise TimelineError([(at or "(timeline)", problem)])
    else:
        try:
            timeline = Timeline.model_validate(data)
        except ValidationError as exc:
            found = [
                (_at(at, json_path(e["loc"], "")), _describe(e))
                for e in exc.errors(include_url=False)
            ]
            raise TimelineError(list(dict.fromkeys(found))) from None
    problems = check_timeline(timeline, kinds=kinds, max_review_days=max_review_days)
    if problems:
        raise TimelineError([(_at(at, path), message) for path, message in problems])
    return timeline


_TYPES = {
    "int_type": "give a whole number",
    "float_type": "give a number",
    "bool_type": "give true or false",
    "string_type": "give text",
    "dict_type": "give a JSON object",
    "list_type": "give a JSON list",
    "model_type": "give a JSON object",
}


def _describe(error: Mapping[str, Any]) -> str:
    loc: tuple[int | str, ...] = tuple(error.get("loc") or ())
    field = ""
    if len(loc) >= 2 and loc[-2] == "goals":
        field = "goal"
    elif loc:
        field = str(loc[-1])
    if error["type"] in _TYPES:
        what = _TYPES[error["type"]]
        if field in RANGES and error["type"] in ("int_type", "float_type"):
            low, high, unit = RANGES[field]
            what += f" in {_num(low)}–{_num(high)}{unit}"
        return f"{show(error.get('input'))}: {what}"
    if error["type"] == "string_pattern_mismatch":
        return (
            f"{show(error.get('input'))}: give an id of letters, digits and _ . : - "
            "(at most 64 characters, starting with a letter or digit)"
        )
    return describe(error)


def _at(at: str, path: str) -> str:
    """``days[3].pain`` inside the third timeline of a list reads ``[2].days[3].pain``."""
    if not at:
        return path or "(timeline)"
    if not path:
        return at
    return at + ("" if path.startswith("[") else ".") + path
