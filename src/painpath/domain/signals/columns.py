"""Timelines into frames: the one place validated timelines become the engine's columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from painpath.domain.signals.frames import (
    CHECKPOINTS,
    DAYS,
    GOAL_VALUES,
    GOALS,
    PATIENTS,
    SESSIONS,
    TimelineFrames,
)
from painpath.domain.signals.timeline import Session, Timeline

__all__ = ["to_frames"]

_KINDS = ("passive", "active", "intervention")


def _kind_counts(session: Session, kinds: Mapping[str, str]) -> dict[str, int]:
    counts = dict.fromkeys((*_KINDS, "other"), 0)
    for m in session.modalities:
        kind = m.kind or kinds.get(m.name, "other")
        counts[kind if kind in _KINDS else "other"] += 1
    return counts


def to_frames(timelines: Sequence[Timeline], kinds: Mapping[str, str]) -> TimelineFrames:
    """The six frames of docs/signals.md for these timelines (``kinds``: treatment id → kind,
    for modalities recorded without one)."""
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("p", "d", "g", "v", "s", "c")}
    for t in timelines:
        pid = t.patient_id
        rows["p"].append({"patient_id": pid, "start": t.start, "phase": t.phase})
        for g in t.goals:
            rows["g"].append(
                {
                    "patient_id": pid,
                    "goal": g.id,
                    "metric": g.metric,
                    "baseline": g.baseline,
                    "target": g.target,
                    "direction": g.direction,
                    "meaningful_change": g.meaningful_change,
                }
            )
        for d in t.days:
            rows["d"].append(
                {
                    "patient_id": pid,
                    "date": d.date,
                    "pain": d.pain,
                    "steps": d.steps,
                    "sitting_min": d.sitting_min,
                    "sleep_h": d.sleep_h,
                    "function": d.function,
                    "event": d.event,
                }
            )
            for gid, value in d.goals.items():
                if value is not None:
                    rows["v"].append(
                        {"patient_id": pid, "goal": gid, "date": d.date, "value": value}
                    )
        for s in t.sessions:
            rows["s"].append(
                {
                    "patient_id": pid,
                    "date": s.date,
                    **_kind_counts(s, kinds),
                    "relief_window_days": s.relief_window_days,
                    "soreness_expected": s.soreness_expected,
                }
            )
        for c in t.checkpoints:
            rows["c"].append(
                {
                    "patient_id": pid,
                    "date": c.date,
                    "decision": c.decision,
                    "to_phase": c.to,
                    "review_by": c.review_by,
                    "overlap_days": c.overlap_days,
                    "by": c.by,
                    "reason": c.reason,
                }
            )
    return TimelineFrames(
        patients=pl.DataFrame(rows["p"], schema=PATIENTS),
        days=pl.DataFrame(rows["d"], schema=DAYS),
        goals=pl.DataFrame(rows["g"], schema=GOALS),
        goal_values=pl.DataFrame(rows["v"], schema=GOAL_VALUES),
        sessions=pl.DataFrame(rows["s"], schema=SESSIONS),
        checkpoints=pl.DataFrame(rows["c"], schema=CHECKPOINTS),
    )
