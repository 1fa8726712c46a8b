"""Expected post-treatment soreness and flares (care-model.md §6; seed 002 "Mid-treatment").

Soreness that is back by 48 h is the body processing change: reassure. A flare that settles
within 72 h at or above the prior baseline is a normal response; one that persists (prolonged)
or leaves the patient meaningfully worse (setback) is a signal to reassess.
"""

from __future__ import annotations

import polars as pl

from painpath.domain.care_defaults import SignalDefaults
from painpath.domain.signals._grid import KEY, Grid, day, signal, worse_expr

__all__ = ["flares", "soreness"]

_LOOKUP = [*KEY, "date"]


def _expand(frame: pl.DataFrame, first: int, last: int, at: str) -> pl.DataFrame:
    """One row per day ``at + first … at + last`` of each row (``date`` is that day)."""
    return (
        frame.with_columns(k=pl.int_ranges(first, last + 1))
        .explode("k")
        .with_columns(date=pl.col(at) + day(pl.col("k")))
    )


def soreness(g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """Rule signals.expected_soreness: a rise of ≥ rise_points over the pre-session pain
    baseline seen within onset_to_hours of a session, back below it by settled_by_hours."""
    rise = sig.expected_soreness.rise_points.value
    span = int(sig.expected_soreness.onset_to_hours.value) // 24
    back_by = int(sig.expected_soreness.settled_by_hours.value) // 24
    pain = g.grid.filter(pl.col("goal").is_null())
    s = g.sessions.select("patient_id", s=pl.col("date")).join(
        pain.select("patient_id", s=pl.col("date"), P=pl.col("B")), on=["patient_id", "s"]
    )
    rows = (
        _expand(s.filter(pl.col("P").is_not_null()), 0, max(span, back_by), "s")
        .join(pain.select("patient_id", "date", "value"), on=["patient_id", "date"])
        .filter(pl.col("value").is_not_null())
        .with_columns(up=pl.col("value") >= pl.col("P") + rise)
    )
    first = (
        rows.filter(pl.col("up") & (pl.col("k") <= span))
        .group_by("patient_id", "s")
        .agg(r=pl.col("date").min())
    )
    rows = rows.join(first, on=["patient_id", "s"])
    back = (
        rows.filter((pl.col("date") > pl.col("r")) & ~pl.col("up"))
        .group_by("patient_id", "s")
        .agg(back=pl.col("date").min())
    )
    rows = rows.join(back, on=["patient_id", "s"])
    return (
        rows.filter(
            (pl.col("date") >= pl.col("r"))
            & (pl.col("date") < pl.col("back"))
            & (pl.col("back") <= pl.col("s") + day(back_by))
        )
        .group_by("patient_id", "s")
        .agg(
            start=pl.col("r").first(),
            end=pl.col("date").max(),
            back=pl.col("back").first(),
            baseline=pl.col("P").first(),
            peak=pl.col("value").max(),
        )
        .select(
            "patient_id",
            *signal(
                "expected_soreness",
                start="start",
                end="end",
                session="s",
                value=(pl.col("peak") - pl.col("baseline")).round(3),
            ),
            back="back",
            baseline="baseline",
            peak="peak",
        )
    )


def _guarded(g: Grid, sig: SignalDefaults) -> pl.DataFrame:
    """The baseline a flare is judged against (rule signals.flare.relief_guard_days): the week
    before, but never more demanding than the baseline before the latest session within the
    guard. Relief after a session lowers the rolling median; pain coming back to its usual
    level when the relief wears off is not a flare."""
    guard = int(sig.flare.relief_guard_days.value)
    return g.grid.with_columns(
        Bs=pl.when(pl.col("date") - pl.col("sd") <= day(guard)).then(pl.col("Bs"))
    ).with_columns(
        b=pl.when(pl.col("goal").is_not_null() & (pl.col("sign") > 0))
        .then(pl.when(pl.col("B").is_not_null()).then(pl.min_horizontal("B", "Bs")))
        .otherwise(pl.when(pl.col("B").is_not_null()).then(pl.max_horizontal("B", "Bs")))
    )


def flares(g: Grid, sig: SignalDefaults, sore: pl.DataFrame) -> pl.DataFrame:
    """Rule signals.flare: each flare with its status (settling, prolonged or setback), peak,
    frozen baseline and the new baseline a week on; soreness that explains a pain rise is
    removed (rule signals.expected_soreness)."""
    settle_days = int(sig.flare.settle_within_hours.value) // 24
    week = int(sig.baseline.window_days.value)
    horizon = settle_days + week - 1
    need = int(sig.baseline.min_days.value)
    worse_pts = sig.flare.setback_worse_points.value
    pct = sig.flare.goal_drop_percent.value
    today = g.today

    candidates = (
        _guarded(g, sig)
        .filter(
            pl.col("value").is_not_null()
            & pl.col("b").is_not_null()
            & worse_expr("value", "b", sig)
        )
        .select(*KEY, "sign", "b", c="date")
    )
    rows = (
        _expand(candidates, 0, horizon, "c")
        .filter(pl.col("date") <= today)
        .join(g.grid.select(*_LOOKUP, "value"), on=_LOOKUP, nulls_equal=True)
        .filter(pl.col("value").is_not_null())
        .with_columns(up=worse_expr("value", "b", sig))
    )
    cand = [*KEY, "c"]
    settle = (
        rows.filter((pl.col("k") > 0) & ~pl.col("up"))
        .group_by(cand)
        .agg(settle=pl.col("date").min())
    )
    rows = rows.join(settle, on=cand, how="left", nulls_equal=True)
    in_run = pl.col("settle").is_null() | (pl.col("date") < pl.col("settle"))
    worst = (
        pl.when(pl.col("goal").is_null() | (pl.col("sign") < 0))
        .then(pl.col("value"))
        .otherwise(-pl.col("value"))
    )
    after = (pl.col("k") >= settle_days) & (pl.col("k") <= horizon)
    runs = (
        rows.group_by(cand)
        .agg(
            pl.col("b").first(),
            pl.col("sign").first(),
            pl.col("settle").first(),
            last=pl.col("date").filter(in_run).max(),
            n=in_run.sum(),
            peak_key=worst.filter(in_run).max(),
            nb=pl.col("value").filter(after).median(),
            nb_n=after.sum(),
        )
        .join(
            rows.filter(in_run)
            .with_columns(w=worst)
            .sort("date")
            .group_by(cand)
            .agg(
                peak_date=pl.col("date").sort_by("w", descending=True, maintain_order=True).first()
            ),
            on=cand,
            nulls_equal=True,
        )
        .sort([*KEY, "c"], nulls_last=False)
        .with_columns(
            prev=pl.col("last").cum_max().shift(1).over(KEY, order_by="c"),
        )
        .with_columns(
            grp=(pl.col("prev").is_null() | (pl.col("c") > pl.col("prev")))
            .cum_sum()
            .over(KEY, order_by="c")
        )
    )
    holder = pl.col("settle").sort_by(["last", "c"], descending=[True, False]).first()
    ep = (
        runs.group_by([*KEY, "grp"])
        .agg(
            start=pl.col("c").min(),
            b=pl.col("b").sort_by("c").first(),
            sign=pl.col("sign").first(),
            last=pl.col("last").max(),
            settled=holder,
            n=pl.col("n").max(),
            peak_key=pl.col("peak_key").max(),
            peak_date=pl.col("peak_date")
            .sort_by([pl.col("peak_key"), pl.col("peak_date")], descending=[True, False])
            .first(),
            nb=pl.col("nb").sort_by("c").first(),
            nb_n=pl.col("nb_n").sort_by("c").first(),
        )
        .filter(pl.col("n") >= sig.flare.min_days.value)
        .with_columns(
            peak=pl.when(pl.col("goal").is_null() | (pl.col("sign") < 0))
            .then(pl.col("peak_key"))
            .otherwise(-pl.col("peak_key")),
            nb=pl.when(pl.col("nb_n") >= need).then(pl.col("nb")),
        )
    )
    is_pain = pl.col("goal").is_null()
    setback = pl.col("nb").is_not_null() & (
        pl.when(is_pain)
        .then(pl.col("nb") >= pl.col("b") + worse_pts)
        .when(pl.col("sign") > 0)
        .then(pl.col("nb") * 100 <= pl.col("b") * (100 - pct))
        .otherwise(pl.col("nb") * 100 >= pl.col("b") * (100 + pct))
    )
    limit = pl.col("start") + day(settle_days)
    settled_in_time = pl.col("settled").is_not_null() & (pl.col("settled") <= limit)
    still_up_late = pl.col("last") >= limit
    ep = ep.with_columns(
        status=pl.when(setback)
        .then(pl.lit("setback"))
        .when(settled_in_time)
        .then(pl.lit("settling"))
        .when(pl.col("settled").is_not_null() | still_up_late)
        .then(pl.lit("prolonged"))
        .otherwise(pl.lit("settling")),
        confirmed=pl.col("settled").is_not_null()
        | setback
        | still_up_late
        | (pl.lit(today) < limit),
        end=pl.when(
            pl.col("settled").is_null()
            & ~setback
            & (pl.lit(today) <= pl.col("start") + day(horizon))
        )
        .then(pl.lit(None, pl.Date))
        .otherwise(pl.col("last")),
    )

    # A pain rise that is the expected soreness after a session is not a flare.
    sore_sessions = sore.select("patient_id", s="session", back="back")
    explained = (
        ep.filter(is_pain)
        .join(sore_sessions, on="patient_id")
        .filter(
            (pl.col("start") >= pl.col("s"))
            & (pl.col("start") < pl.col("back"))
            & (pl.col("last") < pl.col("back"))
        )
        .select("patient_id", "start", goal=pl.lit(None, pl.String))
        .unique()
    )
    ep = ep.join(explained, on=["patient_id", "goal", "start"], how="anti", nulls_equal=True)
    return ep.select(
        "patient_id",
        *signal(
            "flare",
            start="start",
            end="end",
            status="status",
            goal="goal",
            value=pl.col("peak").round(3),
        ),
        baseline="b",
        peak_date="peak_date",
        settled="settled",
        new_baseline="nb",
        confirmed="confirmed",
        last="last",
    )
