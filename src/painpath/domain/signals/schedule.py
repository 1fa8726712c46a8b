"""When to look again: checkpoints falling due and gaps in the logs (care-model.md §6–7)."""

from __future__ import annotations

import polars as pl

from painpath.domain.care_defaults import CheckpointDefaults, SignalDefaults
from painpath.domain.signals._grid import Grid, day, signal

__all__ = ["checkpoint_due", "data_gap"]

# When two reasons fall due the same day, the more specific one names the signal.
_ORDER = {"after_intervention": 0, "interval_sessions": 1, "interval_days": 2}


def checkpoint_due(g: Grid, cp: CheckpointDefaults) -> pl.DataFrame:
    """Rule checkpoints.due: interval_days or interval_sessions after the last decision,
    whichever comes first (the review date after intentional ongoing care), and
    after_intervention_min_days after an intervention no checkpoint that late has followed.
    Nothing is due after graduation."""
    every = int(cp.interval_days.value)
    sessions = int(cp.interval_sessions.value)
    after = int(cp.after_intervention_min_days.value)
    review = int(cp.ongoing_care_max_review_days.value)
    today = g.today
    latest = g.checkpoints.group_by("patient_id").agg(pl.all().sort_by("date").last())
    last = g.patients.select("patient_id", "start").join(
        latest.select("patient_id", last_cp="date", decision="decision", review_by="review_by"),
        on="patient_id",
        how="left",
    )
    last = last.filter(pl.col("decision").fill_null("") != "graduate").select(
        "patient_id",
        last=pl.coalesce("last_cp", "start"),
        decided=pl.col("last_cp").is_not_null(),
        ongoing=pl.col("decision").fill_null("") == "ongoing_care",
        review_by=pl.coalesce("review_by", pl.col("last_cp") + day(review)),
    )
    # Intentional ongoing care is reviewed on its own date, not every two weeks.
    by_days = last.select(
        "patient_id",
        due=pl.when(pl.col("ongoing")).then("review_by").otherwise(pl.col("last") + day(every)),
        status=pl.lit("interval_days"),
    )
    by_sessions = (
        g.sessions.join(last.filter(~pl.col("ongoing")), on="patient_id")
        .filter(pl.col("date") > pl.col("last"))
        .sort("patient_id", "date")
        .group_by("patient_id")
        .agg(due=pl.col("date").get(sessions - 1, null_on_oob=True))
        .filter(pl.col("due").is_not_null())
        .with_columns(status=pl.lit("interval_sessions"))
    )
    # An intervention is followed up only by a checkpoint at least `after` days later.
    followed = g.checkpoints.select("patient_id", cp_date="date")
    injections = (
        g.sessions.filter(pl.col("intervention") > 0)
        .select("patient_id", i="date")
        .join(last.select("patient_id"), on="patient_id")
    )
    reviewed = (
        injections.join(followed, on="patient_id")
        .filter(pl.col("cp_date") >= pl.col("i") + day(after))
        .select("patient_id", "i")
        .unique()
    )
    by_injection = (
        injections.join(reviewed, on=["patient_id", "i"], how="anti")
        .group_by("patient_id")
        .agg(due=(pl.col("i") + day(after)).min())
        .with_columns(status=pl.lit("after_intervention"))
    )
    due = (
        pl.concat([by_days, by_sessions, by_injection], how="vertical_relaxed")
        .with_columns(rank=pl.col("status").replace_strict(_ORDER, return_dtype=pl.Int64))
        .sort("patient_id", "due", "rank")
        .group_by("patient_id")
        .agg(pl.all().first())
        .filter(pl.col("due") <= today)
        .join(last.select("patient_id", "last", "decided"), on="patient_id")
    )
    return due.select(
        "patient_id",
        *signal(
            "checkpoint_due",
            start="due",
            status="status",
            value=(pl.lit(today) - pl.col("due")).dt.total_days().cast(pl.Float64),
        ),
        since=pl.col("last"),
        decided="decided",
    )


def data_gap(g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """Rule signals.data_gap: fewer than min_logged_days logged days in the last window_days
    (scaled down, rounded up, while the timeline is younger than the window); none after
    graduation."""
    width = int(sig.data_gap.window_days.value)
    need = sig.data_gap.min_logged_days.value
    today = g.today
    begin = pl.max_horizontal(pl.col("start"), pl.lit(today) - day(width - 1))
    graduated = (
        g.checkpoints.group_by("patient_id")
        .agg(pl.col("decision").sort_by("date").last())
        .filter(pl.col("decision") == "graduate")
    )
    win = (
        g.patients.join(graduated, on="patient_id", how="anti")
        .select("patient_id", begin=begin)
        .with_columns(length=(pl.lit(today) - pl.col("begin")).dt.total_days() + 1)
        .with_columns(required=(pl.col("length") * need / width).ceil().cast(pl.Int64))
    )
    counts = (
        g.logged.join(win, on="patient_id")
        .filter(pl.col("date") >= pl.col("begin"))
        .group_by("patient_id")
        .agg(logged=pl.col("any").sum())
    )
    return (
        win.join(counts, on="patient_id", how="left")
        .with_columns(logged=pl.col("logged").fill_null(0))
        .filter(pl.col("logged") < pl.col("required"))
        .select(
            "patient_id",
            *signal(
                "data_gap",
                start="begin",
                end=pl.lit(today),
                value=pl.col("logged").cast(pl.Float64),
            ),
            required="required",
        )
    )
