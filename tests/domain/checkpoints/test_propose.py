"""The checkpoint rules of docs/signals.md ("Checkpoint rules"), in their order: one proposed
decision, every other rule that applied kept as a reason, and the clinician's own decision
kept beside it. Scenarios use the hand-worked timelines of tests/domain/signals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

import painpath
from painpath.domain.checkpoints import CheckpointProposal, propose
from painpath.domain.checkpoints.propose import _target
from painpath.domain.planning.knowledge import PHASES
from painpath.domain.signals.timeline import CheckpointDecision
from tests.conftest import ROOT
from tests.domain.signals.builder import day, iso, timeline

THREE = {7: "passive", 14: "passive", 21: "passive"}
THREE_ACTIVE = {7: "passive", 14: ["passive", "active"], 21: "active"}
WEEKLY = {7: "passive", 14: "passive", 21: "passive", 28: "passive"}

# Each scenario: a timeline and the day it is read on (offsets from 2026-01-05).
SCENARIOS: dict[str, tuple[dict[str, Any], int]] = {
    # walk at its target of 30 on 15 logs over 14 days
    "goals_met": (timeline(goals={"walk": "30*15"}), 14),
    # b = 3, back to 4 on day 10, then 5 a week on: new baseline 5
    "setback": (timeline("3*7 8 8 8 4 5*6"), 16),
    # b = 3, raised days 7–10, back on day 11 (96 h)
    "prolonged": (timeline("3*7 7 7 7 7 3*6"), 16),
    # weekly passive sessions, pain 6 throughout: four windows of 0 days
    "non_responder": (timeline("6*31", sessions=WEEKLY), 30),
    "non_responder_in_settle": (timeline("6*31", sessions=WEEKLY, phase="settle"), 30),
    "non_responder_in_blend": (timeline("6*31", sessions=WEEKLY, phase="blend"), 30),
    # walk flat at 10 of 10 → 30 over days 7–28, three passive sessions
    "plateau_settle": (timeline(goals={"walk": "10*29"}, sessions=THREE, phase="settle"), 28),
    "plateau_extend": (timeline(goals={"walk": "10*29"}, sessions=THREE, phase="extend_window"), 28),
    "plateau_no_phase_passive_only": (timeline(goals={"walk": "10*29"}, sessions=THREE), 28),
    # walk flat at 26: 80 % of the way
    "plateau_near_goal": (timeline(goals={"walk": "26*29"}, sessions=THREE_ACTIVE, phase="blend"), 28),
    # walk flat at 24: 70 % of the way
    "plateau_short_of_near": (timeline(goals={"walk": "24*29"}, sessions=THREE_ACTIVE, phase="blend"), 28),
    "plateau_far": (timeline(goals={"walk": "12*29"}, sessions=THREE_ACTIVE, phase="blend"), 28),
    "plateau_no_phase_with_active": (timeline(goals={"walk": "12*29"}, sessions=THREE_ACTIVE), 28),
    # a 1-day window after the second session
    "response_in_settle": (timeline("6*15 3 6*15", sessions=WEEKLY, phase="settle"), 30),
    "response_in_blend": (timeline("6*15 3 6*15", sessions=WEEKLY, phase="blend"), 30),
    # 7 days of relief after the passive session on day 7
    "movement_extend": (timeline("6*8 4*7 5 5 5", sessions={7: "passive", 16: "passive"}, phase="extend_window"), 18),
    "movement_no_phase": (timeline("6*8 4*7 5 5 5", sessions={7: "passive", 16: "passive"}), 18),
    "movement_in_blend": (timeline("6*8 4*7 5 5 5", sessions={7: "passive", 16: "passive"}, phase="blend"), 18),
    # walk at 20 of 10 → 30: halfway
    "blend_halfway": (timeline(goals={"walk": "20*8"}, phase="blend"), 7),
    "blend_short_of_halfway": (timeline(goals={"walk": "19*8"}, phase="blend"), 7),
    "ongoing_care_chosen": (timeline("3*21", checkpoints={5: {"decision": "ongoing_care", "review_by": iso(60)}}), 20),
    "nothing_to_act_on": (timeline("3*10"), 9),
}  # fmt: skip


def proposal(name: str, **kw: Any) -> CheckpointProposal:
    tl, today = SCENARIOS[name]
    return painpath.propose_checkpoint(tl, today=iso(today), **kw)


def rules(p: CheckpointProposal) -> list[str]:
    return [r.rule for r in p.reasons]


@pytest.mark.parametrize(
    ("scenario", "decision", "rule", "extra"),
    [
        pytest.param("goals_met", "graduate", "checkpoint.graduate", {}, id="every_goal_met_graduates"),
        pytest.param("setback", "adjust", "checkpoint.setback", {}, id="a_setback_adjusts"),
        pytest.param("prolonged", "adjust", "checkpoint.prolonged_flare", {}, id="a_prolonged_flare_adjusts"),
        pytest.param("non_responder", "refer", "checkpoint.non_responder", {"overlap_days": 14}, id="non_response_refers_with_14_days_overlap"),
        pytest.param("non_responder_in_settle", "refer", "checkpoint.non_responder", {"overlap_days": 14}, id="non_response_in_settle_refers"),
        pytest.param("non_responder_in_blend", "continue", "checkpoint.continue", {}, id="non_response_in_blend_is_not_how_active_rehab_is_judged"),
        pytest.param("plateau_settle", "transition", "checkpoint.plateau_passive", {"to": "blend"}, id="a_plateau_in_settle_blends_in_active_work"),
        pytest.param("plateau_extend", "transition", "checkpoint.plateau_passive", {"to": "blend"}, id="a_plateau_in_extend_window_blends_in_active_work"),
        pytest.param("plateau_no_phase_passive_only", "transition", "checkpoint.plateau_passive", {"to": "blend"}, id="a_plateau_with_no_active_work_so_far_blends_it_in"),
        pytest.param("plateau_near_goal", "ongoing_care", "checkpoint.plateau_near_goal", {"review_by": 28 + 90}, id="a_plateau_80_percent_of_the_way_is_ongoing_care_reviewed_in_90_days"),
        pytest.param("plateau_short_of_near", "refer", "checkpoint.plateau", {"overlap_days": 14}, id="a_plateau_70_percent_of_the_way_refers"),
        pytest.param("plateau_far", "refer", "checkpoint.plateau", {"overlap_days": 14}, id="a_plateau_far_from_the_goal_refers"),
        pytest.param("plateau_no_phase_with_active", "refer", "checkpoint.plateau", {"overlap_days": 14}, id="a_plateau_with_active_work_already_refers"),
        pytest.param("response_in_settle", "transition", "checkpoint.response", {"to": "extend_window"}, id="a_response_in_settle_extends_the_window"),
        pytest.param("response_in_blend", "continue", "checkpoint.continue", {}, id="a_response_outside_settle_changes_nothing"),
        pytest.param("movement_extend", "transition", "checkpoint.movement_entry", {"to": "blend"}, id="movement_entry_in_extend_window_blends"),
        pytest.param("movement_no_phase", "transition", "checkpoint.movement_entry", {"to": "blend"}, id="movement_entry_with_no_phase_blends"),
        pytest.param("movement_in_blend", "continue", "checkpoint.continue", {}, id="movement_entry_already_in_blend_changes_nothing"),
        pytest.param("blend_halfway", "transition", "checkpoint.capacity", {"to": "build_capacity"}, id="blend_with_every_goal_halfway_builds_capacity"),
        pytest.param("blend_short_of_halfway", "continue", "checkpoint.continue", {}, id="blend_short_of_halfway_continues"),
        pytest.param("ongoing_care_chosen", "ongoing_care", "checkpoint.ongoing_care_review", {"review_by": 20 + 90}, id="ongoing_care_with_nothing_new_is_renewed"),
        pytest.param("nothing_to_act_on", "continue", "checkpoint.continue", {}, id="nothing_to_act_on_continues"),
    ],
)  # fmt: skip
def test_each_rule_decides(scenario: str, decision: str, rule: str, extra: dict[str, Any]):
    p = proposal(scenario)
    assert p.decision == decision
    assert p.reasons[0].rule == rule
    assert p.reasons[0].text
    assert p.to == extra.get("to")
    assert p.overlap_days == extra.get("overlap_days")
    assert p.review_by == (day(extra["review_by"]) if "review_by" in extra else None)


@pytest.mark.parametrize(
    ("scenario", "signals"),
    [
        ("goals_met", ("goal_met",)),
        ("setback", ("flare",)),
        ("non_responder", ("non_responder",)),
        ("plateau_settle", ("plateau",)),
        ("response_in_settle", ("response_established",)),
        ("movement_extend", ("movement_entry_ready",)),
        ("blend_halfway", ("goal_progress",)),
    ],
)
def test_the_deciding_reason_names_the_signals_it_rests_on(scenario: str, signals):
    p = proposal(scenario)
    assert p.reasons[0].signals == signals
    present = {s.id for s in p.signals}
    assert set(signals) <= present


def test_a_plateau_with_no_phase_recorded_and_no_active_work_yet_blends_in_active_work():
    """signals.md: checkpoint.plateau_passive applies in settle or extend_window, or with no
    phase recorded and no active modality so far — three passive sessions, walk flat at 12 of
    10 → 30: passive care has reached what it can do alone."""
    tl = timeline(goals={"walk": "12*29"}, sessions=THREE)
    p = painpath.propose_checkpoint(tl, today=iso(28))
    assert all(s.evidence.data["active"] == 0 for s in p.signals if s.id == "passive_active_ratio")
    assert (p.decision, p.to, p.reasons[0].rule) == (
        "transition",
        "blend",
        "checkpoint.plateau_passive",
    )


def test_a_recorded_phase_governs_a_plateau_even_without_active_work():
    """In build_capacity the phase label says active work is under way; a plateau there is
    referred on, whatever the session log shows."""
    tl = timeline(goals={"walk": "12*29"}, sessions=THREE, phase="build_capacity")
    p = painpath.propose_checkpoint(tl, today=iso(28))
    assert (p.decision, p.reasons[0].rule) == ("refer", "checkpoint.plateau")


# --- earlier rules win; the others are kept as reasons ------------------------------------------


@pytest.mark.parametrize(
    ("tl", "today", "decision", "expected_rules"),
    [
        pytest.param(timeline("3*7 8 8 8 4 5*6", goals={"walk": "10*7 7 7 7 7 10*6"}), 16, "adjust", ["checkpoint.setback", "checkpoint.prolonged_flare"], id="a_setback_before_a_prolonged_goal_flare"),
        pytest.param(timeline("6*29 9 9 9 9 6", sessions=WEEKLY), 33, "adjust", ["checkpoint.prolonged_flare", "checkpoint.non_responder"], id="a_prolonged_flare_before_non_response"),
        pytest.param(timeline("6*8 4*7 5 5 5", sessions={7: "passive", 16: "passive"}, phase="settle"), 18, "transition", ["checkpoint.response", "checkpoint.movement_entry"], id="a_response_in_settle_before_movement_entry"),
        pytest.param(SCENARIOS["plateau_near_goal"][0], 28, "ongoing_care", ["checkpoint.plateau_near_goal", "checkpoint.capacity"], id="a_plateau_near_the_goal_before_building_capacity"),
        pytest.param(timeline(goals={"walk": "30*29"}, sessions=THREE, phase="blend", checkpoints={5: "ongoing_care"}), 28, "graduate", ["checkpoint.graduate", "checkpoint.capacity", "checkpoint.ongoing_care_review"], id="graduation_before_anything_else"),
    ],
)  # fmt: skip
def test_the_first_rule_decides_and_the_others_are_kept(tl, today, decision, expected_rules):
    p = painpath.propose_checkpoint(tl, today=iso(today))
    assert p.decision == decision
    deciding = [r for r in rules(p) if r.startswith("checkpoint.")]
    assert deciding == expected_rules
    assert "checkpoint.continue" not in rules(p)


def test_a_response_in_settle_with_movement_entry_goes_one_phase_at_a_time():
    p = painpath.propose_checkpoint(
        timeline("6*8 4*7 5 5 5", sessions={7: "passive", 16: "passive"}, phase="settle"),
        today=iso(18),
    )
    assert (p.decision, p.to) == ("transition", "extend_window")


@pytest.mark.parametrize(
    ("checkpoint_day", "decision"),
    [
        pytest.param(5, "adjust", id="a_setback_since_the_last_checkpoint_adjusts"),
        pytest.param(
            12,
            "continue",
            id="a_setback_that_began_before_the_last_checkpoint_was_already_decided_on",
        ),
    ],
)
def test_only_flares_since_the_last_checkpoint_decide(checkpoint_day: int, decision: str):
    tl = timeline("3*7 8 8 8 4 5*6", checkpoints={checkpoint_day: "continue"})
    p = painpath.propose_checkpoint(tl, today=iso(16))
    assert p.decision == decision
    assert p.last_checkpoint is not None and p.last_checkpoint["date"] == iso(checkpoint_day)


# --- notes beside the decision -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tl", "today", "note"),
    [
        pytest.param(timeline("3*7 7 7 7 3*7"), 16, "signals.flare", id="a_flare_that_settled_in_72_h_is_a_normal_response"),
        pytest.param(timeline("3*7 5 5 3", sessions={7: "passive"}), 9, "signals.expected_soreness", id="soreness_back_by_48_h_is_expected"),
        pytest.param(timeline("3*7 3 . 3 . 3 . ."), 13, "signals.data_gap", id="too_few_logs_this_week"),
        pytest.param(timeline("3*42", checkpoints={10: {"decision": "ongoing_care", "review_by": iso(40)}}), 41, "signals.care_simply_continuing", id="ongoing_care_past_its_review"),
    ],
)  # fmt: skip
def test_notes_are_added_as_reasons(tl, today: int, note: str):
    p = painpath.propose_checkpoint(tl, today=iso(today))
    assert note in rules(p)
    assert p.reasons[0].rule.startswith("checkpoint.")


def test_an_open_flare_is_not_called_settled():
    p = painpath.propose_checkpoint(timeline("3*7 7 7"), today=iso(8))
    assert "signals.flare" not in rules(p)


def test_overdue_ongoing_care_is_renewed_and_says_it_is_the_review():
    tl = timeline("3*42", checkpoints={10: {"decision": "ongoing_care", "review_by": iso(40)}})
    p = painpath.propose_checkpoint(tl, today=iso(41))
    assert (p.decision, p.review_by) == ("ongoing_care", day(41 + 90))
    assert p.reasons[0].signals == ("care_simply_continuing",)


# --- what the clinician recorded ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "recorded", "differs"),
    [
        pytest.param("setback", {"decision": "continue", "by": "Dr Okafor", "reason": "moved house that week"}, True, id="a_different_decision_is_kept_with_who_and_why"),
        pytest.param("setback", {"decision": "adjust", "by": "Dr Okafor", "reason": "halve the load"}, False, id="the_same_decision"),
        pytest.param("response_in_settle", {"decision": "transition", "to": "extend_window", "by": "pt"}, False, id="the_same_transition"),
        pytest.param("response_in_settle", {"decision": "transition", "to": "blend", "by": "pt"}, True, id="a_transition_to_another_phase_differs"),
    ],
)  # fmt: skip
def test_a_decision_recorded_today_comes_back_beside_the_proposal(scenario, recorded, differs):
    tl, today = SCENARIOS[scenario]
    tl = {**tl, "checkpoints": [{"date": iso(today), **recorded}]}
    p = painpath.propose_checkpoint(tl, today=iso(today))
    assert p.decision == proposal(scenario).decision  # recording it does not change the proposal
    assert p.recorded is not None
    assert p.recorded["date"] == iso(today)
    assert p.recorded["decision"] == recorded["decision"]
    assert p.recorded["by"] == recorded["by"]
    assert p.recorded.get("reason") == recorded.get("reason")
    assert p.recorded["differs"] is differs
    assert p.last_checkpoint is None
    assert p.to_dict()["recorded"] == p.recorded


def test_a_decision_recorded_before_today_is_the_last_checkpoint_not_the_answer():
    tl, today = SCENARIOS["nothing_to_act_on"]
    tl = {**tl, "checkpoints": [{"date": iso(3), "decision": "adjust", "by": "pt"}]}
    p = painpath.propose_checkpoint(tl, today=iso(today))
    assert p.recorded is None
    assert p.last_checkpoint is not None
    assert (p.last_checkpoint["decision"], p.last_checkpoint["by"]) == ("adjust", "pt")


def test_the_phase_is_the_one_before_todays_decision():
    """A transition recorded today does not move the phase the proposal is made in."""
    tl, today = SCENARIOS["response_in_settle"]
    tl = {**tl, "checkpoints": [{"date": iso(today), "decision": "transition", "to": "extend_window"}]}  # fmt: skip
    p = painpath.propose_checkpoint(tl, today=iso(today))
    assert (p.phase, p.decision, p.to) == ("settle", "transition", "extend_window")


# --- the phase order comes from the plan ------------------------------------------------------


def _plan(name: str) -> painpath.Plan:
    data = json.loads((ROOT / "docs" / "examples" / "intake" / f"{name}.json").read_text())
    return painpath.plan(data, today=dt.date(2026, 1, 5))


@pytest.mark.parametrize(
    ("order", "wanted", "current", "expected"),
    [
        pytest.param(PHASES, "extend_window", "settle", "extend_window", id="the_knowledge_base_order"),
        pytest.param(("settle", "blend", "build_capacity", "graduate"), "extend_window", "settle", "blend", id="a_plan_without_extend_window_moves_to_its_next_phase"),
        pytest.param(("settle", "extend_window", "build_capacity", "graduate"), "blend", "extend_window", "build_capacity", id="a_plan_without_blend_moves_to_its_next_phase"),
        pytest.param(("extend_window", "blend", "build_capacity", "graduate"), "blend", "settle", "blend", id="a_phase_the_plan_has_is_kept"),
    ],
)  # fmt: skip
def test_the_transition_target_follows_the_phase_order(order, wanted, current, expected):
    assert _target(order, wanted, current) == expected


def test_a_plan_with_another_phase_order_changes_the_transition(kb):
    tl, today = SCENARIOS["response_in_settle"]
    full = _plan("02_sciatica_cannot_sit")
    assert [p.id for p in full.phases] == list(PHASES)
    assert painpath.propose_checkpoint(tl, full, today=iso(today)).to == "extend_window"
    short = dataclasses.replace(
        full, phases=tuple(p for p in full.phases if p.id != "extend_window")
    )
    assert painpath.propose_checkpoint(tl, short, today=iso(today)).to == "blend"
    # the same through the engine's own entry point
    report = painpath.signals(tl, today=iso(today))
    framed = dataclasses.replace(report, phase="settle")
    order = ("settle", "blend", "build_capacity", "graduate")
    decided = propose(framed, [], kb.checkpoints, phase_order=order)
    assert (decided.decision, decided.to) == ("transition", "blend")


def test_a_plan_with_no_phases_keeps_the_knowledge_base_order():
    tl, today = SCENARIOS["response_in_settle"]
    referred = _plan("08_cauda_equina")
    assert referred.phases == ()
    assert painpath.propose_checkpoint(tl, referred, today=iso(today)).to == "extend_window"


def test_a_recorded_decision_reads_as_the_model(kb):
    """The recorded list may hold validated decisions directly (the engine's input type)."""
    report = painpath.signals(SCENARIOS["setback"][0], today=iso(16))
    answer = CheckpointDecision.model_validate(
        {"date": day(16), "decision": "continue", "by": "pt"}
    )
    p = propose(report, [answer], kb.checkpoints)
    assert p.decision == "adjust"
    assert p.recorded is not None and p.recorded["differs"] is True


def test_every_proposal_reads_as_json():
    for name in SCENARIOS:
        out = proposal(name).to_dict()
        assert out["decision"] in (
            "continue",
            "adjust",
            "transition",
            "refer",
            "ongoing_care",
            "graduate",
        )
        assert out["reasons"] and all(r["rule"] and r["text"] for r in out["reasons"])
        json.dumps(out)
