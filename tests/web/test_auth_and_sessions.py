"""Signing in and staying signed in, through real HTTP: Argon2id passwords (rehashed when the
parameters change), server-side sessions in a `Secure; HttpOnly; SameSite=Lax` cookie that is
rotated at login, ended at logout and after the idle limit, throttled and audited logins, CSRF
on every state-changing cookie request, and bearer tokens (reliability-security.md 7–10).

These tests do not depend on the database back end, so they run on SQLite only: the two clinics
are seeded once per module and each test gets its own copy of that database file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import argon2
import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from painpath.services import accounts
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import ApiToken, AuditEvent, User
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.web._server import PASSWORD, Clinic_, seed, serve, settings_for

API = "/api/v1"
COOKIE = "painpath_session"
LOCAL = "127.0.0.1"


# --- one seeded database per module, copied for each test -------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Clinic_]]:
    folder = tmp_path_factory.mktemp("seeded")
    db = folder / "painpath.db"
    clinics = seed(settings_for(f"sqlite:///{db}", folder))
    return db, clinics


@pytest.fixture
def clinics(template: tuple[Path, dict[str, Clinic_]]) -> dict[str, Clinic_]:
    return template[1]


@pytest.fixture
def make_settings(
    template: tuple[Path, dict[str, Clinic_]], tmp_path: Path
) -> Callable[..., Settings]:
    """Settings over this test's own copy of the seeded database (overrides allowed)."""
    source = template[0]
    target = tmp_path / "painpath.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")

    def make(**overrides: object) -> Settings:
        return settings_for(f"sqlite:///{target}", tmp_path, **overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def url(settings: Settings) -> Iterator[str]:
    with serve(settings) as base:
        yield base


@dataclass
class Clock:
    """A clock the test moves by hand (the app reads it for sessions and throttling)."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, *, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)


# --- helpers --------------------------------------------------------------------------------


def login(
    client: httpx.Client, username: str, password: str = PASSWORD, **kwargs: object
) -> httpx.Response:
    return client.post(
        f"{API}/auth/login",
        json={"username": username, "password": password},
        **kwargs,  # type: ignore[arg-type]
    )


def signed_in(url: str, username: str) -> tuple[httpx.Client, str]:
    """A client holding a session cookie, and its CSRF token (not yet set as a header)."""
    client = httpx.Client(base_url=url, timeout=30)
    r = login(client, username)
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


def with_cookie(url: str, cookie: str) -> httpx.Client:
    """A fresh client that sends only the given session cookie."""
    return httpx.Client(base_url=url, timeout=30, cookies={COOKIE: cookie})


def cookie_attributes(response: httpx.Response) -> tuple[str, set[str]]:
    """The session cookie's value and its attributes (lower case, without values except
    SameSite) from the Set-Cookie header."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}=")]
    assert len(headers) == 1, response.headers
    first, *attrs = (part.strip() for part in headers[0].split(";"))
    value = first.split("=", 1)[1]
    names = {
        a.lower() if a.lower().startswith("samesite") else a.split("=")[0].lower() for a in attrs
    }
    return value, names


@contextmanager
def database(settings: Settings) -> Iterator[Session]:
    """A session on the test's database, beside the server's own engine."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            yield db
    finally:
        engine.dispose()


def stored_hash(settings: Settings, username: str) -> str:
    with database(settings) as db:
        return str(db.scalars(select(User.password_hash).where(User.username == username)).one())


def stored_user_id(settings: Settings, username: str) -> str:
    with database(settings) as db:
        return str(db.scalars(select(User.id).where(User.username == username)).one())


def login_events(settings: Settings) -> list[tuple[str | None, str | None, str, str | None]]:
    """(actor, user_id, outcome, client) of every auth.login audit event, oldest first."""
    with database(settings) as db:
        rows = db.execute(
            select(AuditEvent.actor, AuditEvent.user_id, AuditEvent.outcome, AuditEvent.client)
            .where(AuditEvent.action == "auth.login")
            .order_by(AuditEvent.id)
        ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def stored_counts(client: httpx.Client, patient: str) -> tuple[int, int]:
    """How many patients the clinic has, and how many daily logs the patient has."""
    patients = client.get(f"{API}/patients")
    logs = client.get(f"{API}/patients/{patient}/logs")
    assert patients.status_code == logs.status_code == 200, (patients.text, logs.text)
    return int(patients.json()["total"]), int(logs.json()["total"])


# --- cookies and passwords --------------------------------------------------------------------


def test_login_sets_an_httponly_samesite_lax_session_cookie_without_secure_on_plain_http_localhost(
    url: str,
) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        r = login(client, "doc.x")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["username"] == "doc.x"
    assert body["user"]["role"] == "physician"
    assert body["csrf_token"]
    value, attrs = cookie_attributes(r)
    assert value
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "secure" not in attrs
    assert body["csrf_token"] not in value


def test_login_sets_a_secure_cookie_when_secure_cookies_is_on(
    make_settings: Callable[..., Settings],
) -> None:
    with serve(make_settings(secure_cookies=True)) as base, httpx.Client(base_url=base) as c:
        r = login(c, "doc.x")
    assert r.status_code == 200, r.text
    _, attrs = cookie_attributes(r)
    assert {"secure", "httponly", "samesite=lax"} <= attrs


def test_passwords_are_stored_as_argon2id_hashes(url: str, settings: Settings) -> None:
    for username in ("doc.x", "patient-a.x", "admin.y"):
        stored = stored_hash(settings, username)
        assert stored.startswith("$argon2id$"), stored
        assert PASSWORD not in stored
        assert argon2.PasswordHasher().verify(stored, PASSWORD)


def test_login_rehashes_a_password_stored_with_weaker_argon2_parameters(
    url: str, settings: Settings
) -> None:
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    with database(settings) as db:
        db.execute(update(User).where(User.username == "pt.x").values(password_hash=weak))
        db.commit()

    with httpx.Client(base_url=url, timeout=30) as client:
        assert login(client, "pt.x").status_code == 200

    current = argon2.PasswordHasher()
    rehashed = stored_hash(settings, "pt.x")
    assert rehashed != weak
    assert rehashed.startswith("$argon2id$")
    params = argon2.extract_parameters(rehashed)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        current.time_cost,
        current.memory_cost,
        current.parallelism,
    )
    assert not current.check_needs_rehash(rehashed)
    assert current.verify(rehashed, PASSWORD)
    with httpx.Client(base_url=url, timeout=30) as client:
        assert login(client, "pt.x").status_code == 200


# --- session lifetime -------------------------------------------------------------------------


def test_a_second_login_rotates_the_cookie_and_ends_the_session_it_replaces(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        first = login(client, "doc.x")
        old, _ = cookie_attributes(first)
        assert client.get(f"{API}/auth/me").status_code == 200
        # The client still holds the old cookie, so the server sees it as the one replaced.
        second = login(client, "doc.x")
        assert second.status_code == 200
        new, _ = cookie_attributes(second)
        assert new != old
        assert second.json()["csrf_token"] != first.json()["csrf_token"]
    with with_cookie(url, old) as stale:
        r = stale.get(f"{API}/patients")
        assert r.status_code == 401, r.text
        assert r.headers["content-type"] == "application/problem+json"
    with with_cookie(url, new) as fresh:
        assert fresh.get(f"{API}/patients").status_code == 200


def test_after_logout_the_old_cookie_gets_401(url: str) -> None:
    client, csrf = signed_in(url, "doc.x")
    cookie = client.cookies[COOKIE]
    with closing(client):
        assert client.get(f"{API}/patients").status_code == 200
        r = client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 204, r.text
    with with_cookie(url, cookie) as replay:
        assert replay.get(f"{API}/patients").status_code == 401
        assert replay.get(f"{API}/auth/me").status_code == 401
        r = replay.post(f"{API}/patients", json={"name": "Late"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 401


def test_a_staff_session_idle_for_31_minutes_gets_401(settings: Settings) -> None:
    clock = Clock(dt.datetime.now(dt.UTC))
    with serve(settings, clock=clock) as base:
        client, _ = signed_in(base, "doc.x")
        with closing(client):
            assert client.get(f"{API}/patients").status_code == 200
            clock.advance(minutes=31)
            r = client.get(f"{API}/patients")
            assert r.status_code == 401, r.text
            clock.advance(minutes=-31)  # the session was ended, not merely refused
            assert client.get(f"{API}/patients").status_code == 401


def test_a_staff_session_used_every_20_minutes_stays_alive(settings: Settings) -> None:
    clock = Clock(dt.datetime.now(dt.UTC))
    with serve(settings, clock=clock) as base:
        client, _ = signed_in(base, "pt.x")
        with closing(client):
            for _ in range(5):  # 100 minutes in all, never more than 20 idle
                clock.advance(minutes=20)
                r = client.get(f"{API}/patients")
                assert r.status_code == 200, r.text


def test_a_patient_session_survives_31_idle_minutes_but_not_61(settings: Settings) -> None:
    clock = Clock(dt.datetime.now(dt.UTC))
    with serve(settings, clock=clock) as base:
        client, _ = signed_in(base, "patient-a.x")
        with closing(client):
            clock.advance(minutes=31)
            assert client.get(f"{API}/auth/me").status_code == 200
            clock.advance(minutes=61)
            assert client.get(f"{API}/auth/me").status_code == 401


# --- failed logins ----------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        wrong = login(client, "doc.x", "not the password")
        unknown = login(client, "nobody.x", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["content-type"] == unknown.headers["content-type"]
    assert wrong.headers["content-type"] == "application/problem+json"
    assert COOKIE not in wrong.headers.get("set-cookie", "")
    assert COOKIE not in unknown.headers.get("set-cookie", "")


def test_five_failures_throttle_the_account_with_retry_after_even_for_the_right_password(
    url: str, settings: Settings
) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(settings.login_failures_per_user):
            assert login(client, "doc.x", "guess").status_code == 401
        throttled = login(client, "doc.x")  # the right password
        assert throttled.status_code == 429, throttled.text
        assert throttled.headers["content-type"] == "application/problem+json"
        assert int(throttled.headers["retry-after"]) > 0
        assert COOKIE not in throttled.headers.get("set-cookie", "")
        # The throttle is per account: a colleague still signs in.
        assert login(client, "pt.x").status_code == 200
    assert login_events(settings)[-2][2] == "throttled"


def test_every_login_attempt_writes_exactly_one_auth_login_audit_event(
    url: str, settings: Settings
) -> None:
    before = login_events(settings)
    with httpx.Client(base_url=url, timeout=30) as client:
        statuses = [login(client, "doc.x").status_code]
        statuses.append(login(client, "doc.x", "wrong").status_code)
        statuses.append(login(client, "nobody.x", "wrong").status_code)
        statuses += [login(client, "doc.x", "wrong").status_code for _ in range(4)]
        statuses.append(login(client, "doc.x").status_code)
    doc_id = stored_user_id(settings, "doc.x")
    events = login_events(settings)[len(before) :]
    assert events == [
        ("doc.x", doc_id, "success", LOCAL),
        ("doc.x", None, "failure", LOCAL),
        ("nobody.x", None, "failure", LOCAL),
        *[("doc.x", None, "failure", LOCAL)] * 4,
        ("doc.x", None, "throttled", LOCAL),
    ]
    assert statuses == [200, 401, 401, 401, 401, 401, 401, 429]


# --- CSRF ------------------------------------------------------------------------------------


def _writes(clinics: dict[str, Clinic_]) -> list[tuple[str, str, dict[str, object]]]:
    today = dt.datetime.now(dt.UTC).astimezone().date()
    patient = clinics["x"].patients["a"].id
    return [
        ("POST", f"{API}/patients", {"name": "Csrf Probe"}),
        ("PUT", f"{API}/patients/{patient}/logs/{today.isoformat()}", {"pain": 3}),
    ]


WRITES = pytest.mark.parametrize("index", [0, 1], ids=["POST patients", "PUT log"])


@WRITES
def test_a_cookie_write_without_the_csrf_header_gets_403(
    url: str, clinics: dict[str, Clinic_], index: int
) -> None:
    method, path, body = _writes(clinics)[index]
    client, _ = signed_in(url, "doc.x")
    patient = clinics["x"].patients["a"].id
    with closing(client):
        before = stored_counts(client, patient)
        r = client.request(method, path, json=body)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert stored_counts(client, patient) == before


@WRITES
def test_a_cookie_write_with_a_wrong_csrf_token_gets_403(
    url: str, clinics: dict[str, Clinic_], index: int
) -> None:
    method, path, body = _writes(clinics)[index]
    client, csrf = signed_in(url, "doc.x")
    second, other = signed_in(url, "doc.x")  # a real token, but another session's
    second.close()
    patient = clinics["x"].patients["a"].id
    with closing(client):
        before = stored_counts(client, patient)
        for token in ("wrong", other, csrf[:-1], ""):
            r = client.request(method, path, json=body, headers={"X-CSRF-Token": token})
            assert r.status_code == 403, (token, r.text)
        assert stored_counts(client, patient) == before


@WRITES
def test_a_cookie_write_with_the_right_token_from_a_foreign_origin_gets_403(
    url: str, clinics: dict[str, Clinic_], index: int
) -> None:
    method, path, body = _writes(clinics)[index]
    client, csrf = signed_in(url, "doc.x")
    patient = clinics["x"].patients["a"].id
    with closing(client):
        before = stored_counts(client, patient)
        r = client.request(
            method,
            path,
            json=body,
            headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
        )
        assert r.status_code == 403, r.text
        assert stored_counts(client, patient) == before


@WRITES
def test_a_cookie_write_with_the_right_token_succeeds(
    url: str, clinics: dict[str, Clinic_], index: int
) -> None:
    method, path, body = _writes(clinics)[index]
    client, csrf = signed_in(url, "doc.x")
    with closing(client):
        r = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
        assert 200 <= r.status_code < 300, r.text
        # The browser's own origin is accepted too.
        r = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf, "Origin": url})
        assert 200 <= r.status_code < 300, r.text


def test_the_login_form_refuses_a_foreign_origin(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        r = login(client, "doc.x", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403, r.text
    assert COOKIE not in r.headers.get("set-cookie", "")


def test_get_requests_need_no_csrf_token(url: str, clinics: dict[str, Clinic_]) -> None:
    client, _ = signed_in(url, "doc.x")
    patient = clinics["x"].patients["a"].id
    with closing(client):
        assert "x-csrf-token" not in client.headers
        for path in ("/auth/me", "/patients", f"/patients/{patient}", f"/patients/{patient}/logs"):
            r = client.get(f"{API}{path}")
            assert r.status_code == 200, (path, r.text)


# --- bearer tokens ----------------------------------------------------------------------------


def make_token(settings: Settings, username: str) -> str:
    engine = make_engine(settings.database_url)
    try:
        unit = SqlUnitOfWork(make_session_factory(engine), None, client="test")
        now = dt.datetime.now(dt.UTC)
        return accounts.create_token(unit, username, name="integration", now=now, days=None)
    finally:
        engine.dispose()


def test_a_bearer_token_works_without_csrf(url: str, settings: Settings) -> None:
    token = make_token(settings, "doc.x")
    with httpx.Client(
        base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        assert client.get(f"{API}/auth/me").json()["username"] == "doc.x"
        r = client.post(f"{API}/patients", json={"name": "Via Token"})
        assert r.status_code == 201, r.text
        assert COOKIE not in client.cookies


def test_a_revoked_or_unknown_bearer_token_gets_401(url: str, settings: Settings) -> None:
    token = make_token(settings, "doc.x")
    with database(settings) as db:
        db.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == accounts.digest(token))
            .values(revoked=True)
        )
        db.commit()
    for value in (token, "pp_" + "A" * 43):
        with httpx.Client(base_url=url, timeout=30) as client:
            headers = {"Authorization": f"Bearer {value}"}
            assert client.get(f"{API}/patients", headers=headers).status_code == 401
            r = client.post(f"{API}/patients", json={"name": "Nope"}, headers=headers)
            assert r.status_code == 401, r.text


@pytest.mark.parametrize(
    "header",
    ["Basic ZG9jLng6cGFzc3dvcmQ=", "Bearer", "pp_abcdef", "Token pp_abc", "Bearer pp_a pp_b", ","],
)
def test_a_malformed_authorization_header_gets_401(url: str, header: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.get(f"{API}/patients", headers={"Authorization": header})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_a_malformed_authorization_header_wins_over_a_valid_cookie(url: str) -> None:
    client, _ = signed_in(url, "doc.x")
    with closing(client):
        r = client.get(f"{API}/patients", headers={"Authorization": "Basic eDp5"})
        assert r.status_code == 401


# --- accounts made by the clinic admin --------------------------------------------------------


def _admin(url: str) -> httpx.Client:
    client, csrf = signed_in(url, "admin.x")
    client.headers["X-CSRF-Token"] = csrf
    return client


def test_a_password_is_kept_as_typed_spaces_and_all(url: str) -> None:
    typed = "  spaces at both ends  "
    with closing(_admin(url)) as admin:
        r = admin.post(
            f"{API}/users",
            json={
                "username": "psy.x",
                "display_name": "Psy",
                "role": "psychologist",
                "password": typed,
            },
        )
        assert r.status_code == 201, r.text
    with httpx.Client(base_url=url) as c:
        assert login(c, "psy.x", typed).status_code == 200
        assert login(c, "psy.x", typed.strip()).status_code == 401


def test_a_short_password_is_refused_naming_the_length(url: str) -> None:
    with closing(_admin(url)) as admin:
        r = admin.post(
            f"{API}/users",
            json={
                "username": "ot.x",
                "display_name": "OT",
                "role": "pharmacist",
                "password": "short",
            },
        )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "password", "message": "must be at least 12 characters"}
    ]


def test_a_patient_with_an_account_gets_no_second_one(
    url: str, clinics: dict[str, Clinic_]
) -> None:
    with closing(_admin(url)) as admin:
        r = admin.post(
            f"{API}/users",
            json={
                "username": "patient-a2.x",
                "display_name": "A again",
                "role": "patient",
                "password": PASSWORD,
                "patient_id": clinics["x"].patients["a"].id,
            },
        )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "patient_id", "message": "this patient already has an account"}
    ]
