"""Movement toward the goals: progress, goals met, plateaus and care simply continuing
(care-model.md §6; seed 002 "Checkpoints and honest evaluation", "What the plateau signal means").
"""

from __future__ import annotations

import math

import polars as pl

from painpath.domain.care_defaults import CheckpointDefaults, SignalDefaults
from painpath.domain.signals._grid import Grid, day, signal

__all__ = ["care_simply_continuing", "goal_met", "goal_progress", "plateau"]


def goal_progress(g: Grid) -> pl.DataFrame:
    """Rule signals.goal_progress: the share of the distance from baseline to target covered
    by the goal's level this week."""
    level = g.grid.filter(pl.col("goal").is_not_null() & (pl.col("date") == g.today)).select(
        "patient_id", "goal", level="L"
    )
    return (
        g.goals.join(level, on=["patient_id", "goal"], how="left")
        .join(g.patients.select("patient_id", "start"), on="patient_id")
        .select(
            "patient_id",
            *signal(
                "goal_progress",
                start="start",
                end=pl.lit(g.today),
                goal="goal",
                value=(
                    (pl.col("level") - pl.col("baseline")) / (pl.col("target") - pl.col("baseline"))
                ).round(3),
            ),
            level="level",
            baseline="baseline",
            target="target",
        )
    )


def _at_target() -> pl.Expr:
    return (pl.col("value") - pl.col("target")) * pl.col("sign") >= 0


def goal_met(g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """Rule signals.goal_met: the goal at target on every log of a run that has lasted
    met_held_days, with enough logs to say so."""
    held = int(sig.goal.met_held_days.value)
    need = math.ceil(held * sig.data_gap.min_logged_days.value / sig.data_gap.window_days.value)
    logs = g.grid.filter(pl.col("goal").is_not_null() & pl.col("value").is_not_null()).with_columns(
        at=_at_target()
    )
    misses = (
        logs.filter(~pl.col("at")).group_by("patient_id", "goal").agg(miss=pl.col("date").max())
    )
    run = (
        logs.join(misses, on=["patient_id", "goal"], how="left")
        .filter(pl.col("miss").is_null() | (pl.col("date") > pl.col("miss")))
        .group_by("patient_id", "goal")
        .agg(first=pl.col("date").min(), logs=pl.len())
    )
    return run.filter(
        ((pl.lit(g.today) - pl.col("first")).dt.total_days() >= held - 1) & (pl.col("logs") >= need)
    ).select(
        "patient_id",
        *signal("goal_met", start="first", end=pl.lit(g.today), goal="goal"),
        logs="logs",
    )


def plateau(
    g: Grid, sig: SignalDefaults, flares: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rule signals.plateau, evaluated at every session date and at today: the plateau signal
    (when there is one at today) and the per-goal evidence behind it."""
    n_sessions = int(sig.plateau.sessions.value)
    min_days = int(sig.plateau.min_days.value)
    today = g.today
    sess = g.sessions.select("patient_id", "date", "n")
    counts = sess.group_by("patient_id").agg(total=pl.len().cast(pl.Int64))
    refs = pl.concat(
        [
            sess.select("patient_id", r="date", m="n"),
            counts.select("patient_id", r=pl.lit(today), m="total"),
        ]
    ).unique(["patient_id", "r"], keep="first")
    refs = (
        refs.filter(pl.col("m") >= n_sessions)
        .join(
            sess.select("patient_id", s3="date", m=pl.col("n") + (n_sessions - 1)),
            on=["patient_id", "m"],
        )
        .with_columns(W=pl.min_horizontal("s3", pl.col("r") - day(min_days)))
    )

    # Flares and events inside W … r, by prefix sums over the calendar.
    covered = (
        flares.select("patient_id", "start", stop=pl.coalesce("end", pl.lit(today)))
        .with_columns(date=pl.date_ranges("start", "stop"))
        .explode("date")
        .select("patient_id", "date")
        .unique()
        .with_columns(flare=pl.lit(1))
    )
    cal = (
        g.logged.join(covered, on=["patient_id", "date"], how="left")
        .sort("patient_id", "date")
        .with_columns(
            fc=pl.col("flare").fill_null(0).cum_sum().over("patient_id"),
            ec=pl.col("event").cast(pl.Int64).cum_sum().over("patient_id"),
        )
        .select("patient_id", "date", "fc", "ec")
    )
    at = cal.rename({"date": "r", "fc": "fc_r", "ec": "ec_r"})
    before = cal.with_columns(W=pl.col("date") + day(1)).select(
        "patient_id", "W", fc_w="fc", ec_w="ec"
    )
    refs = (
        refs.join(at, on=["patient_id", "r"], how="left")
        .join(before, on=["patient_id", "W"], how="left")
        .with_columns(
            flare=pl.col("fc_r") - pl.col("fc_w").fill_null(0) > 0,
            event=pl.col("ec_r") - pl.col("ec_w").fill_null(0) > 0,
        )
    )

    # Looked up by number (gi), not by goal name: integer joins are several times faster.
    lookups = g.grid.select("patient_id", "gi", "date", "L", "B").filter(pl.col("gi") > 0)
    per_goal = (
        refs.select("patient_id", "r", "W")
        .join(g.goals.select("patient_id", "goal", "gi", "sign", "target", "mc"), on="patient_id")
        .join(
            lookups.select("patient_id", "gi", r="date", end_level="L"),
            on=["patient_id", "gi", "r"],
            how="left",
        )
        .join(
            lookups.select("patient_id", "gi", W="date", start_level="B"),
            on=["patient_id", "gi", "W"],
            how="left",
        )
        .with_columns(
            unmet=(pl.col("end_level") - pl.col("target")) * pl.col("sign") < 0,
            moved=(pl.col("end_level") - pl.col("start_level")) * pl.col("sign"),
        )
    )
    verdict = per_goal.group_by("patient_id", "r").agg(
        all_levels=pl.col("end_level").is_not_null().all(),
        unmet=pl.col("unmet").fill_null(False).sum(),
        flat=(
            ~pl.col("unmet").fill_null(False)
            | (pl.col("start_level").is_not_null() & (pl.col("moved") < pl.col("mc")))
        ).all(),
    )
    refs = (
        refs.join(verdict, on=["patient_id", "r"], how="left")
        .with_columns(
            yes=(
                pl.col("all_levels").fill_null(False)
                & (pl.col("unmet").fill_null(0) > 0)
                & pl.col("flat").fill_null(False)
                & ~pl.col("flare")
                & ~pl.col("event")
            )
        )
        .sort("patient_id", "r")
    )
    # The unbroken run of plateaus that ends at today.
    last_no = refs.filter(~pl.col("yes")).group_by("patient_id").agg(no=pl.col("r").max())
    run = (
        refs.join(last_no, on="patient_id", how="left")
        .filter(pl.col("no").is_null() | (pl.col("r") > pl.col("no")))
        .group_by("patient_id")
        .agg(r0=pl.col("r").min(), W0=pl.col("W").sort_by("r").first(), r_last=pl.col("r").max())
        .filter(pl.col("r_last") == today)
    )
    now = refs.filter(pl.col("r") == today).select("patient_id", "W", "s3")
    found = run.join(now, on="patient_id").select(
        "patient_id",
        *signal("plateau", start="W0", end=pl.lit(today)),
        r0="r0",
        window_start="W",
    )
    evidence = per_goal.filter(pl.col("r") == today).join(run.select("patient_id"), on="patient_id")
    return found, evidence


def care_simply_continuing(
    g: Grid, sig: SignalDefaults, cp: CheckpointDefaults, plateau_now: pl.DataFrame
) -> pl.DataFrame:
    """Rule signals.care_simply_continuing: a plateau with sessions_after_plateau more sessions
    and no checkpoint decision since; or intentional ongoing care past its review date."""
    more = int(sig.care_simply_continuing.sessions_after_plateau.value)
    # An ongoing-care decision without a review date is reviewed at the latest allowed date.
    review = int(cp.ongoing_care_max_review_days.value)
    today = g.today
    after = (
        plateau_now.select("patient_id", "r0")
        .join(g.sessions.select("patient_id", "date"), on="patient_id")
        .filter(pl.col("date") > pl.col("r0"))
        .group_by("patient_id")
        .agg(pl.col("r0").first(), sessions=pl.len())
        .filter(pl.col("sessions") >= more)
    )
    decided = (
        after.join(g.checkpoints.select("patient_id", "date"), on="patient_id")
        .filter(pl.col("date") >= pl.col("r0"))
        .select("patient_id")
        .unique()
    )
    drifting = after.join(decided, on="patient_id", how="anti").select(
        "patient_id",
        *signal("care_simply_continuing", start="r0", status=pl.lit("plateau")),
        sessions="sessions",
    )
    latest = g.checkpoints.group_by("patient_id").agg(pl.all().sort_by("date").last())
    overdue = (
        latest.filter(pl.col("decision") == "ongoing_care")
        .with_columns(due=pl.coalesce("review_by", pl.col("date") + day(review)))
        .filter(pl.col("due") < today)
    )
    lapsed = overdue.select(
        "patient_id",
        *signal("care_simply_continuing", start="due", status=pl.lit("ongoing_care_overdue")),
        decided="date",
    )
    return pl.concat([drifting, lapsed], how="diagonal_relaxed")
