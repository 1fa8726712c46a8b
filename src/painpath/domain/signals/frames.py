"""The columnar shape of timelines: one frame per kind of row, every row keyed by patient_id.

The engine takes these frames for one patient or a whole clinic alike (architecture.md,
principle 3). Row order carries no meaning anywhere: every rule sorts or groups for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = [
    "CHECKPOINTS",
    "DAYS",
    "GOALS",
    "GOAL_VALUES",
    "PATIENTS",
    "SESSIONS",
    "TimelineFrames",
]

PATIENTS: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "start": pl.Date(),
    "phase": pl.String(),
}
DAYS: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "date": pl.Date(),
    "pain": pl.Int64(),
    "steps": pl.Int64(),
    "sitting_min": pl.Int64(),
    "sleep_h": pl.Float64(),
    "function": pl.Float64(),
    "event": pl.String(),
}
GOALS: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "goal": pl.String(),
    "metric": pl.String(),
    "baseline": pl.Float64(),
    "target": pl.Float64(),
    "direction": pl.String(),  # increase | decrease
    "meaningful_change": pl.Float64(),  # null: the knowledge-base share of the distance
}
GOAL_VALUES: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "goal": pl.String(),
    "date": pl.Date(),
    "value": pl.Float64(),
}
SESSIONS: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "date": pl.Date(),
    "passive": pl.Int64(),  # modalities of each kind in the session
    "active": pl.Int64(),
    "intervention": pl.Int64(),
    "other": pl.Int64(),  # psychological, surgery
    "relief_window_days": pl.Int64(),  # as the patient reported it; null: derive it
    "soreness_expected": pl.Boolean(),
}
CHECKPOINTS: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "date": pl.Date(),
    "decision": pl.String(),
    "to_phase": pl.String(),
    "review_by": pl.Date(),
    "overlap_days": pl.Int64(),
    "by": pl.String(),
    "reason": pl.String(),
}


@dataclass(frozen=True)
class TimelineFrames:
    """Every patient's timeline as six frames (the schemas above)."""

    patients: pl.DataFrame
    days: pl.DataFrame
    goals: pl.DataFrame
    goal_values: pl.DataFrame
    sessions: pl.DataFrame
    checkpoints: pl.DataFrame

    def conformed(self) -> TimelineFrames:
        """The same frames with exactly the schema columns, in schema order and types."""
        return TimelineFrames(
            patients=_conform(self.patients, PATIENTS),
            days=_conform(self.days, DAYS),
            goals=_conform(self.goals, GOALS),
            goal_values=_conform(self.goal_values, GOAL_VALUES),
            sessions=_conform(self.sessions, SESSIONS),
            checkpoints=_conform(self.checkpoints, CHECKPOINTS),
        )


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )
