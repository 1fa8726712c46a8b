"""Signals as a clinician reads them: each with its rule, its data, its numbers and sources.

The engine returns rows; this module gives every row its evidence in words (style.md,
principle 15) and gathers one report per patient. It adds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from painpath.domain.care_defaults import CheckpointDefaults, Parameter, SignalDefaults
from painpath.domain.explain import Citation

__all__ = ["Evidence", "Signal", "SignalReport", "reports_from_frame"]


@dataclass(frozen=True)
class Evidence:
    """Why a signal was raised: the rule, what it found, its data, numbers and sources."""

    rule: str
    text: str
    data: Mapping[str, Any]
    parameters: Mapping[str, int | float]
    sources: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "text": self.text,
            "data": dict(self.data),
            "parameters": dict(self.parameters),
            "sources": [c.short for c in self.sources],
        }


@dataclass(frozen=True)
class Signal:
    """One signal (docs/signals.md): its id, the time it spans and its evidence."""

    id: str
    start: dt.date | None
    end: dt.date | None
    status: str | None
    goal: str | None
    session: dt.date | None
    value: float | None
    evidence: Evidence

    @property
    def peak(self) -> dict[str, Any] | None:
        """A flare's worst day: its date and value."""
        if self.id != "flare":
            return None
        return {"date": self.evidence.data.get("peak_date"), "value": _plain(self.value)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "status": self.status,
            "goal": self.goal,
            "session": _iso(self.session),
            "value": _plain(self.value),
        }
        if self.id == "flare":
            out["peak"] = self.peak
        out["evidence"] = self.evidence.to_dict()
        return out


@dataclass(frozen=True)
class SignalReport:
    """Every signal of one patient as of ``today``."""

    patient_id: str
    today: dt.date
    phase: str | None
    signals: tuple[Signal, ...]
    knowledge_version: str | None = None

    def ids(self) -> list[str]:
        """The signal ids present, in report order, each once."""
        return list(dict.fromkeys(s.id for s in self.signals))

    def of(self, signal_id: str) -> list[Signal]:
        """Every signal with this id."""
        return [s for s in self.signals if s.id == signal_id]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (the shape `painpath signals` prints)."""
        return {
            "patient_id": self.patient_id,
            "today": self.today.isoformat(),
            "phase": self.phase,
            "knowledge_version": self.knowledge_version,
            "signals": [s.to_dict() for s in self.signals],
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _plain(x: float | None) -> int | float | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def _n(x: object) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def _params(sig: SignalDefaults, cp: CheckpointDefaults) -> dict[str, dict[str, Parameter]]:
    """The numbers each signal rests on, by signal id."""
    return {
        "expected_soreness": {
            "rise_points": sig.expected_soreness.rise_points,
            "onset_from_hours": sig.expected_soreness.onset_from_hours,
            "onset_to_hours": sig.expected_soreness.onset_to_hours,
            "settled_by_hours": sig.expected_soreness.settled_by_hours,
            "baseline_days": sig.baseline.window_days,
        },
        "flare": {
            "pain_rise_points": sig.flare.pain_rise_points,
            "goal_drop_percent": sig.flare.goal_drop_percent,
            "settle_within_hours": sig.flare.settle_within_hours,
            "setback_worse_points": sig.flare.setback_worse_points,
            "baseline_days": sig.baseline.window_days,
        },
        "relief_window": {
            "pain_drop_points": sig.relief_window.pain_drop_points,
            "pain_drop_percent": sig.relief_window.pain_drop_percent,
            "baseline_days": sig.baseline.window_days,
        },
        "response_established": {
            "min_relief_days": sig.response_established.min_relief_days,
            "within_sessions": sig.response_established.within_sessions,
        },
        "non_responder": {
            "min_relief_days": sig.response_established.min_relief_days,
            "within_sessions": sig.response_established.within_sessions,
        },
        "movement_entry_ready": {"relief_window_days": sig.movement_entry.relief_window_days},
        "passive_active_ratio": {"window_days": sig.passive_active_ratio.window_days},
        "plateau": {
            "sessions": sig.plateau.sessions,
            "min_days": sig.plateau.min_days,
            "meaningful_share_percent": sig.goal.meaningful_share_percent,
        },
        "goal_progress": {"meaningful_share_percent": sig.goal.meaningful_share_percent},
        "goal_met": {"met_held_days": sig.goal.met_held_days},
        "care_simply_continuing": {
            "sessions_after_plateau": sig.care_simply_continuing.sessions_after_plateau,
            "ongoing_care_max_review_days": cp.ongoing_care_max_review_days,
        },
        "checkpoint_due": {
            "interval_days": cp.interval_days,
            "interval_sessions": cp.interval_sessions,
            "after_intervention_min_days": cp.after_intervention_min_days,
            "after_intervention_max_days": cp.after_intervention_max_days,
        },
        "data_gap": {
            "window_days": sig.data_gap.window_days,
            "min_logged_days": sig.data_gap.min_logged_days,
        },
    }


# --- the words -----------------------------------------------------------------------------
Row = Mapping[str, Any]
Numbers = Mapping[str, int | float]


def _soreness(r: Row, d: Row, p: Numbers) -> str:
    return (
        f"Soreness after the {r['session']} session: pain rose {_n(r['value'])} point(s) above "
        f"its baseline of {_n(d['baseline'])} and was back by {d['back']}, within "
        f"{_n(p['settled_by_hours'])} h. Soreness in the {_n(p['onset_from_hours'])}–"
        f"{_n(p['onset_to_hours'])} hours after a session is expected: reassure, no action."
    )


def _flare(r: Row, d: Row, p: Numbers) -> str:
    what = f"goal {r['goal']}" if r["goal"] else "pain"
    head = (
        f"Flare of {what} from {r['start']}: worst {_n(r['value'])} on {d['peak_date']} "
        f"against a baseline of {_n(d['baseline'])}."
    )
    hours = _n(p["settle_within_hours"])
    if r["status"] == "setback":
        return (
            f"{head} A week on, the new baseline is {_n(d['new_baseline'])}: worse by a "
            "meaningful change. A setback: reassess."
        )
    if r["status"] == "prolonged":
        settled = f"settled only on {d['settled']}" if d["settled"] else "has not settled"
        return f"{head} It {settled}, beyond {hours} h: a prolonged flare, reassess."
    if d["settled"]:
        return f"{head} Settled by {d['settled']}, within {hours} h: a normal response."
    if not d["confirmed"]:
        return f"{head} No log since {d['last']}: whether it settled is not known."
    return f"{head} Under {hours} h so far: expected to settle; watch the next logs."


def _relief(r: Row, d: Row, p: Numbers) -> str:
    if r["value"] is None:
        return f"Session {r['session']}: no baseline in the week before, so no window judged."
    days = _n(r["value"])
    how = (
        f"reported by the patient (derived {_n(d['derived'])})"
        if d["reported"] is not None
        else "from the logs"
    )
    cut = " and still going at the next session or today" if d["censored"] else ""
    return f"Session {r['session']}: {days} day(s) of relief, {how}{cut}."


def _response(r: Row, d: Row, p: Numbers) -> str:
    when = "within" if r["status"] == "early" else "after"
    return (
        f"A relief window of {_n(r['value'])} day(s) after session {d['n']} ({r['session']}), "
        f"{when} the first {_n(p['within_sessions'])} sessions: the system responds."
    )


def _non_responder(r: Row, d: Row, p: Numbers) -> str:
    windows = ", ".join(_n(w) for w in d["windows"])
    return (
        f"No relief window in the first {_n(p['within_sessions'])} sessions ({r['start']} to "
        f"{r['end']}; windows {windows} days): the clinical conversation changes, reassess."
    )


def _movement(r: Row, d: Row, p: Numbers) -> str:
    held = f"{_n(r['value'])} days"
    if r["value"] is not None and r["value"] < p["relief_window_days"]:
        held += f", all the way to the next session ({d['next_session']})"
    return (
        f"Relief lasted {held} after the {r['session']} session (a week or more: "
        f"≥ {_n(p['relief_window_days'])} days) and no active work has started: movement can enter."
    )


def _ratio(r: Row, d: Row, p: Numbers) -> str:
    return (
        f"{r['start']} to {r['end']}: {d['passive']} passive and {d['active']} active "
        f"modalities ({round(100 * float(r['value']))} % passive)."
    )


def _plateau(r: Row, d: Row, p: Numbers) -> str:
    moves = "; ".join(
        f"{g['goal']} {_n(g['start_level'])} → {_n(g['end_level'])} "
        f"(meaningful: {_n(g['meaningful_change'])})"
        for g in d.get("goals") or []
    )
    return (
        f"No goal has moved by its meaningful change since {d['window_start']} across the last "
        f"{_n(p['sessions'])} sessions, with no flare or logged event to explain it ({moves}). "
        "A plateau: the current approach has reached its ceiling — an honest checkpoint."
    )


def _progress(r: Row, d: Row, p: Numbers) -> str:
    if r["value"] is None:
        return f"Goal {r['goal']}: too few logs this week to say where it stands."
    share = round(100 * float(r["value"]))
    return (
        f"Goal {r['goal']}: {_n(d['level'])} this week, {share} % of the way from "
        f"{_n(d['baseline'])} to {_n(d['target'])}."
    )


def _met(r: Row, d: Row, p: Numbers) -> str:
    return (
        f"Goal {r['goal']} at target on every log since {r['start']} ({d['logs']} logs), held "
        f"≥ {_n(p['met_held_days'])} days."
    )


def _continuing(r: Row, d: Row, p: Numbers) -> str:
    if r["status"] == "ongoing_care_overdue":
        return (
            f"Intentional ongoing care decided on {d['decided']} was due for review by "
            f"{r['start']} and has not been revisited: care simply continuing."
        )
    return (
        f"A plateau since {r['start']} with {d['sessions']} sessions since and no checkpoint "
        "decision: care simply continuing. Have the honest conversation."
    )


def _due(r: Row, d: Row, p: Numbers) -> str:
    why = {
        "interval_days": f"{_n(p['interval_days'])} days since {d['since']}",
        "interval_sessions": f"{_n(p['interval_sessions'])} sessions since {d['since']}",
        "after_intervention": (
            f"{_n(p['after_intervention_min_days'])}–{_n(p['after_intervention_max_days'])} days "
            "after an intervention"
        ),
    }[str(r["status"])]
    late = f", {_n(r['value'])} day(s) ago" if r["value"] else ""
    return f"Checkpoint due on {r['start']} ({why}){late}."


def _gap(r: Row, d: Row, p: Numbers) -> str:
    return (
        f"Only {_n(r['value'])} logged day(s) from {r['start']} to {r['end']} (needs "
        f"{d['required']}): prompt the patient; nothing is guessed."
    )


_TEXT: dict[str, Callable[[Row, Row, Numbers], str]] = {
    "expected_soreness": _soreness,
    "flare": _flare,
    "relief_window": _relief,
    "response_established": _response,
    "non_responder": _non_responder,
    "movement_entry_ready": _movement,
    "passive_active_ratio": _ratio,
    "plateau": _plateau,
    "goal_progress": _progress,
    "goal_met": _met,
    "care_simply_continuing": _continuing,
    "checkpoint_due": _due,
    "data_gap": _gap,
}


def _sources(params: Iterable[Parameter]) -> tuple[Citation, ...]:
    seen: dict[str, Citation] = {}
    for p in params:
        for c in p.source:
            seen.setdefault(c.key, c)
    return tuple(seen.values())


def reports_from_frame(
    frame: pl.DataFrame,
    *,
    patients: Mapping[str, str | None],
    signals: SignalDefaults,
    checkpoints: CheckpointDefaults,
    today: dt.date,
    knowledge_version: str | None,
) -> dict[str, SignalReport]:
    """One report per patient (``patients``: id → current phase) from the engine's rows."""
    table = _params(signals, checkpoints)
    numbers = {k: {n: p.value for n, p in v.items()} for k, v in table.items()}
    cited = {k: _sources(v.values()) for k, v in table.items()}
    found: dict[str, list[Signal]] = {pid: [] for pid in patients}
    for row in frame.iter_rows(named=True):
        sid = row["id"]
        data = json.loads(row["evidence"])
        text = _TEXT[sid](
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()},
            data,
            numbers[sid],
        )
        found.setdefault(row["patient_id"], []).append(
            Signal(
                id=sid,
                start=row["start"],
                end=row["end"],
                status=row["status"],
                goal=row["goal"],
                session=row["session"],
                value=row["value"],
                evidence=Evidence(
                    rule=f"signals.{sid}",
                    text=text,
                    data=data,
                    parameters=numbers[sid],
                    sources=cited[sid],
                ),
            )
        )
    return {
        pid: SignalReport(
            patient_id=pid,
            today=today,
            phase=patients.get(pid),
            signals=tuple(sigs),
            knowledge_version=knowledge_version,
        )
        for pid, sigs in found.items()
    }
