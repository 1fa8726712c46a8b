"""The clinic, its accounts and its audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from painpath.services import admin
from painpath.services.commands import UserInput
from painpath.web.api._routing import ApiRouter
from painpath.web.api.patient_routes import Limit, Offset
from painpath.web.api.schemas import AuditEventOut, ClinicOut, Page, UserOut, page
from painpath.web.security import ADMIN, STAFF, CallerDep

__all__ = ["router"]

router = ApiRouter(tags=["clinic"])


@router.endpoint("GET", "/clinic", access=STAFF, response_model=ClinicOut)
def get_clinic(caller: CallerDep) -> object:
    """The caller's clinic."""
    return admin.get_clinic(caller.uow())


@router.endpoint("GET", "/users", access=ADMIN, response_model=Page[UserOut])
def list_users(caller: CallerDep, limit: Limit = 50, offset: Offset = 0) -> object:
    items, total = admin.list_users(caller.uow(), limit=limit, offset=offset)
    return page(items, total, limit=limit, offset=offset, model=UserOut)


@router.endpoint("POST", "/users", access=ADMIN, status_code=201, response_model=UserOut)
def add_user(caller: CallerDep, body: UserInput) -> object:
    """Create an account in the admin's clinic (password ≥ 12 characters, stored as Argon2id)."""
    return admin.add_user(caller.uow(), body)


@router.endpoint("GET", "/audit-events", access=ADMIN, response_model=Page[AuditEventOut])
def list_audit_events(
    caller: CallerDep,
    limit: Limit = 50,
    offset: Offset = 0,
    patient_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
) -> object:
    """The clinic's audit trail, newest first (append-only; reading it is audited too)."""
    items, total = admin.list_audit_events(
        caller.uow(), limit=limit, offset=offset, patient_id=patient_id
    )
    return page(items, total, limit=limit, offset=offset, model=AuditEventOut)
