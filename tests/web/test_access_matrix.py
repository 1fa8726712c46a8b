"""The access matrix (reliability-security.md items 2 and 3), through real HTTP on both back ends:
every route of the policy table × every principal × every kind of record, each request with a
valid body so that only access decides the answer, compared with what the table says.

Principals: anonymous; patients A and B of clinic X; the physicians of clinics X and Y; the
clinic admin of X. Records: ``own`` (patient A of X and their episode), ``other patient``
(patient B of X), ``other clinic`` (patient A of Y), ``missing`` (a random id). Who may reach a
record follows from where it lives, not from its label: the physician of Y reaches patient A of Y
("other clinic") and nobody else's; patient B reaches "other patient", which is their own.

Expected: anonymous → 401 (public routes excepted); a role the policy does not admit → 403; a
role it admits but a record out of the caller's scope, or missing → 404; otherwise 2xx. Every
out-of-scope 404 must be byte-identical to the missing record's 404 on the same route (no
existence leak).

Writes change data, so the records a write needs are made ready just before it: an episode that
takes a decision (checkpoint, referral, graduation) or an intake is a fresh open one once the
previous request on it succeeded, a patient who gets a new episode has none open, and optimistic
versions are read just before the request. A refused request changes nothing (each use case
rolls back), so only a 2xx consumes what it used.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web._server import PASSWORD, Server, seed, serve, settings_for, today
from tests.web.policy_table import API, POLICY_ROLES, ROUTES, Route, by_key

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "intake"
INTAKE = json.loads((EXAMPLES / "02_sciatica_cannot_sit.json").read_text(encoding="utf-8"))
OK = "2xx"


# ---------------------------------------------------------------------------------------------
# Who asks, and about whose record


@dataclass(frozen=True)
class Who:
    label: str
    username: str | None
    role: str | None
    clinic: str | None
    patient: str | None = None


PRINCIPALS = (
    Who("anonymous", None, None, None),
    Who("patient A of X", "patient-a.x", "patient", "x", "a"),
    Who("patient B of X", "patient-b.x", "patient", "x", "b"),
    Who("physician of X", "doc.x", "physician", "x"),
    Who("physician of Y", "doc.y", "physician", "y"),
    Who("clinic admin of X", "admin.x", "clinic_admin", "x"),
)

# Each record by (clinic, patient); None: an id nobody has.
OBJECTS: tuple[tuple[str, tuple[str, str] | None], ...] = (
    ("own", ("x", "a")),
    ("other patient", ("x", "b")),
    ("other clinic", ("y", "a")),
    ("missing", None),
)


def expected(route: Route, who: Who, owner: tuple[str, str] | None) -> int | str:
    """What the policy table says ``who`` gets from ``route`` on the record of ``owner``."""
    roles = POLICY_ROLES[route.policy]
    if roles is None:
        return OK
    if who.role is None:
        return 401
    if who.role not in roles:
        return 403
    if route.record is None:
        return OK
    if owner is None:
        return 404
    if who.role == "patient":
        mine = (who.clinic, who.patient) == owner
        return OK if route.patient_own and mine else 404
    return OK if who.clinic == owner[0] else 404


# ---------------------------------------------------------------------------------------------
# The data the requests address, kept valid for the next write


@dataclass
class OpenEpisode:
    id: str
    has_intake: bool = False
    decided: bool = False


@dataclass
class PatientRecord:
    clinic: str
    id: str
    main_episode: str = ""
    open: OpenEpisode | None = None


@dataclass
class Target:
    """The record one request addresses."""

    patient: PatientRecord | None
    patient_id: str
    episode_id: str


class World:
    """Two clinics with their staff and patients (tests.web._server.seed), signed-in clients for
    every principal, and for each patient an episode with an intake, a log, a session and a note.
    Setting up goes through the API as each clinic's physical therapist."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.today = today()
        self.yesterday = self.today - dt.timedelta(days=1)
        self.start = self.today - dt.timedelta(days=30)
        self.numbers = itertools.count(1)
        self.setup = {c: server.client(f"pt.{c}") for c in ("x", "y")}
        self.clients: dict[str, httpx.Client] = {
            w.label: server.client(w.username) for w in PRINCIPALS if w.username
        }
        self.clients["anonymous"] = server.client()
        self.patients = {
            (c, p): PatientRecord(c, server.clinics[c].patients[p].id)
            for c, p in (o for _, o in OBJECTS if o)
        }
        for record in self.patients.values():
            record.main_episode = self.open_episode(record)
            self.call(record.clinic, "POST", f"/episodes/{record.main_episode}/intake", INTAKE)
            record.open = OpenEpisode(record.main_episode, has_intake=True)
            self.call(
                record.clinic,
                "PUT",
                f"/patients/{record.id}/logs/{self.yesterday}",
                {"pain": 5, "steps": 2500, "goals": {"g1": 12}},
            )
            self.call(
                record.clinic,
                "POST",
                f"/episodes/{record.main_episode}/sessions",
                {"date": str(self.yesterday), "modalities": [], "note": "first session"},
            )
            self.call(
                record.clinic,
                "POST",
                f"/episodes/{record.main_episode}/notes",
                {"hypothesis": "mechanism", "body": "radicular pain leads"},
            )

    def close(self) -> None:
        for client in (*self.setup.values(), *self.clients.values()):
            client.close()

    def call(self, clinic: str, method: str, path: str, body: object = None) -> Any:
        r = self.setup[clinic].request(method, API + path, json=body)
        assert r.is_success, f"setting up: {method} {path} answered {r.status_code} {r.text}"
        return r.json() if r.content else None

    def episode(self, record: PatientRecord, episode_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.call(record.clinic, "GET", f"/episodes/{episode_id}")
        return found

    def open_episode(self, record: PatientRecord) -> str:
        made = self.call(
            record.clinic,
            "POST",
            f"/patients/{record.id}/episodes",
            {"title": "Low back and leg pain", "start_date": str(self.start)},
        )
        record.open = OpenEpisode(made["id"])
        return str(made["id"])

    def close_open_episode(self, record: PatientRecord) -> None:
        if record.open is None:
            return
        version = self.episode(record, record.open.id)["version"]
        self.call(
            record.clinic,
            "POST",
            f"/episodes/{record.open.id}/graduate",
            {"date": str(self.today), "reason": "making room", "expected_version": version},
        )
        record.open = None

    def prepare(self, record: PatientRecord, need: str) -> str:
        """Put the patient's episodes in the state the next write needs; the episode's id."""
        current = record.open
        if need == "no open episode":
            self.close_open_episode(record)
            return ""
        if need == "open episode without intake":
            usable = current is not None and not current.has_intake and not current.decided
        elif need == "open episode without decision":
            usable = current is not None and not current.decided
        else:  # pragma: no cover - a typo in a Spec
            raise AssertionError(need)
        if usable:
            assert current is not None
            return current.id
        self.close_open_episode(record)
        return self.open_episode(record)

    def target(self, route: Route, spec: Spec, owner: tuple[str, str] | None) -> Target:
        if owner is None:
            return Target(None, uuid.uuid4().hex, uuid.uuid4().hex)
        record = self.patients[owner]
        episode = record.main_episode
        if spec.need is not None:
            episode = self.prepare(record, spec.need)
        return Target(record, record.id, episode)

    def version(self, t: Target, column: str) -> int:
        if t.patient is None:
            return 1
        return int(self.episode(t.patient, t.episode_id)[column])


# ---------------------------------------------------------------------------------------------
# A valid request for every route


Body = dict[str, Any]


@dataclass(frozen=True)
class Spec:
    """How to make a valid request to one route, and what its success changes."""

    body: Callable[[World, Who, Target], Body] = lambda w, who, t: {}
    need: str | None = None  # the state the target record must be in (World.prepare)
    done: Callable[[World, Who, Target, httpx.Response], None] | None = None


def _login_body(w: World, who: Who, t: Target) -> Body:
    return {"json": {"username": who.username or "pt.x", "password": PASSWORD}}


def _signed_in_again(w: World, who: Who, t: Target, r: httpx.Response) -> None:
    client = w.clients[who.label]
    if who.username is None:
        return
    if r.request.url.path.endswith("/logout"):
        client.cookies.clear()
        r = client.post(f"{API}/auth/login", json={"username": who.username, "password": PASSWORD})
        assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]


def _opened(w: World, who: Who, t: Target, r: httpx.Response) -> None:
    assert t.patient is not None
    t.patient.open = OpenEpisode(r.json()["id"])


def _intake_taken(w: World, who: Who, t: Target, r: httpx.Response) -> None:
    assert t.patient is not None and t.patient.open is not None
    t.patient.open.has_intake = True


def _decided(w: World, who: Who, t: Target, r: httpx.Response) -> None:
    assert t.patient is not None and t.patient.open is not None
    t.patient.open.decided = True


def _graduated(w: World, who: Who, t: Target, r: httpx.Response) -> None:
    assert t.patient is not None
    t.patient.open = None


def _json(make: Callable[[World, Who, Target], object]) -> Callable[[World, Who, Target], Body]:
    return lambda w, who, t: {"json": make(w, who, t)}


_P = f"{API}/patients/{{patient_id}}"
_E = f"{API}/episodes/{{episode_id}}"

SPECS: dict[tuple[str, str], Spec] = {
    ("POST", f"{API}/auth/login"): Spec(_login_body, done=_signed_in_again),
    ("POST", f"{API}/auth/logout"): Spec(done=_signed_in_again),
    ("GET", f"{API}/auth/me"): Spec(),
    ("GET", f"{API}/patients"): Spec(),
    ("POST", f"{API}/patients"): Spec(
        _json(lambda w, who, t: {"name": f"Matrix Patient {next(w.numbers)}", "sex": "male"})
    ),
    ("GET", _P): Spec(),
    ("GET", f"{_P}/episodes"): Spec(),
    ("POST", f"{_P}/episodes"): Spec(
        _json(lambda w, who, t: {"title": "Neck pain", "start_date": str(w.start)}),
        need="no open episode",
        done=_opened,
    ),
    ("PUT", f"{_P}/logs/{{date}}"): Spec(
        _json(lambda w, who, t: {"pain": 4, "steps": 3200, "note": "walked to the shop"})
    ),
    ("GET", f"{_P}/logs"): Spec(),
    ("POST", f"{_P}/logs/import"): Spec(
        lambda w, who, t: {
            "content": f"date,steps,sleep_h\n{w.yesterday},4100,7.5\n",
            "headers": {"Content-Type": "text/csv"},
        }
    ),
    ("GET", _E): Spec(),
    ("GET", f"{_E}/assessment"): Spec(),
    ("GET", f"{_E}/plan"): Spec(),
    ("GET", f"{_E}/goals"): Spec(),
    ("GET", f"{_E}/sessions"): Spec(),
    ("POST", f"{_E}/intake"): Spec(
        _json(lambda w, who, t: INTAKE), need="open episode without intake", done=_intake_taken
    ),
    ("GET", f"{_E}/intake"): Spec(),
    ("GET", f"{_E}/plan/revisions"): Spec(),
    ("POST", f"{_E}/plan/revisions"): Spec(
        _json(
            lambda w, who, t: {
                "expected_version": w.version(t, "plan_version"),
                "reason": "sitting tolerance first",
                "plan": {"focus": "graded sitting"},
            }
        )
    ),
    ("POST", f"{_E}/sessions"): Spec(
        _json(lambda w, who, t: {"date": str(w.today), "modalities": [], "note": "went well"})
    ),
    ("GET", f"{_E}/signals"): Spec(),
    ("POST", f"{_E}/checkpoints"): Spec(
        _json(
            lambda w, who, t: {
                "date": str(w.yesterday),
                "decision": "continue",
                "reason": "steady progress",
                "expected_version": w.version(t, "version"),
            }
        ),
        need="open episode without decision",
        done=_decided,
    ),
    ("GET", f"{_E}/checkpoints"): Spec(),
    ("POST", f"{_E}/referrals"): Spec(
        _json(
            lambda w, who, t: {
                "date": str(w.yesterday),
                "to_service": "pain psychology",
                "reason": "fear of movement",
                "overlap_days": 14,
                "expected_version": w.version(t, "version"),
            }
        ),
        need="open episode without decision",
        done=_decided,
    ),
    ("GET", f"{_E}/referrals"): Spec(),
    ("POST", f"{_E}/graduate"): Spec(
        _json(
            lambda w, who, t: {
                "date": str(w.today),
                "reason": "goals met",
                "expected_version": w.version(t, "version"),
            }
        ),
        need="open episode without decision",
        done=_graduated,
    ),
    ("POST", f"{_E}/notes"): Spec(
        _json(lambda w, who, t: {"hypothesis": "drivers.sleep", "body": "sleep is improving"})
    ),
    ("GET", f"{_E}/notes"): Spec(),
    ("GET", f"{API}/clinic"): Spec(),
    ("GET", f"{API}/users"): Spec(),
    ("POST", f"{API}/users"): Spec(
        _json(
            lambda w, who, t: {
                "username": f"matrix{next(w.numbers)}.x",
                "display_name": "New colleague",
                "role": "physician",
                "password": PASSWORD,
            }
        )
    ),
    ("GET", f"{API}/audit-events"): Spec(),
}


# ---------------------------------------------------------------------------------------------
# Running the matrix


@dataclass(frozen=True)
class Answer:
    route: Route
    who: Who
    obj: str
    expected: int | str
    status: int
    body: bytes
    stray: tuple[str, ...] = ()  # items of a 2xx list that lie outside the caller's scope

    @property
    def matches(self) -> bool:
        if self.expected == OK:
            return 200 <= self.status < 300
        return self.status == self.expected

    def __str__(self) -> str:
        detail = self.body.decode("utf-8", "replace")[:160]
        return (
            f"{self.route} | {self.who.label} | {self.obj}: expected {self.expected}, "
            f"got {self.status} {detail}"
        )


def stray_items(world: World, route: Route, who: Who, t: Target, r: httpx.Response) -> list[str]:
    """Items of a successful list answer that the caller may not see: a log, session, plan
    revision, checkpoint, referral or note of another record than the one asked for; a patient
    other than yourself (a patient) or of another clinic (staff); another clinic's account.
    (Audit events may name any id a caller asked for: a refused attempt is audited too.)"""
    if not (r.is_success and route.method == "GET"):
        return []
    data = r.json()
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return []
    clinics = world.server.clinics
    foreign = {p.id for c, k in clinics.items() if c != who.clinic for p in k.patients.values()}
    stray = []
    for i in items:
        if route.record == "patient" and i.get("patient_id", t.patient_id) != t.patient_id:
            stray.append(f"{i['id']} of patient {i['patient_id']}")
        elif route.record == "episode" and i.get("episode_id", t.episode_id) != t.episode_id:
            stray.append(f"{i['id']} of episode {i['episode_id']}")
        elif route.path == f"{API}/patients" and who.role == "patient":
            if i["id"] != clinics[str(who.clinic)].patients[str(who.patient)].id:
                stray.append(f"patient {i['id']}")
        elif route.path == f"{API}/patients" and i["id"] in foreign:
            stray.append(f"patient {i['id']} of another clinic")
        elif i.get("clinic_id", clinics[str(who.clinic)].id) != clinics[str(who.clinic)].id:
            stray.append(f"{i['id']} of clinic {i['clinic_id']}")
    return stray


def _order(route: Route) -> int:
    """Reads and repeatable writes first; writes that consume an episode's state last."""
    return 1 if SPECS[route.key].need else 0


def run_matrix(world: World) -> Iterator[Answer]:
    for route in sorted(ROUTES, key=_order):
        spec = SPECS[route.key]
        objects = OBJECTS if route.record else (("-", None),)
        for label, owner in objects:
            for who in PRINCIPALS:
                t = world.target(route, spec, owner)
                url = route.path.format(
                    patient_id=t.patient_id, episode_id=t.episode_id, date=world.today
                )
                client = world.clients[who.label]
                r = client.request(route.method, url, **spec.body(world, who, t))
                if who.username is None:
                    client.cookies.clear()  # the anonymous caller stays anonymous
                if r.is_success and spec.done is not None:
                    spec.done(world, who, t, r)
                stray = tuple(stray_items(world, route, who, t, r))
                want = expected(route, who, owner)
                yield Answer(route, who, label, want, r.status_code, r.content, stray)


@dataclass
class Findings:
    answers: list[Answer]
    allows: list[str] = field(default_factory=list)
    denies: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        missing = {(a.route.key, a.who.label): a for a in self.answers if a.obj == "missing"}
        for a in self.answers:
            if a.stray:
                self.allows.append(f"{a.route} | {a.who.label} | {a.obj}: lists {list(a.stray)}")
            if not a.matches:
                if 200 <= a.status < 300:
                    self.allows.append(str(a))
                elif a.expected == OK and a.status in (401, 403, 404):
                    self.denies.append(str(a))
                else:
                    self.wrong.append(str(a))
            if a.obj in ("own", "other patient", "other clinic") and a.expected == 404:
                twin = missing[(a.route.key, a.who.label)]
                if a.status == twin.status == 404 and a.body != twin.body:
                    self.leaks.append(
                        f"{a.route} | {a.who.label} | {a.obj}: {a.body!r} "
                        f"differs from the missing record's {twin.body!r}"
                    )

    def report(self) -> str:
        lines = [
            f"access matrix, {len(self.answers)} requests: "
            f"{len(self.allows)} unexpected allows, {len(self.denies)} unexpected denies, "
            f"{len(self.wrong)} other wrong answers, {len(self.leaks)} existence leaks "
            "(all four must be 0)"
        ]
        for title, items in (
            ("unexpected allows", self.allows),
            ("unexpected denies", self.denies),
            ("other wrong answers", self.wrong),
            ("existence leaks (404 body differs from a missing record's)", self.leaks),
        ):
            if items:
                lines += [f"{title}:", *(f"  {i}" for i in items)]
        return "\n".join(lines)


def test_every_route_answers_every_principal_and_record_as_the_policy_table_says(
    database_url: str, tmp_path: Path
) -> None:
    assert set(SPECS) == set(by_key()), "every route of the policy table needs a request here"
    settings = settings_for(database_url, tmp_path)
    clinics = seed(settings)
    with serve(settings) as url:
        world = World(Server(url, settings, clinics))
        try:
            findings = Findings(list(run_matrix(world)))
        finally:
            world.close()
    with_record = sum(1 for r in ROUTES if r.record)
    assert len(findings.answers) == len(PRINCIPALS) * (
        with_record * len(OBJECTS) + len(ROUTES) - with_record
    )
    assert not (findings.allows or findings.denies or findings.wrong or findings.leaks), (
        findings.report()
    )


WHO = {w.label: w for w in PRINCIPALS}


@pytest.mark.parametrize(
    ("who", "owner", "want"),
    [
        ("anonymous", ("x", "a"), 401),
        ("patient A of X", ("x", "a"), OK),
        ("patient A of X", ("x", "b"), 404),
        ("patient B of X", ("x", "b"), OK),
        ("physician of X", ("y", "a"), 404),
        ("physician of Y", ("y", "a"), OK),
        ("physician of Y", ("x", "a"), 404),
        ("clinic admin of X", ("x", "b"), OK),
        ("clinic admin of X", None, 404),
    ],
)
def test_the_expected_answer_follows_where_the_record_lives(
    who: str, owner: tuple[str, str] | None, want: int | str
) -> None:
    logs = by_key()[("GET", f"{API}/patients/{{patient_id}}/logs")]
    assert expected(logs, WHO[who], owner) == want


def test_a_patient_is_refused_the_staff_routes_whoever_the_record_belongs_to() -> None:
    notes = by_key()[("GET", f"{API}/episodes/{{episode_id}}/notes")]
    assert {expected(notes, WHO["patient A of X"], owner) for _, owner in OBJECTS} == {403}


def test_anyone_may_call_a_public_route() -> None:
    login = by_key()[("POST", f"{API}/auth/login")]
    assert {expected(login, w, None) for w in PRINCIPALS} == {OK}
