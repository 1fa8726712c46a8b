"""A real app server for the tests: uvicorn on a free port in a thread, over a real database."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from painpath.services import accounts
from painpath.services.commands import PatientInput, UserInput
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import Patient, User
from painpath.store.unit_of_work import SqlUnitOfWork
from painpath.web import create_app

PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Clinic_:
    id: str
    name: str
    users: dict[str, User] = field(default_factory=dict)
    patients: dict[str, Patient] = field(default_factory=dict)


@dataclass
class Server:
    url: str
    settings: Settings
    clinics: dict[str, Clinic_]

    def client(self, username: str | None = None, *, password: str = PASSWORD) -> httpx.Client:
        """An HTTP client; signed in (session cookie + CSRF header) when given a username."""
        c = httpx.Client(base_url=self.url, timeout=30)
        if username:
            r = c.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c

    def uow(self) -> SqlUnitOfWork:
        engine = make_engine(self.settings.database_url)
        return SqlUnitOfWork(make_session_factory(engine), None, client="test")


def seed(settings: Settings) -> dict[str, Clinic_]:
    """Two clinics, X and Y; in each a physician, a physical therapist, a clinic admin and two
    patients (A and B) with their own accounts. Usernames: ``{role}.{clinic}``, ``patient-a.x``."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    clinics: dict[str, Clinic_] = {}
    for key in ("x", "y"):
        name = f"Clinic {key.upper()}"
        admin = accounts.create_user(
            SqlUnitOfWork(factory, None, client="seed"),
            name,
            UserInput(
                username=f"admin.{key}",
                display_name=f"Admin {key}",
                role="clinic_admin",
                password=PASSWORD,
            ),
        )
        clinic = Clinic_(id=admin.clinic_id, name=name, users={"admin": admin})
        for role, short in (("physician", "doc"), ("physical_therapist", "pt")):
            clinic.users[short] = accounts.create_user(
                SqlUnitOfWork(factory, None, client="seed"),
                name,
                UserInput(
                    username=f"{short}.{key}", display_name=short, role=role, password=PASSWORD
                ),
            )
        staff = Principal(
            user_id=admin.id,
            username=admin.username,
            role="clinic_admin",
            clinic_id=admin.clinic_id,
        )
        from painpath.services.patients import create_patient

        for p in ("a", "b"):
            patient = create_patient(
                SqlUnitOfWork(factory, staff, client="seed"),
                PatientInput(name=f"Patient {p.upper()} of {key.upper()}", sex="female"),
            )
            clinic.patients[p] = patient
            clinic.users[f"patient-{p}"] = accounts.create_user(
                SqlUnitOfWork(factory, None, client="seed"),
                name,
                UserInput(
                    username=f"patient-{p}.{key}",
                    display_name=f"Patient {p}",
                    role="patient",
                    password=PASSWORD,
                    patient_id=patient.id,
                ),
            )
        clinics[key] = clinic
    engine.dispose()
    return clinics


@contextmanager
def serve(settings: Settings, clock: object = None) -> Iterator[str]:
    """Serve the app on 127.0.0.1:<free port> until the block ends."""
    port = free_port()
    app = create_app(settings, clock=clock)  # type: ignore[arg-type]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.ctx.engine.dispose()


def settings_for(url: str, tmp: Path, **overrides: object) -> Settings:
    return Settings(database_url=url, data_dir=tmp, **overrides)  # type: ignore[arg-type]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone().date()
