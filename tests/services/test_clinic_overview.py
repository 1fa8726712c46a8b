"""The clinic overview (the clinician's patient list) and the clinic lead's panel, on real
databases (SQLite and PostgreSQL), over a clinic built through the use cases: patients whose
logs make a prolonged flare, a setback, a plateau with care simply continuing and a data gap; an
intake at 120 MME/day and one whose opioid dose came down; a cauda equina intake; graduated and
closed episodes; an episode still waiting for its intake. Every expected number is worked out
by hand from docs/signals.md and docs/clinic-panel.md."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from painpath.knowledge import KnowledgeBase
from painpath.services import care, checkpoints, clinic, intake, patients, plans
from painpath.services.clinic import BADGE_IDS, EpisodeRow, Panel
from painpath.services.commands import (
    DayInput,
    EpisodeInput,
    GraduateInput,
    PatientInput,
    PlanRevisionInput,
    SessionInput,
)
from painpath.services.errors import Forbidden, NotFound
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import AuditEvent, Clinic, Episode, User
from painpath.store.unit_of_work import SqlUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
INTAKES = ROOT / "docs" / "examples" / "intake"
START = dt.date(2026, 3, 2)
TODAY = START + dt.timedelta(days=21)  # 2026-03-23


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INTAKES / name).read_text(encoding="utf-8"))
    return data


def sciatica() -> dict[str, Any]:
    """Three goals (g1 sitting, g2 walking, g3 driving), each from 10 minutes; no opioid."""
    return example("02_sciatica_cannot_sit.json")


def oxycodone(doses_per_day: int) -> dict[str, Any]:
    """OxyContin 20 mg × doses_per_day: 20 × n mg/day × 1.5 = 30 × n MME/day."""
    data = copy.deepcopy(example("10_failed_flaring_active_programme.json"))
    data["medications"][0]["doses_per_day"] = doses_per_day
    return data


@dataclass
class World:
    factory: Any
    kb: KnowledgeBase
    doc: Principal
    admin: Principal
    patient: Principal
    doc_y: Principal
    clinic_x: str
    episodes: dict[str, str] = field(default_factory=dict)
    patient_ids: dict[str, str] = field(default_factory=dict)

    def uow(self, principal: Principal) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.factory, principal, client="test")

    def new_patient(self, name: str, principal: Principal | None = None) -> str:
        p = patients.create_patient(self.uow(principal or self.doc), PatientInput(name=name))
        self.patient_ids[name] = p.id
        return p.id

    def open(
        self, key: str, name: str, start: dt.date, data: dict[str, Any] | None, *, by: Any = None
    ) -> str:
        who = by or self.doc
        pid = self.patient_ids.get(name) or self.new_patient(name, who)
        episode = patients.open_episode(
            self.uow(who), pid, EpisodeInput(title=f"{name}'s back", start_date=start)
        )
        if data is not None:
            intake.submit_intake(self.uow(who), episode.id, data, today=start, knowledge=self.kb)
        self.episodes[key] = episode.id
        return episode.id

    def log(self, name: str, first: int, values: list[dict[str, Any]]) -> None:
        for offset, value in enumerate(values):
            care.log_day(
                self.uow(self.doc),
                self.patient_ids[name],
                day(first + offset),
                DayInput(**value),
                today=TODAY,
            )

    def session(self, key: str, offset: int) -> None:
        care.record_session(
            self.uow(self.doc),
            self.episodes[key],
            SessionInput(date=day(offset), modalities=[{"name": "massage", "kind": "passive"}]),
            today=TODAY,
            knowledge=self.kb,
        )

    def graduate(self, key: str, offset: int) -> None:
        checkpoints.graduate(
            self.uow(self.doc),
            self.episodes[key],
            GraduateInput(date=day(offset), reason="goals reached", expected_version=1),
            today=day(offset),
            knowledge=self.kb,
        )

    def overview(self, principal: Principal | None = None, **kw: Any) -> dict[str, EpisodeRow]:
        rows = clinic.clinic_overview(
            self.uow(principal or self.doc), today=TODAY, knowledge=self.kb, **kw
        )
        by_episode = {r.episode_id: r for r in rows}
        assert len(by_episode) == len(rows)
        names = {v: k for k, v in self.episodes.items()}
        return {names.get(r.episode_id, r.episode_id): r for r in rows}

    def panel(self, principal: Principal | None = None) -> Panel:
        return clinic.clinic_panel(
            self.uow(principal or self.admin), today=TODAY, knowledge=self.kb
        )

    def audit(self) -> list[tuple[str, str, str | None, str | None]]:
        with self.factory() as s:
            rows = s.execute(
                select(
                    AuditEvent.action,
                    AuditEvent.outcome,
                    AuditEvent.record_type,
                    AuditEvent.record_id,
                ).order_by(AuditEvent.id)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]


def principals(factory: Any) -> tuple[dict[str, Principal], str, str]:
    with factory() as s:
        x, y = Clinic(name="Clinic X"), Clinic(name="Clinic Y")
        s.add_all([x, y])
        s.flush()
        users = {
            "doc": User(clinic_id=x.id, username="doc.x", display_name="d", role="physician"),
            "admin": User(
                clinic_id=x.id, username="admin.x", display_name="a", role="clinic_admin"
            ),
            "doc_y": User(clinic_id=y.id, username="doc.y", display_name="y", role="physician"),
        }
        s.add_all(users.values())
        s.commit()
        found = {
            k: Principal(user_id=u.id, username=u.username, role=u.role, clinic_id=u.clinic_id)
            for k, u in users.items()
        }
        return found, x.id, y.id


@pytest.fixture
def world(database_url: str, kb: KnowledgeBase) -> Iterator[World]:
    """Clinic X on TODAY = START + 21 (every expectation below is about this day):

    - flora: pain 3 for 18 days, then 7 from day 18 — raised on the log 72 h after it began,
      and too soon for a new baseline a week on: a prolonged flare, still going.
    - sam: pain 3 for 12 days, then 7 from day 12 — a week on it is still 7: a setback.
    - pat: since START − 42, goals flat at their baseline of 10 and pain 5 every day, a passive
      session weekly: a plateau that has gone on through four more sessions without a
      checkpoint — care simply continuing.
    - dee: logs every day for two weeks, then only 2 of the last 7 days: a data gap.
    - max: OxyContin 20 mg four times a day from START + 10: 120 MME/day. The intake (example
      10) answers PHQ-9 item 9 above 0: an urgent safety red flag.
    - opal: the same intake with OxyContin twice a day (60 MME/day) from START + 10, revised
      down to 30, then a free-form revision that says nothing of opioids.
    - cara: the cauda equina intake: emergency red flags, the plan blocked; no logs.
    - gina: graduated after 60 days with one goal twice its baseline (a meaningful change), now
      back with a new episode whose intake is only a draft.
    - hal: graduated after 30 days, goals barely moved (11 from 10: no meaningful change).
    - cole: an episode closed after 35 days without graduating (stored directly).
    Clinic Y: yuri, with an intake.
    """
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    found, x_id, _ = principals(factory)
    w = World(
        factory=factory,
        kb=kb,
        doc=found["doc"],
        admin=found["admin"],
        patient=found["doc"],  # replaced below, once flora has a record
        doc_y=found["doc_y"],
        clinic_x=x_id,
    )
    w.open("flora", "Flora", START, sciatica())
    w.log("Flora", 0, [{"pain": 3}] * 18 + [{"pain": 7}] * 4)
    w.open("sam", "Sam", START, sciatica())
    w.log("Sam", 0, [{"pain": 3}] * 12 + [{"pain": 7}] * 10)
    w.open("pat", "Pat", day(-42), sciatica())
    flat = {"pain": 5, "goals": {"g1": 10, "g2": 10, "g3": 10}}
    w.log("Pat", -42, [flat] * 64)
    for offset in (-41, -34, -27, -20, -13, -6, 1, 8, 15):
        w.session("pat", offset)
    w.open("dee", "Dee", START, sciatica())
    w.log("Dee", 0, [{"pain": 4}] * 14)
    w.log("Dee", 16, [{"pain": 4}])
    w.log("Dee", 19, [{"pain": 4}])
    w.open("max", "Max", day(10), oxycodone(4))
    w.log("Max", 10, [{"pain": 5}] * 12)
    w.open("opal", "Opal", day(10), oxycodone(2))
    w.log("Opal", 10, [{"pain": 5}] * 12)
    first = plans.current_plan(w.uow(w.doc), w.episodes["opal"]).data
    lower = copy.deepcopy(first)
    lower["mme"]["total_mme_per_day"] = 30.0
    plans.revise_plan(
        w.uow(w.doc),
        w.episodes["opal"],
        PlanRevisionInput(expected_version=1, reason="halved the OxyContin", plan=lower),
    )
    plans.revise_plan(
        w.uow(w.doc),
        w.episodes["opal"],
        PlanRevisionInput(expected_version=2, reason="walking added", plan={"note": "walk"}),
    )
    w.open("cara", "Cara", START, example("08_cauda_equina.json"))
    w.open("gina_before", "Gina", day(-70), sciatica())
    w.log("Gina", -16, [{"pain": 2, "goals": {"g1": 20, "g2": 10, "g3": 10}}] * 7)
    w.graduate("gina_before", -10)
    w.open("gina", "Gina", START, None)
    intake.save_intake_draft(w.uow(w.doc), w.episodes["gina"], {"age": 51})
    w.open("hal", "Hal", day(-50), sciatica())
    w.log("Hal", -26, [{"pain": 3, "goals": {"g1": 11, "g2": 11, "g3": 11}}] * 7)
    w.graduate("hal", -20)
    cole = w.new_patient("Cole")
    with factory() as s:
        closed = Episode(
            clinic_id=x_id,
            patient_id=cole,
            title="Cole's knee",
            start_date=day(-40),
            status="closed",
            ended_on=day(-5),
        )
        s.add(closed)
        flora = User(
            clinic_id=x_id,
            username="flora.x",
            display_name="Flora",
            role="patient",
            patient_id=w.patient_ids["Flora"],
        )
        s.add(flora)
        s.commit()
        w.episodes["cole"] = closed.id
        w.patient = Principal(
            user_id=flora.id,
            username=flora.username,
            role="patient",
            clinic_id=x_id,
            patient_id=flora.patient_id,
        )
    w.open("yuri", "Yuri", START, sciatica(), by=w.doc_y)
    yield w
    engine.dispose()


def badges(row: EpisodeRow) -> list[str]:
    return [b.id for b in row.badges]


OPEN = ["flora", "sam", "pat", "dee", "max", "opal", "cara", "gina"]


# --- the patient list ---------------------------------------------------------------------------


def test_the_patient_list_shows_every_open_episode_of_the_clinic_with_its_badges(
    world: World,
) -> None:
    rows = world.overview()
    assert sorted(rows) == sorted(OPEN)
    assert {k: badges(r) for k, r in rows.items()} == {
        # danger first, then warning, info, good; within a severity in BADGE_IDS order
        "flora": ["flare_prolonged", "checkpoint_due"],
        "sam": ["setback", "checkpoint_due"],
        "pat": ["plateau", "care_simply_continuing", "checkpoint_due"],
        "dee": ["checkpoint_due", "data_gap"],
        "max": ["red_flag", "mme_90"],
        "opal": ["red_flag"],
        "cara": ["red_flag", "plan_blocked", "checkpoint_due", "data_gap"],
        "gina": ["intake_needed"],
    }
    # The rows come by patient name.
    assert [r.patient_name for r in world.overview().values()] == sorted(
        r.patient_name for r in rows.values()
    )


def test_a_prolonged_flare_is_a_danger_badge_with_its_evidence_and_an_adjust_proposal(
    world: World,
) -> None:
    flora = world.overview()["flora"]
    flare = flora.badges[0]
    assert (flare.label, flare.severity) == ("Prolonged flare", "danger")
    assert flare.detail.startswith(f"Flare of pain from {day(18)}: worst 7")
    assert "a prolonged flare, reassess" in flare.detail
    assert flora.proposal == "adjust"
    assert flora.proposal_reason is not None and "not settled within 72 h" in flora.proposal_reason
    assert (flora.phase, flora.has_intake, flora.last_log) == ("settle", True, TODAY)
    assert "flare" in flora.signal_ids


def test_a_setback_is_a_warning(world: World) -> None:
    sam = world.overview()["sam"]
    setback = sam.badges[0]
    assert (setback.id, setback.label, setback.severity) == ("setback", "Setback", "warning")
    assert "A setback: reassess." in setback.detail
    assert sam.proposal == "adjust"


def test_a_plateau_on_passive_care_shows_plateau_and_care_simply_continuing(world: World) -> None:
    pat = world.overview()["pat"]
    assert [b.severity for b in pat.badges] == ["warning", "warning", "info"]
    assert pat.proposal == "transition"  # plateau in settle: blend active work in
    assert pat.checkpoint_due
    # 14 days after the start (START − 42) came before the 4th session (START − 20).
    assert pat.next_checkpoint == day(-28)


def test_checkpoint_due_and_next_checkpoint(world: World) -> None:
    rows = world.overview()
    # due by days: 14 days after the start, no decision yet
    assert (rows["flora"].checkpoint_due, rows["flora"].next_checkpoint) == (True, day(14))
    # started on START + 10: the first checkpoint falls due on START + 24, after TODAY
    assert (rows["max"].checkpoint_due, rows["max"].next_checkpoint) == (False, day(24))
    # no intake: no signals and no checkpoint
    gina = rows["gina"]
    assert (gina.checkpoint_due, gina.next_checkpoint, gina.proposal) == (False, None, None)
    assert (gina.signal_ids, gina.has_intake, gina.has_draft) == ((), False, True)
    assert gina.badges[0].detail == "No intake has been submitted: a draft is saved."


def test_a_data_gap_is_a_prompt_and_the_last_log_is_shown(world: World) -> None:
    dee = world.overview()["dee"]
    gap = dee.badges[-1]
    assert (gap.id, gap.severity) == ("data_gap", "info")
    assert gap.detail.startswith(f"Only 2 logged day(s) from {day(15)} to {TODAY}")
    assert dee.last_log == day(19)


def test_an_urgent_safety_flag_is_a_red_flag_badge(world: World) -> None:
    red = world.overview()["opal"].badges[0]
    assert (red.id, red.label, red.severity) == ("red_flag", "Red flag: urgent", "danger")
    assert "Same-day clinician suicide-risk review" in red.detail


def test_an_emergency_red_flag_and_the_blocked_plan_come_first(world: World) -> None:
    cara = world.overview()["cara"]
    red, blocked = cara.badges[:2]
    assert (red.label, red.severity) == ("Red flag: emergency", "danger")
    assert "New or worsening bilateral sciatica (emergency): Emergency department now" in red.detail
    assert (blocked.label, blocked.severity) == ("Plan blocked", "danger")
    assert blocked.detail.startswith("Emergency red flag: New or worsening bilateral sciatica")
    assert cara.phase is None  # an emergency plan has no phase
    assert cara.last_log is None


def test_mme_comes_from_the_first_and_the_latest_plan_that_says_it(world: World) -> None:
    rows = world.overview()
    max_, opal, flora = rows["max"], rows["opal"], rows["flora"]
    assert (max_.mme_intake, max_.mme_now) == (120.0, 120.0)
    badge = max_.badges[-1]
    assert (badge.label, badge.severity) == ("MME ≥ 90", "danger")
    assert badge.detail == "120 MME/day in the current plan (120 at intake)."
    # revision 2 lowered it to 30; revision 3 says nothing of opioids, so 2 is "now"
    assert (opal.mme_intake, opal.mme_now) == (60.0, 30.0)
    assert (opal.on_opioids_intake, opal.on_opioids_now) == (True, True)
    # a plan without opioids: zero, not unknown
    assert (flora.mme_intake, flora.mme_now, flora.on_opioids_now) == (0.0, 0.0, False)
    assert (rows["gina"].mme_intake, rows["gina"].mme_now) == (None, None)


def test_only_the_higher_mme_badge_is_shown(world: World) -> None:
    # Max's current plan at 60 MME/day: now only "MME ≥ 50"
    first = plans.current_plan(world.uow(world.doc), world.episodes["max"]).data
    lower = copy.deepcopy(first)
    lower["mme"]["total_mme_per_day"] = 60.0
    plans.revise_plan(
        world.uow(world.doc),
        world.episodes["max"],
        PlanRevisionInput(expected_version=1, reason="tapering", plan=lower),
    )
    badge = world.overview()["max"].badges[-1]
    assert [b.id for b in world.overview()["max"].badges] == ["red_flag", "mme_50"]
    assert (badge.id, badge.label, badge.severity) == ("mme_50", "MME ≥ 50", "warning")


def test_the_overview_agrees_with_each_episodes_own_evaluation(world: World) -> None:
    rows = world.overview()
    for key in OPEN:
        if not rows[key].has_intake:
            continue
        alone = checkpoints.evaluate_episode(
            world.uow(world.doc), world.episodes[key], today=TODAY, knowledge=world.kb
        )
        assert rows[key].signal_ids == tuple(alone.report.ids()), key
        assert rows[key].phase == alone.report.phase, key
        assert rows[key].proposal == alone.proposal.decision, key


def test_ended_episodes_are_listed_only_on_request_and_without_badges(world: World) -> None:
    rows = world.overview(include_closed=True)
    assert sorted(rows) == sorted([*OPEN, "gina_before", "hal", "cole"])
    for key, status, ended in (
        ("gina_before", "graduated", day(-10)),
        ("hal", "graduated", day(-20)),
        ("cole", "closed", day(-5)),
    ):
        row = rows[key]
        assert (row.status, row.ended_on, row.badges, row.signal_ids) == (status, ended, (), ())
        assert (row.proposal, row.checkpoint_due, row.next_checkpoint) == (None, False, None)
    assert rows["gina_before"].phase == "graduate"
    assert rows["gina_before"].last_log == day(-10)


def test_another_clinics_episodes_never_appear(world: World) -> None:
    mine = world.overview(include_closed=True)
    assert world.episodes["yuri"] not in {r.episode_id for r in mine.values()}
    theirs = world.overview(world.doc_y, include_closed=True)
    assert list(theirs) == ["yuri"]
    panel = world.panel(world.doc_y)
    assert (panel.open_episodes, panel.closed_total) == (1, 0)


def test_a_patient_gets_neither_the_list_nor_the_panel(world: World) -> None:
    with pytest.raises(Forbidden):
        world.overview(world.patient)
    with pytest.raises(Forbidden):
        world.panel(world.patient)
    assert world.audit()[-2:] == [
        ("clinic.overview", "denied", "clinic", world.clinic_x),
        ("clinic.panel", "denied", "clinic", world.clinic_x),
    ]


def test_the_clinic_admin_reads_the_list_and_each_read_is_audited_once(world: World) -> None:
    before = len(world.audit())
    assert sorted(world.overview(world.admin)) == sorted(OPEN)
    world.panel(world.admin)
    assert world.audit()[before:] == [
        ("clinic.overview", "success", "clinic", world.clinic_x),
        ("clinic.panel", "success", "clinic", world.clinic_x),
    ]


# --- the panel ------------------------------------------------------------------------------------


def test_the_panel_counts_open_episodes_per_badge_with_zeros(world: World) -> None:
    panel = world.panel()
    assert panel.today == TODAY
    assert panel.open_episodes == 8
    assert [c.id for c in panel.signal_counts] == list(BADGE_IDS)
    counts = {c.id: c.count for c in panel.signal_counts}
    assert counts == {
        "red_flag": 3,
        "plan_blocked": 1,
        "red_flags_not_screened": 0,
        "flare_prolonged": 1,
        "setback": 1,
        "flare": 0,
        "non_responder": 0,
        "plateau": 1,
        "care_simply_continuing": 1,
        "movement_entry_ready": 0,
        "checkpoint_due": 5,
        "data_gap": 2,
        "mme_90": 1,
        "mme_50": 0,
        "goal_met": 0,
        "intake_needed": 1,
        "data_error": 0,
    }
    due = next(c for c in panel.signal_counts if c.id == "checkpoint_due")
    assert [r.patient_name for r in due.rows] == ["Cara", "Dee", "Flora", "Pat", "Sam"]
    labels = {c.id: c.label for c in panel.signal_counts}
    assert (labels["mme_90"], labels["mme_50"]) == ("MME ≥ 90", "MME 50 to under 90")
    assert [r.patient_name for r in panel.care_simply_continuing] == ["Pat"]


def test_graduation_rate_and_median_days_to_graduation(world: World) -> None:
    panel = world.panel()
    # ended: gina's first episode (graduated after 60 days), hal (30 days), cole (closed)
    assert (panel.graduated, panel.closed_total) == (2, 3)
    assert panel.graduation_rate == pytest.approx(2 / 3)
    assert panel.median_days_to_graduation == 45.0


def test_meaningful_change_counts_episodes_whose_goals_can_be_judged(world: World) -> None:
    panel = world.panel()
    # Judged: pat (open, level 10 = baseline: no), gina's first episode (g1 20 from 10 in her
    # last week: a move of 10 ≥ 20 % of the 20 to target — yes), hal (11 from 10: no).
    # Flora, Sam, Dee, Max and Opal never logged a goal; Cara has none.
    assert (panel.meaningful_change_n, panel.meaningful_change_reached) == (3, 1)
    assert panel.meaningful_change_share == pytest.approx(1 / 3)


def test_opioid_doses_at_intake_and_now(world: World) -> None:
    panel = world.panel()
    assert (panel.mme_intake_total, panel.mme_now_total) == (180.0, 150.0)
    assert (panel.patients_on_opioids_intake, panel.patients_on_opioids_now) == (2, 2)
    assert [(m.patient_name, m.mme_intake, m.mme_now) for m in panel.opioid_patients] == [
        ("Max", 120.0, 120.0),
        ("Opal", 60.0, 30.0),
    ]


def test_an_empty_clinic_has_an_empty_panel(database_url: str, kb: KnowledgeBase) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    found, _, _ = principals(factory)
    uow = SqlUnitOfWork(factory, found["admin"], client="test")
    panel = clinic.clinic_panel(uow, today=TODAY, knowledge=kb)
    assert (panel.open_episodes, panel.graduated, panel.closed_total) == (0, 0, 0)
    assert (panel.graduation_rate, panel.median_days_to_graduation) == (None, None)
    assert (panel.meaningful_change_share, panel.meaningful_change_n) == (None, 0)
    assert all(c.count == 0 for c in panel.signal_counts)
    uow = SqlUnitOfWork(factory, found["doc"], client="test")
    assert clinic.clinic_overview(uow, today=TODAY, knowledge=kb) == []
    engine.dispose()


# --- one episode's row (the header of every episode screen) -----------------------------------


def episode_row(world: World, key: str, principal: Principal | None = None) -> EpisodeRow:
    return clinic.episode_overview(
        world.uow(principal or world.doc), world.episodes[key], today=TODAY, knowledge=world.kb
    )


def test_one_episodes_row_is_its_row_of_the_patient_list(world: World) -> None:
    rows = world.overview(include_closed=True)
    for key in [*OPEN, "gina_before", "cole"]:
        alone = episode_row(world, key)
        assert alone == rows[key], key
        assert (alone.badges, alone.phase, alone.proposal) == (
            rows[key].badges,
            rows[key].phase,
            rows[key].proposal,
        ), key
    # the red-flag patient: the same badges, with the same words, and the assessment's flags
    cara = episode_row(world, "cara")
    assert badges(cara) == ["red_flag", "plan_blocked", "checkpoint_due", "data_gap"]
    assert [f.urgency for f in cara.red_flags] == ["emergency"] * 3
    assert cara.red_flags[0].label == "New or worsening bilateral sciatica"
    assert cara.red_flags[0].referral.startswith("Emergency department now")
    assert cara.red_flags == rows["cara"].red_flags


def test_one_episodes_row_carries_the_engines_own_evaluation(world: World) -> None:
    """The header reuses the run that made the row instead of running the engine again."""
    for key in ["flora", "sam", "pat", "cara"]:
        row = episode_row(world, key)
        alone = checkpoints.evaluate_episode(
            world.uow(world.doc), world.episodes[key], today=TODAY, knowledge=world.kb
        )
        assert row.report == alone.report, key
        assert row.checkpoint_proposal == alone.proposal, key
    assert episode_row(world, "gina").report is None  # no intake: the engine did not run
    assert episode_row(world, "hal").checkpoint_proposal is None  # ended


def test_an_intake_without_a_red_flag_screen_says_so_on_its_row(world: World) -> None:
    data = sciatica()
    del data["red_flag_findings"]
    world.open("nell", "Nell", START, data)
    row = episode_row(world, "nell")
    assert badges(row)[0] == "red_flags_not_screened"
    assert (row.badges[0].label, row.badges[0].severity) == ("Red flags not screened", "warning")
    assert row == world.overview()["nell"]


def test_one_episodes_row_is_for_staff_of_its_clinic_and_audited_once(world: World) -> None:
    before = len(world.audit())
    episode_row(world, "flora", world.admin)
    assert world.audit()[before:] == [
        ("clinic.episode", "success", "episode", world.episodes["flora"])
    ]
    with pytest.raises(Forbidden):
        episode_row(world, "flora", world.patient)  # even the patient's own episode
    with pytest.raises(NotFound):
        episode_row(world, "yuri")  # another clinic's episode is missing
    with pytest.raises(NotFound):
        clinic.episode_overview(world.uow(world.doc), "0" * 32, today=TODAY, knowledge=world.kb)
    assert world.audit()[-3:] == [
        ("clinic.episode", "denied", "episode", world.episodes["flora"]),
        ("clinic.episode", "not_found", "episode", world.episodes["yuri"]),
        ("clinic.episode", "not_found", "episode", "0" * 32),
    ]
