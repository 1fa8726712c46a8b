"""The clinic lead's accounts pages over real HTTP: the lead gives a patient or a member of staff
a login, and the new account signs in through the form to its own start page; every refusal
shows the form again with its message beside the field, what was typed kept, the password never
sent back and nothing written; nobody but the clinic lead reaches the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select

from painpath.services.commands import PatientInput
from painpath.services.patients import create_patient
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import AuditEvent, User
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.web._server import PASSWORD, Server, seed, serve, settings_for

NEW_PASSWORD = "a-brand-new-passphrase-7"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("accounts")
    settings = settings_for(f"sqlite:///{tmp / 'p.db'}", tmp)
    clinics = seed(settings)
    with serve(settings) as url:
        yield Server(url, settings, clinics)


def new_patient(server: Server, name: str, clinic: str = "x") -> str:
    """A patient of ``clinic`` with no login, registered by its physician."""
    doc = server.clinics[clinic].users["doc"]
    principal = Principal(
        user_id=doc.id, username=doc.username, role=doc.role, clinic_id=doc.clinic_id
    )
    engine = make_engine(server.settings.database_url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine), principal, client="test")
        return create_patient(uow, PatientInput(name=name)).id
    finally:
        engine.dispose()


@contextmanager
def signed_in(server: Server, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A cookie-keeping client signed in through the sign-in form, as a browser is."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/login", data={"username": username, "password": password})
        assert r.status_code == 303, r.text
        yield c


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def accounts(server: Server) -> dict[str, User]:
    """Every account in the database, by username."""
    engine = make_engine(server.settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            return {u.username: u for u in db.scalars(select(User))}
    finally:
        engine.dispose()


def audit_events(server: Server) -> list[AuditEvent]:
    engine = make_engine(server.settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            return list(db.scalars(select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)))
    finally:
        engine.dispose()


def form(**fields: str) -> dict[str, str]:
    """A complete staff account form, with ``fields`` changed."""
    base = {
        "role": "physician",
        "patient_id": "",
        "display_name": "Dr Robin Hale",
        "username": "robin.hale",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    base.update(fields)
    if "password" in fields and "password_again" not in fields:
        base["password_again"] = fields["password"]
    return base


def post(c: httpx.Client, data: dict[str, str]) -> httpx.Response:
    token = csrf_of(c.get("/accounts").text)
    return c.post("/accounts", data={"csrf_token": token, **data})


def error_beside(page: str, field: str) -> str:
    """The message shown next to ``field`` (the form macro's ``<field>-error`` paragraph)."""
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert found, f"no message beside {field}"
    return found.group(1)


def selected_option(page: str, name: str) -> str | None:
    block = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', page, re.S)
    assert block, f"no select {name}"
    found = re.search(r'<option value="([^"]*)" selected>', block.group(0))
    return found.group(1) if found else None


def options(page: str, name: str) -> list[str]:
    block = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', page, re.S)
    assert block, f"no select {name}"
    return [v for v in re.findall(r'<option value="([^"]*)"', block.group(0)) if v]


def test_the_lead_gives_a_patient_a_login_and_the_patient_signs_in_to_their_daily_log(
    server: Server,
) -> None:
    sam = new_patient(server, "Sam Rivera")
    patient_a = server.clinics["x"].patients["a"].id
    with signed_in(server, "admin.x") as c:
        page = c.get("/accounts")
        assert page.status_code == 200
        assert sam in options(page.text, "patient_id")
        assert patient_a not in options(page.text, "patient_id")  # already has patient-a.x
        r = post(
            c,
            form(role="patient", patient_id=sam, display_name="", username="sam.rivera"),
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/accounts?added=sam.rivera"
        shown = c.get(r.headers["location"]).text
    assert "Account sam.rivera added" in shown
    assert "Sam Rivera can now sign in with the username" in shown
    row = re.search(r'<tr data-username="sam.rivera">.*?</tr>', shown, re.S)
    assert row and "Patient" in row.group(0) and f'href="/patients/{sam}"' in row.group(0)
    assert sam not in options(shown, "patient_id")
    made = accounts(server)["sam.rivera"]
    assert (made.role, made.patient_id, made.display_name) == ("patient", sam, "Sam Rivera")
    assert made.clinic_id == server.clinics["x"].id
    with httpx.Client(base_url=server.url, timeout=30) as patient:
        r = patient.post("/login", data={"username": "sam.rivera", "password": NEW_PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/me/log"
        assert patient.get("/me/log").status_code == 200


def test_a_new_staff_account_signs_in_to_the_patient_list(server: Server) -> None:
    with signed_in(server, "admin.x") as c:
        r = post(c, form(role="psychologist", display_name="Kim Osei", username="kim.osei"))
        assert r.status_code == 303
        shown = c.get(r.headers["location"]).text
    assert "Kim Osei (Psychologist) can now sign in" in shown
    made = accounts(server)["kim.osei"]
    assert (made.role, made.patient_id) == ("psychologist", None)
    with httpx.Client(base_url=server.url, timeout=30) as staff:
        r = staff.post("/login", data={"username": "kim.osei", "password": NEW_PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/patients"
        assert staff.get("/patients").status_code == 200


def test_the_list_names_each_accounts_role_and_a_patients_name(server: Server) -> None:
    with signed_in(server, "admin.x") as c:
        page = c.get("/accounts").text
    doc = re.search(r'<tr data-username="doc.x">.*?</tr>', page, re.S)
    patient = re.search(r'<tr data-username="patient-a.x">.*?</tr>', page, re.S)
    assert doc and "Physician" in doc.group(0) and "Active" in doc.group(0)
    assert patient and "Patient A of X" in patient.group(0)
    assert "admin.y" not in page and "Patient A of Y" not in page  # one clinic only


def test_only_the_clinic_lead_has_accounts_in_the_menu(server: Server) -> None:
    with signed_in(server, "admin.x") as c:
        assert '<a href="/accounts" aria-current="page">Accounts</a>' in c.get("/accounts").text
    with signed_in(server, "doc.x") as c:
        assert 'href="/accounts"' not in c.get("/patients").text


@pytest.mark.parametrize("username", ["doc.x", "pt.x"])
def test_a_clinician_gets_the_not_allowed_page_and_makes_no_account(
    server: Server, username: str
) -> None:
    with signed_in(server, username) as c:
        page = c.get("/accounts")
        assert page.status_code == 403 and "Not allowed" in page.text
        token = csrf_of(c.get("/patients").text)
        r = c.post("/accounts", data={"csrf_token": token, **form(username="by.a.clinician")})
        assert r.status_code == 403 and "Not allowed" in r.text
    assert "by.a.clinician" not in accounts(server)


def test_a_patient_gets_the_not_allowed_page(server: Server) -> None:
    with signed_in(server, "patient-a.x") as c:
        assert c.get("/accounts").status_code == 403


def test_a_form_without_its_csrf_token_is_refused_and_makes_no_account(server: Server) -> None:
    with signed_in(server, "admin.x") as c:
        r = c.post("/accounts", data=form(username="no.token"))
        assert r.status_code == 403 and "CSRF" in r.text
    assert "no.token" not in accounts(server)


def test_another_clinics_patient_cannot_be_given_a_login_here(server: Server) -> None:
    theirs = new_patient(server, "Theo of Clinic Y", clinic="y")
    with signed_in(server, "admin.x") as c:
        r = post(
            c,
            form(role="patient", patient_id=theirs, display_name="Theo", username="theo.y"),
        )
    assert r.status_code == 422
    assert error_beside(r.text, "patient_id") == "choose one of the clinic&#39;s patients"
    assert "Theo of Clinic Y" not in r.text
    assert "theo.y" not in accounts(server)
    assert not [u for u in accounts(server).values() if u.patient_id == theirs]


def test_a_patient_who_has_a_login_is_not_given_a_second(server: Server) -> None:
    patient_a = server.clinics["x"].patients["a"].id
    with signed_in(server, "admin.x") as c:
        r = post(c, form(role="patient", patient_id=patient_a, username="patient-a.again"))
    assert r.status_code == 422
    assert error_beside(r.text, "patient_id") == "this patient already has a login: patient-a.x"
    assert "patient-a.again" not in accounts(server)


def test_a_taken_username_is_refused_beside_the_field_and_nothing_is_written(
    server: Server,
) -> None:
    before = accounts(server)
    with signed_in(server, "admin.x") as c:
        # Usernames are unique across clinics: another clinic's is taken too.
        r = post(c, form(username="doc.y", display_name="Dr Second"))
    assert r.status_code == 422
    assert error_beside(r.text, "username") == "&#39;doc.y&#39; is taken"
    assert 'value="Dr Second"' in r.text  # what was typed is kept
    assert selected_option(r.text, "role") == "physician"
    after = accounts(server)
    assert set(after) == set(before) and after["doc.y"].display_name == "doc"


def test_a_short_password_is_refused_with_the_length_it_needs(server: Server) -> None:
    with signed_in(server, "admin.x") as c:
        r = post(c, form(username="short.pw", password="tooshort1"))
    assert r.status_code == 422
    assert error_beside(r.text, "password") == "must be at least 12 characters"
    assert "short.pw" not in accounts(server)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "tooshort1"}, "password", "must be at least 12 characters"),
        ({"password_again": NEW_PASSWORD + "x"}, "password_again", "does not match the password"),
        ({"password": f" {NEW_PASSWORD} "}, "password", "must not begin or end with a space"),
        ({"role": "superuser"}, "role", "choose one of the roles in the list"),
        ({"role": ""}, "role", "choose the role of the account"),
        ({"role": "patient"}, "patient_id", "choose the patient whose login this is"),
        ({"display_name": ""}, "display_name", "the name is required"),
        ({"username": "a b"}, "username", "use 3 to 100 characters"),
        ({"username": ""}, "username", "the username is required"),
    ],
)
def test_a_refused_form_keeps_what_was_typed_but_never_the_password(
    server: Server, fields: dict[str, str], field: str, message: str
) -> None:
    sent = form(**{"username": "kept.name", "display_name": "Kept Name", **fields})
    with signed_in(server, "admin.x") as c:
        r = post(c, sent)
    assert r.status_code == 422
    assert error_beside(r.text, field).startswith(message)
    assert 'id="error-summary"' in r.text
    for typed in {sent["password"], sent["password_again"], sent["password"].strip()}:
        assert typed not in r.text
    assert 'name="password" type="password" value=""' in r.text
    assert sent["display_name"] == "" or f'value="{sent["display_name"]}"' in r.text
    assert "kept.name" not in accounts(server)


def test_a_staff_account_names_no_patient(server: Server) -> None:
    someone = new_patient(server, "Pat Staffless")
    with signed_in(server, "admin.x") as c:
        r = post(c, form(role="physician", patient_id=someone, username="staff.with.patient"))
    assert r.status_code == 422
    assert error_beside(r.text, "patient_id") == "leave it empty for a staff account"
    assert selected_option(r.text, "patient_id") == someone
    assert "staff.with.patient" not in accounts(server)


def test_a_patients_address_starts_a_login_for_them(server: Server) -> None:
    jo = new_patient(server, "Jo Marsh")
    patient_a = server.clinics["x"].patients["a"]
    theirs = server.clinics["y"].patients["b"].id
    with signed_in(server, "admin.x") as c:
        # The patient's page (no episode open yet) links the lead to it.
        assert f'href="/accounts?patient_id={jo}"' in c.get(f"/patients/{jo}").text
        page = c.get(f"/accounts?patient_id={jo}").text
        assert selected_option(page, "role") == "patient"
        assert selected_option(page, "patient_id") == jo
        has_one = c.get(f"/accounts?patient_id={patient_a.id}").text
        assert f"{patient_a.name} already has a login: patient-a.x." in has_one
        other = c.get(f"/accounts?patient_id={theirs}")
        plain = c.get("/accounts?patient_id=not-an-id")
    assert other.status_code == 200 and selected_option(other.text, "patient_id") is None
    assert "Patient B of Y" not in other.text
    assert plain.status_code == 200 and selected_option(plain.text, "role") is None


def test_a_confirmation_names_only_an_account_of_the_clinic(server: Server) -> None:
    with signed_in(server, "admin.x") as c:
        theirs = c.get("/accounts?added=admin.y").text
        ours = c.get("/accounts?added=doc.x").text
    assert 'id="added"' not in theirs and "admin.y" not in theirs
    assert "Account doc.x added" in ours


def test_a_form_the_page_refuses_is_audited_once_and_an_account_made_once(
    server: Server,
) -> None:
    with signed_in(server, "admin.x") as c:
        before = len(audit_events(server))
        assert post(c, form(username="audited.once", password="short")).status_code == 422
        refused = audit_events(server)[before:]
        before = len(audit_events(server))
        assert post(c, form(username="audited.once")).status_code == 303
        made = audit_events(server)[before:]
    assert [(e.action, e.outcome) for e in refused if e.action.startswith("POST")] == [
        ("POST /accounts", "invalid")
    ]
    assert [e.action for e in refused if e.outcome != "success"] == ["POST /accounts"]
    created = [e for e in made if e.action == "user.create"]
    assert [(e.outcome, e.record_id) for e in created] == [
        ("success", accounts(server)["audited.once"].id)
    ]
