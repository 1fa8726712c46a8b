"""The storage layer on real databases (SQLite and PostgreSQL): migrations, SQLite's durability
and locking settings, foreign keys, the append-only audit trail, the scoped repository and the
unit of work."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from painpath.services.errors import NotFound
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import current_revision, head_revision, upgrade
from painpath.store.models import (
    AuditEvent,
    Base,
    Clinic,
    DailyLog,
    Episode,
    Goal,
    Patient,
    User,
)
from painpath.store.records import Records
from painpath.store.unit_of_work import SqlUnitOfWork

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@dataclass
class Seeded:
    """Clinic X with patients A and B, clinic Y with patient C; each patient has an episode,
    a goal and a daily log. Principals: a physician of each clinic and patient A."""

    staff_x: Principal
    staff_y: Principal
    patient_a: Principal
    clinic_x: str
    clinic_y: str
    patients: dict[str, str]
    episodes: dict[str, str]
    goals: dict[str, str]
    logs: dict[str, str]


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> Seeded:
    with factory() as s:
        x, y = Clinic(name="Clinic X"), Clinic(name="Clinic Y")
        s.add_all([x, y])
        s.flush()
        rows = {"a": Patient(clinic_id=x.id, name="Alice")}
        rows["b"] = Patient(clinic_id=x.id, name="Bob")
        rows["c"] = Patient(clinic_id=y.id, name="Cleo")
        s.add_all(rows.values())
        s.flush()
        doc_x = User(clinic_id=x.id, username="doc.x", display_name="Doc X", role="physician")
        doc_y = User(clinic_id=y.id, username="doc.y", display_name="Doc Y", role="physician")
        alice = User(
            clinic_id=x.id,
            username="patient-a.x",
            display_name="Alice",
            role="patient",
            patient_id=rows["a"].id,
        )
        s.add_all([doc_x, doc_y, alice])
        s.flush()
        episodes, goals, logs = {}, {}, {}
        for key, patient in rows.items():
            episode = Episode(
                clinic_id=patient.clinic_id, patient_id=patient.id, title="t", start_date=DAY
            )
            s.add(episode)
            s.flush()
            goal = Goal(
                clinic_id=patient.clinic_id,
                episode_id=episode.id,
                key="g1",
                activity="sitting",
                metric="sitting_minutes",
                baseline=10,
                target=30,
                direction="increase",
            )
            log = DailyLog(
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                day=DAY,
                pain=4,
                entered_by=doc_x.id if patient.clinic_id == x.id else doc_y.id,
            )
            s.add_all([goal, log])
            s.flush()
            episodes[key], goals[key], logs[key] = episode.id, goal.id, log.id
        s.commit()

        def principal(user: User) -> Principal:
            return Principal(
                user_id=user.id,
                username=user.username,
                role=user.role,
                clinic_id=user.clinic_id,
                patient_id=user.patient_id,
            )

        return Seeded(
            staff_x=principal(doc_x),
            staff_y=principal(doc_y),
            patient_a=principal(alice),
            clinic_x=x.id,
            clinic_y=y.id,
            patients={k: p.id for k, p in rows.items()},
            episodes=episodes,
            goals=goals,
            logs=logs,
        )


def count(factory: sessionmaker[Session], model: type[Base]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# --- migrations --------------------------------------------------------------------------------


def test_a_new_database_is_at_no_revision_until_upgraded(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision() is not None
    finally:
        engine.dispose()


def test_the_migrations_create_every_table_and_column_of_the_models(engine: Engine) -> None:
    found = inspect(engine)
    assert set(Base.metadata.tables) <= set(found.get_table_names())
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in found.get_columns(name)}
        assert columns == {c.name for c in table.columns}, name


def test_upgrading_again_changes_nothing_and_keeps_the_data(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        s.add(Clinic(name="Kept"))
        s.commit()
    tables = set(inspect(engine).get_table_names())
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == tables
    with factory() as s:
        assert s.scalars(select(Clinic.name)).all() == ["Kept"]


# --- SQLite: durability and locking ------------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "painpath.db"


@pytest.fixture
def sqlite_engine(sqlite_file: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_sqlite_connections_run_in_wal_mode_with_full_sync_and_foreign_keys(
    sqlite_engine: Engine, sqlite_file: Path
) -> None:
    assert sqlite_file.exists()  # the folder was created for it
    with sqlite_engine.connect() as c:
        pragma = {
            name: c.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 15000,
    }


def test_a_sqlite_transaction_holds_the_write_lock_from_its_start(
    sqlite_engine: Engine, sqlite_file: Path
) -> None:
    session = make_session_factory(sqlite_engine)()
    probe = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        probe.execute("PRAGMA busy_timeout = 50")
        session.execute(select(Clinic.id))  # a transaction that has only read, so far
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")
        # WAL: a reader is never blocked by the writer.
        assert probe.execute("SELECT count(*) FROM clinic").fetchone() == (0,)
        session.rollback()
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    finally:
        probe.close()
        session.close()


# --- integrity -------------------------------------------------------------------------------


def test_a_row_pointing_at_a_missing_record_is_refused(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        s.add(Patient(clinic_id="0" * 32, name="Nobody's"))
        with pytest.raises(IntegrityError):
            s.flush()
    assert count(factory, Patient) == 0


def test_a_daily_log_of_a_missing_patient_is_refused(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    with factory() as s:
        s.add(
            DailyLog(
                clinic_id=seeded.clinic_x,
                patient_id="f" * 32,
                day=DAY,
                entered_by=seeded.staff_x.user_id,
            )
        )
        with pytest.raises(IntegrityError):
            s.commit()
    assert count(factory, DailyLog) == 3


def _audit_two_events(factory: sessionmaker[Session], principal: Principal | None) -> list[int]:
    uow = SqlUnitOfWork(factory, principal, client="127.0.0.1")
    with uow:
        uow.audit("patient.read", outcome="success", record_type="patient", record_id="p1")
        uow.audit("patient.read", outcome="denied", record_type="patient", record_id="p2")
        uow.commit()
    with factory() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _audit_rows(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    with factory() as s:
        return [
            tuple(row)
            for row in s.execute(
                select(
                    AuditEvent.id, AuditEvent.action, AuditEvent.outcome, AuditEvent.record_id
                ).order_by(AuditEvent.id)
            )
        ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET outcome = 'success'",
        "UPDATE audit_event SET record_id = NULL WHERE outcome = 'denied'",
        "UPDATE audit_event SET at = at",
    ],
)
def test_audit_events_cannot_be_updated(
    engine: Engine, factory: sessionmaker[Session], statement: str
) -> None:
    _audit_two_events(factory, None)
    before = _audit_rows(factory)
    with engine.connect() as c, pytest.raises(DBAPIError, match="append-only"):
        c.execute(text(statement))
    assert _audit_rows(factory) == before


def test_audit_events_cannot_be_deleted(engine: Engine, factory: sessionmaker[Session]) -> None:
    ids = _audit_two_events(factory, None)
    before = _audit_rows(factory)
    statements = ["DELETE FROM audit_event", f"DELETE FROM audit_event WHERE id = {ids[0]}"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_event")
    for statement in statements:
        with engine.connect() as c, pytest.raises(DBAPIError, match="append-only"):
            c.execute(text(statement))
    assert _audit_rows(factory) == before


def test_audit_events_cannot_be_changed_through_the_orm(factory: sessionmaker[Session]) -> None:
    _audit_two_events(factory, None)
    with factory() as s:
        event = s.scalars(select(AuditEvent)).first()
        assert event is not None
        event.outcome = "tampered"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    with factory() as s:
        assert "tampered" not in s.scalars(select(AuditEvent.outcome)).all()


def test_an_audit_event_records_who_what_when_and_from_where(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    _audit_two_events(factory, seeded.staff_x)
    with factory() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    assert event is not None
    assert (event.user_id, event.actor, event.role, event.clinic_id) == (
        seeded.staff_x.user_id,
        "doc.x",
        "physician",
        seeded.clinic_x,
    )
    assert (event.action, event.outcome, event.record_type, event.record_id, event.client) == (
        "patient.read",
        "success",
        "patient",
        "p1",
        "127.0.0.1",
    )
    assert event.at is not None


# --- the scoped repository -----------------------------------------------------------------------

OF_CLINIC_Y = [
    (Patient, "patients", "no such patient"),
    (Episode, "episodes", "no such episode"),
    (Goal, "goals", "no such goal"),
    (DailyLog, "logs", "no such daily log"),
]


@pytest.mark.parametrize(
    ("model", "kind", "message"), OF_CLINIC_Y, ids=[m.__name__ for m, _, _ in OF_CLINIC_Y]
)
def test_staff_cannot_get_another_clinics_record_which_answers_like_a_missing_one(
    factory: sessionmaker[Session],
    seeded: Seeded,
    model: type[Base],
    kind: str,
    message: str,
) -> None:
    with factory() as s:
        records = Records(s, seeded.staff_x)
        assert records.get(model, getattr(seeded, kind)["a"]).id == getattr(seeded, kind)["a"]  # type: ignore[attr-defined]
        with pytest.raises(NotFound) as other_clinic:
            records.get(model, getattr(seeded, kind)["c"])
        with pytest.raises(NotFound) as missing:
            records.get(model, "0" * 32)
    assert other_clinic.value.detail == missing.value.detail == message


def test_staff_lists_and_finds_only_their_own_clinics_records(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    with factory() as s:
        x, y = Records(s, seeded.staff_x), Records(s, seeded.staff_y)
        found, total = x.page(Patient, order_by=[Patient.name])
        assert (total, [p.name for p in found]) == (2, ["Alice", "Bob"])
        assert {log.id for log in x.all(DailyLog)} == {seeded.logs["a"], seeded.logs["b"]}
        assert [e.id for e in y.all(Episode)] == [seeded.episodes["c"]]
        assert x.find(Patient, Patient.id == seeded.patients["c"]) is None
        assert x.find(Patient, Patient.name == "Cleo") is None
        assert y.find(Patient, Patient.name == "Cleo") is not None
        page, total = x.page(DailyLog, DailyLog.day == DAY, limit=1, offset=1)
        assert (len(page), total) == (1, 2)


def test_a_patient_sees_only_their_own_record_episodes_goals_and_logs(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    with factory() as s:
        me = Records(s, seeded.patient_a)
        assert [p.id for p in me.all(Patient)] == [seeded.patients["a"]]
        assert [e.id for e in me.all(Episode)] == [seeded.episodes["a"]]
        assert [g.id for g in me.all(Goal)] == [seeded.goals["a"]]
        assert [log.id for log in me.all(DailyLog)] == [seeded.logs["a"]]
        assert me.get(Patient, seeded.patients["a"]).name == "Alice"
        for model, kind, _message in OF_CLINIC_Y:
            for other in ("b", "c"):
                with pytest.raises(NotFound):
                    me.get(model, getattr(seeded, kind)[other])
        assert me.find(DailyLog, DailyLog.patient_id == seeded.patients["b"]) is None
        assert me.page(Patient)[1] == 1


def test_records_add_stores_the_record_in_the_principals_clinic(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    with factory() as s:
        records = Records(s, seeded.staff_x)
        mallory = records.add(Patient(clinic_id=seeded.clinic_y, name="Mallory"))
        log = Records(s, seeded.patient_a).add(
            DailyLog(
                clinic_id=seeded.clinic_y,
                patient_id=seeded.patients["a"],
                day=DAY + dt.timedelta(days=1),
                entered_by=seeded.staff_x.user_id,
            )
        )
        s.commit()
    with factory() as s:
        assert s.get(Patient, mallory.id).clinic_id == seeded.clinic_x  # type: ignore[union-attr]
        assert s.get(DailyLog, log.id).clinic_id == seeded.clinic_x  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            Records(s, seeded.staff_y).get(Patient, mallory.id)


def _version(factory: sessionmaker[Session], episode_id: str) -> int:
    with factory() as s:
        return int(s.scalar(select(Episode.version).where(Episode.id == episode_id)) or 0)


def test_of_two_claims_on_the_same_version_exactly_one_succeeds(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    episode = seeded.episodes["a"]
    start = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            with factory() as s:
                start.wait()
                results.append(
                    Records(s, seeded.staff_x).claim_version(Episode, episode, "version", 1)
                )
                s.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [False, True]
    assert _version(factory, episode) == 2


def test_a_claim_on_a_stale_version_fails_and_changes_nothing(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    episode = seeded.episodes["a"]
    with factory() as s:
        records = Records(s, seeded.staff_x)
        assert records.claim_version(Episode, episode, "version", 1) is True
        assert records.get(Episode, episode).version == 2  # the loaded row follows the update
        s.commit()
    with factory() as s:
        assert Records(s, seeded.staff_x).claim_version(Episode, episode, "version", 1) is False
        s.commit()
    assert _version(factory, episode) == 2


def test_a_claim_on_another_clinics_record_fails(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    with factory() as s:
        records = Records(s, seeded.staff_y)
        assert records.claim_version(Episode, seeded.episodes["a"], "version", 1) is False
        s.commit()
    assert _version(factory, seeded.episodes["a"]) == 1


# --- the unit of work --------------------------------------------------------------------------


def test_the_unit_of_work_rolls_back_what_was_not_committed(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    uow = SqlUnitOfWork(factory, seeded.staff_x, client="test")
    with uow:
        uow.records.add(Patient(name="Uncommitted"))
        uow.records.get(Episode, seeded.episodes["a"]).title = "changed"
        uow.audit("patient.create", outcome="success")
    assert count(factory, Patient) == 3
    assert count(factory, AuditEvent) == 0
    with factory() as s:
        assert s.get(Episode, seeded.episodes["a"]).title == "t"  # type: ignore[union-attr]


def test_the_unit_of_work_rolls_back_when_its_block_fails(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    uow = SqlUnitOfWork(factory, seeded.staff_x, client="test")
    with pytest.raises(RuntimeError), uow:
        uow.records.add(Patient(name="Half-made"))
        raise RuntimeError("boom")
    assert count(factory, Patient) == 3


def test_the_unit_of_work_keeps_what_it_committed(
    factory: sessionmaker[Session], seeded: Seeded
) -> None:
    uow = SqlUnitOfWork(factory, seeded.staff_x, client="test")
    with uow:
        uow.records.add(Patient(name="Committed"))
        uow.audit("patient.create", outcome="success")
        uow.commit()
    assert count(factory, Patient) == 4
    assert count(factory, AuditEvent) == 1
