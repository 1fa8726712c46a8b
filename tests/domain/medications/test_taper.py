"""The opioid taper (CDC 2022 recommendation 5; clinical-facts.md §14c; rules taper.*).

Long-term use (≥ 52 weeks): 10% of the *current* dose every 28 days. Shorter use: 10% of the
*original* dose every 7 days until 30% remains, then 10% of the remaining dose every 7 days.
At or below 10% of the original: one "extend_interval" step, then "stop". A pause holds the
dose and moves every later step back by its days. Follow-up at least every 28 days, through
the end. The schedules below were worked out by hand from those rules, not copied from a run.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painpath
from painpath import TaperError, TaperPause
from painpath.domain.medications import TaperPlan, plan_taper
from painpath.domain.medications.knowledge import TaperRules
from painpath.knowledge import KnowledgeBase, load_knowledge

START = dt.date(2026, 1, 5)
# For the property tests (hypothesis shows its arguments; a fixture would be the whole base).
RULES = load_knowledge().medications.taper
D = dt.date.fromisoformat


def shown(value: float) -> float:
    """A dose as the schedule keeps it: to 0.1 MME/day, halves up, on the decimal value
    (420.5 × 0.3 is 126.15, not the binary 126.14999999999999)."""
    exact = Decimal(repr(value)).quantize(Decimal("0.000001"))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def dose_steps(plan: TaperPlan) -> list[tuple[str, float]]:
    return [(s.kind, s.mme_per_day) for s in plan.steps if s.kind != "pause"]


def rows(plan: TaperPlan) -> list[tuple[str, str, float, float, float]]:
    return [
        (s.date.isoformat(), s.kind, s.mme_per_day, s.reduction, s.percent_of_original)
        for s in plan.steps
    ]


# --- (a) 100 MME/day after 8 weeks: weekly, 10% of the original to 30%, then 10% of what remains

SHORT_100 = [
    ("2026-01-05", "reduce", 90.0, 10.0, 90.0),
    ("2026-01-12", "reduce", 80.0, 10.0, 80.0),
    ("2026-01-19", "reduce", 70.0, 10.0, 70.0),
    ("2026-01-26", "reduce", 60.0, 10.0, 60.0),
    ("2026-02-02", "reduce", 50.0, 10.0, 50.0),
    ("2026-02-09", "reduce", 40.0, 10.0, 40.0),
    ("2026-02-16", "reduce", 30.0, 10.0, 30.0),  # 30% of the original: switch
    ("2026-02-23", "reduce", 27.0, 3.0, 27.0),  # 30 × 0.9
    ("2026-03-02", "reduce", 24.3, 2.7, 24.3),  # 27 × 0.9
    ("2026-03-09", "reduce", 21.9, 2.4, 21.9),  # 21.87
    ("2026-03-16", "reduce", 19.7, 2.2, 19.7),  # 19.71
    ("2026-03-23", "reduce", 17.7, 2.0, 17.7),  # 17.73
    ("2026-03-30", "reduce", 15.9, 1.8, 15.9),  # 15.93
    ("2026-04-06", "reduce", 14.3, 1.6, 14.3),  # 14.31
    ("2026-04-13", "reduce", 12.9, 1.4, 12.9),  # 12.87
    ("2026-04-20", "reduce", 11.6, 1.3, 11.6),  # 11.61
    ("2026-04-27", "reduce", 10.4, 1.2, 10.4),  # 10.44
    ("2026-05-04", "reduce", 9.4, 1.0, 9.4),  # 9.36: ≤ 10% of the original, not yet ≤ 5
    ("2026-05-11", "reduce", 8.5, 0.9, 8.5),  # 8.46
    ("2026-05-18", "reduce", 7.7, 0.8, 7.7),  # 7.65, halves up
    ("2026-05-25", "reduce", 6.9, 0.8, 6.9),  # 6.93
    ("2026-06-01", "reduce", 6.2, 0.7, 6.2),  # 6.21
    ("2026-06-08", "reduce", 5.6, 0.6, 5.6),  # 5.58
    ("2026-06-15", "reduce", 5.0, 0.6, 5.0),  # 5.04: ≤ 5 MME/day (taper.stop_at_mme) too
    ("2026-06-22", "extend_interval", 5.0, 0.0, 5.0),
    ("2026-06-29", "stop", 0.0, 5.0, 0.0),
]


def test_short_term_100_mme_after_8_weeks_step_by_step(kb: KnowledgeBase) -> None:
    plan = plan_taper(100, 8, START, kb.medications.taper)
    assert rows(plan) == SHORT_100
    assert [s.number for s in plan.steps] == list(range(1, 27))
    assert plan.regimen == "short_term"
    assert [r.rule for r in plan.reasons] == ["taper.short_term"]
    assert plan.start == START
    assert plan.starting_mme == 100.0
    assert plan.duration_weeks == 8.0
    assert plan.end == D("2026-06-29")
    # Every 28 days from the start, until one falls after the stop.
    assert [d.isoformat() for d in plan.follow_ups] == [
        "2026-02-02",
        "2026-03-02",
        "2026-03-30",
        "2026-04-27",
        "2026-05-25",
        "2026-06-22",
        "2026-07-20",
    ]
    assert plan.steps[7].text == "Reduce to 27 MME/day (27% of the starting dose)"
    assert "5 MME/day" in plan.steps[-2].text
    assert plan.steps[-1].text.startswith("Stop")


def test_short_term_schedule_is_the_documented_example() -> None:
    """The public wrapper (taper.py docstring) gives the same weekly steps."""
    plan = painpath.taper(100, 8, start="2026-01-05")
    assert rows(plan) == SHORT_100


# --- (b) 60 MME/day after 70 weeks: every 28 days, 10% of the current dose

LONG_60 = [
    ("2026-01-05", "reduce", 54.0, 6.0, 90.0),
    ("2026-02-02", "reduce", 48.6, 5.4, 81.0),
    ("2026-03-02", "reduce", 43.7, 4.9, 72.8),  # 43.74
    ("2026-03-30", "reduce", 39.3, 4.4, 65.5),  # 39.33
    ("2026-04-27", "reduce", 35.4, 3.9, 59.0),  # 35.37
    ("2026-05-25", "reduce", 31.9, 3.5, 53.2),  # 31.86
    ("2026-06-22", "reduce", 28.7, 3.2, 47.8),  # 28.71
    ("2026-07-20", "reduce", 25.8, 2.9, 43.0),  # 25.83
    ("2026-08-17", "reduce", 23.2, 2.6, 38.7),  # 23.22
    ("2026-09-14", "reduce", 20.9, 2.3, 34.8),  # 20.88
    ("2026-10-12", "reduce", 18.8, 2.1, 31.3),  # 18.81
    ("2026-11-09", "reduce", 16.9, 1.9, 28.2),  # 16.92
    ("2026-12-07", "reduce", 15.2, 1.7, 25.3),  # 15.21
    ("2027-01-04", "reduce", 13.7, 1.5, 22.8),  # 13.68
    ("2027-02-01", "reduce", 12.3, 1.4, 20.5),  # 12.33
    ("2027-03-01", "reduce", 11.1, 1.2, 18.5),  # 11.07
    ("2027-03-29", "reduce", 10.0, 1.1, 16.7),  # 9.99
    ("2027-04-26", "reduce", 9.0, 1.0, 15.0),
    ("2027-05-24", "reduce", 8.1, 0.9, 13.5),
    ("2027-06-21", "reduce", 7.3, 0.8, 12.2),  # 7.29
    ("2027-07-19", "reduce", 6.6, 0.7, 11.0),  # 6.57
    ("2027-08-16", "reduce", 5.9, 0.7, 9.8),  # 5.94 ≤ 6 = 10% of the original, but > 5
    ("2027-09-13", "reduce", 5.3, 0.6, 8.8),  # 5.31
    ("2027-10-11", "reduce", 4.8, 0.5, 8.0),  # 4.77: ≤ 5 MME/day as well
    ("2027-11-08", "extend_interval", 4.8, 0.0, 8.0),
    ("2027-12-06", "stop", 0.0, 4.8, 0.0),
]


def test_long_term_60_mme_after_70_weeks_step_by_step(kb: KnowledgeBase) -> None:
    plan = plan_taper(60, 70, START, kb.medications.taper)
    assert rows(plan) == LONG_60
    assert plan.regimen == "long_term"
    assert [r.rule for r in plan.reasons] == ["taper.long_term"]
    assert plan.end == D("2027-12-06")
    # Follow-ups every 28 days: each monthly step after the first falls on a follow-up visit
    # (long_term_step_days basis), and the last visit comes after the stop.
    assert len(plan.follow_ups) == 26
    assert plan.follow_ups[-1] == D("2028-01-03")
    assert [s.date for s in plan.steps[1:]] == list(plan.follow_ups[:-1])


def test_long_term_wrapper_matches_its_docstring() -> None:
    plan = painpath.taper(60, 70, start="2026-01-05")
    assert rows(plan) == LONG_60


# --- the 52-week boundary


@pytest.mark.parametrize(
    ("weeks", "regimen", "first_three", "gap_days"),
    [
        (52, "long_term", [54.0, 48.6, 43.7], 28),
        (52.0, "long_term", [54.0, 48.6, 43.7], 28),
        (5200, "long_term", [54.0, 48.6, 43.7], 28),
        (51.9, "short_term", [54.0, 48.0, 42.0], 7),
        (0, "short_term", [54.0, 48.0, 42.0], 7),
    ],
)
def test_fifty_two_weeks_is_long_term(
    kb: KnowledgeBase, weeks: float, regimen: str, first_three: list[float], gap_days: int
) -> None:
    plan = plan_taper(60, weeks, START, kb.medications.taper)
    assert plan.regimen == regimen
    assert [s.mme_per_day for s in plan.steps[:3]] == first_three
    assert (plan.steps[1].date - plan.steps[0].date).days == gap_days
    assert plan.reasons[0].data == {"duration_weeks": float(weeks)}


# --- crossing the 30% switch from a dose that is not a multiple of 10


def test_non_round_dose_reaches_thirty_percent_exactly_then_takes_ten_percent_of_the_rest(
    kb: KnowledgeBase,
) -> None:
    plan = plan_taper(47, 10, START, kb.medications.taper)
    doses = [s.mme_per_day for s in plan.steps]
    # 4.7 (10% of 47) a week down to 14.1 (30% of 47) …
    assert doses[:7] == [42.3, 37.6, 32.9, 28.2, 23.5, 18.8, 14.1]
    assert [s.reduction for s in plan.steps[:7]] == [4.7] * 7
    # … then 10% of the remaining dose: 12.69, 11.43.
    assert doses[7:9] == [12.7, 11.4]
    assert [s.reduction for s in plan.steps[7:9]] == [1.4, 1.3]


def test_weekly_original_phase_never_steps_past_the_switch(kb: KnowledgeBase) -> None:
    """With the switch at 35% (in its allowed 10–50), a 10-point step from 40 would land on 30:
    the step is cut short at 35 and the 10%-of-the-remainder phase starts from there."""
    rules = kb.medications.taper
    at_35 = rules.model_copy(
        update={"switch_at_percent": rules.switch_at_percent.model_copy(update={"value": 35})}
    )
    plan = plan_taper(100, 8, START, at_35)
    doses = [s.mme_per_day for s in plan.steps]
    assert doses[:8] == [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 35.0, 31.5]
    assert [s.reduction for s in plan.steps[5:8]] == [10.0, 5.0, 3.5]


@pytest.mark.parametrize("mme", [33.3, 12.34, 47, 77.7, 123.4, 99.9])
def test_non_round_doses_stay_at_or_above_thirty_percent_until_the_switch(
    kb: KnowledgeBase, mme: float
) -> None:
    plan = plan_taper(mme, 8, START, kb.medications.taper)
    original = shown(mme)  # the schedule works on the dose as shown, to 0.1
    switch = shown(original * 0.30)
    previous = original
    mme = original
    for step in plan.steps:
        if step.kind != "reduce":
            break
        if previous > switch + 1e-9:
            # 10% of the original at most, and never below 30% beyond the 0.1 of rounding.
            assert step.mme_per_day >= switch - 0.1 - 1e-9, (mme, step)
            assert step.reduction <= mme * 0.10 + 0.05 + 1e-9, (mme, step)
        else:
            assert step.reduction <= max(previous * 0.10 + 0.05, 0.1) + 1e-9, (mme, step)
        previous = step.mme_per_day


# --- pauses

END_100 = D(SHORT_100[-1][0])  # the stop of the 100 MME/day schedule
END_60 = D(LONG_60[-1][0])
BASE_DATES = [D(r[0]) for r in SHORT_100]


def test_pause_between_steps_holds_the_dose_and_moves_every_later_step(
    kb: KnowledgeBase,
) -> None:
    pause = TaperPause(D("2026-01-15"), 14, "flare")
    plan = plan_taper(100, 8, START, kb.medications.taper, [pause])
    held = plan.steps[2]
    assert (held.number, held.date, held.kind) == (3, D("2026-01-15"), "pause")
    assert (held.mme_per_day, held.reduction, held.percent_of_original) == (80.0, 0.0, 80.0)
    assert held.text == "Hold at 80 MME/day for 14 days: flare"
    # Doses never move; dates before the pause stay, every date after it moves by 14 days.
    assert dose_steps(plan) == [(r[1], r[2]) for r in SHORT_100]
    dates = [s.date for s in plan.steps if s.kind != "pause"]
    assert dates[:2] == BASE_DATES[:2]
    assert dates[2:] == [d + dt.timedelta(days=14) for d in BASE_DATES[2:]]
    assert plan.steps[3].date == D("2026-02-02")
    assert plan.end == END_100 + dt.timedelta(days=14)
    assert [s.number for s in plan.steps] == list(range(1, 28))
    assert plan.follow_ups[-1] == D("2026-07-20")


def test_pause_on_a_step_date_holds_that_step(kb: KnowledgeBase) -> None:
    plan = plan_taper(100, 8, START, kb.medications.taper, [TaperPause(D("2026-01-19"), 7, "x")])
    assert [(s.date.isoformat(), s.kind, s.mme_per_day) for s in plan.steps[1:4]] == [
        ("2026-01-12", "reduce", 80.0),
        ("2026-01-19", "pause", 80.0),
        ("2026-01-26", "reduce", 70.0),
    ]


def test_two_pauses_add_up_and_may_be_given_in_any_order(kb: KnowledgeBase) -> None:
    first = TaperPause(D("2026-01-15"), 14, "flare")
    second = TaperPause(D("2026-03-01"), 7, "function fell")
    plan = plan_taper(100, 8, START, kb.medications.taper, [second, first])
    pauses = [(s.date.isoformat(), s.mme_per_day, s.text) for s in plan.steps if s.kind == "pause"]
    # After the first pause, 30 MME/day falls on 2026-03-02: the second pause (03-01) holds 40.
    assert pauses == [
        ("2026-01-15", 80.0, "Hold at 80 MME/day for 14 days: flare"),
        ("2026-03-01", 40.0, "Hold at 40 MME/day for 7 days: function fell"),
    ]
    by_dose = {s.mme_per_day: s.date.isoformat() for s in plan.steps if s.kind == "reduce"}
    assert by_dose[40.0] == "2026-02-23"
    assert by_dose[30.0] == "2026-03-09"
    assert plan.end == END_100 + dt.timedelta(days=21)
    assert dose_steps(plan) == [(r[1], r[2]) for r in SHORT_100]


@pytest.mark.parametrize("start", ["2026-06-30", "2026-07-13", "2030-01-01"])
def test_pause_after_the_stop_is_ignored(kb: KnowledgeBase, start: str) -> None:
    plan = plan_taper(100, 8, START, kb.medications.taper, [TaperPause(D(start), 30, "late")])
    assert rows(plan) == SHORT_100
    assert plan.end == END_100


def test_pause_on_the_stop_date_holds_the_last_dose(kb: KnowledgeBase) -> None:
    plan = plan_taper(100, 8, START, kb.medications.taper, [TaperPause(END_100, 10, "x")])
    assert [(s.date.isoformat(), s.kind, s.mme_per_day) for s in plan.steps[-3:]] == [
        ("2026-06-22", "extend_interval", 5.0),
        (END_100.isoformat(), "pause", 5.0),
        ("2026-07-09", "stop", 0.0),
    ]
    assert plan.steps[-1].reduction == 5.0


def test_pause_running_into_the_start_delays_the_first_step(kb: KnowledgeBase) -> None:
    pause = TaperPause(START - dt.timedelta(days=3), 14, "flare before the taper")
    plan = plan_taper(100, 8, START, kb.medications.taper, [pause])
    first = plan.steps[0]
    # Shown on the start date (the schedule begins there), holding the starting dose.
    assert (first.date, first.kind, first.mme_per_day, first.percent_of_original) == (
        START,
        "pause",
        100.0,
        100.0,
    )
    assert first.reduction == 0.0
    # Only the 11 days of the pause left at the start delay the schedule.
    assert plan.steps[1].date == START + dt.timedelta(days=11)
    assert plan.steps[1].mme_per_day == 90.0
    assert plan.end == END_100 + dt.timedelta(days=11)


def test_a_pause_that_ended_before_the_start_changes_nothing(kb: KnowledgeBase) -> None:
    pause = TaperPause(START - dt.timedelta(days=30), 14, "an old flare")
    plan = plan_taper(100, 8, START, kb.medications.taper, [pause])
    assert plan == plan_taper(100, 8, START, kb.medications.taper)


def test_overlapping_pauses_merge_into_one_hold(kb: KnowledgeBase) -> None:
    pauses = [
        TaperPause(D("2026-01-20"), 14, "flare"),
        TaperPause(D("2026-01-25"), 14, "fall in function"),
    ]
    plan = plan_taper(100, 8, START, kb.medications.taper, pauses)
    held = [s for s in plan.steps if s.kind == "pause"]
    assert len(held) == 1 and "flare; fall in function" in held[0].text
    assert "19 days" in held[0].text  # 2026-01-20 to 2026-02-08, not 28 days


def test_long_term_pause_moves_the_monthly_steps(kb: KnowledgeBase) -> None:
    plan = plan_taper(60, 70, START, kb.medications.taper, [TaperPause(D("2026-02-10"), 30, "x")])
    assert [(s.date.isoformat(), s.kind, s.mme_per_day) for s in plan.steps[1:4]] == [
        ("2026-02-02", "reduce", 48.6),
        ("2026-02-10", "pause", 48.6),
        ("2026-04-01", "reduce", 43.7),  # 2026-03-02 + 30 days
    ]
    assert plan.end == END_60 + dt.timedelta(days=30)
    gaps = [(b - a).days for a, b in zip(plan.follow_ups, plan.follow_ups[1:], strict=False)]
    assert set(gaps) == {28}
    assert plan.follow_ups[-1] > plan.end


# --- bad input: TaperError names the field and the allowed range


@pytest.mark.parametrize(
    ("mme", "weeks", "field", "text"),
    [
        (0, 8, "mme_per_day", "give more than 0 and at most 5000"),
        (-10, 8, "mme_per_day", "give more than 0 and at most 5000"),
        (5000.01, 8, "mme_per_day", "give more than 0 and at most 5000"),
        (float("nan"), 8, "mme_per_day", "5000"),
        (float("inf"), 8, "mme_per_day", "5000"),
        (float("-inf"), 8, "mme_per_day", "5000"),
        ("100", 8, "mme_per_day", "5000"),
        (None, 8, "mme_per_day", "5000"),
        (True, 8, "mme_per_day", "5000"),
        # An int too big for a float (BUG: OverflowError from math.isfinite, not TaperError).
        pytest.param(10**400, 8, "mme_per_day", "5000", id="int-too-big-for-float-mme"),
        (100, -1, "duration_weeks", "give 0–5200"),
        (100, 5200.5, "duration_weeks", "give 0–5200"),
        (100, float("nan"), "duration_weeks", "5200"),
        (100, "8", "duration_weeks", "5200"),
        (100, False, "duration_weeks", "5200"),
        pytest.param(100, 10**400, "duration_weeks", "5200", id="int-too-big-for-float-weeks"),
    ],
)
def test_bad_numbers_raise_taper_error_naming_field_and_range(
    kb: KnowledgeBase, mme: object, weeks: object, field: str, text: str
) -> None:
    with pytest.raises(TaperError) as caught:
        plan_taper(mme, weeks, START, kb.medications.taper)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert text in str(caught.value)


@pytest.mark.parametrize("days", [0, -5, 366, 400])
def test_pause_days_out_of_range(kb: KnowledgeBase, days: int) -> None:
    pauses = [TaperPause(D("2026-02-01"), 7, "ok"), TaperPause(D("2026-03-01"), days, "bad")]
    with pytest.raises(TaperError) as caught:
        plan_taper(100, 8, START, kb.medications.taper, pauses)
    assert caught.value.field == "pauses[1].days"
    assert str(caught.value) == f"pauses[1].days: {days} is out of range; give 1–365"


@pytest.mark.parametrize("days", [1, 365])
def test_pause_days_at_the_bounds_are_accepted(kb: KnowledgeBase, days: int) -> None:
    plan = plan_taper(
        100, 8, START, kb.medications.taper, [TaperPause(D("2026-01-15"), days, "a flare")]
    )
    assert plan.end == END_100 + dt.timedelta(days=days)


def test_bounds_themselves_are_accepted(kb: KnowledgeBase) -> None:
    assert plan_taper(5000, 5200, START, kb.medications.taper).steps[0].mme_per_day == 4500.0
    assert plan_taper(0.1, 0, START, kb.medications.taper).steps[-1].kind == "stop"


def test_a_hold_before_the_first_step_shows_the_rounded_starting_dose(kb: KnowledgeBase) -> None:
    """Doses are MME/day to 0.1 (starting_mme is 33.3): a hold before the first step must not
    show the unrounded 33.33 (BUG: taper.py keeps ``original`` unrounded as ``previous``)."""
    pause = TaperPause(START, 7, "flare")
    plan = plan_taper(33.33, 8, START, kb.medications.taper, [pause])
    assert plan.starting_mme == 33.3
    held = plan.steps[0]
    assert held.kind == "pause"
    assert held.mme_per_day == 33.3
    assert held.text == "Hold at 33.3 MME/day for 7 days: flare"


def test_a_reduction_always_changes_the_dose_shown(kb: KnowledgeBase) -> None:
    """ "Rounding must never stall a small dose at the same value" (taper.py): from a starting
    dose shown as 0.1 MME/day, a "reduce" step to 0.1 that removes 0.0 is a wasted week
    (BUG: the unrounded 0.1001 is tapered, not the 0.1 the plan shows)."""
    plan = plan_taper(0.1001, 8, START, kb.medications.taper)
    assert plan.starting_mme == 0.1
    assert all(s.reduction > 0 for s in plan.steps if s.kind == "reduce"), rows(plan)
    assert [s.kind for s in plan.steps] == ["extend_interval", "stop"]


@pytest.mark.parametrize("start", ["2026-13-01", "tomorrow", 20260105, ""])
def test_public_wrapper_rejects_a_bad_start(start: object) -> None:
    with pytest.raises(TaperError) as caught:
        painpath.taper(100, 8, start=start)  # type: ignore[arg-type]
    assert caught.value.field == "start"
    assert "YYYY-MM-DD" in str(caught.value)


def test_public_wrapper_takes_a_date_or_a_datetime() -> None:
    by_date = painpath.taper(100, 8, start=START)
    by_datetime = painpath.taper(100, 8, start=dt.datetime(2026, 1, 5, 23, 30))
    assert rows(by_date) == rows(by_datetime) == SHORT_100
    assert painpath.taper(100, 8, start=START, pauses=[TaperPause(START, 7, "x")]).end == (
        END_100 + dt.timedelta(days=7)
    )


def test_to_dict_is_plain_json(kb: KnowledgeBase) -> None:
    out = plan_taper(100, 8, START, kb.medications.taper).to_dict()
    assert out["regimen"] == "short_term"
    assert out["start"] == "2026-01-05"
    assert out["end"] == END_100.isoformat()
    assert out["starting_mme_per_day"] == 100.0
    assert out["steps"][7] == {
        "step": 8,
        "date": "2026-02-23",
        "kind": "reduce",
        "mme_per_day": 27.0,
        "reduction": 3.0,
        "percent_of_original": 27.0,
        "text": "Reduce to 27 MME/day (27% of the starting dose)",
    }
    assert out["follow_ups"][0] == "2026-02-02"
    assert out["sources"]
    assert out["reasons"][0]["rule"] == "taper.short_term"


# --- properties over any valid input

mme_values = st.floats(min_value=0.1, max_value=5000, allow_nan=False, allow_infinity=False)
week_values = st.floats(min_value=0, max_value=5200, allow_nan=False, allow_infinity=False)
pause_lists = st.lists(
    st.builds(
        TaperPause,
        start=st.integers(min_value=-60, max_value=1200).map(
            lambda n: START + dt.timedelta(days=n)
        ),
        days=st.integers(min_value=1, max_value=365),
        reason=st.just("flare"),
    ),
    max_size=4,
)


def _check_plan(plan: TaperPlan, rules: TaperRules, mme: float, weeks: float) -> None:
    steps = plan.steps
    mme = shown(mme)
    assert plan.starting_mme == mme
    kinds = [s.kind for s in steps if s.kind != "pause"]
    # Terminates with reductions, one longer-interval step, then the stop.
    assert kinds[-2:] == ["extend_interval", "stop"]
    assert set(kinds[:-2]) <= {"reduce"}
    assert steps[-1].kind == "stop"
    assert steps[-1].mme_per_day == 0.0
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    # Doses never rise.
    doses = [s.mme_per_day for s in steps]
    assert all(b <= a for a, b in itertools.pairwise(doses))
    assert doses[0] <= mme
    # No reduction takes off more than 10% of the original (0.1 for rounding to 0.1 MME).
    previous = mme
    for s in steps:
        if s.kind == "reduce":
            assert s.reduction <= mme * 0.10 + 0.1 + 1e-9, s
            assert s.mme_per_day < previous
        if s.kind in ("pause", "extend_interval"):
            # Holds the dose reached (a hold before the first step: the starting dose).
            assert abs(s.mme_per_day - previous) <= 0.05 + 1e-9, s
            assert s.reduction == 0.0
        if s.kind != "stop":
            assert s.percent_of_original == shown(100 * s.mme_per_day / mme)
        if s.kind != "pause":
            previous = s.mme_per_day
    # The stop only comes from ≤ 10% of the original (or the smallest dose, 0.1 MME/day).
    last = next(s for s in reversed(steps) if s.kind == "extend_interval").mme_per_day
    assert last <= max(min(mme * 0.10, 5.0), 0.1) + 1e-9  # ≤ 10% of the start and ≤ 5 MME/day
    assert steps[-1].reduction == last
    # Dose changes are at least a week apart: weekly (short-term) or every 28 days.
    interval = 28 if weeks >= 52 else 7
    dated = [s.date for s in steps if s.kind != "pause"]
    assert dated[0] >= plan.start
    assert all((b - a).days >= interval for a, b in itertools.pairwise(dated))
    assert all(s.date >= plan.start for s in steps)
    assert all(b.date >= a.date for a, b in itertools.pairwise(steps))
    # Follow-up at least every 28 days from the start, the last after the stop.
    visits = [plan.start, *plan.follow_ups]
    every = rules.follow_up_days.value
    assert all(0 < (b - a).days <= every for a, b in itertools.pairwise(visits))
    assert plan.end == steps[-1].date
    assert plan.follow_ups[-1] > plan.end
    assert len(plan.follow_ups) == (plan.end - plan.start).days // every + 1


@settings(max_examples=150, deadline=None)
@given(mme=mme_values, weeks=week_values, pauses=pause_lists)
def test_any_valid_taper_is_gradual_and_ends(
    mme: float, weeks: float, pauses: list[TaperPause]
) -> None:
    plan = plan_taper(mme, weeks, START, RULES, pauses)
    _check_plan(plan, RULES, mme, weeks)
    # Pauses move dates, never doses: the same dose steps as without pauses; the end moves by
    # at most the days of all pauses (overlapping pauses merge, days before the start do not
    # count), and not at all when every pause starts after the schedule ends.
    plain = plan_taper(mme, weeks, START, RULES)
    assert dose_steps(plan) == dose_steps(plain)
    assert plain.end <= plan.end <= plain.end + dt.timedelta(days=sum(p.days for p in pauses))
    if all(p.start > plain.end for p in pauses):
        assert plan.end == plain.end
    held = [s for s in plan.steps if s.kind == "pause"]
    assert all(s.date >= plan.start for s in held)


@settings(max_examples=150, deadline=None)
@given(mme=mme_values)
def test_short_term_switches_at_thirty_percent(mme: float) -> None:
    plan = plan_taper(mme, 8, START, RULES)
    mme = shown(mme)
    switch = shown(mme * 0.30)
    previous = mme
    for s in plan.steps:
        if s.kind != "reduce":
            break
        if previous > switch + 1e-9:
            assert s.mme_per_day >= switch - 0.1 - 1e-9
        else:
            # 10% of what remains (or 0.1, the smallest change a dose to 0.1 MME can make).
            assert s.reduction <= max(previous * 0.10 + 0.05, 0.1) + 1e-9
        previous = s.mme_per_day


@settings(max_examples=150, deadline=None)
@given(mme=mme_values, weeks=st.floats(min_value=52, max_value=5200))
def test_long_term_takes_ten_percent_of_the_current_dose(mme: float, weeks: float) -> None:
    plan = plan_taper(mme, weeks, START, RULES)
    previous = mme
    for s in plan.steps:
        if s.kind == "reduce":
            # 0.1 for rounding: the new dose is rounded to 0.1, the first "previous" is not.
            assert s.reduction <= previous * 0.10 + 0.1 + 1e-9
            assert s.mme_per_day >= previous * 0.90 - 0.1 - 1e-9
            previous = s.mme_per_day


bad_numbers = (
    st.none()
    | st.booleans()
    | st.text(max_size=5)
    | st.floats(max_value=0)
    | st.floats(min_value=5000, exclude_min=True)
    | st.just(float("nan"))
    | st.integers(max_value=0)
    | st.integers(min_value=5001, max_value=10**300)
)


@settings(max_examples=100, deadline=None)
@given(value=bad_numbers)
def test_bad_dose_only_ever_raises_taper_error(value: object) -> None:
    with pytest.raises(TaperError) as caught:
        plan_taper(value, 8, START, RULES)  # type: ignore[arg-type]
    assert caught.value.field == "mme_per_day"
    assert "5000" in str(caught.value)


@pytest.mark.parametrize(("mme", "weeks"), [(2000, 104), (300, 104), (600, 8)])
def test_a_taper_from_a_high_dose_never_ends_with_a_large_stop(mme: float, weeks: float) -> None:
    """10% of 2000 MME/day is 200 MME/day: the last steps wait until the dose is also at or
    below 5 MME/day (taper.stop_at_mme), so the stop is never abrupt."""
    plan = plan_taper(mme, weeks, START, RULES)
    extend = next(s for s in plan.steps if s.kind == "extend_interval")
    assert extend.mme_per_day <= 5.0
    assert plan.steps[-1].reduction <= 5.0
    assert all(s.reduction <= mme * 0.10 + 0.1 for s in plan.steps if s.kind == "reduce")


@pytest.mark.parametrize(
    ("pauses", "field"),
    [
        ([(START, 7, "x")], "pauses[0]"),
        ([TaperPause(dt.datetime(2026, 2, 1, 9, 0), 7, "x")], "pauses[0].start"),
        ([TaperPause("2026-02-01", 7, "x")], "pauses[0].start"),  # type: ignore[arg-type]
        ([TaperPause(START, 7, "")], "pauses[0].reason"),
        ([TaperPause(START, 7, 3)], "pauses[0].reason"),  # type: ignore[arg-type]
        (TaperPause(START, 7, "x"), "pauses"),
    ],
)
def test_malformed_pauses_are_refused_naming_the_field(pauses: object, field: str) -> None:
    with pytest.raises(TaperError) as caught:
        plan_taper(100, 8, START, RULES, pauses)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_no_pauses_given_as_none_is_no_pauses() -> None:
    assert plan_taper(100, 8, START, RULES, None) == plan_taper(100, 8, START, RULES)


@pytest.mark.parametrize("start", [dt.date(1899, 12, 31), dt.date(2201, 1, 1), dt.date.max])
def test_a_start_outside_the_schedulable_years_is_refused(start: dt.date) -> None:
    with pytest.raises(TaperError, match=r"start: .* is out of range; give 1900-01-01–2200-12-31"):
        plan_taper(100, 8, start, RULES)
