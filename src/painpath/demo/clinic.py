"""The demo clinics behind `painpath demo`: two clinics with staff of every role and 48 synthetic
patients whose timelines exercise every signal and every checkpoint decision.

Each patient with a timeline replays one file of the scenario library (docs/scenarios/, every
date shifted so that the file's ``about.today`` lands on the demo's today, or a few days
before it for the graduated), with one of the example intakes (docs/examples/intake/) as the
first visit. Intakes go through the real use case (scored, assessed, planned); plan revisions
(a taper step for each of the two patients on the highest opioid doses), checkpoint decisions,
referrals, graduations and team notes too, so they are validated by the same rules as a
clinician's. Daily logs and sessions (about 1,400 rows) are written directly, in one
transaction and one audit event per patient, so that the whole demo takes seconds.

The same ``today`` always gives the same data: names, values, dates and decisions come from
fixed tables, never from a random generator (record ids are random, as everywhere).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy import Engine, MetaData, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from painpath._api import mme as count_mme
from painpath._timeline_api import signals_batch
from painpath.demo.clinic_roster import (
    CLINICS,
    ClinicSpec,
    PatientSpec,
    goal_wording,
    username_of,
)
from painpath.domain.medications.mme import round_mme
from painpath.knowledge import KnowledgeBase, default_knowledge
from painpath.services import accounts, checkpoints, intake, notes, patients, plans
from painpath.services.commands import (
    CheckpointInput,
    DayInput,
    EpisodeInput,
    GraduateInput,
    NoteInput,
    PatientInput,
    PlanRevisionInput,
    ReferralInput,
    SessionInput,
    UserInput,
)
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import (
    CareSession,
    CheckpointRecord,
    Clinic,
    DailyLog,
    Episode,
    PlanRevision,
    User,
)
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "DEFAULT_PASSWORD",
    "DemoError",
    "DemoRefused",
    "DemoSummary",
    "Login",
    "Progress",
    "build_demo",
    "demo_logins",
]

DEFAULT_PASSWORD = "painpath-demo"
CLIENT = "painpath-demo"
DOCS = Path(__file__).resolve().parents[3] / "docs"

_EARLIEST, _LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

# Who recorded a scenario's checkpoint ("by" in the file) among the clinic's staff.
_BY = {"pt": "physical_therapist", "physician": "physician"}


@dataclass(frozen=True)
class _TaperStep:
    """A taper step a clinician records as a plan revision: the opioid order at its new dose,
    ``after_days`` into the episode. ``reason`` is formatted with the step's ``date``."""

    ingredient: str
    dose_mg: float
    doses_per_day: int
    after_days: int
    reason: str


# The two patients on the highest opioid doses (scenario 17, care simply continuing) are at
# the second step of their plan's taper schedule (10 % of the current dose every 28 days, or
# slower) by its first 4-weekly follow-up, recorded as a plan revision, so the clinic lead's
# panel shows MME at intake and now apart. The doses are ones a prescriber can write, at or a
# little slower than the schedule's step (72.9 and 81 MME/day).
_TAPER_STEPS = {
    "Frank Murphy": _TaperStep(
        "oxycodone",
        25,
        2,
        28,
        "Taper step 2 of the plan's schedule, at the 4-week follow-up on {date}: oxycodone down "
        "to 25 mg twice a day, 75 MME/day from 90 at intake (a little slower than the "
        "schedule's 72.9), agreed with the patient; no flare or loss of function; naloxone "
        "offered.",
    ),
    "Harold Jenkins": _TaperStep(
        "morphine",
        40,
        2,
        28,
        "Taper step 2 of the plan's schedule, at the 4-week follow-up on {date}: morphine down "
        "to 40 mg twice a day, 80 MME/day from 100 at intake, agreed with the patient; no "
        "flare or loss of function; naloxone at home.",
    ),
}

Progress = Callable[[str, int, int], None]
"""Called after each patient with (what is being built, patients done, patients in all)."""


class DemoError(Exception):
    """The demo cannot be built as asked (bad password, files missing)."""


class DemoRefused(DemoError):
    """The database holds data that is not the demo: nothing was written."""


@dataclass(frozen=True)
class Login:
    """One demo account: all share the demo password."""

    clinic: str
    role: str
    username: str
    name: str
    look_at: str
    featured: bool  # printed by default (every staff member and a few telling patients)


@dataclass(frozen=True)
class DemoClinic:
    id: str
    name: str
    short: str
    patients: int
    open_episodes: int
    graduated: int


@dataclass(frozen=True)
class DemoSummary:
    """What `painpath demo` built, or found already built (``created`` False)."""

    database: str
    today: dt.date
    # The password of every demo account; None when the demo was already there and the
    # password given does not open it (it was built with another --password).
    password: str | None
    created: bool
    clinics: tuple[DemoClinic, ...]
    logins: tuple[Login, ...]
    patient_count: int
    # Signal id → usernames of the patients whose open episode shows it on ``today``.
    signal_coverage: dict[str, tuple[str, ...]]
    # Checkpoint decision → how many are stored; overrides: decisions that differ from the
    # proposal (each with its reason).
    decisions: dict[str, int]
    overrides: int
    seconds: float


# --- the source files -------------------------------------------------------------------------


@cache
def _text(folder: str, number: str) -> str:
    found = sorted((DOCS / folder).glob(f"{number}_*.json"))
    if len(found) != 1:
        raise DemoError(
            f"the demo reads {DOCS / folder}/{number}_*.json from a source checkout "
            f"of Painpath; found {len(found)} such files"
        )
    return found[0].read_text(encoding="utf-8")


def _load(folder: str, number: str) -> dict[str, Any]:
    """A fresh copy of a scenario (``scenarios``) or example intake (``examples/intake``)."""
    data: dict[str, Any] = json.loads(_text(folder, number))
    return data


# --- one patient's data, prepared (pure) ----------------------------------------------------


@dataclass(frozen=True)
class _Decision:
    date: dt.date
    decision: str
    role: str
    reason: str | None
    to: str | None = None
    overlap_days: int | None = None
    review_by: dt.date | None = None
    refer_to: str | None = None


@dataclass(frozen=True)
class _Replay:
    """Everything one patient's episode holds, dated for the demo's today."""

    start: dt.date
    phase: str | None
    intake: dict[str, Any] | None
    days: tuple[tuple[dt.date, DayInput], ...]
    sessions: tuple[SessionInput, ...]
    decisions: tuple[_Decision, ...]


def _intake(spec: PatientSpec, ref: str, goals: list[dict[str, Any]] | None) -> dict[str, Any]:
    assert spec.intake is not None
    data = _load("examples/intake", spec.intake)
    data.update(patient_ref=ref, age=spec.age, sex=spec.sex)
    data["notes"] = spec.story[0].upper() + spec.story[1:] + " (demo patient)."
    if goals is not None:
        data["goals"] = goals
    if spec.medications is not None:
        data["medications"] = [dict(m) for m in spec.medications]
    return data


def _replay(spec: PatientSpec, ref: str, today: dt.date) -> _Replay:
    """The patient's episode on the demo's calendar: the scenario's days, sessions and
    checkpoints moved by whole days, goal ids renamed g1, g2, … as an intake numbers them."""
    on = today - dt.timedelta(days=spec.days_ago)
    if spec.scenario is None:
        data = _intake(spec, ref, None) if spec.intake else None
        return _Replay(start=on, phase=None, intake=data, days=(), sessions=(), decisions=())
    t = _load("scenarios", spec.scenario)
    delta = on - dt.date.fromisoformat(t["about"]["today"])

    def move(day: str) -> dt.date:
        return dt.date.fromisoformat(day) + delta

    keys = {g["id"]: f"g{i}" for i, g in enumerate(t["goals"], start=1)}
    goals = []
    for i, g in enumerate(t["goals"]):
        activity, unit = goal_wording(g["metric"])
        if i < len(spec.goal_activities):
            activity = spec.goal_activities[i]
        goals.append(
            {
                "activity": activity,
                "metric": g["metric"],
                "unit": unit,
                "baseline": g["baseline"],
                "target": g["target"],
            }
        )
    days = []
    for d in t["days"]:
        if move(d["date"]) > on:
            continue  # nothing is logged after the day the story is told on (file 19 has one)
        values = {k: v for k, v in d.items() if k != "date"}
        values["goals"] = {keys[k]: v for k, v in (d.get("goals") or {}).items()}
        days.append((move(d["date"]), DayInput.model_validate(values)))
    sessions = tuple(
        SessionInput.model_validate({**s, "date": move(s["date"]).isoformat()})
        for s in t["sessions"]
        if move(s["date"]) <= on
    )
    decisions = [
        _Decision(
            date=move(c["date"]),
            decision=c["decision"],
            role=_BY.get(c.get("by") or "", "physician"),
            reason=c.get("reason"),
            to=c.get("to"),
            overlap_days=c.get("overlap_days"),
            review_by=move(c["review_by"]) if c.get("review_by") else None,
        )
        for c in t["checkpoints"]
        if move(c["date"]) <= on
    ]
    if spec.then is not None:
        decisions.append(
            _Decision(
                date=on,
                decision=spec.then,
                role="physician" if spec.then == "refer" else "physical_therapist",
                reason=spec.then_reason,
                overlap_days=spec.overlap_days,
                refer_to=spec.refer_to,
            )
        )
    return _Replay(
        start=move(t["start"]),
        phase=t.get("phase"),
        intake=_intake(spec, ref, goals),
        days=tuple(days),
        sessions=sessions,
        decisions=tuple(decisions),
    )


def demo_logins() -> tuple[Login, ...]:
    """Every demo account, clinic by clinic: the staff, then the patients."""
    logins: list[Login] = []
    for clinic in CLINICS:
        for s in clinic.staff:
            logins.append(
                Login(clinic.name, s.role, f"{s.handle}.{clinic.short}", s.name, s.look_at, True)
            )
        for p in clinic.patients:
            logins.append(
                Login(clinic.name, "patient", username_of(p.name), p.name, p.look_at, p.featured)
            )
    return tuple(logins)


# --- the database ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contents:
    clinics: tuple[str, ...]
    users: frozenset[str]
    patients: int

    @property
    def empty(self) -> bool:
        return not (self.clinics or self.users or self.patients)


def _contents(engine: Engine) -> _Contents:
    """What the database already holds (read before any migration, so a refusal writes
    nothing). Audit events alone (a failed sign-in on an empty server) are not data."""
    tables = set(inspect(engine).get_table_names())
    if not {"clinic", "app_user", "patient"} <= tables:
        return _Contents((), frozenset(), 0)
    with engine.connect() as c:
        clinics = tuple(sorted(r[0] for r in c.execute(text("SELECT name FROM clinic"))))
        users = frozenset(r[0] for r in c.execute(text("SELECT username FROM app_user")))
        count = c.execute(text("SELECT count(*) FROM patient")).scalar_one()
    return _Contents(clinics, users, int(count))


def _erase(engine: Engine) -> None:
    """Drop every table (the migrations' version table too); `upgrade` then recreates them."""
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.exec_driver_sql("DROP FUNCTION IF EXISTS audit_event_append_only()")


class _Builder:
    def __init__(
        self,
        factory: sessionmaker[Session],
        kb: KnowledgeBase,
        today: dt.date,
        password_hash: str,
    ) -> None:
        self.factory = factory
        self.kb = kb
        self.today = today
        self.password_hash = password_hash

    def uow(self, principal: Principal | None) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.factory, principal, client=CLIENT)

    def _user(
        self, uow: SqlUnitOfWork, clinic_id: str, data: UserInput, *, audit: bool = True
    ) -> User:
        accounts.check_new_user(uow, data)
        # Every demo account has the same password: it is hashed once (Argon2id costs about
        # 80 ms a hash) and that hash stored for all of them, instead of calling
        # accounts.create_user, which would hash it again for each of the 62 accounts.
        user = User(
            clinic_id=clinic_id,
            username=data.username,
            display_name=data.display_name,
            role=data.role,
            password_hash=self.password_hash,
            patient_id=data.patient_id,
        )
        uow.db.add(user)
        uow.db.flush()
        if audit:
            uow.audit(
                "user.create",
                outcome="success",
                record_type="user",
                record_id=user.id,
                actor=CLIENT,
            )
        return user

    def staff(self, spec: ClinicSpec, password: str) -> dict[str, Principal]:
        """The clinic and its staff accounts, in one transaction."""
        with self.uow(None) as uow:
            clinic = Clinic(name=spec.name)
            uow.db.add(clinic)
            uow.db.flush()
            people: dict[str, Principal] = {}
            made = []
            for s in spec.staff:
                data = UserInput(
                    username=f"{s.handle}.{spec.short}",
                    display_name=s.name,
                    role=s.role,
                    password=password,
                )
                user = self._user(uow, clinic.id, data, audit=False)
                people[s.role] = accounts.principal_of(user)
                made.append(user)
            # The clinic lead stands for the demo in the audit trail of its seed transactions.
            uow.principal = people["clinic_admin"]
            for user in made:
                uow.audit(
                    "user.create",
                    outcome="success",
                    record_type="user",
                    record_id=user.id,
                    actor=CLIENT,
                )
            uow.commit()
        return people

    def patient(
        self,
        clinic: ClinicSpec,
        number: int,
        spec: PatientSpec,
        staff: dict[str, Principal],
        password: str,
    ) -> None:
        """One patient: record, episode, intake (assessment, plan, goals), account, daily
        logs and sessions, then the checkpoint decisions in date order and team notes."""
        ref = f"demo-{clinic.short}-{number:02d}"
        replay = _replay(spec, ref, self.today)
        doctor = staff["physician"]
        birth = dt.date(replay.start.year - spec.age, 1 + (number * 5) % 12, 1 + (number * 7) % 28)
        patient = patients.create_patient(
            self.uow(doctor),
            PatientInput(
                name=spec.name,
                birth_date=birth,
                sex=spec.sex,
                mrn=f"{clinic.short[:2].upper()}-{1000 + number}",
            ),
        )
        episode = patients.open_episode(
            self.uow(doctor),
            patient.id,
            EpisodeInput(title=spec.title, start_date=replay.start),
        )
        if replay.intake is not None:
            submitted = intake.submit_intake(
                self.uow(doctor),
                episode.id,
                replay.intake,
                today=replay.start,
                knowledge=self.kb,
            )
            step = _TAPER_STEPS.get(spec.name)
            if step is not None:
                day = replay.start + dt.timedelta(days=step.after_days)
                if day > self.today - dt.timedelta(days=spec.days_ago):
                    raise DemoError(f"{spec.name}'s taper step falls after their episode's today")
                self.taper(episode.id, submitted.plan, step, day, doctor)
        lead = staff["clinic_admin"]
        with self.uow(lead) as uow:
            row = uow.records.get(Episode, episode.id)
            if replay.phase:
                row.start_phase = replay.phase
            account = self._user(
                uow,
                lead.clinic_id,
                UserInput(
                    username=username_of(spec.name),
                    display_name=spec.name,
                    role="patient",
                    password=password,
                    patient_id=patient.id,
                ),
            )
            # The patient logged these days as they happened; the demo writes them at once.
            uow.db.add_all(
                DailyLog(
                    clinic_id=lead.clinic_id,
                    patient_id=patient.id,
                    day=day,
                    entered_by=account.id,
                    **values.model_dump(),
                )
                for day, values in replay.days
            )
            uow.db.add_all(
                CareSession(
                    clinic_id=lead.clinic_id,
                    episode_id=episode.id,
                    day=s.date,
                    modalities=[m.model_dump(exclude_none=True) for m in s.modalities],
                    provider_id=staff[_provider(s)].user_id,
                    relief_window_days=s.relief_window_days,
                    soreness_expected=s.soreness_expected,
                    note=s.note,
                )
                for s in replay.sessions
            )
            uow.db.flush()
            uow.audit(
                "demo.seed",
                outcome="success",
                record_type="episode",
                record_id=episode.id,
                patient_id=patient.id,
                actor=CLIENT,
            )
            uow.commit()
        version = episode.version
        for d in replay.decisions:
            self.decide(episode.id, d, version, staff[d.role])
            version += 1
        for note in spec.notes:
            notes.add_team_note(
                self.uow(staff[note.role]),
                episode.id,
                NoteInput(hypothesis=note.hypothesis, body=note.body),
            )

    def taper(
        self, episode_id: str, plan: PlanRevision, step: _TaperStep, day: dt.date, who: Principal
    ) -> None:
        """A revision of the plan that records a taper step: the same document with its
        ``mme`` recounted for the opioid's new dose, through the use case."""
        document = copy.deepcopy(plan.data)
        document["mme"] = _lowered_mme(document.get("mme"), step, self.kb)
        plans.revise_plan(
            self.uow(who),
            episode_id,
            PlanRevisionInput(
                expected_version=plan.number,
                reason=step.reason.format(date=f"{day.day} {day:%B %Y}"),
                plan=document,
            ),
        )

    def decide(self, episode_id: str, d: _Decision, version: int, who: Principal) -> None:
        """A checkpoint decision through the use cases, which check it against the proposal
        and the timeline rules (an override needs its reason)."""
        kb, today = self.kb, self.today
        if d.decision == "refer" and d.refer_to:
            assert d.reason and d.overlap_days is not None
            checkpoints.refer(
                self.uow(who),
                episode_id,
                ReferralInput(
                    date=d.date,
                    to_service=d.refer_to,
                    reason=d.reason,
                    overlap_days=d.overlap_days,
                    expected_version=version,
                ),
                today=today,
                knowledge=kb,
            )
        elif d.decision == "graduate":
            assert d.reason
            checkpoints.graduate(
                self.uow(who),
                episode_id,
                GraduateInput(date=d.date, reason=d.reason, expected_version=version),
                today=today,
                knowledge=kb,
            )
        else:
            checkpoints.decide_checkpoint(
                self.uow(who),
                episode_id,
                CheckpointInput(
                    date=d.date,
                    decision=d.decision,
                    expected_version=version,
                    reason=d.reason,
                    to=d.to,
                    overlap_days=d.overlap_days,
                    review_by=d.review_by,
                ),
                today=today,
                knowledge=kb,
            )


def _lowered_mme(mme: object, step: _TaperStep, kb: KnowledgeBase) -> dict[str, Any]:
    """A plan's ``mme`` with the step's opioid at its new dose: the order counted again by the
    MME engine (daily dose, MME/day, the calculation in words), then the total and the flags
    recomputed against the plan's thresholds. Everything else is kept."""
    if not isinstance(mme, dict) or not any(
        i.get("ingredient") == step.ingredient for i in mme.get("items") or []
    ):
        raise DemoError(f"the plan counts no {step.ingredient} to taper")
    order = count_mme(
        [
            {
                "ingredient": step.ingredient,
                "dose_mg": step.dose_mg,
                "doses_per_day": step.doses_per_day,
            }
        ],
        knowledge=kb,
    ).items[0]
    counted = ("daily_dose", "daily_dose_unit", "factor", "mme_per_day", "calculation")
    lowered = copy.deepcopy(mme)
    lowered["items"] = [
        {**item, **{k: order.to_dict()[k] for k in counted}}
        if item.get("ingredient") == step.ingredient
        else item
        for item in mme["items"]
    ]
    total = round_mme(sum(float(i["mme_per_day"]) for i in lowered["items"]))
    if total >= float(mme["total_mme_per_day"]):
        raise DemoError(f"a taper step must lower the dose ({total:g} MME/day)")
    lowered["total_mme_per_day"] = total
    lowered["flags"] = [
        f"mme_at_or_above_{value:g}" for value in mme["thresholds"].values() if total >= value
    ]
    return lowered


def _provider(session: SessionInput) -> str:
    """Who gives a session: injections the physiatrist, talking therapy alone the
    psychologist, everything else the physiotherapist."""
    kinds = {m.kind for m in session.modalities}
    if "intervention" in kinds:
        return "physiatrist"
    if kinds == {"psychological"}:
        return "psychologist"
    return "physical_therapist"


# --- reading back what was built --------------------------------------------------------------


def _summarise(
    factory: sessionmaker[Session],
    kb: KnowledgeBase,
    today: dt.date,
    *,
    database: str,
    password: str | None,
    created: bool,
    started: float,
) -> DemoSummary:
    clinics: list[DemoClinic] = []
    coverage: dict[str, set[str]] = {}
    # One read transaction (every SQLite transaction here takes the write lock: no nesting).
    uow = SqlUnitOfWork(factory, None, client=CLIENT)
    with uow:
        db = uow.db
        for spec in CLINICS:
            clinic = db.scalars(select(Clinic).where(Clinic.name == spec.name)).one()
            lead = db.scalars(
                select(User).where(User.clinic_id == clinic.id, User.role == "clinic_admin")
            ).first()
            assert lead is not None
            uow.principal = accounts.principal_of(lead)
            episodes = uow.records.all(Episode, order_by=[Episode.start_date, Episode.id])
            open_ = [e for e in episodes if e.status == "open" and e.start_date <= today]
            usernames = dict(
                db.execute(
                    select(User.patient_id, User.username).where(
                        User.clinic_id == clinic.id, User.patient_id.is_not(None)
                    )
                ).all()
            )
            clinics.append(
                DemoClinic(
                    id=clinic.id,
                    name=clinic.name,
                    short=spec.short,
                    patients=len({e.patient_id for e in episodes}),
                    open_episodes=len(open_),
                    graduated=sum(e.status == "graduated" for e in episodes),
                )
            )
            timelines = [checkpoints.episode_timeline(uow, e, until=today) for e in open_]
            reports = signals_batch(timelines, today=today, knowledge=kb) if timelines else []
            for e, report in zip(open_, reports, strict=True):
                for signal_id in report.ids():
                    coverage.setdefault(signal_id, set()).add(
                        usernames.get(e.patient_id) or e.patient_id
                    )
        counted = Counter(
            {
                decision: int(n)
                for decision, n in db.execute(
                    select(CheckpointRecord.decision, func.count()).group_by(
                        CheckpointRecord.decision
                    )
                )
            }
        )
        overrides = db.scalar(
            select(func.count()).where(CheckpointRecord.decision != CheckpointRecord.proposed)
        )
    return DemoSummary(
        database=database,
        today=today,
        password=password,
        created=created,
        clinics=tuple(clinics),
        logins=demo_logins(),
        patient_count=sum(c.patients for c in clinics),
        signal_coverage={k: tuple(sorted(v)) for k, v in sorted(coverage.items())},
        decisions=dict(sorted(counted.items())),
        overrides=int(overrides or 0),
        seconds=round(time.perf_counter() - started, 2),
    )


def _opens_the_demo(factory: sessionmaker[Session], password: str) -> bool:
    """Whether ``password`` is the one the existing demo was built with."""
    lead = f"lead.{CLINICS[0].short}"
    with factory() as db:
        stored = db.scalar(select(User.password_hash).where(User.username == lead))
    try:
        return bool(stored) and PasswordHasher().verify(stored or "", password)
    except (VerificationError, InvalidHashError):
        return False


def _built_for(factory: sessionmaker[Session]) -> dt.date:
    """The today an existing demo was built for: its last logged day (the newest episodes
    start on it too)."""
    with factory() as db:
        days = [
            db.scalar(select(func.max(DailyLog.day))),
            db.scalar(select(func.max(Episode.start_date))),
        ]
    return max((d for d in days if d is not None), default=dt.date.today())


# --- the entry point ----------------------------------------------------------------------------


def build_demo(
    target: Settings | Engine | str,
    *,
    today: dt.date | None = None,
    password: str = DEFAULT_PASSWORD,
    force: bool = False,
    knowledge: KnowledgeBase | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build the demo clinics in the database of ``target`` (settings, an engine or a URL).

    Decides what to do with what the database holds: empty (no clinic, account or patient) →
    migrate and build; exactly the demo → build nothing and return it (``created`` False);
    anything else → ``DemoRefused`` with nothing written, unless ``force``, which first drops
    every table, then migrates and builds. With production settings (PAINPATH_ENV) the demo,
    whose accounts share a published password, is built only with ``force``.
    """
    started = time.perf_counter()
    try:
        UserInput(username="demo", display_name="demo", role="patient", password=password)
    except ValidationError:
        raise DemoError("the demo password needs 12 to 1000 characters") from None
    day = today or dt.date.today()
    if not _EARLIEST <= day <= _LATEST:
        # The oldest story starts about four months before its today; timelines start in 1990.
        raise DemoError(f"the demo's today must fall in {_EARLIEST.year}–{_LATEST.year}")
    if isinstance(target, Settings) and target.environment == "production" and not force:
        raise DemoRefused(
            "PAINPATH_ENV is production: the demo's accounts share a published password; "
            "refusing without --force (which also erases the database)"
        )
    owned = not isinstance(target, Engine)
    if isinstance(target, Engine):
        engine = target
    else:
        engine = make_engine(target.database_url if isinstance(target, Settings) else target)
    where = engine.url.render_as_string(hide_password=True)
    kb = knowledge or default_knowledge()
    found: _Contents | None = None
    try:
        if force:
            _erase(engine)
        else:
            found = _contents(engine)
            demo_names = {c.name for c in CLINICS}
            if not found.empty:
                wanted = {login.username for login in demo_logins()}
                if not set(found.clinics) <= demo_names:
                    raise DemoRefused(
                        f"{where} already holds data that is not the demo "
                        f"({len(found.clinics)} clinics, {len(found.users)} accounts, "
                        f"{found.patients} patients); nothing was changed. "
                        "`painpath demo --force` erases the database and builds the demo"
                    )
                if set(found.clinics) != demo_names or not wanted <= found.users:
                    raise DemoRefused(
                        f"{where} holds an incomplete demo (was a build interrupted?); "
                        "nothing was changed. `painpath demo --force` builds it again"
                    )
        upgrade(engine)
        factory = make_session_factory(engine)
        if found is not None and not found.empty:
            return _summarise(
                factory,
                kb,
                _built_for(factory),
                database=where,
                password=password if _opens_the_demo(factory, password) else None,
                created=False,
                started=started,
            )
        builder = _Builder(factory, kb, day, accounts.hash_password(password))
        total = sum(len(c.patients) for c in CLINICS)
        done = 0
        for clinic in CLINICS:
            staff = builder.staff(clinic, password)
            for number, spec in enumerate(clinic.patients, start=1):
                builder.patient(clinic, number, spec, staff, password)
                done += 1
                if progress:
                    progress(clinic.name, done, total)
        return _summarise(
            factory, kb, day, database=where, password=password, created=True, started=started
        )
    finally:
        if owned:
            engine.dispose()
