"""A seeded synthetic clinic for the signals benchmark: ``generate(patients, days, seed)``.

Everything is drawn on a patient × calendar-day grid with numpy and turned into the six
``TimelineFrames`` with Polars; no Python loop runs per patient or per day, so 10,000 patients ×
365 days take a few seconds. The clinic is meant to look like a real one and to exercise every
signal of docs/signals.md:

- patients start staggered over the period (a few in its last week), in ``settle`` mostly;
- four kinds of course: responders, slow responders, early plateaus and non-responders, each
  with a pain trend that improves and flattens (or not), day-to-day noise, and 1–3 goals
  (``increase`` mostly, some ``decrease``) whose values follow the same course toward, past or
  short of the target;
- about three quarters of days logged: most patients log most days, some sparsely, a quarter
  take a break of one or two weeks, a few stop logging; patients whose care ended (``refer``,
  ``graduate``) stop within a month;
- sessions weekly for most, every 4–14 days for others, twice a week for a few; some patients
  log a baseline week before their first session; passive work dominates until an "active
  entry" session after which active work dominates (never, for half the non-responders); an
  occasional injection (``intervention``) or psychological session (``other``). Each session
  eases pain for a window that lengthens as a responder improves (the patient reports it on
  ~20 % of sessions, else it is left for the engine to derive), sometimes after a day of
  post-session soreness;
- flares: pain +2..+5 for 1–6 days, often with the goal activities down; about one in seven
  settles at a worse level for weeks (a setback); a third come with a logged event, and other
  events turn up at random;
- checkpoints every two to ten weeks, most at a session, with every decision; for about a third
  of the patients given ``ongoing_care`` the review is forgotten (no checkpoint after it).

Nothing is dated after ``today`` (``TODAY``, the last generated day).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from painpath import default_knowledge
from painpath.domain.signals.frames import TimelineFrames

__all__ = ["TODAY", "generate"]

TODAY = dt.date(2026, 3, 1)
_EPOCH = dt.date(1970, 1, 1)

PHASES = ["settle", "extend_window", "blend", "build_capacity", "graduate"]
DECISIONS = ["continue", "adjust", "transition", "refer", "ongoing_care", "graduate"]
EVENTS = [
    "moved house",
    "long flight",
    "caught a cold",
    "stressful week at work",
    "family visiting",
    "helped a friend move furniture",
    "started a new job",
    "child was ill, little sleep",
    "gardening all weekend",
    "fell on the stairs",
]
BY = ["pt", "physio", "gp", "psychologist"]
REASONS = {
    "continue": "on track",
    "adjust": "load too high this fortnight",
    "transition": "criteria for the next phase met",
    "refer": "no progress, team review",
    "ongoing_care": "close to goals, maintain",
    "graduate": "goals met",
}

# goal id, metric, direction, baseline low/high, target low/high, weight
GOAL_CATALOG = [
    ("walk", "minutes_walked", "increase", 5, 20, 30, 60, 5.0),
    ("sit", "sitting_tolerance_min", "increase", 10, 30, 45, 90, 4.0),
    ("stairs", "stairs_flights", "increase", 1, 2, 4, 6, 1.5),
    ("lift", "lift_kg", "increase", 2, 6, 10, 20, 2.0),
    ("garden", "gardening_min", "increase", 5, 15, 30, 60, 2.0),
    ("wakings", "night_wakings", "decrease", 3, 6, 0, 1, 1.5),
    ("stiffness", "morning_stiffness_min", "decrease", 30, 90, 5, 15, 1.5),
]

# course kinds: responder, slow responder, early plateau, non-responder
_KIND_P = [0.45, 0.2, 0.22, 0.13]


def _dates(day_index: np.ndarray, first: dt.date) -> pl.Series:
    return pl.Series((day_index + (first - _EPOCH).days).astype(np.int32)).cast(pl.Date)


def _expand(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index repeated ``lengths`` times and the position 0..len-1 within each row."""
    rows = np.repeat(np.arange(lengths.size), lengths)
    starts = np.cumsum(lengths) - lengths
    return rows, np.arange(rows.size) - np.repeat(starts, lengths)


def generate(patients: int, days: int, seed: int = 7) -> tuple[TimelineFrames, dt.date]:
    """A clinic of ``patients`` over ``days`` calendar days ending on the returned ``today``."""
    rng = np.random.default_rng(seed)
    kb = default_knowledge()
    max_review = int(kb.checkpoints.ongoing_care_max_review_days.value)
    n, d = patients, days
    today = TODAY
    first = today - dt.timedelta(days=d - 1)
    col = np.arange(d)

    # --- patients ----------------------------------------------------------------------
    start = np.floor(rng.random(n) ** 1.6 * d).astype(np.int64).clip(0, d - 1)
    kind = rng.choice(4, size=n, p=_KIND_P)
    t = col[None, :] - start[:, None]  # days since start; < 0: before the timeline
    alive = t >= 0
    phase0 = rng.choice(3, size=n, p=[0.8, 0.1, 0.1])

    # --- sessions: the schedule; care may end at a checkpoint below --------------------
    s_cad = rng.choice([3, 4, 5, 7, 10, 14], size=n, p=[0.08, 0.07, 0.07, 0.55, 0.13, 0.1])
    k = d // 2 + 3
    s_gap = np.maximum(2, s_cad[:, None] + rng.choice([-1, 0, 0, 0, 1, 2], size=(n, k)))
    s_gap = np.where(rng.random((n, k)) < 0.05, s_gap * 2, s_gap)  # a missed week
    # most start treatment at once, some log a baseline week first
    s_gap[:, 0] = np.where(rng.random(n) < 0.6, rng.integers(0, 3, n), rng.integers(5, 10, n))
    s_day = start[:, None] + np.cumsum(s_gap, axis=1)
    s_cap = np.where(rng.random(n) < 0.15, rng.integers(6, 16, size=n), k)  # visits covered
    s_idx = np.broadcast_to(np.arange(k), (n, k))
    s_ok = (s_day <= d - 1) & (s_idx < s_cap[:, None])

    # --- checkpoints: at the first session on or after each due date, some by phone ------
    cadence = rng.choice([14, 21, 28, 42, 70], size=n, p=[0.3, 0.2, 0.2, 0.15, 0.15])
    m = d // 12 + 2
    gaps = cadence[:, None] + rng.integers(-3, 4, size=(n, m))
    target = start[:, None] + np.cumsum(gaps, axis=1)
    big = 100 * d
    keyed = np.where(s_ok, s_day, big - 1) + np.arange(n)[:, None] * big
    hit = np.searchsorted(keyed.ravel(), (target + np.arange(n)[:, None] * big).ravel())
    hit = hit.clip(max=n * k - 1).reshape(n, m)
    snapped = keyed.ravel()[hit] - np.arange(n)[:, None] * big
    by_phone = rng.random((n, m)) < 0.2
    cp_day = np.where((snapped < big - 1) & ~by_phone, snapped, target)
    prior = np.maximum.accumulate(cp_day, axis=1)
    cp_first = np.concatenate([np.ones((n, 1), bool), cp_day[:, 1:] > prior[:, :-1]], axis=1)
    cp_t = cp_day - start[:, None]
    # decisions by time in care (continue, adjust, transition, refer, ongoing_care, graduate)
    stage = np.searchsorted(np.array([42, 120]), cp_t, side="right")
    stage_p = np.array(
        [
            [0.57, 0.2, 0.22, 0.01, 0.0, 0.0],
            [0.52, 0.14, 0.18, 0.005, 0.15, 0.0],
            [0.47, 0.12, 0.14, 0.005, 0.24, 0.01],
        ]
    )
    cum = np.cumsum(stage_p, axis=1)
    dec = (rng.random((n, m))[..., None] > cum[stage][..., :-1]).sum(axis=2)
    # responders graduate more, non-responders are referred more
    dec = np.where((stage == 2) & (kind[:, None] == 0) & (rng.random((n, m)) < 0.015), 5, dec)
    dec = np.where((kind[:, None] == 3) & (cp_t > 40) & (rng.random((n, m)) < 0.03), 3, dec)
    ends = (dec == 3) | (dec == 5)
    cp_ok = (cp_day <= d - 1) & cp_first
    # for some, the first ongoing-care decision is the last: its review is forgotten
    oc = (dec == 4) & cp_ok
    after_oc = np.cumsum(oc, axis=1) - oc > 0
    cp_ok &= ~((rng.random(n) < 0.35)[:, None] & after_oc)
    ended_before = np.cumsum(ends & cp_ok, axis=1) - (ends & cp_ok) > 0
    cp_ok &= ~ended_before
    end_care = np.full(n, 10 * d)
    end_rows, end_cols = np.nonzero(cp_ok & ends)
    end_care[end_rows] = cp_day[end_rows, end_cols]  # at most one end per patient
    refer_overlap = int(kb.checkpoints.refer_overlap_days.value)
    referred = np.zeros(n, dtype=bool)
    referred[end_rows] = dec[end_rows, end_cols] == 3
    end_sessions = np.where(referred, end_care + refer_overlap, end_care)
    s_ok &= s_day <= end_sessions[:, None]
    next_ok = np.concatenate([s_ok[:, 1:], np.zeros((n, 1), bool)], axis=1)
    next_day = np.concatenate([s_day[:, 1:], np.zeros((n, 1), s_day.dtype)], axis=1)
    next_gap = np.where(next_ok, next_day - s_day, 99)

    entry = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.integers(3, 10, size=n), rng.integers(5, 16, size=n), rng.integers(4, 12, size=n)],
        np.where(rng.random(n) < 0.5, 10**6, rng.integers(6, 20, size=n)),
    )
    after = s_idx >= entry[:, None]
    passive = np.where(after, rng.binomial(1, 0.35, (n, k)), 1 + rng.binomial(1, 0.5, (n, k)))
    active = np.where(after, 1 + rng.binomial(1, 0.5, (n, k)), rng.binomial(1, 0.06, (n, k)))
    intervention = rng.binomial(1, 0.04, (n, k))
    other = rng.binomial(1, 0.06, (n, k))
    soreness_flag = rng.random((n, k)) < np.where(passive + intervention > 1, 0.6, 0.3)

    # relief window lengthens with sessions for responders
    w_max = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.uniform(5, 13, n), rng.uniform(2, 7, n), rng.uniform(1, 4, n)],
        rng.uniform(0, 0.8, n),
    )
    relief = np.floor(w_max[:, None] * (1 - np.exp(-(s_idx + 1) / 4.0)) + rng.random((n, k)))
    relief = relief.astype(np.int64)
    reported = np.where(
        rng.random((n, k)) < 0.2, np.maximum(0, relief + rng.integers(-1, 2, (n, k))), -1
    )
    # the share of pain a session takes away at first, tapering over its window
    depth = np.select(
        [kind == 0, kind == 1],
        [rng.uniform(0.35, 0.55, n), rng.uniform(0.3, 0.45, n)],
        rng.uniform(0.2, 0.3, n),
    )

    # --- pain ----------------------------------------------------------------------------
    p0 = rng.uniform(4.5, 8.5, n)
    improve = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.uniform(0.35, 0.6, n), rng.uniform(0.2, 0.4, n), rng.uniform(0.08, 0.2, n)],
        rng.uniform(-0.05, 0.08, n),
    )
    tau = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.uniform(20, 60, n), rng.uniform(60, 150, n), rng.uniform(7, 20, n)],
        30.0,
    )
    tt = np.maximum(t, 0)
    trend = p0[:, None] * (1 - improve[:, None] * (1 - np.exp(-tt / tau[:, None])))
    white = rng.normal(0, 0.45, (n, d + 2))
    noise = 0.6 * white[:, 2:] + 0.3 * white[:, 1:-1] + 0.2 * white[:, :-2]

    # post-session soreness the day after (sometimes the day itself too)
    sr, sc = np.nonzero(s_ok)
    sore = soreness_flag[sr, sc] & (rng.random(sr.size) < 0.7)
    rise = rng.choice([1.0, 1.5, 2.0, 3.0], size=sr.size, p=[0.35, 0.3, 0.25, 0.1])
    effect = np.zeros(n * d)
    for offset, share in ((1, 1.0), (0, 0.4)):
        day = s_day[sr, sc] + offset
        hit = sore & (day <= d - 1) & (rng.random(sr.size) < share)
        effect += np.bincount((sr * d + day)[hit], weights=rise[hit], minlength=n * d)
    # relief after each session (after the soreness), tapering; the next session takes over
    length = np.minimum(relief[sr, sc], next_gap[sr, sc] - sore).clip(0)
    rows, pos = _expand(length)
    day = s_day[sr, sc][rows] + 1 + sore[rows] + pos
    keep = day <= d - 1
    amount = depth[sr[rows]] * (1 - 0.6 * pos / np.maximum(length[rows], 1))
    eased = np.bincount((sr[rows] * d + day)[keep], weights=amount[keep], minlength=n * d)
    eased = eased.reshape(n, d).clip(max=0.8)

    # flares: about one every two months, 1–6 days, a fifth of them setbacks
    slots = d // 30 + 1
    f_on = start[:, None] + np.floor(rng.random((n, slots)) * (d - start[:, None])).astype(int)
    f_ok = (rng.random((n, slots)) < 0.45) & (f_on <= d - 1)
    fr, fc = np.nonzero(f_ok)
    f_on = f_on[fr, fc]
    f_len = rng.choice([1, 2, 3, 4, 5, 6], size=fr.size, p=[0.25, 0.25, 0.2, 0.12, 0.1, 0.08])
    f_mag = rng.integers(2, 6, size=fr.size) + 0.6
    setback = rng.random(fr.size) < 0.15
    f_len = np.where(setback, rng.integers(20, 60, size=fr.size), f_len)
    rows, pos = _expand(f_len)
    day = f_on[rows] + pos
    keep = day <= d - 1
    # a setback eases to a level 2.5–3.5 points above where the patient was
    sb_level = rng.uniform(2.6, 3.6, fr.size)
    amount = np.where(setback[rows] & (pos >= 2), sb_level[rows], f_mag[rows])
    flare_add = np.bincount((fr[rows] * d + day)[keep], weights=amount[keep], minlength=n * d)
    flare_on = flare_add.reshape(n, d) > 0
    effect += flare_add
    pain_f = trend * (1 - eased) + noise + effect.reshape(n, d)
    pain = np.rint(pain_f).clip(0, 10).astype(np.int64)

    # --- logging -------------------------------------------------------------------------
    sparse = rng.random(n) < 0.12
    q = np.where(sparse, rng.uniform(0.3, 0.6, n), rng.uniform(0.8, 0.98, n))
    logged = alive & (rng.random((n, d)) < q[:, None])
    brk = rng.random(n) < 0.25
    b0 = start + np.floor(rng.random(n) * (d - start)).astype(int)
    b1 = b0 + rng.integers(4, 15, size=n)
    logged &= ~(brk[:, None] & (col[None, :] >= b0[:, None]) & (col[None, :] < b1[:, None]))
    stop = np.where(rng.random(n) < 0.05, d - rng.integers(5, 45, size=n), 10 * d)
    stop = np.minimum(stop, end_care + rng.integers(0, 31, size=n))
    logged &= col[None, :] <= stop[:, None]

    pain_ok = logged & (rng.random((n, d)) < 0.96)
    steps_ok = logged & (rng.random((n, d)) < 0.9)
    sit_ok = logged & (rng.random((n, d)) < 0.85)
    sleep_ok = logged & (rng.random((n, d)) < 0.88)
    func_ok = logged & (rng.random(n) < 0.3)[:, None] & (rng.random((n, d)) < 0.7)

    better = (p0[:, None] - pain_f).clip(-5, 8)
    steps = np.rint(
        rng.uniform(2500, 6000, n)[:, None] * (1 + 0.12 * better) * rng.lognormal(0, 0.2, (n, d))
    ).clip(0)
    sitting = np.rint(
        rng.uniform(15, 40, n)[:, None] * (1 + 0.15 * better) * rng.lognormal(0, 0.15, (n, d))
    ).clip(0, 1440)
    sleep = (np.rint((6.0 + 0.2 * better + rng.normal(0, 0.6, (n, d))) * 2) / 2).clip(0, 24)
    function = np.rint((10 - pain_f + rng.normal(0, 0.8, (n, d))).clip(0, 10))

    ev_p = np.where(flare_on & (np.roll(flare_on, 1, axis=1) == 0), 0.3, 0.018)
    has_event = alive & (rng.random((n, d)) < ev_p)
    event_id = rng.integers(0, len(EVENTS), size=(n, d))

    row = logged | has_event
    rr, rc = np.nonzero(row)
    flat = rr * d + rc
    ids = pl.Series([f"p{i:05d}" for i in range(n)], dtype=pl.String)

    def masked(values: np.ndarray, ok: np.ndarray, dtype: pl.DataType) -> pl.Series:
        return (
            pl.Series(values.ravel()[flat], dtype=pl.Float64)
            .cast(dtype)
            .set(pl.Series(~ok.ravel()[flat]), None)
        )

    days_frame = pl.DataFrame(
        {
            "patient_id": ids.gather(rr),
            "date": _dates(rc, first),
            "pain": masked(pain.astype(float), pain_ok, pl.Int64()),
            "steps": masked(steps, steps_ok, pl.Int64()),
            "sitting_min": masked(sitting, sit_ok, pl.Int64()),
            "sleep_h": masked(sleep, sleep_ok, pl.Float64()),
            "function": masked(function, func_ok, pl.Float64()),
            "event": pl.Series(EVENTS, dtype=pl.String)
            .gather(event_id.ravel()[flat])
            .set(pl.Series(~has_event.ravel()[flat]), None),
        }
    )

    # --- goals ---------------------------------------------------------------------------
    n_goals = rng.choice([1, 2, 3], size=n, p=[0.45, 0.35, 0.2])
    weights = np.array([g[7] for g in GOAL_CATALOG])
    gumbel = np.log(weights)[None, :] - np.log(-np.log(rng.random((n, len(GOAL_CATALOG)))))
    order = np.argsort(-gumbel, axis=1)
    gp, gslot = _expand(n_goals)
    gcat = order[gp, gslot]
    ng = gp.size
    lo_b, hi_b, lo_t, hi_t = (np.array([g[i] for g in GOAL_CATALOG])[gcat] for i in (3, 4, 5, 6))
    g_base = np.floor(lo_b + rng.random(ng) * (hi_b - lo_b + 1))
    g_target = np.floor(lo_t + rng.random(ng) * (hi_t - lo_t + 1))
    dist = g_target - g_base
    mc_given = rng.random(ng) < 0.2
    g_mc = np.where(mc_given, np.round(np.abs(dist) * rng.uniform(0.1, 0.3, ng), 1), np.nan)
    g_kind = kind[gp]
    reach = np.select(
        [g_kind == 0, g_kind == 1, g_kind == 2],
        [rng.uniform(0.8, 1.4, ng), rng.uniform(0.5, 1.05, ng), rng.uniform(0.3, 0.8, ng)],
        rng.uniform(-0.1, 0.25, ng),
    )
    g_tau = np.select(
        [g_kind == 0, g_kind == 1, g_kind == 2],
        [rng.uniform(25, 70, ng), rng.uniform(60, 160, ng), rng.uniform(7, 20, ng)],
        40.0,
    )
    gt = np.maximum(t[gp], 0)
    frac = reach[:, None] * (1 - np.exp(-gt / g_tau[:, None]))
    trend_g = g_base[:, None] + dist[:, None] * (frac + 0.2 * eased[gp])  # easier on relief
    value = trend_g + rng.normal(0, 0.07, (ng, d)) * np.maximum(np.abs(trend_g), 2)
    hit = (rng.random(ng) < 0.45)[:, None] & flare_on[gp]  # a flare takes the activity down
    drop = rng.uniform(0.2, 0.55, ng)[:, None]
    value = np.where(hit & (dist[:, None] > 0), value * drop, value)
    value = np.where(hit & (dist[:, None] < 0), value / drop, value)
    value = np.rint(value).clip(0)
    g_ok = logged[gp] & (rng.random((ng, d)) < 0.85)
    gr, gc = np.nonzero(g_ok)
    goal_ids = pl.Series([g[0] for g in GOAL_CATALOG], dtype=pl.String)
    goals_frame = pl.DataFrame(
        {
            "patient_id": ids.gather(gp),
            "goal": goal_ids.gather(gcat),
            "metric": pl.Series([g[1] for g in GOAL_CATALOG], dtype=pl.String).gather(gcat),
            "baseline": g_base,
            "target": g_target,
            "direction": pl.Series([g[2] for g in GOAL_CATALOG], dtype=pl.String).gather(gcat),
            "meaningful_change": pl.Series(g_mc).fill_nan(None),
        }
    )
    goal_values = pl.DataFrame(
        {
            "patient_id": ids.gather(gp[gr]),
            "goal": goal_ids.gather(gcat[gr]),
            "date": _dates(gc, first),
            "value": value[gr, gc],
        }
    )

    # --- sessions frame ----------------------------------------------------------------
    sessions = pl.DataFrame(
        {
            "patient_id": ids.gather(sr),
            "date": _dates(s_day[sr, sc], first),
            "passive": passive[sr, sc].astype(np.int64),
            "active": active[sr, sc].astype(np.int64),
            "intervention": intervention[sr, sc].astype(np.int64),
            "other": other[sr, sc].astype(np.int64),
            "relief_window_days": pl.Series(reported[sr, sc]).set(
                pl.Series(reported[sr, sc] < 0), None
            ),
            "soreness_expected": soreness_flag[sr, sc],
        }
    )

    # --- checkpoints frame -------------------------------------------------------------
    cr, cc = np.nonzero(cp_ok)
    c_day = cp_day[cr, cc]
    c_dec = dec[cr, cc]
    is_tr = (dec == 2) & cp_ok
    phase_at = phase0[:, None] + np.cumsum(is_tr, axis=1)
    to_phase = np.minimum(phase_at[cr, cc], len(PHASES) - 1)
    review_gap = np.where(
        rng.random(cr.size) < 0.2, -1, rng.integers(max_review // 3, max_review + 1, size=cr.size)
    )
    review = c_day + review_gap
    checkpoints = pl.DataFrame(
        {
            "patient_id": ids.gather(cr),
            "date": _dates(c_day, first),
            "decision": pl.Series(DECISIONS, dtype=pl.String).gather(c_dec),
            "to_phase": pl.Series(PHASES, dtype=pl.String)
            .gather(to_phase)
            .set(pl.Series(c_dec != 2), None),
            "review_by": _dates(review, first).set(
                pl.Series((c_dec != 4) | (review_gap < 0)), None
            ),
            "overlap_days": pl.Series(np.full(cr.size, refer_overlap)).set(
                pl.Series(c_dec != 3), None
            ),
            "by": pl.Series(BY, dtype=pl.String).gather(rng.integers(0, len(BY), cr.size)),
            "reason": pl.Series([REASONS[x] for x in DECISIONS], dtype=pl.String).gather(c_dec),
        }
    )

    patients_frame = pl.DataFrame(
        {
            "patient_id": ids,
            "start": _dates(start, first),
            "phase": pl.Series(PHASES, dtype=pl.String).gather(phase0),
        }
    )
    frames = TimelineFrames(
        patients=patients_frame,
        days=days_frame,
        goals=goals_frame,
        goal_values=goal_values,
        sessions=sessions,
        checkpoints=checkpoints,
    ).conformed()
    return frames, today
