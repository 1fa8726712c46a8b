"""Audit completeness (reliability-security.md 7), on SQLite and PostgreSQL: a clinician and a
patient work through the API as they would in a clinic, failures included; every request of the
script must leave exactly one audit event — in order, naming the user, role, clinic, action,
outcome, patient and client address — failed writes must leave no data, and the application's
log must hold none of the patient values sent.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import AuditEvent, DailyLog, Patient, PlanRevision, User
from tests.web._server import PASSWORD, Clinic_, Server, seed, serve, settings_for

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
INTAKE = ROOT / "docs" / "examples" / "intake" / "02_sciatica_cannot_sit.json"
LOCAL = "127.0.0.1"

# Distinctive values sent in the script; none may reach the application's log.
NEW_PATIENT_NAME = "Quillonia Vexmarker"
EPISODE_TITLE = "Zarnwick sciatica flare"
LOG_NOTES = ["Plumbrook ache after gardening", "Thistlewane slept badly", "Morrowgate good day"]
LOG_EVENT = "Kestrelfold long drive"
CORRECTED_NOTE = "Brambleholt correction of yesterday"
BAD_LOG_NOTE = "Fennimore rejected entry"
OLD_LOG_NOTE = "Gravenhurst too old to log"
SESSION_NOTE = "Wyndermoor nerve glides taught"
TEAM_NOTE = "Cobblethwaite suspects sleep is the main driver"
PLAN_REASON = "Ravensholme added walking intervals"
STALE_REASON = "Oxenbridge stale edit"
IMPORT_STEPS = 48213
BAD_IMPORT_STEPS = 51977
MARKERS = [
    NEW_PATIENT_NAME,
    EPISODE_TITLE,
    *LOG_NOTES,
    LOG_EVENT,
    CORRECTED_NOTE,
    BAD_LOG_NOTE,
    OLD_LOG_NOTE,
    SESSION_NOTE,
    TEAM_NOTE,
    PLAN_REASON,
    STALE_REASON,
]
NUMBER_MARKERS = [IMPORT_STEPS, BAD_IMPORT_STEPS]
# A pain value shown next to its name: pain=7, 'pain': 7, "pain": 7 …
PAIN_IN_CONTEXT = re.compile(r"""\bpain['"]?\s*[:=]\s*-?\d""", re.IGNORECASE)
# The test's own HTTP client logs its requests; it is not the application.
CLIENT_LOGGERS = ("httpx", "httpcore")


# --- capturing every log record of the process ------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        out = []
        for record in self.records:
            if record.name.startswith(CLIENT_LOGGERS):
                continue
            out.append(self.format(record))  # message, exception and stack, if any
        return out


@contextmanager
def every_log_record() -> Iterator[_Collect]:
    """Collect every record at DEBUG: the root logger is set to DEBUG, and the handler is also
    put on the loggers that do not propagate to the root (uvicorn's, which log unhandled
    exceptions with their messages); their own levels stay as the server set them."""
    handler = _Collect()
    root = logging.getLogger()
    quiet = [logging.getLogger(name) for name in CLIENT_LOGGERS]
    apart = [
        obj
        for obj in list(logging.root.manager.loggerDict.values())
        if isinstance(obj, logging.Logger) and not obj.propagate
    ]
    saved = root.level, [q.level for q in quiet]
    root.setLevel(logging.DEBUG)
    for q in quiet:
        q.setLevel(logging.WARNING)
    for lg in (root, *apart):
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg in (root, *apart):
            lg.removeHandler(handler)
        root.setLevel(saved[0])
        for q, level in zip(quiet, saved[1], strict=True):
            q.setLevel(level)


def leaks(lines: list[str]) -> list[str]:
    """Each log line holding a patient value, shown around the first value found."""
    found = []
    for line in lines:
        spans = [(line.index(m), m) for m in MARKERS if m in line]
        for n in NUMBER_MARKERS:
            match = re.search(rf"(?<![0-9a-f]){n}(?![0-9a-f])", line)
            if match:
                spans.append((match.start(), str(n)))
        match = PAIN_IN_CONTEXT.search(line)
        if match:
            spans.append((match.start(), "a pain value"))
        if spans:
            at, _ = min(spans)
            excerpt = line[max(0, at - 200) : at + 120].replace("\n", " | ")
            found.append(f"{sorted({v for _, v in spans})} in {line.split(' ', 1)[0]}: …{excerpt}…")
    return found


# --- the scripted session ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The audit event one request must leave."""

    user_id: str | None
    actor: str | None
    role: str | None
    clinic_id: str | None
    action: str
    outcome: str
    patient_id: str | None
    client: str | None = LOCAL

    def line(self) -> str:
        return (
            f"{self.action:<48} {self.outcome:<10} actor={self.actor} role={self.role} "
            f"user={self.user_id} clinic={self.clinic_id} patient={self.patient_id} "
            f"client={self.client}"
        )


@dataclass
class Script:
    """Sends each request, checks its status and notes the audit event it must leave."""

    url: str
    ops: list[tuple[str, Expected]] = field(default_factory=list)
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def login(self, user: User, password: str = PASSWORD, *, status: int = 200) -> None:
        client = self.clients.setdefault(user.username, httpx.Client(base_url=self.url, timeout=60))
        r = client.post(f"{API}/auth/login", json={"username": user.username, "password": password})
        assert r.status_code == status, r.text
        if status == 200:
            client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            expected = Expected(
                user.id, user.username, user.role, user.clinic_id, "auth.login", "success", None
            )
        else:
            expected = Expected(None, user.username, None, None, "auth.login", "failure", None)
        self.ops.append((f"login {user.username} -> {r.status_code}", expected))

    def call(
        self,
        user: User,
        method: str,
        path: str,
        *,
        status: int,
        action: str,
        outcome: str = "success",
        patient_id: str | None,
        **kwargs: Any,
    ) -> Any:
        r = self.clients[user.username].request(method, f"{API}{path}", **kwargs)
        assert r.status_code == status, (method, path, r.text)
        self.ops.append(
            (
                f"{user.username} {method} {path} -> {r.status_code}",
                Expected(
                    user.id,
                    user.username,
                    user.role,
                    user.clinic_id,
                    action,
                    outcome,
                    patient_id,
                ),
            )
        )
        return r.json() if r.content else None

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@dataclass
class Outcome:
    """What the scripted session did and left behind."""

    expected: list[tuple[str, Expected]]
    audit: list[Expected]
    log_lines: list[str]
    leftovers: dict[str, int]


def run_script(server: Server) -> Outcome:
    x, y = server.clinics["x"], server.clinics["y"]
    doc, me = x.users["doc"], x.users["patient-a"]
    patient = x.patients["a"].id
    foreign = y.patients["a"].id
    today = dt.datetime.now(dt.UTC).astimezone().date()

    def day(n: int) -> str:
        return (today - dt.timedelta(days=n)).isoformat()

    engine = make_engine(server.settings.database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            first_event = db.scalar(select(func.max(AuditEvent.id))) or 0
        script = Script(server.url)
        with every_log_record() as captured, closing(script):
            s = script
            s.login(doc)
            s.login(me)
            # The clinician finds the patient and opens an episode of care.
            s.call(doc, "GET", "/patients", status=200, action="patient.list", patient_id=None)
            new = s.call(
                doc,
                "POST",
                "/patients",
                json={"name": NEW_PATIENT_NAME, "sex": "other"},
                status=201,
                action="patient.create",
                patient_id=None,  # filled in below, once its id is known
            )
            s.ops[-1] = (s.ops[-1][0], _with_patient(s.ops[-1][1], new["id"]))
            s.call(
                doc,
                "GET",
                f"/patients/{new['id']}",
                status=200,
                action="patient.read",
                patient_id=new["id"],
            )
            s.call(
                doc,
                "GET",
                f"/patients/{patient}",
                status=200,
                action="patient.read",
                patient_id=patient,
            )
            episode = s.call(
                doc,
                "POST",
                f"/patients/{patient}/episodes",
                json={"title": EPISODE_TITLE, "start_date": day(10)},
                status=201,
                action="episode.create",
                patient_id=patient,
            )["id"]
            s.call(
                doc,
                "POST",
                f"/episodes/{episode}/intake",
                json=json.loads(INTAKE.read_text()),
                status=201,
                action="intake.submit",
                patient_id=patient,
            )
            for path, action in (
                ("plan", "plan.read"),
                ("goals", "goal.list"),
                ("assessment", "assessment.read"),
            ):
                s.call(
                    doc,
                    "GET",
                    f"/episodes/{episode}/{path}",
                    status=200,
                    action=action,
                    patient_id=patient,
                )
            # The patient logs three days, one of them twice, and imports a step counter.
            logs = f"/patients/{patient}/logs"
            for n, (note, pain) in enumerate(zip(LOG_NOTES, (6, 5, 4), strict=True)):
                body: dict[str, Any] = {"pain": pain, "note": note, "goals": {"g1": 15 + n}}
                if n == 1:
                    body["event"] = LOG_EVENT
                s.call(
                    me,
                    "PUT",
                    f"{logs}/{day(2 - n)}",
                    json=body,
                    status=201,
                    action="daily_log.write",
                    patient_id=patient,
                )
            again = s.call(
                me,
                "PUT",
                f"{logs}/{day(1)}",
                json={"pain": 3, "note": CORRECTED_NOTE},
                status=200,
                action="daily_log.write",
                patient_id=patient,
            )
            assert again["created"] is False
            csv = f"date,steps,sleep_h\n{day(3)},{IMPORT_STEPS},7.5\n{day(2)},6100,6.0\n"
            s.call(
                me,
                "POST",
                f"{logs}/import",
                content=csv.encode(),
                headers={"Content-Type": "text/csv"},
                status=200,
                action="daily_log.import",
                patient_id=patient,
            )
            s.call(me, "GET", logs, status=200, action="daily_log.list", patient_id=patient)
            s.call(
                me,
                "GET",
                f"/episodes/{episode}/plan",
                status=200,
                action="plan.read",
                patient_id=patient,
            )
            # The clinician records a session, reads the signals and decides the checkpoint.
            s.call(
                doc,
                "POST",
                f"/episodes/{episode}/sessions",
                json={
                    "date": day(1),
                    "modalities": [{"name": "nerve glides", "kind": "active"}],
                    "note": SESSION_NOTE,
                },
                status=201,
                action="care_session.create",
                patient_id=patient,
            )
            signals = s.call(
                doc,
                "GET",
                f"/episodes/{episode}/signals",
                status=200,
                action="signals.read",
                patient_id=patient,
            )
            proposal = signals["proposal"]
            decision = {
                "date": today.isoformat(),
                "decision": proposal["decision"],
                "expected_version": signals["episode_version"],
                **{k: proposal[k] for k in ("to", "overlap_days", "review_by") if proposal[k]},
            }
            s.call(
                doc,
                "POST",
                f"/episodes/{episode}/checkpoints",
                json=decision,
                status=201,
                action="checkpoint.decide",
                patient_id=patient,
            )
            s.call(
                doc,
                "POST",
                f"/episodes/{episode}/notes",
                json={"hypothesis": "drivers.sleep", "body": TEAM_NOTE},
                status=201,
                action="team_note.create",
                patient_id=patient,
            )
            s.call(
                doc,
                "GET",
                f"/episodes/{episode}/notes",
                status=200,
                action="team_note.list",
                patient_id=patient,
            )
            revision = {"expected_version": 1, "reason": PLAN_REASON, "plan": {"walk": "10 min"}}
            s.call(
                doc,
                "POST",
                f"/episodes/{episode}/plan/revisions",
                json=revision,
                status=201,
                action="plan.revise",
                patient_id=patient,
            )
            # Failures: each is audited once and writes nothing.
            s.call(
                doc,
                "POST",
                f"/episodes/{episode}/plan/revisions",
                json={**revision, "reason": STALE_REASON},
                status=409,
                action="plan.revise",
                outcome="conflict",
                patient_id=patient,
            )
            s.call(
                doc,
                "GET",
                f"/patients/{foreign}",
                status=404,
                action="patient.read",
                outcome="not_found",
                patient_id=foreign,
            )
            s.call(
                me,
                "GET",
                f"/episodes/{episode}/notes",
                status=403,
                action="GET /episodes/{episode_id}/notes",
                outcome="denied",
                patient_id=None,
            )
            s.call(
                me,
                "PUT",
                f"{logs}/{day(4)}",
                json={"pain": 11, "note": BAD_LOG_NOTE},
                status=422,
                # Refused by the body's schema before the use case ran: named by its route.
                action="PUT /patients/{patient_id}/logs/{date}",
                outcome="invalid",
                patient_id=patient,
            )
            s.call(
                me,
                "PUT",
                f"{logs}/{day(10)}",
                json={"pain": 2, "note": OLD_LOG_NOTE},
                status=422,
                action="daily_log.write",
                outcome="invalid",
                patient_id=patient,
            )
            s.call(
                me,
                "POST",
                f"{logs}/import",
                content=f"date,steps\n{day(5)},{BAD_IMPORT_STEPS}\n{day(6)},-4\n".encode(),
                headers={"Content-Type": "text/csv"},
                status=422,
                action="daily_log.import",
                outcome="invalid",
                patient_id=patient,
            )
            s.login(doc, "not the password", status=401)
            s.call(doc, "POST", "/auth/logout", status=204, action="auth.logout", patient_id=None)
            lines = captured.lines()

        with factory() as db:
            rows = db.scalars(
                select(AuditEvent).where(AuditEvent.id > first_event).order_by(AuditEvent.id)
            ).all()
            audit = [
                Expected(
                    r.user_id,
                    r.actor,
                    r.role,
                    r.clinic_id,
                    r.action,
                    r.outcome,
                    r.patient_id,
                    r.client,
                )
                for r in rows
            ]
            leftovers = {
                "logs on the day of the 422 (pain 11)": _count(db, patient, day(4)),
                "logs on the day too old to log": _count(db, patient, day(10)),
                "logs from the rejected import": _count(db, patient, day(5))
                + _count(db, patient, day(6)),
                "plan revisions (expected 2: intake + one revision)": db.scalar(
                    select(func.count())
                    .select_from(PlanRevision)
                    .where(PlanRevision.episode_id == episode)
                )
                or 0,
                "patients named like the stale plan reason": db.scalar(
                    select(func.count()).select_from(Patient).where(Patient.name == STALE_REASON)
                )
                or 0,
            }
        return Outcome(script.ops, audit, lines, leftovers)
    finally:
        engine.dispose()


def _with_patient(e: Expected, patient_id: str) -> Expected:
    return Expected(
        e.user_id, e.actor, e.role, e.clinic_id, e.action, e.outcome, patient_id, e.client
    )


def _count(db: Any, patient_id: str, day: str) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(DailyLog)
            .where(DailyLog.patient_id == patient_id, DailyLog.day == dt.date.fromisoformat(day))
        )
        or 0
    )


@pytest.fixture
def outcome(database_url: str, tmp_path: Path) -> Outcome:
    settings = settings_for(database_url, tmp_path)
    clinics: dict[str, Clinic_] = seed(settings)
    with serve(settings) as url:
        return run_script(Server(url, settings, clinics))


# --- the tests --------------------------------------------------------------------------------


def test_every_request_of_a_clinic_session_leaves_exactly_one_audit_event_in_order(
    outcome: Outcome,
) -> None:
    expected = [e.line() for _, e in outcome.expected]
    actual = [e.line() for e in outcome.audit]
    if expected != actual:
        requests = "\n".join(f"{i:>2} {name}" for i, (name, _) in enumerate(outcome.expected))
        diff = "\n".join(difflib.unified_diff(expected, actual, "expected", "audited", lineterm=""))
        first = next(
            (i for i, (e, a) in enumerate(zip(expected, actual, strict=False)) if e != a),
            min(len(expected), len(actual)),
        )
        pytest.fail(
            f"{len(outcome.expected)} requests, {len(outcome.audit)} audit events; the first "
            f"difference is at request {first}\nrequests:\n{requests}\n{diff}",
            pytrace=False,
        )


def test_failed_writes_of_a_clinic_session_leave_no_data(outcome: Outcome) -> None:
    assert outcome.leftovers == {
        "logs on the day of the 422 (pain 11)": 0,
        "logs on the day too old to log": 0,
        "logs from the rejected import": 0,
        "plan revisions (expected 2: intake + one revision)": 2,
        "patients named like the stale plan reason": 0,
    }


def test_the_application_log_of_a_clinic_session_holds_no_patient_values(
    outcome: Outcome,
) -> None:
    found = leaks(outcome.log_lines)
    assert not found, "\n".join(found[:20]) + f"\n({len(found)} log records with patient values)"


def test_a_patient_value_the_database_refuses_does_not_reach_the_log(
    database_url: str, tmp_path: Path
) -> None:
    """A name with a NUL character (PostgreSQL text cannot hold one): the answer must be a 4xx
    or a stored record, and whatever happens, the name must not be logged."""
    settings = settings_for(database_url, tmp_path)
    clinics = seed(settings)
    with serve(settings) as url:
        server = Server(url, settings, clinics)
        with closing(server.client("doc.x")) as client, every_log_record() as captured:
            r = client.post(f"{API}/patients", json={"name": f"{NEW_PATIENT_NAME}\x00 Jr"})
            if r.status_code >= 500:
                # uvicorn logs the exception after the answer has gone out.
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not any(
                    rec.levelno >= logging.ERROR and rec.name.startswith("uvicorn")
                    for rec in captured.records
                ):
                    time.sleep(0.05)
            lines = captured.lines()
    problems = [f"log: {line}" for line in leaks(lines)]
    if r.status_code >= 500:
        problems.append(f"answer: {r.status_code} {r.text}")
    assert not problems, "\n".join(problems)
