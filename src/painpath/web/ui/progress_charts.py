"""The progress charts: one per goal and for pain, steps, sitting time and sleep, each with the
sessions marked (passive or active), flares shaded by status, relief windows after sessions, and
the baseline and target — as data for static/js/progress-chart.js (Chart.js with its annotation
plugin) and as a table for people who do not read charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from painpath.domain.signals.report import Signal, SignalReport
from painpath.knowledge import KnowledgeBase
from painpath.store.models import DailyLog, Goal
from painpath.web.ui.progress_data import (
    KIND_LABELS,
    ProgressData,
    session_kind,
    treatment_kinds,
    treatment_labels,
)
from painpath.web.ui.progress_signals import flare_status_label

__all__ = ["ChartRow", "ChartSet", "ChartView", "build_charts", "session_rows"]

# The short mark drawn on a session's line (the legend explains it; colour is never alone).
SESSION_MARKS = {
    "passive": "P",
    "active": "A",
    "mixed": "P+A",
    "psychological": "Ψ",
    "intervention": "I",
    "surgery": "S",
    "other": "·",
}


@dataclass(frozen=True)
class ChartRow:
    """One day of a chart's data table."""

    day: dt.date
    value: str
    notes: list[str]


@dataclass(frozen=True)
class ChartView:
    """One chart as the page lays it out (the drawing itself comes from the JSON payload)."""

    key: str
    title: str
    unit: str
    description: str
    lines: list[str]
    rows: list[ChartRow]
    logged: int


@dataclass(frozen=True)
class ChartSet:
    charts: list[ChartView]
    payload: dict[str, Any]
    sessions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Metric:
    key: str
    title: str
    unit: str
    value: Callable[[DailyLog], float | None]
    lo: float | None = 0
    hi: float | None = None
    pain_context: bool = True  # pain flares are shaded on it
    relief: bool = False  # relief windows are drawn on it
    goal: Goal | None = None


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{number} {unit}".strip()


def _goal_value(key: str) -> Callable[[DailyLog], float | None]:
    def read(log: DailyLog) -> float | None:
        value = (log.goals or {}).get(key)
        return float(value) if isinstance(value, int | float) else None

    return read


def _metrics(goals: list[Goal]) -> list[_Metric]:
    fixed = [
        _Metric("pain", "Pain", "/10", lambda d: d.pain, 0, 10, relief=True),
        _Metric("steps", "Steps per day", "steps", lambda d: d.steps),
        _Metric("sitting", "Longest sitting", "min", lambda d: d.sitting_min),
        _Metric("sleep", "Sleep", "h", lambda d: d.sleep_h),
    ]
    per_goal = [
        _Metric(
            f"goal-{g.key}",
            f"Goal: {g.activity}",
            g.unit or g.metric.replace("_", " "),
            _goal_value(g.key),
            pain_context=False,
            relief=True,
            goal=g,
        )
        for g in goals
    ]
    return per_goal + fixed


class _Days:
    """Day numbers on the charts' shared x axis (0 = the episode's first day)."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.count = (last - first).days + 1

    def index(self, day: dt.date) -> int:
        return (day - self.first).days

    def inside(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def span(self, start: dt.date, end: dt.date | None) -> tuple[float, float] | None:
        end = end or self.last
        if end < self.first or start > self.last:
            return None
        lo = max(self.index(start), 0) - 0.5
        hi = min(self.index(end), self.count - 1) + 0.5
        return lo, hi

    def each(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.count)]


def _pain_baseline(report: SignalReport | None) -> float | None:
    """Pain before care began: the baseline the engine used for the first session's relief
    window (the median of the 7 days before it), when there was one."""
    if report is None:
        return None
    windows = sorted(
        (s for s in report.of("relief_window") if s.session),
        key=lambda s: s.session or dt.date.min,
    )
    for s in windows:
        value = s.evidence.data.get("baseline")
        if value is not None:
            return float(value)
    return None


def _relief_span(s: Signal) -> tuple[dt.date, dt.date] | None:
    if not s.value or s.session is None:
        return None
    start = s.start or s.session + dt.timedelta(days=1)
    end = s.end or s.session + dt.timedelta(days=int(s.value))
    return start, end


class _Marks:
    """The boxes drawn on one chart and, day by day, the words for its data table."""

    def __init__(self, days: _Days) -> None:
        self.days = days
        self.boxes: list[dict[str, Any]] = []
        self.notes: dict[dt.date, list[str]] = {}

    def add(
        self, kind: str, start: dt.date, end: dt.date | None, label: str, words: str, **extra: Any
    ) -> None:
        span = self.days.span(start, end)
        if span is None:
            return
        self.boxes.append({"kind": kind, "from": span[0], "to": span[1], "label": label, **extra})
        day, last = max(start, self.days.first), min(end or self.days.last, self.days.last)
        while day <= last:
            self.notes.setdefault(day, []).append(words)
            day += dt.timedelta(days=1)


def _sessions(
    data: ProgressData, days: _Days, kb: KnowledgeBase
) -> tuple[list[dict[str, Any]], dict[dt.date, str]]:
    """Each session as a mark on the x axis, and in words by day."""
    kinds, labels = treatment_kinds(kb), treatment_labels(kb)
    marks: list[dict[str, Any]] = []
    words_by_day: dict[dt.date, str] = {}
    for s in data.sessions:
        if not days.inside(s.day):
            continue
        kind = session_kind(s.modalities, kinds)
        names = ", ".join(labels.get(m.get("name", ""), m.get("name", "")) for m in s.modalities)
        words = f"{KIND_LABELS[kind]} session" + (f": {names}" if names else "")
        if s.relief_window_days is not None:
            words += f" (relief reported: {s.relief_window_days} d)"
        words_by_day[s.day] = words
        marks.append(
            {
                "x": days.index(s.day),
                "date": s.day.isoformat(),
                "kind": kind,
                "mark": SESSION_MARKS[kind],
                "title": words,
            }
        )
    return marks, words_by_day


def _flares_of(m: _Metric, report: SignalReport | None) -> list[Signal]:
    """The flares a chart shades: its goal's own, or pain flares on pain, steps, sitting and
    sleep."""
    flares = report.of("flare") if report else []
    if m.goal is not None:
        return [f for f in flares if f.goal == m.goal.key]
    return [f for f in flares if f.goal is None] if m.pain_context else []


def _marks(m: _Metric, report: SignalReport | None, days: _Days) -> _Marks:
    marks = _Marks(days)
    for f in _flares_of(m, report):
        if f.start is None:
            continue
        what = "Pain flare" if f.goal is None and m.key != "pain" else "Flare"
        marks.add(
            "flare",
            f.start,
            f.end,
            f"{what}: {f.status or 'flare'}",
            f"{what} ({flare_status_label(f.status).lower()})",
            status=f.status,
        )
    if m.relief and report is not None:
        for s in report.of("relief_window"):
            found = _relief_span(s)
            if found is not None:
                marks.add(
                    "relief",
                    *found,
                    f"Relief {s.value:g} d",
                    f"Relief window after the {s.session} session",
                )
    if m.key == "pain" and report is not None:
        for s in report.of("expected_soreness"):
            if s.start is not None:
                marks.add(
                    "soreness",
                    s.start,
                    s.end or s.start,
                    "Soreness",
                    "Expected soreness after a session",
                )
    return marks


def _levels(m: _Metric, pain_baseline: float | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The baseline and target lines of a chart, and the same in words."""
    if m.goal is not None:
        g, unit = m.goal, m.unit
        better = "higher" if g.direction == "increase" else "lower"
        return (
            [
                {
                    "kind": "baseline",
                    "y": g.baseline,
                    "label": f"Baseline {_fmt(g.baseline, unit)}",
                },
                {"kind": "target", "y": g.target, "label": f"Target {_fmt(g.target, unit)}"},
            ],
            [
                f"Baseline at intake: {_fmt(g.baseline, unit)}",
                f"Target: {_fmt(g.target, unit)} ({better} is better)",
            ],
        )
    if m.key == "pain" and pain_baseline is not None:
        return (
            [{"kind": "baseline", "y": pain_baseline, "label": f"Baseline {pain_baseline:g}"}],
            [f"Baseline {pain_baseline:g}/10: the median of the 7 days before the first session"],
        )
    return [], []


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def build_charts(data: ProgressData, report: SignalReport | None, kb: KnowledgeBase) -> ChartSet:
    """Every chart of the progress view, its JSON payload and its data tables."""
    days = _Days(data.first_day, data.last_day)
    by_day = {log.day: log for log in data.logs}
    sessions, session_words = _sessions(data, days, kb)
    pain_baseline = _pain_baseline(report)

    charts: list[ChartView] = []
    payload_charts: list[dict[str, Any]] = []
    for m in _metrics(data.goals):
        values = [(m.value(by_day[d]) if d in by_day else None) for d in days.each()]
        marks = _marks(m, report, days)
        lines, words = _levels(m, pain_baseline)
        logged = [v for v in values if v is not None]
        rows = [
            ChartRow(
                d,
                _fmt(v, m.unit),
                ([session_words[d]] if d in session_words else []) + marks.notes.get(d, []),
            )
            for d, v in zip(days.each(), values, strict=True)
            if v is not None or d in session_words or d in marks.notes
        ]
        latest = next((v for v in reversed(values) if v is not None), None)
        flares = sum(1 for b in marks.boxes if b["kind"] == "flare")
        description = (
            f"{m.title} from {days.first:%-d %b %Y} to {days.last:%-d %b %Y}: "
            f"{_plural(len(logged), 'day')} logged"
            + (f", latest {_fmt(latest, m.unit)}" if latest is not None else "")
            + f"; {_plural(len(sessions), 'session')}; {_plural(flares, 'flare')}. "
            "The data table below has every day."
        )
        charts.append(ChartView(m.key, m.title, m.unit, description, words, rows, len(logged)))
        high = max([*logged, *(ln["y"] for ln in lines)], default=0)
        payload_charts.append(
            {
                "key": m.key,
                "title": m.title,
                "unit": m.unit,
                "values": values,
                "min": m.lo,
                "max": m.hi,
                "suggestedMax": None if m.hi is not None else (high * 1.15 if high else 1),
                "lines": lines,
                "boxes": marks.boxes,
            }
        )
    payload = {
        "labels": [f"{d:%-d %b}" for d in days.each()],
        "dates": [d.isoformat() for d in days.each()],
        "sessions": sessions,
        "charts": payload_charts,
    }
    return ChartSet(charts, payload, sessions)


def session_rows(
    data: ProgressData, report: SignalReport | None, kb: KnowledgeBase
) -> list[dict[str, Any]]:
    """The sessions, newest first, with their kind, modalities and relief window."""
    kinds, labels = treatment_kinds(kb), treatment_labels(kb)
    windows: Mapping[dt.date, Signal] = {
        s.session: s for s in (report.of("relief_window") if report else []) if s.session
    }
    out = []
    for s in sorted(data.sessions, key=lambda s: s.day, reverse=True):
        kind = session_kind(s.modalities, kinds)
        window = windows.get(s.day)
        out.append(
            {
                "day": s.day,
                "kind": kind,
                "kind_label": KIND_LABELS[kind],
                "modalities": [
                    labels.get(m.get("name", ""), m.get("name", "")) for m in s.modalities
                ],
                "reported": s.relief_window_days,
                "derived": None if window is None else window.value,
                "soreness_expected": s.soreness_expected,
                "note": s.note,
            }
        )
    return out
