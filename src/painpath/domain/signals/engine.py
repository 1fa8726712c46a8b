"""The timeline engine: every signal of care-model.md §6 for every patient in the frames.

One function for one patient and for a clinic (architecture.md, principle 3): ``evaluate``
takes the frames of any number of patients and returns one row per signal. Rows are keyed by
``patient_id``; nothing in a patient's result depends on any other patient or on row order.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import polars as pl

from painpath.domain.care_defaults import CheckpointDefaults, SignalDefaults
from painpath.domain.signals._grid import build_grid
from painpath.domain.signals.flares import flares, soreness
from painpath.domain.signals.frames import TimelineFrames
from painpath.domain.signals.progress import (
    care_simply_continuing,
    goal_met,
    goal_progress,
    plateau,
)
from painpath.domain.signals.relief import (
    movement_entry,
    passive_active_ratio,
    relief_windows,
    response,
)
from painpath.domain.signals.schedule import checkpoint_due, data_gap

__all__ = ["COLUMNS", "SIGNAL_IDS", "SIGNAL_SCHEMA", "CareDefaults", "evaluate"]

SIGNAL_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "id": pl.String(),
    "start": pl.Date(),
    "end": pl.Date(),
    "status": pl.String(),
    "goal": pl.String(),
    "session": pl.Date(),
    "value": pl.Float64(),
}
"""The eight columns every implementation of the rules returns (the benchmark compares them)."""
COLUMNS = list(SIGNAL_SCHEMA)
SIGNAL_IDS = (
    "expected_soreness",
    "flare",
    "relief_window",
    "response_established",
    "non_responder",
    "movement_entry_ready",
    "passive_active_ratio",
    "plateau",
    "goal_progress",
    "goal_met",
    "care_simply_continuing",
    "checkpoint_due",
    "data_gap",
)
_ORDER = {name: i for i, name in enumerate(SIGNAL_IDS)}
# Inside the evaluation patients are numbered; the evidence travels as a JSON object.
_SCHEMA = {**SIGNAL_SCHEMA, "patient_id": pl.UInt32(), "evidence": pl.String()}


class CareDefaults(Protocol):
    """What the engine reads: the signal and checkpoint defaults (a KnowledgeBase has both)."""

    @property
    def signals(self) -> SignalDefaults: ...

    @property
    def checkpoints(self) -> CheckpointDefaults: ...


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """The eight columns plus the rest as a JSON evidence object."""
    extra = [c for c in frame.columns if c not in COLUMNS]
    evidence = pl.struct(extra).struct.json_encode() if extra else pl.lit("{}", dtype=pl.String)
    return frame.select(*COLUMNS, evidence=evidence).cast(_SCHEMA)  # type: ignore[arg-type]


def evaluate(frames: TimelineFrames, defaults: CareDefaults, today: dt.date) -> pl.DataFrame:
    """Every signal for every patient as of ``today`` (rules signals.*, care-model.md §6).

    Rows dated after ``today`` are ignored. Returns the columns of ``COLUMNS`` plus
    ``evidence`` (a JSON object of the numbers behind the signal), sorted by patient, signal,
    start, goal and session.
    """
    sig = defaults.signals
    grid = build_grid(frames, sig, today)
    sore = soreness(grid, sig)
    flare = flares(grid, sig, sore)
    relief = relief_windows(grid, sig)
    plateau_now, plateau_goals = plateau(grid, sig, flare)
    goals = (
        plateau_goals.filter(pl.col("unmet"))
        .sort("goal")
        .group_by("patient_id")
        .agg(
            goals=pl.struct(
                "goal",
                start_level=pl.col("start_level"),
                end_level=pl.col("end_level"),
                moved=pl.col("moved").round(3),
                meaningful_change=pl.col("mc").round(3),
            )
        )
    )
    parts = [
        sore,
        flare,
        relief,
        response(relief, sig),
        movement_entry(relief, grid, sig),
        passive_active_ratio(grid, sig),
        plateau_now.join(goals, on="patient_id", how="left"),
        goal_progress(grid),
        goal_met(grid, sig),
        care_simply_continuing(grid, sig, defaults.checkpoints, plateau_now),
        checkpoint_due(grid, defaults.checkpoints),
        data_gap(grid, sig),
    ]
    out = pl.concat([_finish(p) for p in parts])
    names = grid.names.select(pl.col("code").alias("patient_id"), name="patient_id")
    out = out.join(names, on="patient_id").drop("patient_id").rename({"name": "patient_id"})
    return (
        out.select(*COLUMNS, "evidence")
        .with_columns(rank=pl.col("id").replace_strict(_ORDER, return_dtype=pl.Int64))
        .sort(["patient_id", "rank", "start", "goal", "session"], nulls_last=True)
        .drop("rank")
    )
