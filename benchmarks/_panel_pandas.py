"""docs/signals.md the way a typical analyst would write it: pandas, one function per patient.

``evaluate_pandas(frames, today, kb)`` converts the frames to pandas, splits them by patient
and runs ``groupby("patient_id").apply(per_patient)``; inside, plain Python and pandas (rolling
medians, loops over candidates and sessions). It returns one row per signal with the eight
columns the benchmark compares: patient_id, id, start, end, status, goal, session, value
(rounded to 3 decimals with Polars' ``round``, half to even).

Readings chosen where docs/signals.md leaves room (the most literal one each time):

- Days are whole numbers: a log *k* days after *s* is *24·k* hours after it, so "within H
  hours" is *k·24 ≤ H*; hour parameters become day counts as ``H // 24`` where a range is needed.
- Anything dated after ``today`` is dropped first; a patient whose ``start`` is after ``today``
  has no signal at all. "Logged" = the metric's value is not null; goal values whose goal is
  not in ``goals`` are ignored. A logged *day* (data_gap) is a day with pain, steps,
  sitting_min, sleep_h, function or any goal value.
- Percent thresholds are compared exactly: ``v·100 ≤ b·(100 − pct)`` for "v ≤ b × (1 − pct %)".
- expected_soreness: the rise is searched on *s … s + onset_to_hours/24* (``onset_from_hours``
  is not used: the spec starts at *s*); the rise and *back* thresholds are both *P* +
  ``rise_points``; *back* must be ≤ *s* + ``settled_by_hours``/24 and ≤ today; ``end`` = the
  last pain log before *back*; value = max(pain on *r … end*) − *P*. ``soreness_expected`` on
  the session is not read (the spec never uses it). status/goal null.
- Soreness absorbs a pain flare whose ``start`` is on *s … s + onset_to_hours/24* and whose
  ``end`` (the reported end, not null) is before *back* — whatever its status. An absorbed flare
  is not a flare anywhere (it does not block a plateau).
- flare: the flare baseline of *c* is ``B(m, c)``, or — when the latest session *s* ≤ *c* is
  at most ``relief_guard_days`` before *c* and ``B(m, s)`` exists — max(``B(m, c)``,
  ``B(m, s)``) for pain and ``decrease`` goals, min(…) for ``increase`` goals; no ``B(m, c)``,
  no candidate. That value is the frozen *b_c* (run, min_days, setback). The horizon is *c …
  c + settle_within_hours/24 + baseline.window_days − 1*; ``min_days`` counts the logged days
  of *start … last* raised against the flare's *b*. "Settled within 72 h" is (settled −
  start)·24 ≤ 72; "still raised on a log ≥ 72 h after start" is (last − start)·24 ≥ 72 when
  nothing settled. value = the peak; session null.
- relief_window: one row per session dated before today; value = the reported window if given,
  else the derived one (null when neither pain nor any goal has a baseline at *s*); start = *s
  + 1* and end = *s* + value when value ≥ 1, else both null; status null (``censored`` is
  evidence only). A goal day is a relief day when its value is better than ``B(g, s)`` by at
  least the meaningful change.
- A session's "window" (response_established, non_responder, movement_entry_ready) is that
  value. response_established: status ``early`` when the session is one of the first
  ``within_sessions`` sessions (counting every session up to today), else null; end null.
  non_responder: session null, value = the largest of the first four windows.
  movement_entry_ready: the first session whose window is ≥ ``movement_entry`` days, or whose
  derived window (nothing reported) ran without a break up to the next session when that one is
  ≥ ``movement_entry`` days later; value = the window; "later" = dated after that session; end
  null.
- passive_active_ratio: windows *start + 28·k … start + 28·k + 27*, the last cut at today.
- plateau: evaluation points = the session dates up to today and today. A goal "not yet at
  target" is one whose ``L(g, r)`` falls short; such a goal without ``B(g, W)``, or any goal
  without ``L(g, r)``, means no verdict (no plateau at *r*). A flare overlaps
  *W … r* when ``start ≤ r`` and (``end``, or today when ``end`` is null) ≥ *W*. An event is any
  non-null ``event``. The signal: start = *W* of the first point of the run, end = today, value
  null.
- care_simply_continuing: "held after r0" = dated after *r0*; ``review_by`` left out =
  decision date + ``checkpoints.ongoing_care_max_review_days``; "passed" = before today.
  start = *r0* or ``review_by``; end and value null.
- checkpoint_due: nothing when the latest decision is ``graduate``. "After it" = dated after the
  decision (or after ``start``). After an ``ongoing_care`` decision the interval date is its
  ``review_by`` (left out: decision + ``ongoing_care_max_review_days``), reason
  ``interval_days``, and no session count. Every intervention session up to today (before the
  latest decision too) falls due on session + ``after_intervention_min_days`` unless a
  checkpoint is dated on or after that day. On a tie: ``after_intervention``, then
  ``interval_sessions``, then ``interval_days``. end null.
- data_gap: not raised when the latest decision is ``graduate``; start = the window's first
  day, end = today, value = logged days.
- goal_progress: one row per goal (value null without a level); goal_met: the run is the
  trailing run of at-target logged values (unlogged days do not break it); value null.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from painpath.domain.signals.engine import SIGNAL_SCHEMA
from painpath.domain.signals.frames import TimelineFrames

__all__ = ["OUTPUT_SCHEMA", "evaluate_pandas"]

OUTPUT_SCHEMA: dict[str, pl.DataType] = SIGNAL_SCHEMA  # the eight compared columns
MEASURES = ["pain", "steps", "sitting_min", "sleep_h", "function"]


def _params(kb: Any) -> dict[str, Any]:
    s, c = kb.signals, kb.checkpoints
    return {
        "base_window": int(s.baseline.window_days.value),
        "base_min": int(s.baseline.min_days.value),
        "sore_to_h": s.expected_soreness.onset_to_hours.value,
        "sore_settled_h": s.expected_soreness.settled_by_hours.value,
        "sore_rise": s.expected_soreness.rise_points.value,
        "flare_pain": s.flare.pain_rise_points.value,
        "flare_pct": s.flare.goal_drop_percent.value,
        "flare_min_days": s.flare.min_days.value,
        "flare_settle_h": s.flare.settle_within_hours.value,
        "flare_guard": s.flare.relief_guard_days.value,
        "setback_pts": s.flare.setback_worse_points.value,
        "relief_pts": s.relief_window.pain_drop_points.value,
        "relief_pct": s.relief_window.pain_drop_percent.value,
        "resp_days": s.response_established.min_relief_days.value,
        "resp_sessions": int(s.response_established.within_sessions.value),
        "entry_days": s.movement_entry.relief_window_days.value,
        "ratio_days": int(s.passive_active_ratio.window_days.value),
        "plateau_sessions": int(s.plateau.sessions.value),
        "plateau_days": int(s.plateau.min_days.value),
        "met_days": s.goal.met_held_days.value,
        "share_pct": s.goal.meaningful_share_percent.value,
        "csc_sessions": s.care_simply_continuing.sessions_after_plateau.value,
        "gap_window": int(s.data_gap.window_days.value),
        "gap_min": s.data_gap.min_logged_days.value,
        "cp_days": int(c.interval_days.value),
        "cp_sessions": int(c.interval_sessions.value),
        "cp_intervention": int(c.after_intervention_min_days.value),
        "review_days": int(c.ongoing_care_max_review_days.value),
    }


def evaluate_pandas(
    frames: TimelineFrames,
    today: dt.date,
    kb: Any,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Every signal of every patient, one row each (the eight compared columns)."""
    p = _params(kb)
    f = frames.conformed()
    cut = pl.col("date") <= today
    patients = _to_pandas(f.patients.filter(pl.col("start") <= today))
    days = _to_pandas(f.days.filter(cut))
    goals = _to_pandas(f.goals)
    values = _to_pandas(f.goal_values.filter(cut & pl.col("value").is_not_null()))
    sessions = _to_pandas(f.sessions.filter(cut))
    checkpoints = _to_pandas(f.checkpoints.filter(cut))
    values = values.merge(goals[["patient_id", "goal"]], on=["patient_id", "goal"])

    def split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
        return {str(k): g for k, g in frame.groupby("patient_id", sort=False)}

    by_days, by_goals, by_values = split(days), split(goals), split(values)
    by_sessions, by_checkpoints = split(sessions), split(checkpoints)
    empty = {
        name: frame.iloc[0:0]
        for name, frame in (
            ("days", days),
            ("goals", goals),
            ("values", values),
            ("sessions", sessions),
            ("checkpoints", checkpoints),
        )
    }
    total = len(patients)
    done = 0

    def per_patient(group: pd.DataFrame) -> pd.DataFrame:
        nonlocal done
        pid = str(group.name)
        row = group.iloc[0]
        rows = _patient(
            pid,
            pd.Timestamp(row["start"]).date(),
            today,
            by_days.get(pid, empty["days"]),
            by_goals.get(pid, empty["goals"]),
            by_values.get(pid, empty["values"]),
            by_sessions.get(pid, empty["sessions"]),
            by_checkpoints.get(pid, empty["checkpoints"]),
            p,
        )
        done += 1
        if progress is not None:
            progress(done, total)
        return pd.DataFrame(rows, columns=list(OUTPUT_SCHEMA))

    if total:
        out = patients.groupby("patient_id", sort=True).apply(per_patient)
        out = out.reset_index(drop=True).astype(object)
        records = out.where(out.notna(), None).to_dict("list")
    else:
        records = {name: [] for name in OUTPUT_SCHEMA}
    result = pl.DataFrame(
        {name: records[name] for name in OUTPUT_SCHEMA},
        schema=OUTPUT_SCHEMA,
        strict=False,
    )
    return result.with_columns(pl.col("value").round(3))


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """``DataFrame.to_pandas`` without pyarrow: column by column through numpy."""
    return pd.DataFrame({name: frame[name].to_numpy() for name in frame.columns})


# --- one patient --------------------------------------------------------------------------


def _offsets(dates: pd.Series, start: dt.date) -> np.ndarray:
    return ((pd.to_datetime(dates) - pd.Timestamp(start)).dt.days).to_numpy(dtype=np.int64)


def _nan(x: float) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _patient(
    pid: str,
    start: dt.date,
    today: dt.date,
    days: pd.DataFrame,
    goals: pd.DataFrame,
    values: pd.DataFrame,
    sessions: pd.DataFrame,
    checkpoints: pd.DataFrame,
    p: dict[str, Any],
) -> list[dict[str, Any]]:
    last_day = (today - start).days
    idx = pd.RangeIndex(
        0, last_day + 2
    )  # day numbers from start; last_day is today, last_day + 1 for levels

    def on(n: int | None) -> dt.date | None:
        return None if n is None else start + dt.timedelta(days=int(n))

    out: list[dict[str, Any]] = []

    def emit(sid: str, **kw: Any) -> None:
        row = {
            "patient_id": pid,
            "id": sid,
            "start": on(kw.get("start")),
            "end": on(kw.get("end")),
            "status": kw.get("status"),
            "goal": kw.get("goal"),
            "session": on(kw.get("session")),
            "value": None if _nan(kw.get("value")) else float(kw["value"]),
        }
        out.append(row)

    # daily series, NaN where not logged
    d = days.assign(n=_offsets(days["date"], start)).set_index("n").reindex(idx)
    pain = d["pain"].astype("float64")
    window, min_days = p["base_window"], p["base_min"]

    def rolled(series: pd.Series) -> pd.Series:
        return series.rolling(window, min_periods=min_days).median()

    pain_level = rolled(pain)  # lvl(m, d) at d; B(m, d) = lvl(m, d - 1)
    pain_v = pain.to_numpy()

    def at(series: pd.Series, n: int) -> float:
        return float(series.iloc[n]) if 0 <= n < len(series) else math.nan

    goal_info: list[dict[str, Any]] = []
    for g in goals.sort_values("goal").itertuples(index=False):
        gv = values[values["goal"] == g.goal]
        series = (
            pd.Series(gv["value"].to_numpy(dtype=float), index=_offsets(gv["date"], start))
            .reindex(idx)
            .astype("float64")
        )
        mc = g.meaningful_change
        if _nan(mc):
            mc = abs(g.target - g.baseline) * p["share_pct"] / 100
        goal_info.append(
            {
                "goal": g.goal,
                "baseline": float(g.baseline),
                "target": float(g.target),
                "inc": g.direction == "increase",
                "mc": float(mc),
                "v": series.to_numpy(),
                "level": rolled(series),
            }
        )

    sess = sessions.assign(n=_offsets(sessions["date"], start)).sort_values("n")
    s_days = sess["n"].tolist()
    reported = [None if pd.isna(x) else int(x) for x in sess["relief_window_days"]]
    active = sess["active"].fillna(0).astype(int).tolist()

    # --- flares -----------------------------------------------------------------------------
    settle_days = int(p["flare_settle_h"] // 24)
    horizon = settle_days + window - 1
    pct = p["flare_pct"]

    def pain_raised(v: float, b: float) -> bool:
        return v >= b + p["flare_pain"]

    def pain_setback(nb: float, b: float) -> bool:
        return nb >= b + p["setback_pts"]

    def goal_raised(inc: bool) -> Callable[[float, float], bool]:
        if inc:
            return lambda v, b: b > 0 and v * 100 <= b * (100 - pct)
        return lambda v, b: b > 0 and v * 100 >= b * (100 + pct)

    guard = int(p["flare_guard"])

    def flare_baseline(level: pd.Series, c: int, lenient: Any) -> float:
        """B(m, c), but within the relief guard after the latest session s* ≤ c never more
        demanding than B(m, s*): ``lenient`` is max (pain, decrease goals) or min (increase)."""
        b = at(level, c - 1)
        if math.isnan(b):
            return b
        before = [s for s in s_days if s <= c]
        if before and c - before[-1] <= guard:
            b_s = at(level, before[-1] - 1)
            if not math.isnan(b_s):
                return float(lenient(b, b_s))
        return b

    def flares(
        v: np.ndarray,
        level: pd.Series,
        raised: Callable[[float, float], bool],
        worst: Any,
        lenient: Any,
    ) -> list[dict[str, Any]]:
        logged = [n for n in range(last_day + 1) if not math.isnan(v[n])]
        cands = []
        for c in logged:
            b = flare_baseline(level, c, lenient)
            if math.isnan(b) or not raised(v[c], b):
                continue
            settle, last = None, c
            for n in logged:
                if n <= c:
                    continue
                if n > c + horizon:
                    break
                if not raised(v[n], b):
                    settle = n
                    break
                last = n
            cands.append((c, b, last, settle))
        found: list[dict[str, Any]] = []
        for c, b, last, settle in cands:
            if found and c <= found[-1]["last"]:
                fl = found[-1]
                if last > fl["last"]:
                    fl["last"], fl["settled"] = last, settle
            else:
                found.append({"start": c, "b": b, "last": last, "settled": settle})
        result = []
        for fl in found:
            s0, b, last = fl["start"], fl["b"], fl["last"]
            span = [n for n in logged if s0 <= n <= last]
            if sum(raised(v[n], b) for n in span) < p["flare_min_days"]:
                continue
            after = [v[n] for n in logged if s0 + settle_days <= n <= s0 + horizon]
            nb = float(np.median(after)) if len(after) >= min_days else None
            fl["nb"] = nb
            fl["peak"] = worst([v[n] for n in span])
            result.append(fl)
        return result

    metrics: list[tuple[str | None, list[dict[str, Any]], Callable[[float, float], bool]]] = []
    pain_flares = flares(pain_v, pain_level, pain_raised, max, max)
    metrics.append((None, pain_flares, pain_setback))
    for g in goal_info:
        raised = goal_raised(g["inc"])
        worse = min if g["inc"] else max
        fl = flares(g["v"], g["level"], raised, worse, worse)
        metrics.append((g["goal"], fl, raised))  # a setback is "raised" by the new baseline

    all_flares: list[dict[str, Any]] = []
    for goal, found, setback_test in metrics:
        for fl in found:
            s0, last, settled, nb, b = fl["start"], fl["last"], fl["settled"], fl["nb"], fl["b"]
            h = p["flare_settle_h"]
            if nb is not None and setback_test(nb, b):
                status = "setback"
            elif settled is not None and (settled - s0) * 24 <= h:
                status = "settling"
            elif (settled is not None and (settled - s0) * 24 > h) or (
                settled is None and (last - s0) * 24 >= h
            ):
                status = "prolonged"
            else:
                status = "settling"
            end = last
            if settled is None and status != "setback" and last_day <= s0 + horizon:
                end = None
            all_flares.append(
                {"goal": goal, "start": s0, "end": end, "status": status, "peak": fl["peak"]}
            )

    # --- expected soreness --------------------------------------------------------------------
    rise_to = int(p["sore_to_h"] // 24)
    back_by = int(p["sore_settled_h"] // 24)
    soreness = []
    for s in s_days:
        P = at(pain_level, s - 1)
        if math.isnan(P):
            continue
        logs = [n for n in range(s, last_day + 1) if not math.isnan(pain_v[n])]
        rise = next((n for n in logs if n <= s + rise_to and pain_v[n] >= P + p["sore_rise"]), None)
        if rise is None:
            continue
        back = next((n for n in logs if n > rise and pain_v[n] < P + p["sore_rise"]), None)
        if back is None or back > s + back_by:
            continue
        raised_days = [n for n in logs if rise <= n < back]
        soreness.append((s, back))
        emit(
            "expected_soreness",
            session=s,
            start=rise,
            end=raised_days[-1],
            value=max(pain_v[n] for n in raised_days) - P,
        )

    def absorbed(fl: dict[str, Any]) -> bool:
        if fl["goal"] is not None or fl["end"] is None:
            return False
        return any(s <= fl["start"] <= s + rise_to and fl["end"] < back for s, back in soreness)

    reported_flares = [fl for fl in all_flares if not absorbed(fl)]
    for fl in reported_flares:
        emit(
            "flare",
            start=fl["start"],
            end=fl["end"],
            status=fl["status"],
            goal=fl["goal"],
            value=fl["peak"],
        )

    # --- relief windows ---------------------------------------------------------------------
    windows: list[float | None] = []
    held_to_next: list[bool] = []  # a derived window that lasted up to a session ≥ entry_days later
    for i, s in enumerate(s_days):
        if s >= last_day:
            windows.append(None)
            held_to_next.append(False)
            continue
        P = at(pain_level, s - 1)
        gb = [at(g["level"], s - 1) for g in goal_info]
        derived: int | None = None
        nxt = s_days[i + 1] if i + 1 < len(s_days) else None
        cut_by_next = False
        if not math.isnan(P) or any(not math.isnan(x) for x in gb):
            derived = 0
            n = s + 1
            while n <= last_day and n != nxt:
                v = pain_v[n]
                relief = not math.isnan(P) and not math.isnan(v)
                relief = relief and (
                    v <= P - p["relief_pts"] or v * 100 <= P * (100 - p["relief_pct"])
                )
                for g, b in zip(goal_info, gb, strict=True):
                    gv = g["v"][n]
                    if relief or math.isnan(b) or math.isnan(gv):
                        continue
                    relief = (gv - b if g["inc"] else b - gv) >= g["mc"]
                if not relief:
                    break
                derived += 1
                n += 1
            cut_by_next = n == nxt
        value = reported[i] if reported[i] is not None else derived
        windows.append(value)
        held_to_next.append(
            reported[i] is None and cut_by_next and nxt is not None and nxt - s >= p["entry_days"]
        )
        has = value is not None and value >= 1
        emit(
            "relief_window",
            session=s,
            start=s + 1 if has else None,
            end=s + value if has else None,
            value=value,
        )

    # --- response, non-responder, movement entry ---------------------------------------------
    first_resp = next(
        (i for i, w in enumerate(windows) if w is not None and w >= p["resp_days"]), None
    )
    if first_resp is not None:
        emit(
            "response_established",
            session=s_days[first_resp],
            start=s_days[first_resp],
            status="early" if first_resp < p["resp_sessions"] else None,
            value=windows[first_resp],
        )
    k = p["resp_sessions"]
    if (
        first_resp is None
        and len(s_days) >= k
        and s_days[k - 1] < last_day
        and all(w is not None for w in windows[:k])
    ):
        emit(
            "non_responder",
            start=s_days[0],
            end=s_days[k - 1],
            value=max(w for w in windows[:k] if w is not None),
        )
    entry = next(
        (
            i
            for i, w in enumerate(windows)
            if (w is not None and w >= p["entry_days"]) or held_to_next[i]
        ),
        None,
    )
    if entry is not None and not any(
        a > 0 for n, a in zip(s_days, active, strict=True) if n > s_days[entry]
    ):
        emit(
            "movement_entry_ready", session=s_days[entry], start=s_days[entry], value=windows[entry]
        )

    # --- passive:active ratio -----------------------------------------------------------------
    width = p["ratio_days"]
    for w0 in range(0, last_day + 1, width):
        w1 = min(w0 + width - 1, last_day)
        inside = sess[(sess["n"] >= w0) & (sess["n"] <= w1)]
        passive, act = int(inside["passive"].fillna(0).sum()), int(inside["active"].fillna(0).sum())
        if passive + act > 0:
            emit("passive_active_ratio", start=w0, end=w1, value=passive / (passive + act))

    # --- plateau --------------------------------------------------------------------------------
    event_days = set(_offsets(days.loc[days["event"].notna(), "date"], start).tolist())

    def plateau_at(r: int) -> int | None:
        """W when there is a plateau at r, else None."""
        upto = [n for n in s_days if n <= r]
        if len(upto) < p["plateau_sessions"]:
            return None
        W = min(upto[-p["plateau_sessions"]], r - p["plateau_days"])
        unmet = []
        for g in goal_info:
            lvl = at(g["level"], r)
            if math.isnan(lvl):
                return None  # a goal without a level could have moved: no verdict
            if (lvl < g["target"]) if g["inc"] else (lvl > g["target"]):
                unmet.append((g, lvl))
        if not unmet:
            return None
        for g, lvl in unmet:
            b = at(g["level"], W - 1)
            if math.isnan(b):
                return None
            if (lvl - b if g["inc"] else b - lvl) >= g["mc"]:
                return None
        for fl in reported_flares:
            if fl["start"] <= r and (last_day if fl["end"] is None else fl["end"]) >= W:
                return None
        if any(W <= n <= r for n in event_days):
            return None
        return W

    points = sorted({n for n in s_days if n <= last_day} | {last_day})
    run_start: tuple[int, int] | None = None  # (r0, W)
    for r in reversed(points):
        W = plateau_at(r)
        if W is None:
            break
        run_start = (r, W)
    if run_start is not None:
        r0, W0 = run_start
        emit("plateau", start=W0, end=last_day)
        held = sum(1 for n in s_days if r0 < n <= last_day)
        cps = checkpoints.assign(n=_offsets(checkpoints["date"], start))
        if held >= p["csc_sessions"] and not (cps["n"] >= r0).any():
            emit("care_simply_continuing", start=r0, status="plateau")

    # --- ongoing care overdue, checkpoint due ---------------------------------------------------
    cps = checkpoints.assign(n=_offsets(checkpoints["date"], start)).sort_values("n")
    latest = cps.iloc[-1] if len(cps) else None
    review: int | None = None  # the review date of intentional ongoing care
    if latest is not None and latest["decision"] == "ongoing_care":
        rb = latest["review_by"]
        review = (
            int(latest["n"]) + p["review_days"]
            if pd.isna(rb)
            else (pd.Timestamp(rb).date() - start).days
        )
        if review < last_day:
            emit("care_simply_continuing", start=review, status="ongoing_care_overdue")

    graduated = latest is not None and latest["decision"] == "graduate"
    if not graduated:  # after graduation nothing is due
        d0 = int(latest["n"]) if latest is not None else 0
        # on a tie the more specific reason: after_intervention, interval_sessions, interval_days
        due: list[tuple[int, int, str]] = []
        if review is not None:
            due.append((review, 2, "interval_days"))  # its review date, no session count
        else:
            due.append((d0 + p["cp_days"], 2, "interval_days"))
            later = [n for n in s_days if n > d0]
            if len(later) >= p["cp_sessions"]:
                due.append((later[p["cp_sessions"] - 1], 1, "interval_sessions"))
        cp_days = cps["n"].tolist()
        interventions = sess["intervention"].fillna(0).astype(int).tolist()
        for n, iv in zip(s_days, interventions, strict=True):
            follow_up = n + p["cp_intervention"]
            if iv > 0 and not any(c >= follow_up for c in cp_days):
                due.append((follow_up, 0, "after_intervention"))
        when, _, reason = min(due)
        if when <= last_day:
            emit("checkpoint_due", start=when, status=reason, value=last_day - when)

    # --- data gap -------------------------------------------------------------------------------
    g_window = p["gap_window"]
    w0 = max(last_day - g_window + 1, 0)
    span = last_day - w0 + 1
    need = math.ceil(p["gap_min"] * span / g_window)
    logged = d[MEASURES].iloc[w0 : last_day + 1].notna().any(axis=1).to_numpy()
    for g in goal_info:
        logged = logged | ~np.isnan(g["v"][w0 : last_day + 1])
    if int(logged.sum()) < need and not graduated:
        emit("data_gap", start=w0, end=last_day, value=int(logged.sum()))

    # --- goals ----------------------------------------------------------------------------------
    held_need = math.ceil(p["met_days"] * p["gap_min"] / g_window)
    for g in goal_info:
        lvl = at(g["level"], last_day)
        share = None if math.isnan(lvl) else (lvl - g["baseline"]) / (g["target"] - g["baseline"])
        emit("goal_progress", goal=g["goal"], start=0, end=last_day, value=share)
        v = g["v"][: last_day + 1]
        logged_days = [n for n in range(last_day + 1) if not math.isnan(v[n])]
        run: list[int] = []
        for n in reversed(logged_days):
            if (v[n] >= g["target"]) if g["inc"] else (v[n] <= g["target"]):
                run.append(n)
            else:
                break
        if run and (last_day - run[-1]) >= p["met_days"] - 1 and len(run) >= held_need:
            emit("goal_met", goal=g["goal"], start=run[-1], end=last_day)
    return out
