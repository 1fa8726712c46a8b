"""The signal rules of docs/signals.md one at a time, with every number worked out by hand.

Day numbers are offsets from the start (2026-01-05); series are per-day tokens (builder.py).
Defaults (signals.yaml, checkpoints.yaml): baseline = median of the 7 days before, ≥ 3 logged;
soreness = pain +2 back by 48 h; flare = pain +2 or a goal −30 %, settled within 72 h, and
for 28 days after a session never judged against more than the pre-session baseline; relief =
pain −2 or −30 %; a goal's meaningful change = 20 % of baseline → target (4 for 10 → 30).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import painpath
from painpath.domain.signals.report import Signal, SignalReport
from painpath.knowledge import load_knowledge
from tests.domain.signals.builder import day, goal, iso, timeline

WALK = goal("walk", 10, 30)  # meaningful change 4
WAKINGS = goal("wakings", 10, 2)  # decrease; meaningful change 1.6
STAIRS = goal("stairs", 1, 3)


def at(tl: dict[str, Any], today: int, **kw: Any) -> SignalReport:
    return painpath.signals(tl, today=iso(today), **kw)


def one(report: SignalReport, sid: str, **fields: Any) -> Signal:
    found = [s for s in report.of(sid) if all(getattr(s, k) == v for k, v in fields.items())]
    assert len(found) == 1, f"{sid} {fields}: {[s.to_dict() for s in report.of(sid)]}"
    return found[0]


def when(n: int | None) -> Any:
    return None if n is None else day(n)


def flares(report: SignalReport, goal_id: str | None = None) -> list[tuple[Any, ...]]:
    return [(s.start, s.end, s.status, s.value) for s in report.of("flare") if s.goal == goal_id]


def spans(*rows: tuple[int, int | None, str, float]) -> list[tuple[Any, ...]]:
    return [(day(s), when(e), status, value) for s, e, status, value in rows]


# --- baseline and flare (signals.flare) -------------------------------------------------------


@pytest.mark.parametrize(
    ("pain", "today", "expected", "baseline"),
    [
        pytest.param("3 3 . . . . . 7 3 3", 9, [], None, id="two_logged_days_of_the_week_give_no_baseline_so_no_flare"),
        pytest.param("3 3 3 . . . . 7 3 3", 9, [(7, 7, "settling", 7)], 3, id="three_logged_days_are_enough_for_a_baseline"),
        pytest.param("4 4 2 2 . . . 5 3 3", 9, [(7, 7, "settling", 5)], 3, id="the_median_of_an_even_count_is_the_mean_of_the_middle_two"),
        pytest.param("3*7 5 3 3", 9, [(7, 7, "settling", 5)], 3, id="a_rise_of_exactly_two_points_is_a_flare"),
        pytest.param("3*7 4 3 3", 9, [], None, id="a_rise_of_one_point_is_not_a_flare"),
        pytest.param("3*7 7 7 7 3*7", 16, [(7, 9, "settling", 7)], 3, id="back_on_the_log_72_h_after_onset_is_settling"),
        pytest.param("3*7 7 7 7 7 3*6", 16, [(7, 10, "prolonged", 7)], 3, id="still_raised_at_72_h_and_back_at_96_h_is_prolonged"),
        pytest.param("3*7 6 8 8 3 3", 11, [(7, 9, "settling", 8)], 3, id="the_peak_is_the_worst_value"),
        pytest.param("3*7 7 . 7 3", 10, [(7, 9, "settling", 7)], 3, id="an_unlogged_day_inside_a_flare_does_not_end_it"),
        pytest.param("3*7 7 3 7 3 3", 11, [(7, 7, "settling", 7), (9, 9, "settling", 7)], 3, id="a_settled_log_between_two_rises_makes_two_flares"),
        pytest.param("3*7 8 8 8 4 5*6", 16, [(7, 9, "setback", 8)], 3, id="settled_in_72_h_but_5_a_week_on_is_a_setback"),
        pytest.param("3*7 8 7 6 5 5 5", 12, [(7, 12, "setback", 8)], 3, id="still_raised_with_a_worse_new_baseline_is_a_setback_not_prolonged"),
        pytest.param("3*7 8 7 6 5 5", 11, [(7, None, "prolonged", 8)], 3, id="still_raised_past_72_h_without_a_new_baseline_yet_is_prolonged_and_open"),
        pytest.param("3*7 7 7", 8, [(7, None, "settling", 7)], 3, id="a_flare_under_72_h_old_is_settling_and_still_open"),
        pytest.param("3*7 7", 12, [(7, None, "settling", 7)], 3, id="a_flare_with_no_log_since_is_settling_and_open_within_its_horizon"),
        pytest.param("3*7 7", 20, [(7, 7, "settling", 7)], 3, id="a_flare_with_no_log_since_ends_on_its_last_log_once_its_horizon_has_passed"),
    ],
)  # fmt: skip
def test_pain_flares(pain: str, today: int, expected: list[Any], baseline: float | None):
    r = at(timeline(pain), today)
    assert flares(r) == spans(*expected)
    for f in r.of("flare"):
        assert f.evidence.rule == "signals.flare"
        assert f.evidence.data["baseline"] == baseline


def test_a_flare_peak_names_the_first_worst_day():
    (f,) = at(timeline("3*7 6 8 8 3 3"), 11).of("flare")
    assert f.peak == {"date": iso(8), "value": 8}
    assert f.evidence.data["settled"] == iso(10)


def test_a_setback_shows_the_new_baseline_a_week_on():
    """b = 3; the logs on start + 3 … start + 9 (days 10–16) are 4 5 5 5 5 5 5: median 5 ≥ 3 + 2."""
    (f,) = at(timeline("3*7 8 8 8 4 5*6"), 16).of("flare")
    assert f.status == "setback"
    assert f.evidence.data["new_baseline"] == 5
    assert f.evidence.data["settled"] == iso(10)


def test_a_flare_with_no_log_after_it_is_unconfirmed_and_the_gap_is_flagged():
    r = at(timeline("3*7 7"), 12)
    (f,) = r.of("flare")
    assert (f.status, f.evidence.data["confirmed"]) == ("settling", False)
    assert f.evidence.data["settled"] is None
    assert r.of("data_gap")  # days 6–12: 2 logged days


def test_a_flare_still_under_72_h_is_confirmed_so_far():
    (f,) = at(timeline("3*7 7 7"), 8).of("flare")
    assert f.evidence.data["confirmed"] is True


@pytest.mark.parametrize(
    ("defs", "goals", "today", "expected"),
    [
        pytest.param([WALK], {"walk": "10*7 7 10 10"}, 9, [(7, 7, "settling", 7)], id="a_goal_activity_down_exactly_30_percent_is_a_flare"),
        pytest.param([WALK], {"walk": "10*7 8 10 10"}, 9, [], id="a_goal_activity_down_20_percent_is_not"),
        pytest.param([WALK], {"walk": "10*7 7 6 10 10"}, 10, [(7, 8, "settling", 6)], id="a_goal_flare_peaks_at_its_lowest_value"),
        pytest.param([WALK], {"walk": "10*7 7 7 7 7 10*6"}, 16, [(7, 10, "prolonged", 7)], id="a_goal_activity_still_down_at_96_h_is_prolonged"),
        pytest.param([WALK], {"walk": "10*7 5 5 5 5 10 6*5"}, 16, [(7, 10, "setback", 5)], id="a_goal_activity_that_settles_lower_is_a_setback"),
        pytest.param([WAKINGS], {"wakings": "10*7 13 10 10"}, 9, [(7, 7, "settling", 13)], id="a_decrease_goal_up_30_percent_is_a_flare"),
        pytest.param([WAKINGS], {"wakings": "10*7 12 10 10"}, 9, [], id="a_decrease_goal_up_20_percent_is_not"),
        pytest.param([WALK], {"walk": "0*7 0 0"}, 9, [], id="a_goal_at_zero_cannot_fall_30_percent"),
    ],
)  # fmt: skip
def test_goal_flares(defs: list[Any], goals: dict[str, str], today: int, expected: list[Any]):
    r = at(timeline(goals=goals, goal_defs=defs), today)
    gid = defs[0]["id"]
    assert flares(r, gid) == spans(*expected)
    assert flares(r) == []  # no pain was logged


def test_a_goal_setback_compares_the_new_baseline_with_the_frozen_one():
    """b = 10; days 10–16 are 5 10 6 6 6 6 6: median 6 ≤ 10 × 0.7."""
    r = at(timeline(goals={"walk": "10*7 5 5 5 5 10 6*5"}, goal_defs=[WALK]), 16)
    f = one(r, "flare", goal="walk")
    assert (f.evidence.data["baseline"], f.evidence.data["new_baseline"]) == (10, 6)


@pytest.mark.parametrize(
    ("kw", "today", "expected"),
    [
        pytest.param({"pain": "6*8 3*7 6 6", "sessions": {7: "passive"}}, 16, [], id="pain_back_to_its_usual_6_as_relief_wears_off_is_not_a_flare"),
        pytest.param({"pain": "6*8 3*7 6 6"}, 16, [(15, None, "settling", 6)], id="the_same_rise_from_3_without_a_session_before_it_is_a_flare"),
        pytest.param({"pain": "6*29 3*6 6", "sessions": {7: "passive"}}, 35, [], id="the_guard_still_holds_28_days_after_the_session"),
        pytest.param({"pain": "6*30 3*6 6", "sessions": {7: "passive"}}, 36, [(36, None, "settling", 6)], id="the_guard_has_lapsed_29_days_after_the_session"),
        pytest.param({"pain": "6 6 . . . . . 6 3*7 6 6", "sessions": {7: "passive"}}, 16, [(15, None, "settling", 6)], id="a_session_with_no_baseline_before_it_guards_nothing"),
    ],
)  # fmt: skip
def test_relief_wearing_off_is_not_a_flare(kw: dict[str, Any], today: int, expected):
    """signals.flare step 1 (relief_guard_days 28): within 28 days after a session the flare
    baseline is never more demanding than the baseline before the session (6 here, against a
    week of relief at 3)."""
    assert flares(at(timeline(**kw), today)) == spans(*expected)


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        pytest.param(
            {7: "passive"}, [], id="a_walk_back_to_its_usual_10_after_a_good_week_is_not_a_flare"
        ),
        pytest.param(
            {},
            [(15, None, "settling", 10)],
            id="the_same_fall_from_20_without_a_session_is_a_flare",
        ),
    ],
)
def test_an_increase_goal_is_guarded_by_the_lower_baseline(sessions, expected):
    r = at(timeline(goals={"walk": "10*8 20*7 10 10"}, sessions=sessions), 16)
    assert flares(r, "walk") == spans(*expected)


# --- expected soreness (signals.expected_soreness) ------------------------------------------


@pytest.mark.parametrize(
    ("pain", "today", "soreness", "expected_flares"),
    [
        pytest.param("3*7 3 4 3", 9, None, [], id="a_one_point_rise_is_day_to_day_noise_not_soreness"),
        pytest.param("3*7 3 5 3", 9, (8, 8, 2), [], id="a_two_point_rise_the_day_after_back_by_48_h_is_soreness"),
        pytest.param("3*7 5 6 3", 9, (7, 8, 3), [], id="soreness_is_valued_by_its_largest_rise"),
        pytest.param("3*7 5 5 3", 9, (7, 8, 2), [], id="a_two_point_rise_back_by_48_h_is_soreness_not_a_flare"),
        pytest.param("3*7 3 3 5 3", 10, None, [(9, 9, "settling", 5)], id="a_rise_on_the_second_day_back_only_on_the_third_is_a_flare"),
        pytest.param("3*7 3 5 5 5 3", 11, None, [(8, 10, "settling", 5)], id="a_rise_still_up_at_72_h_is_a_flare_not_soreness"),
        pytest.param("3*7 3 3 3 5 3", 11, None, [(10, 10, "settling", 5)], id="a_rise_three_days_after_the_session_is_not_soreness"),
    ],
)  # fmt: skip
def test_soreness_after_a_session(pain: str, today: int, soreness: Any, expected_flares: list[Any]):
    r = at(timeline(pain, sessions={7: "passive"}), today)
    if soreness is None:
        assert r.of("expected_soreness") == []
    else:
        s = one(r, "expected_soreness")
        start, end, rise = soreness
        assert (s.session, s.start, s.end, s.value) == (day(7), day(start), day(end), rise)
        assert s.evidence.data["baseline"] == 3
    assert flares(r) == spans(*expected_flares)


# --- relief windows (signals.relief_window) ---------------------------------------------------


@pytest.mark.parametrize(
    ("pain", "extra", "today", "expected"),
    [
        pytest.param("6*8 4 4 4 6", {}, 12, (3, 8, 10, False, 3), id="two_points_below_the_pre_session_baseline_is_relief"),
        pytest.param("6*8 5 5 5 6", {}, 12, (0, None, None, False, 0), id="one_point_below_is_not_relief"),
        pytest.param("3*8 2 2 3", {}, 11, (2, 8, 9, False, 2), id="thirty_percent_below_is_relief_though_under_two_points"),
        pytest.param("6*8 4 4 . 4 6", {}, 12, (2, 8, 9, False, 2), id="an_unlogged_day_ends_the_window"),
        pytest.param("6*8 4 4 4", {}, 10, (3, 8, 10, True, 3), id="a_window_still_going_today_is_censored"),
        pytest.param("6*8 4 4 4 4 6", {"sessions": {7: "passive", 10: "passive"}}, 12, (2, 8, 9, True, 2), id="the_window_stops_at_the_next_session_and_is_censored"),
        pytest.param("6*8 4 4 6 6", {"reported": {7: 5}}, 12, (5, 8, 12, False, 2), id="the_patients_own_report_wins_and_the_derived_window_is_kept"),
        pytest.param("6*13", {"goals": {"walk": "10*8 14 14 13 10"}}, 12, (2, 8, 9, False, 2), id="a_goal_easier_by_its_meaningful_change_is_relief"),
        pytest.param("6*13", {"goals": {"walk": "10*8 13 13 10"}}, 12, (0, None, None, False, 0), id="a_goal_easier_by_less_is_not_relief"),
    ],
)  # fmt: skip
def test_relief_window_after_a_session(pain: str, extra: dict[str, Any], today: int, expected):
    r = at(timeline(pain, **({"sessions": {7: "passive"}} | extra)), today)
    w = one(r, "relief_window", session=day(7))
    value, start, end, censored, derived = expected
    assert (w.value, w.start, w.end) == (value, when(start), when(end))
    assert w.evidence.data["censored"] is censored
    assert w.evidence.data["derived"] == derived
    assert w.evidence.data["reported"] == (extra.get("reported") or {}).get(7)


def test_a_session_with_no_baseline_before_it_gets_a_window_of_null():
    r = at(timeline("6 6 6 4 4", sessions={2: "passive"}), 4)
    w = one(r, "relief_window", session=day(2))
    assert w.value is None
    assert w.evidence.data["baseline"] is None
    assert w.evidence.data["derived"] is None


def test_a_session_on_today_has_no_window_yet():
    assert at(timeline("6*8", sessions={7: "passive"}), 7).of("relief_window") == []


def test_the_window_is_judged_against_the_baseline_of_the_week_before_the_session():
    """Days 0–6 are 8 8 8 4 4 4 4: median 4, so pain 2 the day after is a relief day and 3 is not
    (a guess from the first days, 8, would have called both relief)."""
    r = at(timeline("8 8 8 4 4 4 4 4 2 3 4", sessions={7: "passive"}), 10)
    w = one(r, "relief_window")
    assert (w.value, w.evidence.data["baseline"]) == (1, 4)


# --- response and non-response (signals.response_established, signals.non_responder) -------

WEEKLY = {7: "passive", 14: "passive", 21: "passive", 28: "passive"}


def test_a_window_after_the_second_session_is_an_early_response():
    r = at(timeline("6*15 3 6*15", sessions=WEEKLY), 30)
    s = one(r, "response_established")
    assert (s.start, s.end, s.session, s.value, s.status) == (day(14), None, day(14), 1, "early")
    assert s.evidence.data["n"] == 2
    assert r.of("non_responder") == []


def test_four_sessions_without_any_window_is_non_response():
    r = at(timeline("6*31", sessions=WEEKLY), 30)
    s = one(r, "non_responder")
    assert (s.start, s.end, s.value) == (day(7), day(28), 0)
    assert s.evidence.data["windows"] == [0, 0, 0, 0]
    assert r.of("response_established") == []


def test_the_fourth_session_today_is_not_judged_yet():
    assert at(timeline("6*29", sessions=WEEKLY), 28).of("non_responder") == []


def test_a_first_session_without_a_baseline_withholds_the_verdict():
    sessions = {1: "passive", 7: "passive", 14: "passive", 21: "passive"}
    r = at(timeline("6*24", sessions=sessions), 23)
    assert one(r, "relief_window", session=day(1)).value is None
    assert r.of("non_responder") == []


def test_a_late_window_clears_non_response():
    sessions = WEEKLY | {35: "passive"}
    r = at(timeline("6*36 3 6", sessions=sessions), 38)
    s = one(r, "response_established")
    assert (s.session, s.value, s.status) == (day(35), 1, None)  # a late response
    assert s.evidence.data["n"] == 5
    assert r.of("non_responder") == []


# --- movement entry (signals.movement_entry_ready) -------------------------------------------


@pytest.mark.parametrize(
    ("pain", "sessions", "window", "ready"),
    [
        pytest.param("6*8 4*7 5 5 5", {7: "passive", 16: "passive"}, 7, True, id="a_week_of_relief_after_passive_care_is_the_movement_entry_point"),
        pytest.param("6*8 4*6 5 5 5 5", {7: "passive", 16: "passive"}, 6, False, id="six_days_of_relief_is_not_yet"),
        pytest.param("6*8 4*7 5 5 5", {7: "passive", 16: ["passive", "active"]}, 7, False, id="a_later_session_with_active_work_means_movement_has_entered"),
        pytest.param("6*8 4*7 5 5 5", {7: ["passive", "active"], 16: "passive"}, 7, True, id="active_work_in_that_same_session_is_not_later"),
        pytest.param("6*8 4*8 5", {7: "passive", 14: "passive"}, 6, True, id="relief_held_all_week_up_to_the_next_weekly_session"),
        pytest.param("6*8 4*7 5", {7: "passive", 13: "passive"}, 5, False, id="relief_held_up_to_a_session_six_days_later_is_not_yet"),
    ],
)  # fmt: skip
def test_movement_entry(pain: str, sessions: dict[int, Any], window: int, ready: bool):
    r = at(timeline(pain, sessions=sessions), 18)
    assert one(r, "relief_window", session=day(7)).value == window
    if ready:
        s = one(r, "movement_entry_ready")
        assert (s.start, s.session, s.value) == (day(7), day(7), window)
    else:
        assert r.of("movement_entry_ready") == []


# --- passive:active ratio (signals.passive_active_ratio) -------------------------------------


def test_the_passive_share_is_counted_per_28_day_window():
    sessions = {
        7: "passive",
        14: ["passive", "active"],
        21: "passive",
        35: "active",
        42: ["passive", "active", "psychological"],
    }
    r = at(timeline("3*51", sessions=sessions), 50)
    got = [(s.start, s.end, s.value, s.evidence.data["passive"], s.evidence.data["active"])
           for s in r.of("passive_active_ratio")]  # fmt: skip
    assert got == [(day(0), day(27), 0.75, 3, 1), (day(28), day(50), 0.333, 1, 2)]


def test_a_window_with_only_psychological_work_has_no_ratio():
    r = at(timeline("3*30", sessions={3: "psychological", 10: "surgery"}), 29)
    assert r.of("passive_active_ratio") == []


# --- plateau (signals.plateau) ---------------------------------------------------------------

THREE_SESSIONS = {7: "passive", 14: "passive", 21: "passive"}


@pytest.mark.parametrize(
    ("kw", "today", "start"),
    [
        pytest.param({"goals": {"walk": "10*29"}}, 28, 7, id="three_sessions_and_three_weeks_without_movement_is_a_plateau"),
        pytest.param({"goals": {"walk": "10*29"}, "sessions": {7: "passive", 14: "passive"}}, 28, None, id="two_sessions_are_not_enough"),
        pytest.param({"goals": {"walk": "10*25"}, "sessions": {21: "passive", 22: "passive", 23: "passive"}}, 24, 3, id="three_quick_flat_sessions_are_read_over_21_days"),
        pytest.param({"goals": {"walk": "10*10 16*15"}, "sessions": {21: "passive", 22: "passive", 23: "passive"}}, 24, None, id="a_gain_earlier_in_the_21_days_is_not_a_plateau"),
        pytest.param({"goals": {"walk": "10*29"}, "events": {20: "moved house"}}, 28, None, id="an_event_in_the_window_explains_a_flat_stretch"),
        pytest.param({"goals": {"walk": "10*29"}, "events": {3: "moved house"}}, 28, 7, id="an_event_before_the_window_does_not"),
        pytest.param({"goals": {"walk": "10*29"}, "pain": "3*17 7 3*11"}, 28, None, id="a_flare_in_the_window_is_never_a_plateau"),
        pytest.param({"goals": {"walk": "10*29"}, "pain": "3*8 5 3*20"}, 28, 7, id="soreness_in_the_window_is_not_a_flare"),
        pytest.param({"goals": {"walk": "10*7 14*22"}}, 28, None, id="a_goal_that_moved_by_its_meaningful_change_is_not_a_plateau"),
        pytest.param({"goals": {"walk": "10*7 13*22"}}, 28, 7, id="a_goal_that_moved_less_than_its_meaningful_change_is"),
        pytest.param({"goals": {"walk": "10*7 12*22"}, "goal_defs": [goal("walk", 10, 30, meaningful_change=2)]}, 28, None, id="a_goal_with_its_own_meaningful_change_of_2_moved_enough"),
        pytest.param({"goals": {"walk": "10*7 8*22"}}, 28, 7, id="slipping_back_is_no_progress_either"),
        pytest.param({"goals": {"walk": "10*29", "stairs": "3*29"}, "goal_defs": [STAIRS]}, 28, 7, id="a_met_goal_is_ignored_while_another_is_stuck"),
        pytest.param({"goals": {"walk": "30*29"}}, 28, None, id="every_goal_at_target_is_not_a_plateau"),
        pytest.param({"goals": {"walk": "10*20"}}, 28, None, id="no_level_this_week_gives_no_verdict"),
        pytest.param({"goals": {"walk": "10*29"}, "goal_defs": [WALK, STAIRS]}, 28, None, id="a_goal_without_a_level_could_have_moved"),
        pytest.param({"goals": {"wakings": "5*29"}, "goal_defs": [WAKINGS]}, 28, 7, id="a_decrease_goal_stuck_short_of_its_target"),
        pytest.param({"goals": {"wakings": "10*7 8*22"}, "goal_defs": [WAKINGS]}, 28, None, id="a_decrease_goal_down_by_its_meaningful_change"),
    ],
)  # fmt: skip
def test_plateau(kw: dict[str, Any], today: int, start: int | None):
    r = at(timeline(**({"sessions": THREE_SESSIONS} | kw)), today)
    if start is None:
        assert r.of("plateau") == []
    else:
        p = one(r, "plateau")
        assert (p.start, p.end) == (day(start), day(today))


def test_a_plateau_shows_each_open_goal_and_how_little_it_moved():
    r = at(timeline(goals={"walk": "10*7 13*22"}, sessions=THREE_SESSIONS), 28)
    p = one(r, "plateau")
    assert p.evidence.data["window_start"] == iso(7)
    assert p.evidence.data["goals"] == [
        {"goal": "walk", "start_level": 10, "end_level": 13, "moved": 3, "meaningful_change": 4}
    ]


def test_a_plateau_run_starts_at_the_window_of_its_first_point():
    """Evaluated at sessions 21 (no baseline for the window from day 0), 28 (window from 7),
    35 (from 14) and today 36: the run 28–36 starts at the window of 28."""
    sessions = THREE_SESSIONS | {28: "passive", 35: "passive"}
    p = one(at(timeline(goals={"walk": "10*37"}, sessions=sessions), 36), "plateau")
    assert (p.start, p.evidence.data["r0"]) == (day(7), iso(28))


# --- goals (signals.goal_progress, signals.goal_met) ------------------------------------------


@pytest.mark.parametrize(
    ("defs", "walk", "today", "value", "level"),
    [
        pytest.param([WALK], "15*7", 6, 0.25, 15, id="a_quarter_of_the_way"),
        pytest.param([WALK], "14 16 14 16", 3, 0.25, 15, id="an_even_week_uses_the_mean_of_the_middle_two"),
        pytest.param([WALK], "8*7", 6, -0.1, 8, id="worse_than_at_intake_is_negative"),
        pytest.param([WALK], "34*7", 6, 1.2, 34, id="beyond_the_target_is_above_one"),
        pytest.param([goal("walk", 10, 40)], "11*7", 6, 0.033, 11, id="rounded_to_three_decimals"),
        pytest.param([goal("walk", 4, 0)], "3*7", 6, 0.25, 3, id="a_decrease_goal_a_quarter_of_the_way_down"),
        pytest.param([WALK], "15 15 . . . . .", 6, None, None, id="two_logs_this_week_give_no_level"),
        pytest.param([WALK], "30*3 . . . . . . .", 9, None, None, id="no_logs_this_week_give_no_level"),
    ],
)  # fmt: skip
def test_goal_progress(defs: list[Any], walk: str, today: int, value: float | None, level):
    r = at(timeline(goals={"walk": walk}, goal_defs=defs), today)
    g = one(r, "goal_progress", goal="walk")
    assert g.value == value
    assert g.evidence.data["level"] == level


@pytest.mark.parametrize(
    ("defs", "walk", "met_from"),
    [
        pytest.param([WALK], "10*10 30*14", 10, id="at_target_for_14_days_is_met"),
        pytest.param([WALK], "10*11 30*13", None, id="at_target_for_13_days_is_not_yet"),
        pytest.param([WALK], "10*10 " + "30 . " * 6 + "30 30", 10, id="eight_logs_over_the_14_days_are_enough"),
        pytest.param([WALK], "10*10 " + "30 . " * 7, None, id="seven_logs_over_the_14_days_are_too_few"),
        pytest.param([WALK], "10*10 30*13 29", None, id="the_latest_log_short_of_target_is_not_met"),
        pytest.param([WALK], "30*5 29 30*18", 6, id="a_miss_restarts_the_run"),
        pytest.param([goal("walk", 4, 0)], "4*10 0*14", 10, id="a_decrease_goal_at_or_below_its_target"),
    ],
)  # fmt: skip
def test_goal_met(defs: list[Any], walk: str, met_from: int | None):
    r = at(timeline(goals={"walk": walk}, goal_defs=defs), 23)
    if met_from is None:
        assert r.of("goal_met") == []
    else:
        g = one(r, "goal_met", goal="walk")
        assert g.start == day(met_from)


def test_a_miss_restarts_the_run_and_the_shorter_run_is_not_met_yet():
    """Days 11–23 at target after a miss on day 10: 13 days, not 14."""
    assert at(timeline(goals={"walk": "30*10 29 30*13"}), 23).of("goal_met") == []


# --- care simply continuing (signals.care_simply_continuing) --------------------------------

WEEKS = dict.fromkeys(range(7, 57, 7), "passive")  # days 7, 14, …, 56


@pytest.mark.parametrize(
    ("today", "checkpoints", "expected"),
    [
        pytest.param(56, {}, (28, 4), id="four_sessions_after_a_plateau_with_no_decision"),
        pytest.param(49, {}, None, id="three_sessions_after_a_plateau_is_not_yet"),
        pytest.param(56, {30: "continue"}, None, id="a_decision_after_the_plateau_began_is_the_honest_conversation"),
        pytest.param(56, {28: "continue"}, None, id="a_decision_on_the_day_it_began_counts"),
        pytest.param(56, {20: "continue"}, (28, 4), id="a_decision_before_the_plateau_does_not"),
    ],
)  # fmt: skip
def test_care_simply_continuing_after_a_plateau(today: int, checkpoints, expected):
    """The plateau is first seen at session 28 (window from day 7); at 21 its window would
    start on day 0, with no baseline before it."""
    tl = timeline(goals={"walk": f"10*{today + 1}"}, sessions=WEEKS, checkpoints=checkpoints)
    r = at(tl, today)
    assert one(r, "plateau").evidence.data["r0"] == iso(28)
    found = [s for s in r.of("care_simply_continuing") if s.status == "plateau"]
    if expected is None:
        assert found == []
    else:
        (s,) = found
        assert (s.start, s.end) == (day(expected[0]), None)  # until a decision is recorded
        assert s.evidence.data["sessions"] == expected[1]


@pytest.mark.parametrize(
    ("checkpoints", "today", "due"),
    [
        pytest.param({10: {"decision": "ongoing_care", "review_by": iso(40)}}, 41, 40, id="ongoing_care_past_its_review_date"),
        pytest.param({10: {"decision": "ongoing_care", "review_by": iso(40)}}, 40, None, id="ongoing_care_on_its_review_date_is_not_overdue"),
        pytest.param({0: "ongoing_care"}, 91, 90, id="ongoing_care_without_a_review_date_is_due_90_days_on"),
        pytest.param({0: "ongoing_care"}, 90, None, id="ongoing_care_without_a_review_date_on_day_90_is_not_overdue"),
        pytest.param({10: {"decision": "ongoing_care", "review_by": iso(40)}, 30: "continue"}, 41, None, id="a_later_decision_replaces_ongoing_care"),
    ],
)  # fmt: skip
def test_care_simply_continuing_when_ongoing_care_is_not_reviewed(checkpoints, today: int, due):
    r = at(timeline(f"3*{today + 1}", checkpoints=checkpoints), today)
    found = [s for s in r.of("care_simply_continuing") if s.status == "ongoing_care_overdue"]
    if due is None:
        assert found == []
    else:
        (s,) = found
        assert (s.start, s.end) == (day(due), None)


# --- checkpoint due (signals.checkpoint_due) ---------------------------------------------------


@pytest.mark.parametrize(
    ("sessions", "checkpoints", "today", "expected"),
    [
        pytest.param({}, {}, 14, (14, "interval_days", 0), id="fourteen_days_after_the_start"),
        pytest.param({}, {}, 13, None, id="thirteen_days_after_the_start_is_not_due"),
        pytest.param({}, {}, 20, (14, "interval_days", 6), id="six_days_overdue"),
        pytest.param({}, {10: "continue"}, 23, None, id="thirteen_days_after_a_decision_is_not_due"),
        pytest.param({}, {10: "continue"}, 24, (24, "interval_days", 0), id="fourteen_days_after_a_decision"),
        pytest.param({1: "passive", 2: "passive", 3: "passive", 4: "passive"}, {}, 6, (4, "interval_sessions", 2), id="the_fourth_session_comes_before_day_14"),
        pytest.param({1: "passive", 2: "passive", 3: "passive"}, {}, 6, None, id="three_sessions_are_not_enough"),
        pytest.param({2: "passive", 3: "passive", 4: "passive", 5: "passive", 6: "passive"}, {2: "continue"}, 6, (6, "interval_sessions", 0), id="a_session_on_the_decision_day_is_not_after_it"),
        pytest.param({1: "passive", 2: "passive", 3: "passive", 9: "passive"}, {}, 6, None, id="a_session_after_today_does_not_count"),
        pytest.param({3: "intervention"}, {17: "continue"}, 31, (31, "interval_days", 0), id="an_injection_reviewed_14_days_later_is_not_due_again"),
        pytest.param({3: "intervention"}, {5: "continue"}, 16, None, id="thirteen_days_after_an_injection_is_not_due"),
        pytest.param({3: "intervention"}, {5: "continue"}, 17, (17, "after_intervention", 0), id="a_checkpoint_two_days_after_an_injection_is_too_soon_to_review_it"),
        pytest.param({3: "intervention"}, {16: "continue"}, 17, (17, "after_intervention", 0), id="a_checkpoint_13_days_after_an_injection_is_too_soon_to_review_it"),
        pytest.param({}, {10: {"decision": "ongoing_care", "review_by": iso(40)}}, 39, None, id="ongoing_care_is_not_due_every_14_days"),
        pytest.param({11: "passive", 12: "passive", 13: "passive", 14: "passive"}, {10: {"decision": "ongoing_care", "review_by": iso(40)}}, 39, None, id="ongoing_care_is_not_due_every_4_sessions"),
        pytest.param({}, {10: {"decision": "ongoing_care", "review_by": iso(40)}}, 40, (40, "interval_days", 0), id="ongoing_care_is_due_on_its_review_date"),
        pytest.param({}, {10: "ongoing_care"}, 99, None, id="ongoing_care_without_a_review_date_is_not_due_before_90_days"),
        pytest.param({}, {10: "ongoing_care"}, 100, (100, "interval_days", 0), id="ongoing_care_without_a_review_date_is_due_90_days_on"),
        pytest.param({6: "passive", 7: "passive", 8: "passive", 9: "intervention"}, {5: "graduate"}, 40, None, id="nothing_is_due_after_graduation"),
        pytest.param({0: "passive", 1: "passive", 2: "passive", 3: "passive"}, {}, 5, None, id="a_session_on_the_start_day_is_not_after_it"),
        # the same due date: the more specific reason names it
        pytest.param({1: "passive", 2: "passive", 3: "passive", 14: "passive"}, {}, 14, (14, "interval_sessions", 0), id="the_fourth_session_on_day_14_names_the_sessions"),
        pytest.param({3: "intervention"}, {3: "continue"}, 17, (17, "after_intervention", 0), id="an_injection_on_the_decision_day_names_the_injection"),
        pytest.param({3: "intervention", 4: "passive", 5: "passive", 17: "passive"}, {3: "continue"}, 17, (17, "after_intervention", 0), id="an_injection_before_the_sessions_and_the_days"),
    ],
)  # fmt: skip
def test_checkpoint_due(sessions, checkpoints, today: int, expected):
    tl = timeline(f"3*{today + 1}", sessions=sessions, checkpoints=checkpoints)
    r = at(tl, today)
    if expected is None:
        assert r.of("checkpoint_due") == []
    else:
        s = one(r, "checkpoint_due")
        start, status, late = expected
        assert (s.start, s.end, s.status, s.value) == (day(start), None, status, late)


@pytest.fixture(scope="module")
def monthly_clinic(tmp_path_factory: pytest.TempPathFactory):
    """A clinic that reviews every 28 days (interval_days within its allowed 7–56)."""
    root: Path = tmp_path_factory.mktemp("clinic")
    (root / "checkpoints.yaml").write_text(
        "override:\n  reason: monthly reviews\ninterval_days: 28\n"
    )
    return load_knowledge(overrides=root)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(16, None, id="thirteen_days_after_an_injection_is_not_due"),
        pytest.param(17, (17, "after_intervention", 0), id="fourteen_days_after_an_injection_is_due"),
        pytest.param(21, (17, "after_intervention", 4), id="still_due_at_three_weeks"),
    ],
)  # fmt: skip
def test_checkpoint_due_after_an_intervention(monthly_clinic, today: int, expected):
    tl = timeline(f"3*{today + 1}", sessions={3: "intervention"})
    r = at(tl, today, knowledge=monthly_clinic)
    if expected is None:
        assert r.of("checkpoint_due") == []
    else:
        s = one(r, "checkpoint_due")
        assert (s.start, s.status, s.value) == (day(expected[0]), expected[1], expected[2])


def test_an_injection_treatment_id_supplies_its_kind(monthly_clinic, kb):
    injections = [t.id for t in kb.treatments.treatments if t.kind == "intervention"]
    assert injections
    tl = timeline("3*18", sessions={3: injections[0]})
    s = one(at(tl, 17, knowledge=monthly_clinic), "checkpoint_due")
    assert s.status == "after_intervention"


# --- data gap (signals.data_gap) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "today", "expected"),
    [
        pytest.param({"pain": "3*7 3 . 3 . 3 . ."}, 13, (7, 3, 4), id="three_logged_days_of_seven_is_a_gap"),
        pytest.param({"pain": "3*7 3 . 3 . 3 . 3"}, 13, None, id="four_logged_days_of_seven_is_not"),
        pytest.param({"pain": "3 . ."}, 2, (0, 1, 2), id="a_three_day_old_timeline_needs_two_logged_days"),
        pytest.param({"pain": "3 . 3"}, 2, None, id="a_three_day_old_timeline_with_two_logged_days_is_fine"),
        pytest.param({"pain": "3*7 3 . 3 . 3 . .", "events": {8: "moved house"}}, 13, (7, 3, 4), id="a_day_with_only_an_event_is_not_a_logged_day"),
        pytest.param({"pain": "3*7 3 . 3 . 3 . .", "goals": {"walk": ". . . . . . . . 12"}}, 13, None, id="a_goal_value_alone_is_a_logged_day"),
        pytest.param({"pain": "3*7 3 . 3 . 3 . .", "steps": ". . . . . . . . 3000"}, 13, None, id="steps_alone_are_a_logged_day"),
        pytest.param({"pain": "3*6", "checkpoints": {5: "continue"}}, 30, (24, 0, 4), id="no_logs_for_three_weeks_is_a_gap"),
        pytest.param({"pain": "3*6", "checkpoints": {5: "graduate"}}, 30, None, id="no_gap_after_graduation"),
    ],
)  # fmt: skip
def test_data_gap(kw: dict[str, Any], today: int, expected):
    r = at(timeline(**kw), today)
    if expected is None:
        assert r.of("data_gap") == []
    else:
        s = one(r, "data_gap")
        start, logged, required = expected
        assert (s.start, s.end, s.value) == (day(start), day(today), logged)
        assert s.evidence.data["required"] == required


# --- every signal carries its evidence ---------------------------------------------------------


def test_every_signal_names_its_rule_parameters_and_sources():
    tl = timeline("6*15 3 6*15", goals={"walk": "10*31"}, sessions=WEEKLY)
    r = at(tl, 30)
    assert {"relief_window", "response_established", "plateau", "goal_progress"} <= set(r.ids())
    for s in r.signals:
        assert s.evidence.rule == f"signals.{s.id}"
        assert s.evidence.text
        assert s.evidence.parameters
        assert s.evidence.sources


def test_anything_after_today_is_ignored():
    early = at(timeline("3*7 7 3 3"), 8)
    later = at(timeline("3*7 7 3 3", sessions={9: "active"}, checkpoints={9: "continue"}), 8)
    assert early.to_dict() == later.to_dict()
