"""The signals of docs/signals.md as one DuckDB SQL query: the panel benchmark's reference engine.

    from benchmarks._panel_duckdb import evaluate_duckdb
    signals = evaluate_duckdb(frames, today, default_knowledge())

The six frames are handed to an in-memory DuckDB connection through the Arrow C stream
interface (no pyarrow needed) and every rule is one CTE of a single query: a dense calendar per
patient and metric (pain, then each goal) carries the baseline `B(m, d)` and the level
`L(m, d)` as windowed medians, and every signal joins back to it by date. Nothing is computed
per patient in Python. Every number comes from the knowledge base passed in.

Returns one row per signal with the eight columns the benchmark compares: `patient_id`, `id`,
`start`, `end`, `status`, `goal`, `session` and `value` (rounded to 3 decimals).

Readings taken where docs/signals.md leaves room:

- A log k days after s is k·24 h after it: hour limits become whole days (`h // 24`) for
  ranges, and "≥ 72 h after start" is compared in hours. Percent tests are exact:
  `v·100 ≤ b·(100 − pct)` for `v ≤ b × (1 − pct %)`.
- The relief guard's S is `B(m, s*)` for the latest session s* ≤ c with c − s* ≤ the guard.
- A flare's min_days counts the logged days of start … last raised against the flare's b; a
  soreness-absorbed pain flare is no flare anywhere (it does not block a plateau).
- relief_window: value = the reported window, else the derived one (null when neither pain
  nor any goal has a baseline at s); movement entry's "held every day up to the next
  session" applies only to a derived window (no reported value), as in the engine.
- response_established: status `early` or null; non_responder: value = the largest of the
  first windows.
- checkpoint_due: after `ongoing_care` only its review date is due (no session count); an
  intervention counts until a checkpoint ≥ after_intervention_min_days later; "after a
  `graduate` decision" = the latest decision is `graduate` (also for data_gap). A missing
  `review_by` is the decision + checkpoints.ongoing_care_max_review_days.
- passive_active_ratio windows run start + 28·k … start + 28·k + 27, the last cut at today.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import duckdb
import polars as pl

from painpath.domain.signals.engine import SIGNAL_SCHEMA
from painpath.domain.signals.frames import TimelineFrames

__all__ = ["COLUMNS", "evaluate_duckdb"]

COLUMNS: dict[str, pl.DataType] = SIGNAL_SCHEMA  # the eight compared columns

_TABLES = ("patients", "days", "goals", "goal_values", "sessions", "checkpoints")


class _Stream:
    """Only the Arrow C stream of a frame, so DuckDB reads it without pyarrow."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


def _num(value: Any) -> str:
    """A parameter as an SQL literal (a DOUBLE when fractional)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _params(kb: Any, today: dt.date) -> dict[str, str]:
    s, c = kb.signals, kb.checkpoints
    bw = int(s.baseline.window_days.value)
    settle_d = int(s.flare.settle_within_hours.value) // 24
    onset_d = int(s.expected_soreness.onset_to_hours.value) // 24
    sore_back_d = int(s.expected_soreness.settled_by_hours.value) // 24
    dg_days = int(s.data_gap.window_days.value)
    dg_min = float(s.data_gap.min_logged_days.value)
    held = int(s.goal.met_held_days.value)
    p = {
        "T": f"DATE '{today.isoformat()}'",
        "BW": bw,
        "BMIN": s.baseline.min_days.value,
        # the flare horizon c … c + H: the settling window plus a baseline window
        "SETTLE_H": s.flare.settle_within_hours.value,
        "H": settle_d + bw - 1,
        "FL_PTS": s.flare.pain_rise_points.value,
        "FL_PCT": s.flare.goal_drop_percent.value,
        "FL_MIN": s.flare.min_days.value,
        "FL_SB_PTS": s.flare.setback_worse_points.value,
        "FL_GUARD": s.flare.relief_guard_days.value,
        "SO_ONSET_D": onset_d,
        "SO_BACK_D": sore_back_d,
        "SO_KMAX": max(onset_d, sore_back_d),
        "SO_RISE": s.expected_soreness.rise_points.value,
        "RW_PTS": s.relief_window.pain_drop_points.value,
        "RW_PCT": s.relief_window.pain_drop_percent.value,
        "RE_MIN": s.response_established.min_relief_days.value,
        "RE_WITHIN": s.response_established.within_sessions.value,
        "ME_DAYS": s.movement_entry.relief_window_days.value,
        "PAR_DAYS": s.passive_active_ratio.window_days.value,
        "PL_SESS": s.plateau.sessions.value,
        "PL_DAYS": s.plateau.min_days.value,
        "GM_HELD": held,
        "GM_MIN_N": math.ceil(held * dg_min / dg_days),
        "GOAL_SHARE": s.goal.meaningful_share_percent.value,
        "CSC_SESS": s.care_simply_continuing.sessions_after_plateau.value,
        "CP_REVIEW": c.ongoing_care_max_review_days.value,
        "DG_DAYS": dg_days,
        "DG_MIN": dg_min,
        "CP_DAYS": c.interval_days.value,
        "CP_SESS": c.interval_sessions.value,
        "CP_AI_MIN": c.after_intervention_min_days.value,
    }
    return {k: v if isinstance(v, str) else _num(v) for k, v in p.items()}


# Dates are shifted with `+ (k)::INTEGER`: DuckDB adds only INTEGER days to a DATE.
# Metrics: mi = 0 is pain, mi ≥ 1 the patient's goals; `sg` is the direction of improvement
# (+1 for an `increase` goal, -1 for pain and `decrease` goals).
_SQL = """
WITH
pat AS MATERIALIZED (
    -- an integer key for every join; `pid` is the patient_id given
    SELECT row_number() OVER (ORDER BY patient_id) AS patient_id, patient_id AS pid, start
    FROM patients WHERE start IS NOT NULL AND start <= {T}
),
met AS MATERIALIZED (
    SELECT patient_id, 0 AS mi, NULL::VARCHAR AS goal, -1.0::DOUBLE AS sg, NULL::DOUBLE AS mc,
           NULL::DOUBLE AS g_base, NULL::DOUBLE AS g_target
    FROM pat
    UNION ALL
    SELECT p.patient_id, row_number() OVER (PARTITION BY p.patient_id ORDER BY g.goal), g.goal,
           CASE WHEN g.direction = 'decrease' THEN -1.0 ELSE 1.0 END::DOUBLE,
           coalesce(g.meaningful_change, abs(g.target - g.baseline) * {GOAL_SHARE} / 100.0),
           g.baseline, g.target
    FROM goals g JOIN pat p ON p.pid = g.patient_id
),
dys AS MATERIALIZED (
    SELECT p.patient_id, d.* EXCLUDE (patient_id) FROM days d JOIN pat p ON p.pid = d.patient_id
    WHERE d.date <= {T} AND d.date >= p.start
),
obs AS MATERIALIZED (
    SELECT patient_id, 0 AS mi, date, pain::DOUBLE AS v FROM dys WHERE pain IS NOT NULL
    UNION ALL
    SELECT p.patient_id, m.mi, v.date, v.value
    FROM goal_values v
    JOIN pat p ON p.pid = v.patient_id
    JOIN met m ON m.patient_id = p.patient_id AND m.goal = v.goal
    WHERE v.value IS NOT NULL AND v.date <= {T} AND v.date >= p.start
),
ses AS MATERIALIZED (
    SELECT p.patient_id, s.date,
           coalesce(s.passive, 0) AS passive, coalesce(s.active, 0) AS active,
           coalesce(s.intervention, 0) AS intervention,
           s.relief_window_days::DOUBLE AS reported,
           row_number() OVER (PARTITION BY p.patient_id ORDER BY s.date) AS n,
           lead(s.date) OVER (PARTITION BY p.patient_id ORDER BY s.date) AS nx
    FROM sessions s JOIN pat p ON p.pid = s.patient_id
    WHERE s.date <= {T} AND s.date >= p.start
),
cps AS MATERIALIZED (
    SELECT p.patient_id, c.* EXCLUDE (patient_id)
    FROM checkpoints c JOIN pat p ON p.pid = c.patient_id
    WHERE c.date <= {T}
),
-- one row per patient, metric and calendar day from start to today + H (the NB windows of
-- flares started up to today end there); values after today are never logged
cal AS (
    SELECT m.patient_id, m.mi, m.sg,
           p.start + unnest(range(0, ({T} - p.start) + {H} + 1))::INTEGER AS date
    FROM met m JOIN pat p ON p.patient_id = m.patient_id
),
calv AS (
    SELECT c.*, o.v, (s.date IS NOT NULL) AS is_s
    FROM cal c
    LEFT JOIN obs o ON o.patient_id = c.patient_id AND o.mi = c.mi AND o.date = c.date
    LEFT JOIN ses s ON s.patient_id = c.patient_id AND s.date = c.date
),
-- L(m, d): the median of the BW days ending on d (ROWS on a dense calendar are those days);
-- B(m, d) = L(m, d - 1); sstar: the latest session on or before d; anchor: before d
bl0 AS (
    SELECT *,
        CASE WHEN count(v) OVER wl >= {BMIN} THEN median(v) OVER wl END AS lv,
        max(CASE WHEN is_s THEN date END) OVER wr AS s_upto
    FROM calv
    WINDOW
        wl AS (PARTITION BY patient_id, mi ORDER BY date
               ROWS BETWEEN {BW} - 1 PRECEDING AND CURRENT ROW),
        wr AS (PARTITION BY patient_id, mi ORDER BY date ROWS UNBOUNDED PRECEDING)
),
bl AS MATERIALIZED (
    SELECT * EXCLUDE (s_upto), s_upto AS sstar,
        lag(lv) OVER w AS b,
        lag(s_upto) OVER w AS anchor
    FROM bl0
    WINDOW w AS (PARTITION BY patient_id, mi ORDER BY date)
),
offs AS (SELECT k::INTEGER AS k FROM range(0, greatest({H}, {SO_KMAX}) + 1) r(k)),

-- ---------------------------------------------------------------- expected_soreness
sore0 AS (
    SELECT s.patient_id, s.date AS s, b.b AS pb
    FROM ses s JOIN bl b ON b.patient_id = s.patient_id AND b.mi = 0 AND b.date = s.date
    WHERE b.b IS NOT NULL
),
sore1 AS MATERIALIZED (
    SELECT x.patient_id, x.s, x.pb, b.date, b.v, b.v >= x.pb + {SO_RISE} AS up
    FROM sore0 x
    JOIN offs o ON o.k <= {SO_KMAX}
    JOIN bl b ON b.patient_id = x.patient_id AND b.mi = 0 AND b.date = x.s + o.k
    WHERE b.v IS NOT NULL
),
sore2 AS (
    SELECT patient_id, s, pb, min(date) FILTER (WHERE up AND date <= s + {SO_ONSET_D}) AS r
    FROM sore1 GROUP BY ALL
),
sore3 AS (
    SELECT x.patient_id, x.s, x.pb, x.r,
           min(y.date) FILTER (WHERE y.date > x.r AND NOT y.up) AS back
    FROM sore2 x JOIN sore1 y ON y.patient_id = x.patient_id AND y.s = x.s
    WHERE x.r IS NOT NULL
    GROUP BY ALL
),
sore AS MATERIALIZED (
    SELECT x.patient_id, x.s, x.r, x.back,
           max(y.date) FILTER (WHERE y.date >= x.r AND y.date < x.back) AS last_up,
           max(y.v - x.pb) FILTER (WHERE y.date >= x.r AND y.date < x.back) AS rise
    FROM sore3 x JOIN sore1 y ON y.patient_id = x.patient_id AND y.s = x.s
    WHERE x.back IS NOT NULL AND x.back <= x.s + {SO_BACK_D}
    GROUP BY ALL
),

-- ---------------------------------------------------------------- flare
lg AS MATERIALIZED (
    SELECT patient_id, mi, date, v, b, sg, sstar FROM bl WHERE v IS NOT NULL
),
-- a necessary condition first: the guarded baseline is never more demanding than B(m, c)
-- (a `decrease` goal at B = 0 is not raised against B but may be against max(B, S) > 0)
cand0 AS (
    SELECT patient_id, mi, sg, date AS c, v, b, sstar
    FROM lg
    WHERE b IS NOT NULL AND CASE
        WHEN mi = 0 THEN v >= b + {FL_PTS}
        WHEN sg > 0 THEN b > 0 AND v * 100 <= b * (100 - {FL_PCT})
        ELSE v * 100 >= b * (100 + {FL_PCT}) END
),
-- the flare baseline: within the relief guard after the latest session s* ≤ c, never more
-- demanding than S = B(m, s*) (greatest/least skip a missing S)
cand1 AS (
    SELECT x.patient_id, x.mi, x.sg, x.c, x.v,
        CASE WHEN x.sg > 0 THEN least(x.b, g.b) ELSE greatest(x.b, g.b) END AS bc
    FROM cand0 x
    LEFT JOIN bl g ON g.patient_id = x.patient_id AND g.mi = x.mi AND g.date = x.sstar
                  AND x.c - x.sstar <= {FL_GUARD}
),
cand AS (
    SELECT patient_id, mi, sg, c, bc
    FROM cand1
    WHERE CASE
        WHEN mi = 0 THEN v >= bc + {FL_PTS}
        WHEN sg > 0 THEN bc > 0 AND v * 100 <= bc * (100 - {FL_PCT})
        ELSE bc > 0 AND v * 100 >= bc * (100 + {FL_PCT}) END
),
-- the logged days of each candidate's horizon c … c + H, each judged against b_c
hzk AS MATERIALIZED (
    SELECT x.*, x.c + o.k AS date FROM cand x JOIN offs o ON o.k <= {H}
),
hz AS MATERIALIZED (
    SELECT x.patient_id, x.mi, x.sg, x.c, x.bc, x.date, b.v,
        NOT CASE
            WHEN x.mi = 0 THEN b.v >= x.bc + {FL_PTS}
            WHEN x.sg > 0 THEN b.v * 100 <= x.bc * (100 - {FL_PCT})
            ELSE b.v * 100 >= x.bc * (100 + {FL_PCT}) END AS calm
    FROM hzk x
    JOIN lg b ON b.patient_id = x.patient_id AND b.mi = x.mi AND b.date = x.date
),
hz2 AS (
    SELECT *, min(date) FILTER (WHERE calm) OVER (PARTITION BY patient_id, mi, c) AS settle
    FROM hz
),
run AS (
    SELECT patient_id, mi, sg, c, bc, settle,
        max(date) FILTER (WHERE settle IS NULL OR date < settle) AS last_c,
        max(-sg * v) FILTER (WHERE settle IS NULL OR date < settle) AS worst
    FROM hz2 GROUP BY ALL
),
run2 AS (
    SELECT *,
        max(last_c) OVER (PARTITION BY patient_id, mi ORDER BY c
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_last
    FROM run
),
run3 AS MATERIALIZED (
    SELECT *,
        sum(CASE WHEN prev_last IS NOT NULL AND c <= prev_last THEN 0 ELSE 1 END)
            OVER (PARTITION BY patient_id, mi ORDER BY c ROWS UNBOUNDED PRECEDING) AS grp
    FROM run2
),
fl0 AS MATERIALIZED (
    SELECT patient_id, mi, sg, grp,
        min(c) AS start, arg_min(bc, c) AS b, max(last_c) AS last,
        first(settle ORDER BY last_c DESC, c ASC) AS settled,
        -sg * max(worst) AS peak
    FROM run3 GROUP BY patient_id, mi, sg, grp
),
-- the logged days of start … last (the union of the runs) raised against the flare's b
hzg AS MATERIALIZED (
    SELECT h.patient_id, h.mi, r.grp, h.date, h.v
    FROM hz h JOIN run3 r ON r.patient_id = h.patient_id AND r.mi = h.mi AND r.c = h.c
    WHERE h.date <= r.last_c
),
fln AS (
    SELECT f.patient_id, f.mi, f.start, count(DISTINCT h.date) AS n_days
    FROM hzg h JOIN fl0 f ON f.patient_id = h.patient_id AND f.mi = h.mi AND f.grp = h.grp
    WHERE CASE
        WHEN f.mi = 0 THEN h.v >= f.b + {FL_PTS}
        WHEN f.sg > 0 THEN h.v * 100 <= f.b * (100 - {FL_PCT})
        ELSE h.v * 100 >= f.b * (100 + {FL_PCT}) END
    GROUP BY ALL
),
fl1 AS (
    SELECT f.*, m.goal, nb.lv AS nb,
        CASE WHEN f.mi = 0 THEN nb.lv >= f.b + {FL_SB_PTS}
             WHEN f.sg > 0 THEN nb.lv * 100 <= f.b * (100 - {FL_PCT})
             ELSE nb.lv * 100 >= f.b * (100 + {FL_PCT}) END AS setback
    FROM fl0 f
    JOIN fln n ON n.patient_id = f.patient_id AND n.mi = f.mi AND n.start = f.start
    JOIN met m ON m.patient_id = f.patient_id AND m.mi = f.mi
    LEFT JOIN bl nb ON nb.patient_id = f.patient_id AND nb.mi = f.mi
                   AND nb.date = f.start + {H}
    WHERE n.n_days >= {FL_MIN}
),
flare AS MATERIALIZED (
    SELECT f.*,
        CASE WHEN coalesce(setback, false) THEN 'setback'
             WHEN settled IS NOT NULL AND (settled - start) * 24 <= {SETTLE_H} THEN 'settling'
             WHEN settled IS NOT NULL OR (last - start) * 24 >= {SETTLE_H} THEN 'prolonged'
             ELSE 'settling' END AS status,
        CASE WHEN settled IS NULL AND NOT coalesce(setback, false) AND {T} <= start + {H}
             THEN NULL ELSE last END AS "end"
    FROM fl1 f
    -- a pain flare that begins on s … s + onset and ends before `back` is that soreness
    WHERE NOT (f.mi = 0 AND EXISTS (
        SELECT 1 FROM sore x
        WHERE x.patient_id = f.patient_id AND f.start BETWEEN x.s AND x.s + {SO_ONSET_D}
          AND f.last < x.back))
),

-- ---------------------------------------------------------------- relief_window
rs AS MATERIALIZED (
    SELECT s.patient_id, s.date AS s, s.n, s.reported, coalesce(s.nx, {T} + 1) AS bound,
           b.mi, m.sg, m.mc, b.b AS bm
    FROM ses s
    JOIN bl b ON b.patient_id = s.patient_id AND b.date = s.date
    JOIN met m ON m.patient_id = b.patient_id AND m.mi = b.mi
    WHERE s.date < {T}
),
rday AS (
    SELECT c.patient_id, r.s, c.date,
        bool_or(coalesce(CASE
            WHEN c.mi = 0 THEN c.v <= r.bm - {RW_PTS} OR c.v * 100 <= r.bm * (100 - {RW_PCT})
            ELSE (c.v - r.bm) * r.sg >= r.mc END, false)) AS relief
    FROM bl c
    JOIN rs r ON r.patient_id = c.patient_id AND r.mi = c.mi AND r.s = c.anchor
    WHERE c.date < r.bound
    GROUP BY ALL
),
rfirst AS (
    SELECT patient_id, s, min(date) FILTER (WHERE NOT relief) AS stop FROM rday GROUP BY ALL
),
relief AS MATERIALIZED (
    SELECT r.patient_id, r.s, r.n, r.reported, r.bound, f.stop,
        r.reported IS NULL AND r.has_base AND f.stop IS NULL AND r.bound - r.s >= {ME_DAYS}
            AND r.bound <= {T} AS held_to_next,
        CASE WHEN r.has_base THEN coalesce(f.stop, r.bound) - r.s - 1 END AS derived,
        coalesce(r.reported,
                 CASE WHEN r.has_base THEN coalesce(f.stop, r.bound) - r.s - 1 END) AS days
    FROM (SELECT patient_id, s, n, reported, bound, bool_or(bm IS NOT NULL) AS has_base
          FROM rs GROUP BY ALL) r
    LEFT JOIN rfirst f ON f.patient_id = r.patient_id AND f.s = r.s
),
resp AS (
    SELECT patient_id, min(s) AS s, arg_min(days, s) AS days, arg_min(n, s) AS n
    FROM relief WHERE days >= {RE_MIN} GROUP BY ALL
),
nonresp AS (
    SELECT r.patient_id, min(r.s) AS first_s, max(r.s) AS fourth_s, max(r.days) AS largest
    FROM relief r ANTI JOIN resp x ON x.patient_id = r.patient_id
    WHERE r.n <= {RE_WITHIN}
    GROUP BY ALL
    HAVING count(r.days) = {RE_WITHIN}
),
move AS (
    SELECT r.patient_id, r.s, r.days
    FROM (SELECT patient_id, min(s) AS s, arg_min(days, s) AS days
          FROM relief WHERE days >= {ME_DAYS} OR held_to_next GROUP BY ALL) r
    WHERE NOT EXISTS (SELECT 1 FROM ses x WHERE x.patient_id = r.patient_id AND x.date > r.s
                      AND x.active > 0)
),

-- ---------------------------------------------------------------- passive_active_ratio
par AS (
    SELECT s.patient_id, p.start + (((s.date - p.start) // {PAR_DAYS}) * {PAR_DAYS})::INTEGER
               AS wstart,
           sum(s.passive) AS passive, sum(s.active) AS active
    FROM ses s JOIN pat p ON p.patient_id = s.patient_id
    GROUP BY ALL
    HAVING sum(s.passive) + sum(s.active) > 0
),

-- ---------------------------------------------------------------- plateau
ep0 AS (
    SELECT patient_id, date AS r, n AS cnt FROM ses WHERE date < {T}
    UNION ALL
    SELECT p.patient_id, {T}, count(s.date)
    FROM pat p LEFT JOIN ses s ON s.patient_id = p.patient_id GROUP BY ALL
),
ep AS MATERIALIZED (
    SELECT e.patient_id, e.r, e.cnt,
           CASE WHEN e.cnt >= {PL_SESS} THEN least(s.date, e.r - {PL_DAYS}) END AS w
    FROM ep0 e
    LEFT JOIN ses s ON s.patient_id = e.patient_id AND s.n = e.cnt - ({PL_SESS} - 1)
),
epg AS (
    SELECT e.patient_id, e.r, e.w,
        bool_and(l.lv IS NOT NULL) AS all_levels,
        count(*) FILTER (WHERE l.lv IS NOT NULL AND l.lv * m.sg < m.g_target * m.sg) AS n_short,
        bool_and(bw.b IS NOT NULL AND (l.lv - bw.b) * m.sg < m.mc)
            FILTER (WHERE l.lv IS NOT NULL AND l.lv * m.sg < m.g_target * m.sg) AS flat
    FROM ep e
    JOIN met m ON m.patient_id = e.patient_id AND m.mi > 0
    JOIN bl l ON l.patient_id = e.patient_id AND l.mi = m.mi AND l.date = e.r
    LEFT JOIN bl bw ON bw.patient_id = e.patient_id AND bw.mi = m.mi AND bw.date = e.w
    WHERE e.w IS NOT NULL
    GROUP BY ALL
),
pe AS MATERIALIZED (
    SELECT e.patient_id, e.r, g.w,
        coalesce(g.all_levels AND g.n_short >= 1 AND g.flat, false)
        AND NOT EXISTS (SELECT 1 FROM flare f WHERE f.patient_id = e.patient_id
                        AND f.start <= e.r AND f.last >= g.w)
        AND NOT EXISTS (SELECT 1 FROM dys d WHERE d.patient_id = e.patient_id
                        AND d.event IS NOT NULL AND d.date BETWEEN g.w AND e.r) AS plat
    FROM ep e
    LEFT JOIN epg g ON g.patient_id = e.patient_id AND g.r = e.r
),
pgrp AS (
    SELECT *, sum(CASE WHEN plat THEN 0 ELSE 1 END)
        OVER (PARTITION BY patient_id ORDER BY r ROWS UNBOUNDED PRECEDING) AS grp
    FROM pe
),
plateau AS MATERIALIZED (
    SELECT patient_id, min(r) AS r0, arg_min(w, r) AS w0
    FROM pgrp WHERE plat GROUP BY patient_id, grp
    HAVING max(r) = {T}
),

-- ---------------------------------------------------------------- goals
gprog AS (
    SELECT m.patient_id, m.goal, p.start,
           (l.lv - m.g_base) / (m.g_target - m.g_base) AS share
    FROM met m
    JOIN pat p ON p.patient_id = m.patient_id
    JOIN bl l ON l.patient_id = m.patient_id AND l.mi = m.mi AND l.date = {T}
    WHERE m.mi > 0
),
gat AS MATERIALIZED (
    SELECT o.patient_id, o.mi, o.date, o.v * m.sg >= m.g_target * m.sg AS hit
    FROM obs o JOIN met m ON m.patient_id = o.patient_id AND m.mi = o.mi
    WHERE o.mi > 0
),
gmiss AS (
    SELECT patient_id, mi, max(date) AS latest, max(date) FILTER (WHERE NOT hit) AS miss
    FROM gat GROUP BY ALL
),
gmet AS (
    SELECT x.patient_id, m.goal, min(g.date) AS run_start, count(*) AS n_run
    FROM gmiss x
    JOIN gat g ON g.patient_id = x.patient_id AND g.mi = x.mi
               AND (x.miss IS NULL OR g.date > x.miss)
    JOIN met m ON m.patient_id = x.patient_id AND m.mi = x.mi
    WHERE x.miss IS NULL OR x.miss < x.latest
    GROUP BY ALL
    HAVING {T} - min(g.date) >= {GM_HELD} - 1 AND count(*) >= {GM_MIN_N}
),

-- ---------------------------------------------------------------- checkpoints
lastcp AS MATERIALIZED (
    SELECT p.patient_id, p.start, max(c.date) AS lc,
           arg_max(c.decision, c.date) AS decision,
           arg_max(coalesce(c.review_by, c.date + {CP_REVIEW}), c.date) AS review_by
    FROM pat p LEFT JOIN cps c ON c.patient_id = p.patient_id
    GROUP BY ALL
),
csc AS (
    SELECT pl.patient_id, pl.r0 AS start, 'plateau' AS status
    FROM plateau pl
    WHERE (SELECT count(*) FROM ses s WHERE s.patient_id = pl.patient_id AND s.date > pl.r0)
          >= {CSC_SESS}
      AND NOT EXISTS (SELECT 1 FROM cps c WHERE c.patient_id = pl.patient_id
                      AND c.date >= pl.r0)
    UNION ALL
    SELECT patient_id, review_by, 'ongoing_care_overdue'
    FROM lastcp WHERE decision = 'ongoing_care' AND review_by < {T}
),
due AS (
    -- intentional ongoing care is due on its review date; after graduation nothing is due
    SELECT patient_id,
           CASE WHEN decision = 'ongoing_care' THEN review_by
                ELSE coalesce(lc, start) + {CP_DAYS} END AS due,
           'interval_days' AS reason, 3 AS rank
    FROM lastcp WHERE decision IS DISTINCT FROM 'graduate'
    UNION ALL
    SELECT patient_id, date, 'interval_sessions', 2
    FROM (SELECT s.patient_id, s.date,
                 row_number() OVER (PARTITION BY s.patient_id ORDER BY s.date) AS k
          FROM ses s JOIN lastcp l ON l.patient_id = s.patient_id
          WHERE s.date > coalesce(l.lc, l.start)
            AND l.decision IS DISTINCT FROM 'graduate'
            AND l.decision IS DISTINCT FROM 'ongoing_care')
    WHERE k = {CP_SESS}
    UNION ALL
    -- an intervention is followed up only by a checkpoint at least CP_AI_MIN days later
    SELECT s.patient_id, min(s.date) + {CP_AI_MIN}, 'after_intervention', 1
    FROM ses s JOIN lastcp l ON l.patient_id = s.patient_id
    WHERE s.intervention > 0 AND l.decision IS DISTINCT FROM 'graduate'
      AND NOT EXISTS (SELECT 1 FROM cps c WHERE c.patient_id = s.patient_id
                      AND c.date >= s.date + {CP_AI_MIN})
    GROUP BY s.patient_id
),
cpdue AS (
    SELECT patient_id, arg_min(due, (due, rank)) AS due, arg_min(reason, (due, rank)) AS reason
    FROM due GROUP BY ALL HAVING min(due) <= {T}
),

-- ---------------------------------------------------------------- data_gap
logged AS (
    SELECT patient_id, date FROM dys
    WHERE date > {T} - {DG_DAYS}
      AND (pain IS NOT NULL OR steps IS NOT NULL OR sitting_min IS NOT NULL
           OR sleep_h IS NOT NULL OR function IS NOT NULL)
    UNION
    SELECT patient_id, date FROM obs WHERE mi > 0 AND date > {T} - {DG_DAYS}
),
gap AS (
    SELECT w.patient_id, w.wstart, count(l.date) AS n_logged
    FROM (SELECT patient_id, greatest({T} - ({DG_DAYS} - 1), start) AS wstart FROM lastcp
          WHERE decision IS DISTINCT FROM 'graduate') w
    LEFT JOIN logged l ON l.patient_id = w.patient_id AND l.date >= w.wstart
    GROUP BY ALL
)

SELECT p.pid AS patient_id, u.* EXCLUDE (patient_id)
FROM (
    SELECT patient_id, 'expected_soreness' AS id, r AS start, last_up AS "end",
           NULL::VARCHAR AS status, NULL::VARCHAR AS goal, s AS session, rise AS value
    FROM sore
    UNION ALL
    SELECT patient_id, 'flare', start, "end", status, goal, NULL, peak FROM flare
    UNION ALL
    SELECT patient_id, 'relief_window',
           CASE WHEN days >= 1 THEN s + 1 END, CASE WHEN days >= 1 THEN s + days::INTEGER END,
           NULL, NULL, s, days
    FROM relief
    UNION ALL
    SELECT patient_id, 'response_established', s, NULL,
           CASE WHEN n <= {RE_WITHIN} THEN 'early' END, NULL, s, days
    FROM resp
    UNION ALL
    SELECT patient_id, 'non_responder', first_s, fourth_s, NULL, NULL, NULL, largest FROM nonresp
    UNION ALL
    SELECT patient_id, 'movement_entry_ready', s, NULL, NULL, NULL, s, days FROM move
    UNION ALL
    SELECT patient_id, 'passive_active_ratio', wstart, least(wstart + ({PAR_DAYS} - 1), {T}),
           NULL, NULL, NULL, passive / (passive + active)
    FROM par
    UNION ALL
    SELECT patient_id, 'plateau', w0, {T}, NULL, NULL, NULL, NULL FROM plateau
    UNION ALL
    SELECT patient_id, 'goal_progress', start, {T}, NULL, goal, NULL, share FROM gprog
    UNION ALL
    SELECT patient_id, 'goal_met', run_start, {T}, NULL, goal, NULL, NULL FROM gmet
    UNION ALL
    SELECT patient_id, 'care_simply_continuing', start, NULL, status, NULL, NULL, NULL FROM csc
    UNION ALL
    SELECT patient_id, 'checkpoint_due', due, NULL, reason, NULL, NULL, {T} - due FROM cpdue
    UNION ALL
    SELECT patient_id, 'data_gap', wstart, {T}, NULL, NULL, NULL, n_logged
    FROM gap
    WHERE n_logged < ceil({DG_MIN} * ({T} - wstart + 1) / {DG_DAYS})
) u
JOIN pat p ON p.patient_id = u.patient_id
"""


def evaluate_duckdb(frames: TimelineFrames, today: dt.date, kb: Any) -> pl.DataFrame:
    """Every signal of docs/signals.md for every patient in `frames`, as of `today`."""
    frames = frames.conformed()
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        for name in _TABLES:
            con.register(name, _Stream(getattr(frames, name)))
        result = pl.DataFrame(con.sql(_SQL.format(**_params(kb, today))))
    finally:
        con.close()
    return (
        result.select(pl.col(name).cast(dtype) for name, dtype in COLUMNS.items())
        .with_columns(pl.col("value").round(3))
        .sort(["patient_id", "id", "goal", "session", "start", "end", "status"], nulls_last=True)
    )
