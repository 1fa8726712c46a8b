"""Pages: the clinic lead's accounts — who in the clinic can sign in, and a form that gives a
member of staff, or one of the clinic's patients (for their daily log), a login.

Accounts are made by `services.admin.add_user`, exactly as through the API's ``POST /users``;
the page adds what a person needs around it: the patient chosen from a list of the clinic's
patients who have no login yet, messages beside the fields, and never a password sent back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from painpath.services import admin, patients
from painpath.services.commands import UserInput
from painpath.services.errors import Conflict, InvalidInput, NotFound
from painpath.store.models import Patient, User
from painpath.web.security import ADMIN, Caller, CallerDep
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.audit import audit_refusal_async
from painpath.web.ui.forms import FormReader, errors_by_field, text_field
from painpath.web.ui.render import ROLE_LABELS, render

__all__ = ["PASSWORD_MIN", "ClinicAccounts", "load_accounts", "read_account", "router"]

router = PageRouter()


def _bound(field: str, name: str) -> Any:
    """A bound of a `UserInput` field (its min_length, pattern, ...), so the page's messages
    say exactly what the use case will accept."""
    for item in UserInput.model_fields[field].metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    raise LookupError(f"UserInput.{field} has no {name}")  # pragma: no cover


PASSWORD_MIN: int = _bound("password", "min_length")
PASSWORD_MAX: int = _bound("password", "max_length")
USERNAME = re.compile(_bound("username", "pattern"))
USERNAME_RULE = (
    "3 to 100 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit"
)
# The form's role list: a patient's login first (the most common), then the clinicians, then
# the clinic lead.
ROLES = (
    "patient",
    "physician",
    "physiatrist",
    "physical_therapist",
    "psychologist",
    "pharmacist",
    "occupational_therapist",
    "clinic_admin",
)
_PAGE = 500


@dataclass(frozen=True)
class AccountRow:
    """One account as the list shows it."""

    username: str
    display_name: str
    role: str
    active: bool
    patient_id: str | None
    patient_name: str | None


@dataclass(frozen=True)
class ClinicAccounts:
    """The clinic's accounts, and its patients split by whether they have a login."""

    rows: list[AccountRow]
    patients: dict[str, Patient]  # every patient of the clinic, by id
    login_of: dict[str, str]  # patient id -> the username of their account

    @property
    def without_login(self) -> list[Patient]:
        """The patients a new patient account may point at, by name."""
        return [p for p in self.patients.values() if p.id not in self.login_of]

    def row(self, username: str) -> AccountRow | None:
        return next((r for r in self.rows if r.username == username), None)

    @property
    def staff_count(self) -> int:
        return sum(1 for r in self.rows if r.role != "patient")


def _all_users(caller: Caller) -> list[User]:
    found: list[User] = []
    while True:
        page, total = admin.list_users(caller.uow(), limit=_PAGE, offset=len(found))
        found += page
        if not page or len(found) >= total:
            return found


def _all_patients(caller: Caller) -> list[Patient]:
    found: list[Patient] = []
    while True:
        page, total = patients.list_patients(caller.uow(), limit=_PAGE, offset=len(found))
        found += page
        if not page or len(found) >= total:
            return found


def load_accounts(caller: Caller) -> ClinicAccounts:
    """Every account of the caller's clinic (the use case refuses anyone but the clinic lead)
    and every patient, reading all pages of both lists."""
    users = _all_users(caller)
    by_id = {p.id: p for p in _all_patients(caller)}
    rows = [
        AccountRow(
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            active=u.active,
            patient_id=u.patient_id,
            patient_name=by_id[u.patient_id].name if u.patient_id in by_id else None,
        )
        for u in users
    ]
    rows.sort(key=lambda r: (r.role == "patient", r.display_name.casefold(), r.username))
    return ClinicAccounts(
        rows=rows,
        patients=by_id,
        login_of={u.patient_id: u.username for u in users if u.patient_id},
    )


def read_account(form: FormData, accounts: ClinicAccounts) -> tuple[UserInput | None, FormReader]:
    """The new account the form describes, or None with each problem beside its field. A
    patient account must name one of the clinic's patients who has no login yet; a staff
    account names no patient. The password is never put into a message."""
    reader = FormReader(form)
    role = reader.raw("role")
    if not role:
        reader.errors.append(("role", "choose the role of the account"))
    elif role not in ROLES:
        reader.errors.append(("role", "choose one of the roles in the list"))
    patient_id = reader.raw("patient_id") or None
    patient = None
    if role == "patient":
        if patient_id is None:
            reader.errors.append(("patient_id", "choose the patient whose login this is"))
        elif patient_id in accounts.login_of:
            taken = accounts.login_of[patient_id]
            reader.errors.append(("patient_id", f"this patient already has a login: {taken}"))
        elif patient_id not in accounts.patients:
            reader.errors.append(("patient_id", "choose one of the clinic's patients"))
        else:
            patient = accounts.patients[patient_id]
    elif patient_id is not None and role in ROLES:
        reader.errors.append(("patient_id", "leave it empty for a staff account"))
    display_name = reader.text("display_name", limit=200)
    if display_name is None and patient is not None:
        display_name = patient.name
    if display_name is None and role != "patient":
        reader.errors.append(("display_name", "the name is required"))
    username = reader.raw("username").lower()
    if not username:
        reader.errors.append(("username", "the username is required"))
    elif not USERNAME.fullmatch(username):
        reader.errors.append(("username", f"use {USERNAME_RULE}"))
    password = text_field(form, "password", limit=PASSWORD_MAX + 1, strip=False)
    again = text_field(form, "password_again", limit=PASSWORD_MAX + 1, strip=False)
    if len(password) < PASSWORD_MIN:
        reader.errors.append(("password", f"must be at least {PASSWORD_MIN} characters"))
    elif password != password.strip():
        # The use case's input strips it: the login would never match what was typed.
        reader.errors.append(("password", "must not begin or end with a space"))
    elif len(password) > PASSWORD_MAX:
        reader.errors.append(("password", f"must be at most {PASSWORD_MAX:,} characters"))
    elif again != password:
        reader.errors.append(("password_again", "does not match the password"))
    if reader.errors:
        return None, reader
    try:
        data = UserInput(
            username=username,
            display_name=display_name or "",
            role=role,  # checked against ROLES above
            password=password,
            patient_id=patient.id if patient else None,
        )
    except ValidationError as exc:  # pragma: no cover - the checks above are the model's
        for error in exc.errors():
            field = str((error.get("loc") or ("username",))[0])
            reader.errors.append(
                (field, "is not accepted" if "password" in field else error["msg"])
            )
        return None, reader
    return data, reader


def _patient_option(patient: Patient) -> str:
    # Two patients may share a name: the date of birth and record number tell them apart.
    words = [patient.name]
    if patient.birth_date:
        words.append(f"born {patient.birth_date:%-d %b %Y}")
    if patient.mrn:
        words.append(f"MRN {patient.mrn}")
    return " · ".join(words)


def _values(reader: FormReader) -> dict[str, str]:
    # What was typed, to fill the form again: never a password.
    values = reader.typed()
    values.pop("password", None)
    values.pop("password_again", None)
    if "username" in values:
        values["username"] = values["username"].lower()
    return values


def _page(
    request: Request,
    accounts: ClinicAccounts,
    values: dict[str, str],
    errors: Sequence[tuple[str, str]] = (),
    *,
    status: int = 200,
    added: AccountRow | None = None,
    notice: str | None = None,
) -> Response:
    return render(
        request,
        "accounts/list.html",
        status=status,
        accounts=accounts,
        values=values,
        errors=errors_by_field(errors),
        roles=[(role, ROLE_LABELS[role]) for role in ROLES],
        patient_options=[(p.id, _patient_option(p)) for p in accounts.without_login],
        added=added,
        notice=notice,
        password_min=PASSWORD_MIN,
        username_rule=USERNAME_RULE,
    )


@router.page("GET", "/accounts", access=ADMIN)
def accounts_page(
    request: Request,
    caller: CallerDep,
    added: str | None = None,
    patient_id: str | None = None,
) -> Response:
    """The clinic's accounts and the form to add one. ``?added=<username>`` confirms a new
    account (only one the list holds); ``?patient_id=`` starts a login for that patient (role
    patient, the patient chosen), or says which login they already have."""
    accounts = load_accounts(caller)
    values: dict[str, str] = {}
    notice = None
    if patient_id and patient_id in accounts.patients:
        if patient_id in accounts.login_of:
            name = accounts.patients[patient_id].name
            notice = f"{name} already has a login: {accounts.login_of[patient_id]}."
        else:
            values = {"role": "patient", "patient_id": patient_id}
    return _page(
        request, accounts, values, added=accounts.row(added) if added else None, notice=notice
    )


@router.page("POST", "/accounts", access=ADMIN)
async def add_account(request: Request, caller: CallerDep) -> Response:
    """Add the account (`admin.add_user`), then back to the list naming it (303). A problem —
    a username taken, a short password, a patient who has a login, a patient of another
    clinic — shows the form again (422) with each message beside its field, what was typed
    kept, and the password fields empty."""
    form = await request.form()
    accounts = await run_in_threadpool(load_accounts, caller)
    data, reader = read_account(form, accounts)
    if data is None:
        await audit_refusal_async(caller, request)
        return _page(request, accounts, _values(reader), reader.errors, status=422)
    try:
        user = await run_in_threadpool(admin.add_user, caller.uow(), data)
    except InvalidInput as exc:
        errors: list[tuple[str, str]] = list(exc.errors)
    except NotFound:
        errors = [("patient_id", "choose one of the clinic's patients")]
    except Conflict:
        # Someone added an account at the same moment: say which part is now taken.
        accounts = await run_in_threadpool(load_accounts, caller)
        if data.patient_id and data.patient_id in accounts.login_of:
            taken = accounts.login_of[data.patient_id]
            errors = [("patient_id", f"this patient already has a login: {taken}")]
        else:
            errors = [("username", f"{data.username!r} is taken")]
    else:
        return RedirectResponse(f"/accounts?{urlencode({'added': user.username})}", status_code=303)
    return _page(request, accounts, _values(reader), errors, status=422)
