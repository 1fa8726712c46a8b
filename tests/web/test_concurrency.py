"""Concurrent writers over real HTTP, on SQLite and PostgreSQL (reliability-security.md item 6).

Eight clinicians of one clinic, each with their own client (a bearer token) and thread, are
released together by a barrier and send the same kind of write at the same moment:

- plan revisions and checkpoint decisions carry the version the clinician saw: exactly one
  wins (201), every other gets a 409 problem document, and only the winner's change is stored;
- a daily log is idempotent per patient and day: writers of the same day each get 2xx, or a
  clean 409 when the back end saw two first writes race; exactly one row remains, holding the
  values of the write committed last; writers of different days all succeed.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from painpath.services import accounts
from painpath.services.commands import UserInput
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import AuditEvent
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.web._server import PASSWORD, Server, seed, serve, settings_for, today

N = 8
ROOT = Path(__file__).resolve().parents[2]
INTAKE = ROOT / "docs" / "examples" / "intake" / "02_sciatica_cannot_sit.json"
CLINICAL_ROLES = (
    "physician",
    "physiatrist",
    "physical_therapist",
    "psychologist",
    "pharmacist",
    "occupational_therapist",
)
PROBLEM = "application/problem+json"


@dataclass
class Clinician:
    username: str
    user_id: str
    http: httpx.Client


@dataclass
class Ward:
    """A running server; an episode of patient A of clinic X with its intake (so a plan at
    revision 1 and the episode at version 1); N clinicians of clinic X, each with a connected
    client."""

    server: Server
    patient_id: str
    episode_id: str
    clinicians: list[Clinician]

    def audit(self, action: str, record_id: str) -> list[AuditEvent]:
        """The successful audit events of ``action`` on one record, oldest first."""
        engine = make_engine(self.server.settings.database_url)
        try:
            with make_session_factory(engine)() as db:
                return list(
                    db.scalars(
                        select(AuditEvent)
                        .where(
                            AuditEvent.action == action,
                            AuditEvent.record_id == record_id,
                            AuditEvent.outcome == "success",
                        )
                        .order_by(AuditEvent.id)
                    )
                )
        finally:
            engine.dispose()


@pytest.fixture
def ward(database_url: str, tmp_path: Path) -> Iterator[Ward]:
    settings = settings_for(database_url, tmp_path)
    clinics = seed(settings)
    clinic = clinics["x"]
    # The seed has two clinicians per clinic (doc, pt); add more, one per clinical role.
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    usernames = ["doc.x", "pt.x"]
    for i in range(N - len(usernames)):
        user = accounts.create_user(
            SqlUnitOfWork(factory, None, client="seed"),
            clinic.name,
            UserInput(
                username=f"clinician{i}.x",
                display_name=f"Clinician {i}",
                role=CLINICAL_ROLES[i % len(CLINICAL_ROLES)],
                password=PASSWORD,
            ),
        )
        clinic.users[f"clinician{i}"] = user
        usernames.append(user.username)
    # Bearer tokens (as `painpath token create` makes them): signing eight clinicians in would
    # cost eight Argon2 verifications per test and test nothing this file is about.
    now = dt.datetime.now(dt.UTC)
    tokens = {
        name: accounts.create_token(
            SqlUnitOfWork(factory, None, client="seed"), name, name="test", now=now, days=1
        )
        for name in usernames
    }
    engine.dispose()
    ids = {u.username: u.id for u in clinic.users.values()}

    with serve(settings) as url:
        server = Server(url, settings, clinics)
        clinicians = [
            Clinician(
                name,
                ids[name],
                httpx.Client(
                    base_url=url,
                    timeout=30,
                    headers={"Authorization": f"Bearer {tokens[name]}"},
                ),
            )
            for name in usernames
        ]
        for c in clinicians:  # connect now, so the barrier releases requests, not handshakes
            assert c.http.get("/api/v1/auth/me").status_code == 200
        try:
            doc = clinicians[0].http
            patient_id = clinic.patients["a"].id
            start = today() - dt.timedelta(days=30)
            r = doc.post(
                f"/api/v1/patients/{patient_id}/episodes",
                json={"title": "Sciatica", "start_date": start.isoformat()},
            )
            assert r.status_code == 201, r.text
            episode_id = r.json()["id"]
            r = doc.post(
                f"/api/v1/episodes/{episode_id}/intake", json=json.loads(INTAKE.read_text())
            )
            assert r.status_code == 201, r.text
            yield Ward(server, patient_id, episode_id, clinicians)
        finally:
            for c in clinicians:
                c.http.close()


def all_at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run each call in its own thread, released together by a barrier; answers in call order."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result() for f in futures]


def assert_conflict(r: httpx.Response) -> None:
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    problem = r.json()
    assert problem["status"] == 409
    assert problem["title"] and problem["detail"]


def only_winner(answers: list[httpx.Response], ok: int = 201) -> int:
    """The index of the one answer with status ``ok``; every other is a 409 problem document."""
    statuses = [r.status_code for r in answers]
    assert sorted(statuses) == [ok] + [409] * (len(answers) - 1), statuses
    for r in answers:
        if r.status_code != ok:
            assert_conflict(r)
    return statuses.index(ok)


def test_of_concurrent_plan_revisions_of_the_same_version_exactly_one_is_stored(
    ward: Ward,
) -> None:
    eid = ward.episode_id
    doc = ward.clinicians[0].http
    plan = doc.get(f"/api/v1/episodes/{eid}/plan").json()
    assert plan["number"] == 1

    def revise(c: Clinician) -> Callable[[], httpx.Response]:
        body = {
            "expected_version": 1,
            "reason": f"revised by {c.username}",
            "plan": {**plan["data"], "revised_by": c.username},
        }
        return lambda: c.http.post(f"/api/v1/episodes/{eid}/plan/revisions", json=body)

    answers = all_at_once([revise(c) for c in ward.clinicians])

    winner = ward.clinicians[only_winner(answers)]
    stored = doc.get(f"/api/v1/episodes/{eid}/plan/revisions").json()
    assert stored["total"] == 2
    newest, intake = stored["items"]
    assert (intake["number"], newest["number"]) == (1, 2)
    assert newest["reason"] == f"revised by {winner.username}"
    assert newest["author_id"] == winner.user_id
    assert newest["data"]["revised_by"] == winner.username
    assert doc.get(f"/api/v1/episodes/{eid}").json()["plan_version"] == 2
    assert doc.get(f"/api/v1/episodes/{eid}/plan").json()["id"] == newest["id"]


def test_of_concurrent_checkpoint_decisions_on_the_same_version_exactly_one_is_stored(
    ward: Ward,
) -> None:
    eid = ward.episode_id
    doc = ward.clinicians[0].http
    version = doc.get(f"/api/v1/episodes/{eid}/signals").json()["episode_version"]

    def decide(c: Clinician) -> Callable[[], httpx.Response]:
        body = {
            "date": today().isoformat(),
            "decision": "continue",
            "expected_version": version,
            "reason": f"decided by {c.username}",
        }
        return lambda: c.http.post(f"/api/v1/episodes/{eid}/checkpoints", json=body)

    answers = all_at_once([decide(c) for c in ward.clinicians])

    winner = ward.clinicians[only_winner(answers)]
    stored = doc.get(f"/api/v1/episodes/{eid}/checkpoints").json()
    assert stored["total"] == 1
    (record,) = stored["items"]
    assert record["reason"] == f"decided by {winner.username}"
    assert record["decided_by"] == winner.user_id
    assert record["id"] == answers[ward.clinicians.index(winner)].json()["id"]
    assert doc.get(f"/api/v1/episodes/{eid}").json()["version"] == version + 1


def test_concurrent_logs_of_the_same_day_leave_one_row_holding_the_last_committed_write(
    ward: Ward,
) -> None:
    pid = ward.patient_id
    day = today() - dt.timedelta(days=1)
    sent = {
        c.username: {"pain": i, "steps": 1000 + i, "note": f"logged by {c.username}"}
        for i, c in enumerate(ward.clinicians)
    }

    def put(c: Clinician) -> Callable[[], httpx.Response]:
        return lambda: c.http.put(f"/api/v1/patients/{pid}/logs/{day}", json=sent[c.username])

    answers = all_at_once([put(c) for c in ward.clinicians])

    # Idempotent per patient and day: each writer is acknowledged (201 for the one that created
    # the row, 200 for those that replaced it), or told cleanly to try again (409) when its
    # first write raced another first write; never a server error.
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses.count(201) == 1, statuses
    for r in answers:
        if r.status_code == 409:
            assert_conflict(r)
        else:
            assert r.json()["created"] is (r.status_code == 201)
    acknowledged = [
        c.username for c, r in zip(ward.clinicians, answers, strict=True) if r.is_success
    ]

    logs = (
        ward.clinicians[0]
        .http.get(f"/api/v1/patients/{pid}/logs", params={"since": str(day), "until": str(day)})
        .json()
    )
    assert logs["total"] == 1
    (row,) = logs["items"]
    stored = {k: row[k] for k in ("pain", "steps", "note")}
    assert stored in [sent[name] for name in acknowledged]
    # The row holds the write committed last: the last successful audit event of this log
    # (written in the same transaction as the write) names its author.
    writes = ward.audit("daily_log.write", row["id"])
    assert sorted(e.actor for e in writes) == sorted(acknowledged)
    assert stored == sent[writes[-1].actor]


def test_concurrent_logs_of_different_days_are_all_stored(ward: Ward) -> None:
    pid = ward.patient_id
    days = {c.username: today() - dt.timedelta(days=i) for i, c in enumerate(ward.clinicians)}
    sent = {
        c.username: {"pain": i, "sitting_min": 10 * i, "note": f"logged by {c.username}"}
        for i, c in enumerate(ward.clinicians)
    }

    def put(c: Clinician) -> Callable[[], httpx.Response]:
        url = f"/api/v1/patients/{pid}/logs/{days[c.username]}"
        return lambda: c.http.put(url, json=sent[c.username])

    answers = all_at_once([put(c) for c in ward.clinicians])

    assert [r.status_code for r in answers] == [201] * N, [r.text for r in answers]
    logs = ward.clinicians[0].http.get(f"/api/v1/patients/{pid}/logs").json()
    assert logs["total"] == N
    stored = {
        row["day"]: {k: row[k] for k in ("pain", "sitting_min", "note")} for row in logs["items"]
    }
    assert stored == {str(days[name]): values for name, values in sent.items()}
    for row in logs["items"]:
        assert len(ward.audit("daily_log.write", row["id"])) == 1
