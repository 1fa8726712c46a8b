"""The relief window and what it says (care-model.md §6; seed 002 "Early treatment").

The window of relief after a session is the first clinical signal: it shows the threshold is
moveable. Its absence by the fourth session changes the conversation; its growth toward a week
or more is the movement entry point; the passive:active ratio should fall after it.
"""

from __future__ import annotations

import polars as pl

from painpath.domain.care_defaults import SignalDefaults
from painpath.domain.signals._grid import Grid, day, signal

__all__ = ["movement_entry", "passive_active_ratio", "relief_windows", "response"]


def relief_windows(g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """Rule signals.relief_window: per session before today, the consecutive days after it
    with pain meaningfully below the pre-session baseline or a goal meaningfully easier."""
    pts = sig.relief_window.pain_drop_points.value
    pct = sig.relief_window.pain_drop_percent.value
    today = g.today
    s = g.sessions.filter(pl.col("date") < today).select(
        "patient_id",
        "n",
        "relief_window_days",
        "active",
        "next_date",
        s=pl.col("date"),
        bound=pl.coalesce(pl.col("next_date"), pl.lit(today) + day(1)),
    )
    # Every day after a session and before the next belongs to that session's window, so the
    # grid's latest-session columns (sd, Bs) give each day the baseline it is judged against.
    inside = g.grid.filter(pl.col("sd").is_not_null() & (pl.col("date") > pl.col("sd")))
    is_pain = pl.col("goal").is_null()
    relieved = (
        pl.when(is_pain)
        .then(
            (pl.col("value") <= pl.col("Bs") - pts)
            | (pl.col("value") * 100 <= pl.col("Bs") * (100 - pct))
        )
        .otherwise((pl.col("value") - pl.col("Bs")) * pl.col("sign") >= pl.col("mc"))
        .fill_null(False)
    )
    stop = (
        inside.with_columns(r=relieved)
        .group_by("patient_id", "sd", "date")
        .agg(pl.col("r").any())
        .filter(~pl.col("r"))
        .group_by("patient_id", "sd")
        .agg(stop=pl.col("date").min())
        .select("patient_id", s="sd", stop_k=(pl.col("stop") - pl.col("sd")).dt.total_days())
    )
    at = (
        g.grid.filter(pl.col("date") == pl.col("sd"))
        .group_by("patient_id", "sd")
        .agg(
            P=pl.col("Bs").filter(is_pain).first(),
            goal_bases=(pl.col("Bs").is_not_null() & ~is_pain).sum(),
        )
        .rename({"sd": "s"})
    )
    s = s.join(at, on=["patient_id", "s"], how="left")
    out = s.join(stop, on=["patient_id", "s"], how="left").with_columns(
        n_days=(pl.col("bound") - pl.col("s")).dt.total_days() - 1,
        judged=pl.col("P").is_not_null() | (pl.col("goal_bases").fill_null(0) > 0),
    )
    out = out.with_columns(
        derived=pl.when(pl.col("judged")).then(
            pl.coalesce(pl.col("stop_k") - 1, pl.col("n_days")).cast(pl.Int64)
        ),
        censored=pl.col("judged") & pl.col("stop_k").is_null(),
    ).with_columns(v=pl.coalesce(pl.col("relief_window_days"), pl.col("derived")))
    has_days = pl.col("v") >= 1
    return out.select(
        "patient_id",
        *signal(
            "relief_window",
            start=pl.when(has_days).then(pl.col("s") + day(1)),
            end=pl.when(has_days).then(pl.col("s") + day(pl.col("v"))),
            session="s",
            value=pl.col("v").cast(pl.Float64),
        ),
        n="n",
        baseline="P",
        derived="derived",
        reported="relief_window_days",
        censored="censored",
        active="active",
        next_session="next_date",
    )


def response(relief: pl.DataFrame, sig: SignalDefaults) -> pl.DataFrame:
    """Rules signals.response_established and signals.non_responder: a relief window of at
    least min_relief_days within the first within_sessions sessions, or none at all."""
    need = sig.response_established.min_relief_days.value
    within = int(sig.response_established.within_sessions.value)
    hit = pl.col("value") >= need
    first = (
        relief.filter(hit)
        .sort("session")
        .group_by("patient_id")
        .agg(pl.col("session").first(), pl.col("value").first(), pl.col("n").first())
    )
    established = first.select(
        "patient_id",
        *signal(
            "response_established",
            start="session",
            status=pl.when(pl.col("n") <= within).then(pl.lit("early")),
            session="session",
            value="value",
        ),
        n="n",
    )
    early = relief.filter(pl.col("n") <= within)
    none = (
        early.group_by("patient_id")
        .agg(
            count=pl.len(),
            known=pl.col("value").is_not_null().sum(),
            best=pl.col("value").max(),
            first=pl.col("session").min(),
            last=pl.col("session").max(),
            windows=pl.col("value").sort_by("session"),
        )
        .filter((pl.col("count") == within) & (pl.col("known") == within) & (pl.col("best") < need))
        .join(first.select("patient_id"), on="patient_id", how="anti")
    )
    non = none.select(
        "patient_id",
        *signal("non_responder", start="first", end="last", value="best"),
        windows="windows",
    )
    return pl.concat([established, non], how="diagonal_relaxed")


def movement_entry(relief: pl.DataFrame, g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """Rule signals.movement_entry_ready: the first relief window of movement_entry days or
    more — or one that held all the way to a session at least that many days later — when no
    later session has included an active modality yet."""
    need = sig.movement_entry.relief_window_days.value
    held_to_next = (
        pl.col("censored")
        & pl.col("reported").is_null()
        & pl.col("next_session").is_not_null()
        & ((pl.col("next_session") - pl.col("session")).dt.total_days() >= need)
    )
    first = (
        relief.filter((pl.col("value") >= need) | held_to_next)
        .sort("session")
        .group_by("patient_id")
        .agg(pl.col("session").first(), pl.col("value").first(), pl.col("next_session").first())
    )
    later_active = (
        g.sessions.filter(pl.col("active") > 0)
        .join(first, on="patient_id")
        .filter(pl.col("date") > pl.col("session"))
        .select("patient_id")
        .unique()
    )
    return first.join(later_active, on="patient_id", how="anti").select(
        "patient_id",
        *signal("movement_entry_ready", start="session", session="session", value="value"),
        next_session="next_session",
    )


def passive_active_ratio(g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """Rule signals.passive_active_ratio: the passive share of passive and active modalities in
    each window of window_days from the start."""
    width = int(sig.passive_active_ratio.window_days.value)
    w = (
        g.sessions.join(g.patients.select("patient_id", "start"), on="patient_id")
        .with_columns(k=(pl.col("date") - pl.col("start")).dt.total_days() // width)
        .group_by("patient_id", "k")
        .agg(
            pl.col("start").first(), passive=pl.col("passive").sum(), active=pl.col("active").sum()
        )
        .filter(pl.col("passive") + pl.col("active") > 0)
        .sort("patient_id", "k")
    )
    begin = pl.col("start") + day(pl.col("k") * width)
    return w.select(
        "patient_id",
        *signal(
            "passive_active_ratio",
            start=begin,
            end=pl.min_horizontal(begin + day(width - 1), pl.lit(g.today)),
            value=(pl.col("passive") / (pl.col("passive") + pl.col("active"))).round(3),
        ),
        passive="passive",
        active="active",
    )
