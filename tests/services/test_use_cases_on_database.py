"""The use cases on real databases (SQLite and PostgreSQL) through SqlUnitOfWork: an intake
stored whole or not at all, checkpoint decisions, referral and graduation, the signals of an
episode, concurrent writers, and the audit trail they all leave."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from painpath.knowledge import KnowledgeBase
from painpath.services import care, checkpoints, intake, notes, patients, plans
from painpath.services.audit import export_audit
from painpath.services.commands import (
    CheckpointInput,
    DayInput,
    EpisodeInput,
    GraduateInput,
    NoteInput,
    PatientInput,
    PlanRevisionInput,
    ReferralInput,
    SessionInput,
)
from painpath.services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import (
    Assessment,
    AuditEvent,
    Base,
    CareSession,
    CheckpointRecord,
    Clinic,
    DailyLog,
    Episode,
    Goal,
    IntakeRecord,
    Patient,
    PlanRevision,
    Referral,
    TeamNote,
    User,
)
from painpath.store.unit_of_work import SqlUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
SCIATICA = ROOT / "docs" / "examples" / "intake" / "02_sciatica_cannot_sit.json"
START = dt.date(2026, 3, 2)
CHECKPOINT_DAY = START + dt.timedelta(days=14)


def documented_signal_ids() -> set[str]:
    """The signal ids docs/signals.md defines (its "### `id`" headings)."""
    text = (ROOT / "docs" / "signals.md").read_text(encoding="utf-8")
    return {
        name
        for line in text.splitlines()
        if line.startswith("### ")
        for name in re.findall(r"`([a-z_]+)`", line)
    }


@dataclass
class Clinics:
    factory: sessionmaker[Session]
    doc: Principal
    pt: Principal
    admin: Principal
    patient_a: Principal
    doc_y: Principal
    a: str
    b: str

    def uow(self, principal: Principal | None) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.factory, principal, client="test")

    def count(self, model: type[Base], *where: Any) -> int:
        with self.factory() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def events(self) -> list[tuple[str, str, str | None]]:
        with self.factory() as s:
            rows = s.execute(
                select(AuditEvent.action, AuditEvent.outcome, AuditEvent.patient_id).order_by(
                    AuditEvent.id
                )
            )
            return [(action, outcome, patient) for action, outcome, patient in rows]

    def episode(self, episode_id: str) -> Episode:
        with self.factory() as s:
            found = s.get(Episode, episode_id)
            assert found is not None
            return found


@pytest.fixture
def clinics(database_url: str) -> Iterator[Clinics]:
    """Clinic X: a physician, a physical therapist, an admin, patients A (with an account) and
    B. Clinic Y: a physician. Stored directly, so the audit trail starts empty."""
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        x, y = Clinic(name="Clinic X"), Clinic(name="Clinic Y")
        s.add_all([x, y])
        s.flush()
        a, b = Patient(clinic_id=x.id, name="Alice"), Patient(clinic_id=x.id, name="Bob")
        s.add_all([a, b])
        s.flush()
        users = {
            "doc": User(clinic_id=x.id, username="doc.x", display_name="d", role="physician"),
            "pt": User(
                clinic_id=x.id, username="pt.x", display_name="p", role="physical_therapist"
            ),
            "admin": User(
                clinic_id=x.id, username="admin.x", display_name="a", role="clinic_admin"
            ),
            "patient_a": User(
                clinic_id=x.id,
                username="patient-a.x",
                display_name="Alice",
                role="patient",
                patient_id=a.id,
            ),
            "doc_y": User(clinic_id=y.id, username="doc.y", display_name="y", role="physician"),
        }
        s.add_all(users.values())
        s.commit()
        principals = {
            name: Principal(
                user_id=u.id,
                username=u.username,
                role=u.role,
                clinic_id=u.clinic_id,
                patient_id=u.patient_id,
            )
            for name, u in users.items()
        }
        ids = (a.id, b.id)
    yield Clinics(factory, **principals, a=ids[0], b=ids[1])
    engine.dispose()


def sciatica() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCIATICA.read_text(encoding="utf-8"))
    return data


def open_episode(c: Clinics, patient_id: str | None = None) -> str:
    episode = patients.open_episode(
        c.uow(c.doc), patient_id or c.a, EpisodeInput(title="Sciatica", start_date=START)
    )
    return episode.id


def planned_episode(c: Clinics, kb: KnowledgeBase) -> str:
    """Patient A's episode with the sciatica intake submitted on its first day."""
    episode_id = open_episode(c)
    intake.submit_intake(c.uow(c.doc), episode_id, sciatica(), today=START, knowledge=kb)
    return episode_id


def log_days(c: Clinics, pains: list[int], first: dt.date = START) -> None:
    for offset, pain in enumerate(pains):
        day = first + dt.timedelta(days=offset)
        care.log_day(c.uow(c.doc), c.a, day, DayInput(pain=pain), today=day)


# --- intake ---------------------------------------------------------------------------------------


def test_an_intake_stores_intake_assessment_first_plan_and_goals(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    episode_id = open_episode(c)
    data = sciatica()
    result = intake.submit_intake(c.uow(c.doc), episode_id, data, today=START, knowledge=kb)
    assert c.events()[-1] == ("intake.submit", "success", c.a)

    assert [c.count(m) for m in (IntakeRecord, Assessment, PlanRevision, Goal)] == [1, 1, 1, 3]
    assert result.plan.number == 1
    assert result.assessment.intake_id == result.intake.id
    assert intake.get_intake(c.uow(c.pt), episode_id).data == data
    assert intake.get_assessment(c.uow(c.pt), episode_id).id == result.assessment.id
    assert plans.current_plan(c.uow(c.pt), episode_id).id == result.plan.id
    goals = plans.list_goals(c.uow(c.patient_a), episode_id)
    assert [(g.key, g.activity) for g in goals] == [
        (f"g{n}", g["activity"]) for n, g in enumerate(data["goals"], start=1)
    ]
    episode = c.episode(episode_id)
    assert episode.start_phase is not None
    assert episode.start_phase == result.plan.data["entry_phase"]
    assert episode.plan_version == 1


BAD_INTAKES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "severity-out-of-range": (
        lambda d: d["irritability"].update(peak_severity=14),
        "irritability.peak_severity",
    ),
    "sex-missing": (lambda d: d.pop("sex"), "sex"),
    "unknown-region": (lambda d: d["regions"].append("tail"), "regions[4]"),
}


@pytest.mark.parametrize(("spoil", "path"), BAD_INTAKES.values(), ids=BAD_INTAKES)
def test_a_bad_intake_is_refused_by_path_and_leaves_only_its_audit_event(
    clinics: Clinics, kb: KnowledgeBase, spoil: Callable[[dict[str, Any]], None], path: str
) -> None:
    c = clinics
    episode_id = open_episode(c)
    data = copy.deepcopy(sciatica())
    spoil(data)
    with pytest.raises(InvalidInput) as refused:
        intake.submit_intake(c.uow(c.doc), episode_id, data, today=START, knowledge=kb)
    assert path in [field for field, _ in refused.value.errors]
    assert [c.count(m) for m in (IntakeRecord, Assessment, PlanRevision, Goal)] == [0, 0, 0, 0]
    episode = c.episode(episode_id)
    assert (episode.plan_version, episode.start_phase) == (0, None)
    assert [e for e in c.events() if e[0] == "intake.submit"] == [("intake.submit", "invalid", c.a)]


def test_an_episode_takes_one_intake(clinics: Clinics, kb: KnowledgeBase) -> None:
    c = clinics
    episode_id = planned_episode(c, kb)
    with pytest.raises(InvalidInput) as refused:
        intake.submit_intake(c.uow(c.doc), episode_id, sciatica(), today=START, knowledge=kb)
    assert [field for field, _ in refused.value.errors] == ["episode_id"]
    assert [c.count(m) for m in (IntakeRecord, PlanRevision, Goal)] == [1, 1, 3]


def test_a_patient_cannot_submit_their_own_intake(clinics: Clinics, kb: KnowledgeBase) -> None:
    c = clinics
    episode_id = open_episode(c)
    with pytest.raises(Forbidden):
        intake.submit_intake(c.uow(c.patient_a), episode_id, sciatica(), today=START, knowledge=kb)
    assert c.count(IntakeRecord) == 0


# --- daily logs, imports, episodes, plans, notes on the database ----------------------------------


def test_logging_the_same_day_twice_keeps_one_row_with_the_second_values(clinics: Clinics) -> None:
    c = clinics
    first = care.log_day(c.uow(c.patient_a), c.a, START, DayInput(pain=6, steps=10), today=START)
    second = care.log_day(c.uow(c.patient_a), c.a, START, DayInput(pain=2), today=START)
    assert (first.created, second.created) == (True, False)
    with c.factory() as s:
        [log] = s.scalars(select(DailyLog)).all()
    assert (log.id, log.pain, log.steps) == (first.log.id, 2, None)


def test_an_import_with_a_bad_row_stores_nothing(clinics: Clinics) -> None:
    c = clinics
    care.log_day(c.uow(c.doc), c.a, START, DayInput(pain=5, steps=100), today=START)
    text = "date,steps\n2026-03-02,4000\n2026-03-03,lots\n"
    with pytest.raises(InvalidInput) as refused:
        care.import_activity_csv(c.uow(c.patient_a), c.a, text, today=START + dt.timedelta(days=5))
    assert [field for field, _ in refused.value.errors] == ["line 3.steps"]
    with c.factory() as s:
        assert [(log.day, log.steps) for log in s.scalars(select(DailyLog))] == [(START, 100)]
    assert c.events()[-1] == ("daily_log.import", "invalid", c.a)


def test_an_import_merges_into_the_stored_logs(clinics: Clinics) -> None:
    c = clinics
    care.log_day(c.uow(c.doc), c.a, START, DayInput(pain=5, steps=100, sleep_h=6), today=START)
    report = care.import_activity_csv(
        c.uow(c.patient_a),
        c.a,
        "date,steps,sleep_h\n2026-03-02,4000,\n2026-03-03,5000,7.5\n",
        today=START + dt.timedelta(days=5),
    )
    assert (report.created, report.updated) == (1, 1)
    with c.factory() as s:
        logs = s.scalars(select(DailyLog).order_by(DailyLog.day)).all()
        assert [(log.pain, log.steps, log.sleep_h) for log in logs] == [
            (5, 4000, 6),
            (None, 5000, 7.5),
        ]


def test_a_second_open_episode_is_refused(clinics: Clinics) -> None:
    c = clinics
    open_episode(c)
    with pytest.raises(InvalidInput) as refused:
        open_episode(c)
    assert [field for field, _ in refused.value.errors] == ["patient_id"]
    assert c.count(Episode) == 1


def test_of_two_concurrent_plan_revisions_exactly_one_wins(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    episode_id = planned_episode(c, kb)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def revise(who: Principal, reason: str) -> None:
        start.wait()
        try:
            plans.revise_plan(
                c.uow(who),
                episode_id,
                PlanRevisionInput(expected_version=1, reason=reason, plan={"by": reason}),
            )
            outcomes.append("success")
        except ServiceError as exc:
            outcomes.append(exc.outcome)

    threads = [
        threading.Thread(target=revise, args=(c.doc, "doc")),
        threading.Thread(target=revise, args=(c.pt, "pt")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "success"]
    assert c.count(PlanRevision) == 2
    assert c.episode(episode_id).plan_version == 2
    history, total = plans.plan_history(c.uow(c.doc), episode_id, limit=10, offset=0)
    assert (total, [r.number for r in history]) == (2, [2, 1])


def test_a_clinic_admin_cannot_add_a_team_note(clinics: Clinics) -> None:
    c = clinics
    episode_id = open_episode(c)
    with pytest.raises(Forbidden):
        notes.add_team_note(
            c.uow(c.admin), episode_id, NoteInput(hypothesis="nociplastic", body="x")
        )
    note = notes.add_team_note(
        c.uow(c.pt), episode_id, NoteInput(hypothesis="nociplastic", body="allodynia")
    )
    assert c.count(TeamNote) == 1
    listed, total = notes.list_team_notes(c.uow(c.admin), episode_id, limit=10, offset=0)
    assert (total, [n.id for n in listed]) == (1, [note.id])
    assert [e[:2] for e in c.events() if e[0] == "team_note.create"] == [
        ("team_note.create", "denied"),
        ("team_note.create", "success"),
    ]


def test_staff_of_another_clinic_reads_nothing_of_an_episode(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    episode_id = planned_episode(c, kb)
    for read in (
        lambda u: patients.get_episode(u, episode_id),
        lambda u: plans.current_plan(u, episode_id),
        lambda u: intake.get_intake(u, episode_id),
        lambda u: checkpoints.evaluate_episode(u, episode_id, today=START, knowledge=kb),
    ):
        with pytest.raises(NotFound):
            read(c.uow(c.doc_y))


# --- checkpoints -----------------------------------------------------------------------------------


def proposal_on(c: Clinics, episode_id: str, kb: KnowledgeBase, day: dt.date) -> Any:
    return checkpoints.evaluate_episode(c.uow(c.doc), episode_id, today=day, knowledge=kb).proposal


def decide(c: Clinics, episode_id: str, kb: KnowledgeBase, **fields: Any) -> CheckpointRecord:
    fields.setdefault("date", CHECKPOINT_DAY)
    fields.setdefault("expected_version", 1)
    return checkpoints.decide_checkpoint(
        c.uow(c.doc),
        episode_id,
        CheckpointInput(**fields),
        today=CHECKPOINT_DAY,
        knowledge=kb,
    )


@pytest.fixture
def flaring(clinics: Clinics, kb: KnowledgeBase) -> str:
    """Patient A's planned episode: ten days at pain 3, then five at 7 (a prolonged flare)."""
    episode_id = planned_episode(clinics, kb)
    log_days(clinics, [3] * 10 + [7] * 5)
    return episode_id


def test_confirming_the_proposal_needs_no_reason(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    proposal = proposal_on(c, flaring, kb, CHECKPOINT_DAY)
    record = decide(
        c,
        flaring,
        kb,
        decision=proposal.decision,
        to=proposal.to,
        overlap_days=proposal.overlap_days,
        review_by=proposal.review_by,
    )
    assert c.events()[-1] == ("checkpoint.decide", "success", c.a)
    assert (record.proposed, record.decision, record.reason) == (
        proposal.decision,
        proposal.decision,
        None,
    )
    assert record.proposal["decision"] == proposal.decision
    assert record.decided_by == c.doc.user_id
    assert c.episode(flaring).version == 2
    listed, total = checkpoints.list_checkpoints(c.uow(c.pt), flaring, limit=10, offset=0)
    assert (total, [r.id for r in listed]) == (1, [record.id])


def _another_decision(proposed: str) -> str:
    return "continue" if proposed != "continue" else "adjust"


def test_overriding_the_proposal_without_a_reason_is_refused_naming_reason(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    proposed = proposal_on(c, flaring, kb, CHECKPOINT_DAY).decision
    with pytest.raises(InvalidInput) as refused:
        decide(c, flaring, kb, decision=_another_decision(proposed))
    assert [field for field, _ in refused.value.errors] == ["reason"]
    assert proposed in refused.value.errors[0][1]
    assert c.count(CheckpointRecord) == 0
    assert c.episode(flaring).version == 1  # the version claim was rolled back with the rest
    assert c.events()[-1] == ("checkpoint.decide", "invalid", c.a)


def test_overriding_the_proposal_with_a_reason_records_both(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    proposed = proposal_on(c, flaring, kb, CHECKPOINT_DAY).decision
    decision = _another_decision(proposed)
    decide(c, flaring, kb, decision=decision, reason="flare explained by a house move")
    with c.factory() as s:
        [record] = s.scalars(select(CheckpointRecord)).all()
    assert (record.proposed, record.decision) == (proposed, decision)
    assert record.proposed != record.decision
    assert record.reason == "flare explained by a house move"


def test_a_transition_without_a_phase_is_refused_naming_to(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    with pytest.raises(InvalidInput) as refused:
        decide(c, flaring, kb, decision="transition", reason="ready to move on")
    assert [field for field, _ in refused.value.errors] == ["to"]
    assert c.count(CheckpointRecord) == 0
    assert c.episode(flaring).version == 1


def test_a_decision_on_a_stale_version_is_a_conflict(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    decide(c, flaring, kb, decision="adjust", reason="first")
    with pytest.raises(Conflict):
        decide(c, flaring, kb, decision="adjust", reason="second", expected_version=1)
    assert c.count(CheckpointRecord) == 1
    assert c.episode(flaring).version == 2


def test_a_referral_is_stored_with_a_refer_checkpoint_and_its_overlap(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    referral = checkpoints.refer(
        c.uow(c.doc),
        flaring,
        ReferralInput(
            date=CHECKPOINT_DAY,
            to_service="pain psychology",
            reason="fear of movement keeps the flare going",
            overlap_days=21,
            expected_version=1,
        ),
        today=CHECKPOINT_DAY,
        knowledge=kb,
    )
    assert c.events()[-1] == ("referral.create", "success", c.a)
    assert (referral.to_service, referral.overlap_days, referral.day) == (
        "pain psychology",
        21,
        CHECKPOINT_DAY,
    )
    listed, total = checkpoints.list_referrals(c.uow(c.pt), flaring, limit=10, offset=0)
    assert (total, [r.id for r in listed]) == (1, [referral.id])
    with c.factory() as s:
        [record] = s.scalars(select(CheckpointRecord)).all()
    assert (record.decision, record.overlap_days) == ("refer", 21)
    episode = c.episode(flaring)
    assert (episode.status, episode.version) == ("open", 2)


def test_graduating_closes_the_episode_and_ends_its_decisions(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    episode = checkpoints.graduate(
        c.uow(c.doc),
        flaring,
        GraduateInput(date=CHECKPOINT_DAY, reason="goals met", expected_version=1),
        today=CHECKPOINT_DAY,
        knowledge=kb,
    )
    assert (episode.status, episode.ended_on) == ("graduated", CHECKPOINT_DAY)
    stored = c.episode(flaring)
    assert (stored.status, stored.ended_on, stored.version) == ("graduated", CHECKPOINT_DAY, 2)
    with c.factory() as s:
        assert s.scalars(select(CheckpointRecord.decision)).all() == ["graduate"]

    with pytest.raises(InvalidInput) as refused:
        decide(c, flaring, kb, decision="continue", reason="again", expected_version=2)
    assert [field for field, _ in refused.value.errors] == ["episode_id"]
    with pytest.raises(InvalidInput):
        checkpoints.refer(
            c.uow(c.doc),
            flaring,
            ReferralInput(
                date=CHECKPOINT_DAY,
                to_service="x",
                reason="y",
                overlap_days=7,
                expected_version=2,
            ),
            today=CHECKPOINT_DAY,
            knowledge=kb,
        )
    assert c.count(CheckpointRecord) == 1
    assert c.count(Referral) == 0
    # The patient may start a new episode of care now.
    assert open_episode(c) != flaring


# --- signals ---------------------------------------------------------------------------------------


def test_a_pain_rise_the_day_after_a_session_is_expected_soreness(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    episode_id = planned_episode(c, kb)
    session_day = START + dt.timedelta(days=10)
    log_days(c, [4] * 10)
    care.record_session(
        c.uow(c.pt),
        episode_id,
        SessionInput(date=session_day, modalities=[{"name": "dry_needling"}]),
        today=session_day,
        knowledge=kb,
    )
    log_days(c, [7, 7, 4, 4, 4], first=session_day)
    report = checkpoints.evaluate_episode(
        c.uow(c.patient_a), episode_id, today=CHECKPOINT_DAY, knowledge=kb
    ).report
    assert set(report.ids()) <= documented_signal_ids()
    [soreness] = report.of("expected_soreness")
    assert (soreness.session, soreness.start, soreness.value) == (session_day, session_day, 3)
    assert report.of("flare") == []  # soreness that settles is not a flare


def test_a_week_raised_after_a_stable_baseline_is_a_prolonged_flare(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    evaluation = checkpoints.evaluate_episode(
        clinics.uow(clinics.doc), flaring, today=CHECKPOINT_DAY, knowledge=kb
    )
    assert set(evaluation.report.ids()) <= documented_signal_ids()
    [flare] = evaluation.report.of("flare")
    assert (flare.start, flare.status, flare.goal) == (
        START + dt.timedelta(days=10),
        "prolonged",
        None,
    )
    assert evaluation.proposal.decision == "adjust"
    assert "checkpoint.prolonged_flare" in [r.rule for r in evaluation.proposal.reasons]


def test_a_second_session_on_the_same_day_is_refused_naming_date(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    episode_id = planned_episode(c, kb)
    day = START + dt.timedelta(days=3)
    first = SessionInput(date=day, modalities=[{"name": "dry_needling"}])
    care.record_session(c.uow(c.pt), episode_id, first, today=day, knowledge=kb)
    with pytest.raises(InvalidInput) as refused:
        care.record_session(c.uow(c.doc), episode_id, first, today=day, knowledge=kb)
    assert [field for field, _ in refused.value.errors] == ["date"]
    assert c.count(CareSession) == 1
    # The episode's signals still read (two sessions on one day would break its timeline).
    checkpoints.evaluate_episode(c.uow(c.doc), episode_id, today=day, knowledge=kb)


def test_a_graduated_episode_takes_no_session(
    clinics: Clinics, kb: KnowledgeBase, flaring: str
) -> None:
    c = clinics
    checkpoints.graduate(
        c.uow(c.doc),
        flaring,
        GraduateInput(date=CHECKPOINT_DAY, reason="goals met", expected_version=1),
        today=CHECKPOINT_DAY,
        knowledge=kb,
    )
    with pytest.raises(InvalidInput) as refused:
        care.record_session(
            c.uow(c.pt),
            flaring,
            SessionInput(date=CHECKPOINT_DAY, modalities=[{"name": "dry_needling"}]),
            today=CHECKPOINT_DAY,
            knowledge=kb,
        )
    assert [field for field, _ in refused.value.errors] == ["episode_id"]


def test_signals_are_refused_for_a_day_before_the_episode(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    episode_id = planned_episode(c, kb)
    with pytest.raises(InvalidInput) as refused:
        checkpoints.evaluate_episode(
            c.uow(c.doc), episode_id, today=START - dt.timedelta(days=1), knowledge=kb
        )
    assert [field for field, _ in refused.value.errors] == ["today"]


# --- the audit trail --------------------------------------------------------------------------------


def test_the_audit_export_yields_every_event_in_order_and_is_audited(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    patient = patients.create_patient(c.uow(c.admin), PatientInput(name="Carl"))
    episode_id = open_episode(c, patient.id)
    with pytest.raises(Forbidden):
        care.log_day(c.uow(c.admin), patient.id, START, DayInput(pain=3), today=START)
    care.log_day(c.uow(c.doc), patient.id, START, DayInput(pain=3), today=START)
    with pytest.raises(NotFound):
        patients.get_episode(c.uow(c.doc_y), episode_id)

    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    rows = list(export_audit(c.uow(None), since=since))
    assert [(r["action"], r["outcome"], r["patient_id"]) for r in rows] == [
        ("patient.create", "success", patient.id),
        ("episode.create", "success", patient.id),
        ("daily_log.write", "denied", patient.id),
        ("daily_log.write", "success", patient.id),
        ("episode.read", "not_found", None),
    ]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert rows[0]["actor"] == "admin.x"
    assert all(dt.datetime.fromisoformat(r["at"]).tzinfo is not None for r in rows)

    only_x = list(export_audit(c.uow(None), since=since, clinic_id=c.doc.clinic_id))
    assert [r["action"] for r in only_x] == [r["action"] for r in rows[:4]]
    with c.factory() as s:
        exports = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.export").order_by(AuditEvent.id)
        ).all()
    assert [(e.actor, e.record_id) for e in exports] == [
        ("painpath-cli", "5"),
        ("painpath-cli", "4"),
    ]


def test_an_export_from_tomorrow_is_empty(clinics: Clinics) -> None:
    c = clinics
    patients.create_patient(c.uow(c.admin), PatientInput(name="Carl"))
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert list(export_audit(c.uow(None), since=tomorrow)) == []
