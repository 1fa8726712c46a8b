"""The clinic admin's use cases: the clinic's accounts and its audit trail; and the names of the
clinic's staff, which every member of staff may read to see who wrote what."""

from __future__ import annotations

from dataclasses import dataclass

from painpath.services import accounts
from painpath.services._use_case import use_case
from painpath.services.commands import UserInput
from painpath.services.errors import NotFound
from painpath.services.principal import STAFF_ROLES
from painpath.store.models import AuditEvent, Clinic, Patient, User
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "StaffName",
    "add_user",
    "get_clinic",
    "list_audit_events",
    "list_users",
    "staff_directory",
]


@dataclass(frozen=True)
class StaffName:
    """How a member of staff is named beside what they wrote: their display name and role (the
    role's code, e.g. ``physician``; the pages turn it into words)."""

    user_id: str
    display_name: str
    role: str


@use_case("clinic.read")
def get_clinic(uow: SqlUnitOfWork) -> Clinic:
    """The caller's own clinic."""
    clinic = uow.db.get(Clinic, uow.records.principal.clinic_id)
    if clinic is None:  # pragma: no cover - a principal always belongs to a stored clinic
        raise NotFound("clinic")
    uow.about("clinic", clinic.id)
    return clinic


@use_case("user.list")
def list_users(uow: SqlUnitOfWork, *, limit: int, offset: int) -> tuple[list[User], int]:
    """The clinic's accounts (clinic admin)."""
    uow.about("user", None)
    uow.records.principal.require_admin()
    return uow.records.page(User, order_by=(User.username,), limit=limit, offset=offset)


@use_case("staff.directory")
def staff_directory(uow: SqlUnitOfWork) -> dict[str, StaffName]:
    """The names of the clinic's staff accounts, by user id, ordered by name (any member of
    staff; patients are refused). Patients' accounts are not in it. Deactivated accounts are:
    the plans, notes and decisions they wrote still need their author's name."""
    uow.about("user", None)
    uow.records.principal.require_staff()
    users = uow.records.all(
        User,
        User.role.in_(sorted(STAFF_ROLES)),
        User.patient_id.is_(None),
        order_by=(User.display_name, User.username),
    )
    return {u.id: StaffName(u.id, u.display_name, u.role) for u in users}


@use_case("user.create")
def add_user(uow: SqlUnitOfWork, data: UserInput) -> User:
    """A new account in the admin's own clinic; a patient account points at one of its patients."""
    uow.about("user", None)
    p = uow.records.principal
    p.require_admin()
    accounts.check_new_user(uow, data)
    if data.patient_id:
        uow.records.get(Patient, data.patient_id)
    user = uow.records.add(
        User(
            username=data.username,
            display_name=data.display_name,
            role=data.role,
            password_hash=accounts.hash_password(data.password),
            patient_id=data.patient_id,
        )
    )
    uow.about("user", user.id, patient_id=data.patient_id)
    return user


@use_case("audit.read")
def list_audit_events(
    uow: SqlUnitOfWork, *, limit: int, offset: int, patient_id: str | None = None
) -> tuple[list[AuditEvent], int]:
    """The clinic's audit events, newest first (clinic admin); optionally for one patient."""
    uow.about("audit_event", None, patient_id=patient_id)
    uow.records.principal.require_admin()
    where = [AuditEvent.patient_id == patient_id] if patient_id else []
    return uow.records.page(
        AuditEvent, *where, order_by=(AuditEvent.id.desc(),), limit=limit, offset=offset
    )
