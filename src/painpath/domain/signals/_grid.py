"""The dense calendar every rule reads: one row per patient, metric and day from start to today.

A metric is pain (``goal`` null) or one of the patient's goals. On the grid each day carries its
logged value (null when not logged), the baseline ``B`` (median of the week before) and the level
``L`` (median of the week ending that day) — care-model.md §6 "Baseline", rule signals.baseline.
Rules look values up by (patient_id, goal, date) instead of scanning rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from painpath.domain.care_defaults import SignalDefaults
from painpath.domain.signals.frames import TimelineFrames

__all__ = ["KEY", "Grid", "build_grid", "day", "signal", "worse_expr"]

KEY = ["patient_id", "goal"]


def day(n: int | pl.Expr) -> pl.Expr:
    """A duration of ``n`` calendar days, as an expression."""
    return pl.duration(days=n)


def signal(
    name: str,
    *,
    start: str | pl.Expr | None = None,
    end: str | pl.Expr | None = None,
    status: str | pl.Expr | None = None,
    goal: str | pl.Expr | None = None,
    session: str | pl.Expr | None = None,
    value: str | pl.Expr | None = None,
) -> list[pl.Expr]:
    """The seven columns every signal row has after patient_id (column names or expressions;
    left out, a typed null). Text names a column; a literal status is given as pl.lit(...)."""

    def col(x: str | pl.Expr | None, dtype: pl.DataType) -> pl.Expr:
        if x is None:
            return pl.lit(None, dtype)
        return (pl.col(x) if isinstance(x, str) else x).cast(dtype)

    return [
        pl.lit(name).alias("id"),
        col(start, pl.Date()).alias("start"),
        col(end, pl.Date()).alias("end"),
        col(status, pl.String()).alias("status"),
        col(goal, pl.String()).alias("goal"),
        col(session, pl.Date()).alias("session"),
        col(value, pl.Float64()).alias("value"),
    ]


@dataclass(frozen=True)
class Grid:
    """The evaluation's inputs, cut at today and laid out by day."""

    today: dt.date
    names: pl.DataFrame  # patient_id (the caller's text id), code (the number used inside)
    patients: pl.DataFrame  # patient_id, start, phase
    goals: pl.DataFrame  # + sign (+1 increase / −1 decrease), mc (meaningful change)
    # patient_id, goal, gi, date, value, L, B, sd, Bs, sign, baseline, target, mc
    grid: pl.DataFrame
    logged: pl.DataFrame  # patient_id, date, any (a measure logged), event (bool)
    sessions: pl.DataFrame  # + n (1-based order), next_date
    checkpoints: pl.DataFrame


def worse_expr(value: str, base: str, sig: SignalDefaults) -> pl.Expr:
    """Is ``value`` raised against ``base`` (rule signals.flare): pain up by the rise in points;
    a goal down (``increase``) or up (``decrease``) by the drop percentage of a positive base."""
    rise = sig.flare.pain_rise_points.value
    pct = sig.flare.goal_drop_percent.value
    v, b = pl.col(value), pl.col(base)
    # Percentages are compared in whole percent: 90 × 0.7 is 62.99999999999999 in floating point.
    return (
        pl.when(pl.col("goal").is_null())
        .then(v >= b + rise)
        .when(pl.col("sign") > 0)
        .then((b > 0) & (v * 100 <= b * (100 - pct)))
        .otherwise((b > 0) & (v * 100 >= b * (100 + pct)))
        .fill_null(False)
    )


def build_grid(frames: TimelineFrames, sig: SignalDefaults, today: dt.date) -> Grid:
    """Cut every frame at ``today`` and lay the metrics out on a dense daily calendar."""
    f = frames.conformed()
    # Patients are numbered for the evaluation: joins and sorts on integers are several times
    # faster than on text. ``names`` turns the numbers back into the caller's ids.
    names = (
        f.patients.filter(pl.col("start") <= today)
        .select("patient_id")
        .unique()
        .sort("patient_id")
        .with_columns(code=pl.int_range(pl.len(), dtype=pl.UInt32))
    )
    ids = names.select("patient_id", "code")

    def coded(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(ids, on="patient_id").drop("patient_id").rename({"code": "patient_id"})

    patients = coded(f.patients).select("patient_id", "start", "phase")
    upto = pl.col("date") <= today

    days = coded(f.days).filter(upto)
    values = coded(f.goal_values).filter(upto)
    sessions = (
        coded(f.sessions)
        .filter(upto)
        .sort("patient_id", "date")
        .with_columns(
            n=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("patient_id"),
            next_date=pl.col("date").shift(-1).over("patient_id"),
        )
    )
    share = sig.goal.meaningful_share_percent.value / 100
    goals = (
        coded(f.goals)
        .with_columns(
            sign=pl.when(pl.col("direction") == "decrease").then(-1).otherwise(1),
            mc=pl.coalesce(
                "meaningful_change", (pl.col("target") - pl.col("baseline")).abs() * share
            ),
        )
        .sort(KEY)
        .with_columns(gi=pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).over("patient_id"))
    )

    # One row per patient and day, marking the session days; every metric is laid out on it.
    calendar = (
        patients.select("patient_id", date=pl.date_ranges("start", pl.lit(today), interval="1d"))
        .explode("date")
        .join(
            sessions.select("patient_id", "date", at_s=pl.lit(True)),
            on=["patient_id", "date"],
            how="left",
        )
    )
    pain = calendar.join(
        days.select("patient_id", "date", value=pl.col("pain")),
        on=["patient_id", "date"],
        how="left",
    ).with_columns(goal=pl.lit(None, pl.String), gi=pl.lit(0, pl.UInt32))
    numbered = values.join(goals.select("patient_id", "goal", "gi"), on=["patient_id", "goal"])
    goal_days = calendar.join(goals.select("patient_id", "goal", "gi"), on="patient_id").join(
        numbered.select("patient_id", "gi", "date", "value"),
        on=["patient_id", "gi", "date"],
        how="left",
    )
    window = int(sig.baseline.window_days.value)
    need = int(sig.baseline.min_days.value)
    # The calendar is dense, so a window of days is a window of rows: L(d) is the median of the
    # week ending on d, and B(d), the week before d, is yesterday's L.
    level = pl.col("value").rolling_median(window_size=window, min_samples=need)
    grid = (
        pl.concat(
            [
                pain.select(
                    "patient_id", "goal", "gi", "date", "at_s", pl.col("value").cast(pl.Float64)
                ),
                goal_days.select("patient_id", "goal", "gi", "date", "at_s", "value"),
            ]
        )
        # Integers sort and group faster than text: gi numbers the metrics (0 is pain).
        .sort(["patient_id", "gi", "date"])
        .with_columns(L=level.over(["patient_id", "gi"]))
        .with_columns(B=pl.col("L").shift(1).over(["patient_id", "gi"]))
        # sd: the latest session on or before the day; Bs: the metric's baseline before it.
        .with_columns(
            sd=pl.when(pl.col("at_s")).then(pl.col("date")),
            # Values are never negative, so −1 carries "no baseline" through the fill.
            Bs=pl.when(pl.col("at_s")).then(pl.col("B").fill_null(-1.0)),
        )
        .with_columns(
            sd=pl.col("sd").forward_fill().over(["patient_id", "gi"]),
            Bs=pl.col("Bs").forward_fill().over(["patient_id", "gi"]),
        )
        .with_columns(Bs=pl.when(pl.col("Bs") >= 0).then(pl.col("Bs")))
        .drop("at_s")
        .join(
            goals.select("patient_id", "gi", "sign", "baseline", "target", "mc"),
            on=["patient_id", "gi"],
            how="left",
            maintain_order="left",
        )
    )

    measures = ["pain", "steps", "sitting_min", "sleep_h", "function"]
    logged = (
        calendar.join(
            days.select(
                "patient_id",
                "date",
                m=pl.any_horizontal(pl.col(c).is_not_null() for c in measures),
                event=pl.col("event").is_not_null() & (pl.col("event").str.strip_chars() != ""),
            ),
            on=["patient_id", "date"],
            how="left",
        )
        .join(
            values.filter(pl.col("value").is_not_null())
            .select("patient_id", "date")
            .unique()
            .with_columns(g=pl.lit(True)),
            on=["patient_id", "date"],
            how="left",
        )
        .select(
            "patient_id",
            "date",
            any=pl.col("m").fill_null(False) | pl.col("g").fill_null(False),
            event=pl.col("event").fill_null(False),
        )
        .sort("patient_id", "date")
    )

    checkpoints = coded(f.checkpoints).filter(upto).sort("patient_id", "date")
    return Grid(today, names, patients, goals, grid, logged, sessions, checkpoints)
