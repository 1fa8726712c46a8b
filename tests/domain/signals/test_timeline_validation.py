"""Bad timelines are refused whole, every problem named by its JSON path with what is allowed
(docs/signals.md, "The timeline"); nothing is computed. Then: junk never escapes as anything
but a TimelineError."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import painpath
from painpath._timeline_api import read_timelines
from painpath.domain.signals.timeline import TimelineError
from tests.domain.signals.builder import goal, timeline

TODAY = "2026-02-01"


def valid() -> dict[str, Any]:
    """Days 0–3 (2026-01-05 …) with pain and a walking goal, two sessions, one checkpoint."""
    return timeline(
        "3 4 3 5",
        goals={"walk": "10 10 12 12"},
        goal_defs=[goal("walk", 10, 30)],
        sessions={1: "dry_needling", 3: ["passive", "active"]},
        checkpoints={2: "continue"},
    )


def change(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set ``days.1.pain`` (dot path, list indices as numbers) to ``value``."""

    def apply(t: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = t
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value

    return apply


def swap_days(t: dict[str, Any]) -> None:
    t["days"][1], t["days"][2] = t["days"][2], t["days"][1]


def repeat_day(t: dict[str, Any]) -> None:
    t["days"][2]["date"] = t["days"][1]["date"]


def without_to(t: dict[str, Any]) -> None:
    t["checkpoints"][0] = {"date": "2026-01-07", "decision": "transition", "by": "pt"}


BAD = [
    pytest.param(swap_days, "days[2].date", "2026-01-06 comes before days[1].date 2026-01-07: list days in date order", id="days_out_of_order"),
    pytest.param(repeat_day, "days[2].date", "2026-01-06 repeats days[1].date", id="the_same_day_twice"),
    pytest.param(change("days.1.pain", 11), "days[1].pain", "11 is out of range 0–10", id="pain_11"),
    pytest.param(change("days.1.pain", -1), "days[1].pain", "-1 is out of range 0–10", id="pain_minus_1"),
    pytest.param(change("days.1.pain", 6.5), "days[1].pain", "6.5: give a whole number in 0–10", id="pain_6_and_a_half"),
    pytest.param(change("days.1.pain", "7"), "days[1].pain", '"7": give a whole number in 0–10', id="pain_as_text"),
    pytest.param(change("days.1.steps", -5), "days[1].steps", "-5 is out of range 0–200 000 steps", id="negative_steps"),
    pytest.param(change("days.1.sitting_min", 1441), "days[1].sitting_min", "1441 is out of range 0–1440 minutes", id="sitting_longer_than_a_day"),
    pytest.param(change("days.1.sleep_h", 25), "days[1].sleep_h", "25 is out of range 0–24 hours", id="sleep_25_hours"),
    pytest.param(change("days.1.function", 11), "days[1].function", "11 is out of range 0–10", id="function_11"),
    pytest.param(change("sessions.0.date", "2026-01-04"), "sessions[0].date", "2026-01-04 is before start 2026-01-05", id="a_session_before_the_start"),
    pytest.param(change("days.0.date", "2026-01-04"), "days[0].date", "2026-01-04 is before start 2026-01-05", id="a_day_before_the_start"),
    pytest.param(change("checkpoints.0.date", "2026-01-04"), "checkpoints[0].date", "2026-01-04 is before start 2026-01-05", id="a_checkpoint_before_the_start"),
    pytest.param(change("days.1.goals.run", 3), "days[1].goals.run", "unknown goal id (goals: walk)", id="an_unknown_goal_id"),
    pytest.param(change("goals.0.target", 10), "goals[0].target", "10 must be above the baseline 10 for a goal to increase", id="a_target_equal_to_the_baseline"),
    pytest.param(change("goals.0.target", 5), "goals[0].target", "5 must be above the baseline 10 for a goal to increase", id="a_target_the_wrong_way_for_increase"),
    pytest.param(change("goals.0.direction", "decrease"), "goals[0].target", "30 must be below the baseline 10 for a goal to decrease", id="a_target_the_wrong_way_for_decrease"),
    pytest.param(without_to, "checkpoints[0].to", "required for a transition: the phase it moves to", id="a_transition_without_to"),
    pytest.param(change("checkpoints.0", {"date": "2026-01-07", "decision": "ongoing_care", "review_by": "2026-04-07"}), None, None, id="review_by_exactly_90_days_after_is_fine"),
    pytest.param(change("checkpoints.0", {"date": "2026-01-07", "decision": "ongoing_care", "review_by": "2026-04-08"}), "checkpoints[0].review_by", "2026-04-08 must fall within 2026-01-07–2026-04-07 (at most 90 days after the decision)", id="review_by_91_days_after"),
    pytest.param(change("checkpoints.0", {"date": "2026-01-07", "decision": "ongoing_care", "review_by": "2026-01-06"}), "checkpoints[0].review_by", "2026-01-06 must fall within 2026-01-07–2026-04-07 (at most 90 days after the decision)", id="review_by_before_the_decision"),
    pytest.param(change("checkpoints.0", {"date": "2026-01-07", "decision": "refer", "overlap_days": 181}), "checkpoints[0].overlap_days", "181 is out of range 0–180 days", id="an_overlap_of_181_days"),
    pytest.param(change("sessions.0.modalities", [{"name": "reiki"}]), "sessions[0].modalities[0].kind", "required for 'reiki', which is not a treatment id of the knowledge base (passive, active, psychological, intervention, surgery)", id="an_unknown_modality_without_a_kind"),
    pytest.param(change("sessions.0.modalities", [{"name": "reiki", "kind": "passive"}]), None, None, id="an_unknown_modality_with_a_kind_is_fine"),
    pytest.param(change("sessions.0.relief_window_days", 366), "sessions[0].relief_window_days", "366 is out of range 0–365 days", id="a_relief_window_over_a_year"),
    pytest.param(change("days.0.date", "2026-02-30"), "days[0].date", '"2026-02-30" is not a calendar date', id="february_30"),
    pytest.param(change("days.0.date", "05/01/2026"), "days[0].date", '"05/01/2026": give a date as YYYY-MM-DD', id="a_date_not_in_iso_form"),
    pytest.param(change("start", "1989-12-31"), "start", "1989-12-31 is outside 1990–2100", id="a_start_before_1990"),
    pytest.param(change("phase", "heal"), "phase", "\"heal\" is not one of 'settle', 'extend_window', 'blend', 'build_capacity' or 'graduate'", id="an_unknown_phase"),
    pytest.param(change("mood", "good"), "mood", "unknown field", id="an_unknown_field"),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "path", "message"), BAD)
def test_bad_input_is_refused_with_its_path(mutate, path: str | None, message: str | None):
    t = valid()
    mutate(t)
    if path is None:
        assert read_timelines(t)
        return
    with pytest.raises(TimelineError) as caught:
        painpath.signals(t, today=TODAY)
    assert caught.value.problems == ((path, message),)
    assert str(caught.value) == f"{path}: {message}"


def test_every_problem_is_named_at_once():
    t = valid()
    change("days.1.pain", 11)(t)
    change("days.2.steps", -5)(t)
    change("sessions.0.modalities", [{"name": "reiki"}])(t)
    with pytest.raises(TimelineError) as caught:
        painpath.propose_checkpoint(t, today=TODAY)
    assert [p for p, _ in caught.value.problems] == [
        "days[1].pain",
        "days[2].steps",
        "sessions[0].modalities[0].kind",
    ]


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        pytest.param([1], [("[0]", "a timeline is a JSON object, not 1")], id="a_number_in_the_list"),
        pytest.param("p1", [("(timeline)", 'a timeline is a JSON object, not "p1"')], id="text"),
        pytest.param(None, [("(timeline)", "a timeline is a JSON object, not null")], id="null"),
        pytest.param([], [("(timelines)", "the list holds no timeline")], id="an_empty_list"),
    ],
)  # fmt: skip
def test_a_non_object_is_refused(data: Any, problems: list[tuple[str, str]]):
    with pytest.raises(TimelineError) as caught:
        read_timelines(data)
    assert list(caught.value.problems) == problems


def test_a_list_with_a_repeated_patient_id_names_the_repeat():
    other = valid() | {"patient_id": "p2"}
    with pytest.raises(TimelineError) as caught:
        painpath.signals_batch([valid(), other, valid()], today=TODAY)
    assert caught.value.problems == (("[2].patient_id", "'p1' repeats [0]"),)


def test_problems_inside_a_list_are_prefixed_by_the_timeline():
    bad = valid() | {"patient_id": "p2"}
    change("days.1.pain", 11)(bad)
    with pytest.raises(TimelineError) as caught:
        painpath.signals_batch([valid(), bad, "x"], today=TODAY)
    assert caught.value.problems == (
        ("[1].days[1].pain", "11 is out of range 0–10"),
        ("[2]", 'a timeline is a JSON object, not "x"'),
    )


def test_signals_for_one_patient_refuses_a_list_of_two_with_a_timeline_error():
    """`painpath.signals` takes one timeline: handed two (a clinic file), it must say so as a
    TimelineError like any other bad input, not fail inside."""
    with pytest.raises(TimelineError):
        painpath.signals([valid(), valid() | {"patient_id": "p2"}], today=TODAY)


def test_a_bad_today_is_a_timeline_error():
    with pytest.raises(TimelineError) as caught:
        painpath.signals(valid(), today="2026-13-01")
    assert caught.value.problems == (("today", '"2026-13-01" is not a calendar date'),)


# --- junk never escapes as another exception --------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.dates(min_value=dt.date(1985, 1, 1)).map(str)
    | st.sampled_from(["passive", "dry_needling", "transition", "ongoing_care", "walk", "settle"])
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)  # fmt: skip
# Values a real file might hold: often valid, so the engine runs on the mutation too.
PLAUSIBLE = (
    st.none()
    | st.integers(-1, 12)
    | st.floats(0, 40)
    | st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 1)).map(str)
    | st.sampled_from(["passive", "active", "dry_needling", "continue", "walk", "decrease"])
)
FIELDS = ["patient_id", "start", "phase", "goals", "days", "sessions", "checkpoints", "about"]


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*at, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid timeline with one to three parts replaced, removed or duplicated."""
    t: Any = copy.deepcopy(valid())
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(t)))
        if not path:
            return draw(JUNK)
        *parents, last = path
        node = t
        for key in parents:
            node = node[key]
        how = draw(st.sampled_from(["replace", "remove", "duplicate"]))
        if how == "replace":
            node[last] = draw(PLAUSIBLE | JUNK)
        elif how == "remove":
            del node[last]
        elif isinstance(node, list):
            node.insert(last, copy.deepcopy(node[last]))
        else:
            node[draw(st.sampled_from(FIELDS))] = copy.deepcopy(node[last])
    return t


def _refused_or_computed(data: Any) -> None:
    try:
        read_timelines(data)
    except TimelineError as exc:
        assert exc.problems
        assert all(isinstance(p, str) and isinstance(m, str) and m for p, m in exc.problems)
        return
    event("valid, computed")
    report = painpath.signals(data, today=TODAY)
    assert report.patient_id == data["patient_id"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JUNK | st.dictionaries(st.sampled_from(FIELDS), JUNK, max_size=6))
def test_random_junk_is_refused_as_a_timeline_error(data: Any):
    _refused_or_computed(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_timeline_is_valid_or_refused_as_a_timeline_error(data: Any):
    _refused_or_computed(data)
