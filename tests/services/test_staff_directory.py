"""The staff directory on real databases (SQLite and PostgreSQL): any member of a clinic's staff
can put a name and a role to the author of a plan revision, a note or a decision — the names of
their own clinic's staff only, never patients' accounts — and patients cannot read it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from painpath.services import admin
from painpath.services.admin import StaffName
from painpath.services.errors import Forbidden
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import AuditEvent, Clinic, Patient, User
from painpath.store.unit_of_work import SqlUnitOfWork


@dataclass
class Clinics:
    factory: sessionmaker[Session]
    principals: dict[str, Principal]
    users: dict[str, User]

    def uow(self, who: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.factory, self.principals[who], client="test")

    def events(self) -> list[tuple[str, str, str | None]]:
        with self.factory() as s:
            rows = s.execute(
                select(AuditEvent.action, AuditEvent.outcome, AuditEvent.user_id).order_by(
                    AuditEvent.id
                )
            )
            return [(action, outcome, actor) for action, outcome, actor in rows]


@pytest.fixture
def clinics(database_url: str) -> Iterator[Clinics]:
    """Clinic X: a physician, a physical therapist, a psychologist whose account was
    deactivated, the clinic lead, and patient Alice with her own account. Clinic Y: a
    physician. Stored directly, so the audit trail starts empty."""
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        x, y = Clinic(name="Clinic X"), Clinic(name="Clinic Y")
        s.add_all([x, y])
        s.flush()
        alice = Patient(clinic_id=x.id, name="Alice Patient")
        s.add(alice)
        s.flush()
        users = {
            "doc": User(
                clinic_id=x.id, username="doc.x", display_name="Dr Dana Reyes", role="physician"
            ),
            "pt": User(
                clinic_id=x.id,
                username="pt.x",
                display_name="Priya Tan",
                role="physical_therapist",
            ),
            "psych": User(
                clinic_id=x.id,
                username="psych.x",
                display_name="Sol Okafor",
                role="psychologist",
                active=False,
            ),
            "admin": User(
                clinic_id=x.id, username="admin.x", display_name="Ada Lead", role="clinic_admin"
            ),
            "alice": User(
                clinic_id=x.id,
                username="alice.x",
                display_name="Alice Patient",
                role="patient",
                patient_id=alice.id,
            ),
            "doc_y": User(
                clinic_id=y.id, username="doc.y", display_name="Dr Yuri Other", role="physician"
            ),
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
        for u in users.values():
            s.expunge(u)
    yield Clinics(factory, principals, users)
    engine.dispose()


def test_a_clinician_reads_the_names_and_roles_of_their_clinics_staff(clinics: Clinics) -> None:
    c = clinics
    directory = admin.staff_directory(c.uow("pt"))

    ids = {name: c.users[name].id for name in c.users}
    assert directory == {
        ids["admin"]: StaffName(ids["admin"], "Ada Lead", "clinic_admin"),
        ids["doc"]: StaffName(ids["doc"], "Dr Dana Reyes", "physician"),
        ids["pt"]: StaffName(ids["pt"], "Priya Tan", "physical_therapist"),
        # Deactivated, but still the author of what they wrote.
        ids["psych"]: StaffName(ids["psych"], "Sol Okafor", "psychologist"),
    }
    assert list(directory) == [ids["admin"], ids["doc"], ids["pt"], ids["psych"]]  # by name


def test_the_directory_holds_no_patient_accounts_and_no_other_clinics_staff(
    clinics: Clinics,
) -> None:
    c = clinics
    names = {s.display_name for s in admin.staff_directory(c.uow("doc")).values()}
    assert "Alice Patient" not in names
    assert "Dr Yuri Other" not in names

    other = admin.staff_directory(c.uow("doc_y"))
    assert [s.display_name for s in other.values()] == ["Dr Yuri Other"]


def test_the_clinic_lead_reads_the_directory_too(clinics: Clinics) -> None:
    assert len(admin.staff_directory(clinics.uow("admin"))) == 4


def test_a_patient_is_refused_the_staff_directory(clinics: Clinics) -> None:
    c = clinics
    with pytest.raises(Forbidden):
        admin.staff_directory(c.uow("alice"))
    assert c.events() == [("staff.directory", "denied", c.users["alice"].id)]


def test_reading_the_directory_leaves_exactly_one_audit_event(clinics: Clinics) -> None:
    c = clinics
    admin.staff_directory(c.uow("doc"))
    assert c.events() == [("staff.directory", "success", c.users["doc"].id)]
