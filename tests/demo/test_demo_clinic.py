"""`painpath demo`: two demo clinics whose patients show every signal and every checkpoint
decision, built the same way every time, and never over a database holding anything else."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from painpath._timeline_api import signals_batch
from painpath.cli import app
from painpath.demo.clinic import (
    DEFAULT_PASSWORD,
    DemoError,
    DemoRefused,
    build_demo,
    demo_logins,
)
from painpath.demo.clinic_roster import CLINICS, PatientSpec, username_of
from painpath.domain.signals import SIGNAL_IDS
from painpath.knowledge import default_knowledge
from painpath.services import accounts, plans
from painpath.services.checkpoints import episode_timeline, evaluate_episode
from painpath.services.clinic import clinic_panel
from painpath.services.commands import UserInput
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import (
    STAFF_ROLES,
    Assessment,
    CareSession,
    CheckpointRecord,
    Clinic,
    DailyLog,
    Episode,
    Goal,
    IntakeRecord,
    Patient,
    PlanRevision,
    Referral,
    TeamNote,
    User,
)
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.conftest import ROOT, run_cli

TODAY = dt.date(2026, 6, 15)
SCENARIOS = ROOT / "docs" / "scenarios"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The demo, built once for the module by the real `painpath demo` command."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'painpath.db'}"
    out = run_cli("demo", "--today", TODAY.isoformat(), env={"PAINPATH_DATABASE_URL": url})
    assert out.returncode == 0, out.stderr
    yield url, out


@pytest.fixture(scope="module")
def built_snapshot(built: tuple[str, Any]) -> dict[str, Any]:
    return snapshot(built[0])


@pytest.fixture(scope="module")
def engine(built: tuple[str, Any]) -> Iterator[Engine]:
    e = make_engine(built[0])
    yield e
    e.dispose()


def session(engine: Engine) -> Session:
    return make_session_factory(engine)()


def clinician_uow(engine: Engine, clinic_id: str) -> SqlUnitOfWork:
    with session(engine) as db:
        user = db.scalars(
            select(User).where(User.clinic_id == clinic_id, User.role == "physician")
        ).one()
    return SqlUnitOfWork(make_session_factory(engine), accounts.principal_of(user), client="t")


def episode_of(engine: Engine, name: str) -> Episode:
    with session(engine) as db:
        return db.scalars(
            select(Episode)
            .join(Patient, Patient.id == Episode.patient_id)
            .where(Patient.name == name)
        ).one()


def other_data(url: str) -> None:
    """A real clinic's first account, as `painpath user create` makes it."""
    e = make_engine(url)
    upgrade(e)
    accounts.create_user(
        SqlUnitOfWork(make_session_factory(e), None, client="t"),
        "Hillside Physiotherapy",
        UserInput(username="owner", display_name="Owner", role="clinic_admin", password="x" * 16),
    )
    e.dispose()


def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that nothing changed."""
    e = make_engine(url)
    meta = MetaData()
    meta.reflect(e)
    with e.connect() as c:
        rows = {
            t.name: sorted(map(tuple, c.execute(t.select())), key=repr) for t in meta.sorted_tables
        }
    e.dispose()
    return rows


def snapshot(url: str) -> dict[str, Any]:
    """The demo's content without its random ids and clock times: what determinism means."""
    e = make_engine(url)
    with session(e) as db:
        users = {u.id: u.username for u in db.scalars(select(User))}
        patients = {p.id: p.name for p in db.scalars(select(Patient))}
        episodes = {x.id: patients[x.patient_id] for x in db.scalars(select(Episode))}
        clinics = {c.id: c.name for c in db.scalars(select(Clinic))}

        def rows(model: type[Any], *columns: str) -> list[tuple[Any, ...]]:
            out = []
            for r in db.scalars(select(model)):
                values = []
                for c in columns:
                    v = getattr(r, c)
                    if c in ("entered_by", "provider_id", "decided_by", "author_id", "created_by"):
                        v = users[v]
                    elif c == "episode_id":
                        v = episodes[v]
                    elif c == "patient_id":
                        v = patients.get(v)
                    elif c == "clinic_id":
                        v = clinics[v]
                    elif c == "proposal":
                        v = {**v, "patient_id": episodes[v["patient_id"]]}  # the episode's id
                    values.append(json.dumps(v, sort_keys=True, default=str))
                out.append(tuple(values))
            return sorted(out)

        snap = {
            "users": rows(User, "clinic_id", "username", "display_name", "role", "patient_id"),
            "patients": rows(Patient, "clinic_id", "name", "birth_date", "sex", "mrn"),
            "episodes": rows(
                Episode,
                "patient_id",
                "title",
                "start_date",
                "status",
                "start_phase",
                "ended_on",
                "plan_version",
                "version",
            ),
            "intakes": rows(IntakeRecord, "episode_id", "data", "scores", "entered_by"),
            "assessments": rows(Assessment, "episode_id", "data"),
            "plans": rows(PlanRevision, "episode_id", "number", "data", "author_id", "reason"),
            "goals": rows(
                Goal, "episode_id", "key", "activity", "metric", "unit", "baseline", "target"
            ),
            "logs": rows(
                DailyLog,
                "patient_id",
                "day",
                "pain",
                "steps",
                "sitting_min",
                "sleep_h",
                "function",
                "goals",
                "event",
                "note",
                "entered_by",
            ),
            "sessions": rows(
                CareSession,
                "episode_id",
                "day",
                "modalities",
                "provider_id",
                "relief_window_days",
                "soreness_expected",
            ),
            "checkpoints": rows(
                CheckpointRecord,
                "episode_id",
                "day",
                "proposed",
                "proposal",
                "decision",
                "to_phase",
                "overlap_days",
                "review_by",
                "reason",
                "decided_by",
            ),
            "referrals": rows(
                Referral, "episode_id", "to_service", "reason", "overlap_days", "day"
            ),
            "notes": rows(TeamNote, "episode_id", "hypothesis", "body", "author_id"),
        }
    e.dispose()
    return snap


# --- who is in the demo ---------------------------------------------------------------------


def test_two_clinics_hold_at_least_forty_patients_each_with_an_account_and_an_episode(engine):
    with session(engine) as db:
        clinics = db.scalars(select(Clinic).order_by(Clinic.name)).all()
        assert [c.name for c in clinics] == ["Northside Pain Clinic", "Riverside Pain Clinic"]
        for clinic in clinics:
            assert db.scalar(select(func.count()).where(Patient.clinic_id == clinic.id)) >= 20
        patients = db.scalars(select(Patient)).all()
        assert len(patients) >= 40
        accounts_of = {u.patient_id for u in db.scalars(select(User).where(User.role == "patient"))}
        with_episode = {e.patient_id for e in db.scalars(select(Episode))}
        assert {p.id for p in patients} == accounts_of == with_episode


def test_every_clinic_has_staff_of_every_role(engine):
    with session(engine) as db:
        for clinic in db.scalars(select(Clinic)):
            roles = set(db.scalars(select(User.role).where(User.clinic_id == clinic.id)))
            assert set(STAFF_ROLES) <= roles, clinic.name


def test_the_printed_logins_sign_in_with_the_shared_password(built, engine):
    out = built[1]
    assert "lead.northside" in out.stdout and "physician.riverside" in out.stdout
    assert "clinic lead" in out.stdout and DEFAULT_PASSWORD in out.stdout
    assert "lucia.fernandez" in out.stdout and "--list-logins" in out.stdout
    assert "Built the demo for 2026-06-15" in out.stderr
    settings = Settings(database_url=built[0], data_dir=Path())
    factory = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    for username in ("lead.northside", "lucia.fernandez"):
        signed = accounts.login(
            SqlUnitOfWork(factory, None, client="t"),
            username,
            DEFAULT_PASSWORD,
            settings=settings,
            now=now,
        )
        assert signed.principal.username == username
    with session(engine) as db:
        stored = set(db.scalars(select(User.username)))
    assert {login.username for login in demo_logins()} == stored


# --- what their timelines show ---------------------------------------------------------------


def test_every_signal_shows_today_in_an_open_episode_of_each_clinic(engine):
    with session(engine) as db:
        clinics = db.scalars(select(Clinic)).all()
    for clinic in clinics:
        uow = clinician_uow(engine, clinic.id)
        with uow:
            episodes = uow.records.all(Episode, Episode.status == "open")
            timelines = [episode_timeline(uow, e, until=TODAY) for e in episodes]
        reports = signals_batch(timelines, today=TODAY, knowledge=default_knowledge())
        seen = {signal_id for report in reports for signal_id in report.ids()}
        assert set(SIGNAL_IDS) <= seen, f"{clinic.name} misses {set(SIGNAL_IDS) - seen}"


def _expected(spec: PatientSpec) -> tuple[dict[str, Any], dt.date]:
    about = json.loads(next(SCENARIOS.glob(f"{spec.scenario}_*.json")).read_text())
    return about, dt.date.fromisoformat(about["about"]["today"])


def _moved(wanted: Any, delta: dt.timedelta, keys: dict[str, str]) -> Any:
    if isinstance(wanted, str):
        return {"id": wanted}
    moved = dict(wanted)
    for k in ("start", "end", "session"):
        if moved.get(k):
            moved[k] = (dt.date.fromisoformat(moved[k]) + delta).isoformat()
    if moved.get("goal"):
        moved["goal"] = keys[moved["goal"]]
    return moved


LIVE = [p for c in CLINICS for p in c.patients if p.scenario and p.days_ago == 0 and p.then is None]


@pytest.mark.parametrize("spec", LIVE, ids=[username_of(p.name) for p in LIVE])
def test_each_patient_shows_the_signals_and_proposal_of_their_scenario(engine, spec):
    data, scenario_today = _expected(spec)
    expected = data["about"]["expected"]
    delta = TODAY - scenario_today
    keys = {g["id"]: f"g{i}" for i, g in enumerate(data["goals"], start=1)}
    episode = episode_of(engine, spec.name)
    evaluation = evaluate_episode(
        clinician_uow(engine, episode.clinic_id),
        episode.id,
        today=TODAY,
        knowledge=default_knowledge(),
    )
    produced = evaluation.report.to_dict()["signals"]
    for wanted in expected.get("signals", []):
        pattern = _moved(wanted, delta, keys)
        assert any(all(s.get(k) == v for k, v in pattern.items()) for s in produced), pattern
    for unwanted in expected.get("absent", []):
        pattern = _moved(unwanted, delta, keys)
        assert not any(all(s.get(k) == v for k, v in pattern.items()) for s in produced), pattern
    assert evaluation.proposal.decision == expected["decision"]
    if "recorded" in expected:
        recorded = evaluation.proposal.recorded or {}
        assert recorded.get("decision") == expected["recorded"]["decision"]
        assert recorded.get("differs") is expected["recorded"]["differs"]


def test_every_checkpoint_decision_is_in_the_history(engine):
    with session(engine) as db:
        decisions = set(db.scalars(select(CheckpointRecord.decision)))
        referrals = db.scalars(select(Referral)).all()
        graduated = db.scalars(select(Episode).where(Episode.status == "graduated")).all()
    assert {"continue", "adjust", "refer", "graduate", "transition", "ongoing_care"} <= decisions
    assert referrals and all(r.overlap_days > 0 for r in referrals)
    assert len(graduated) >= 3
    assert all(e.ended_on is not None and e.ended_on < TODAY for e in graduated)
    assert len({(e.ended_on - e.start_date).days for e in graduated}) >= 2  # a real median


def test_overrides_are_stored_with_their_reasons(engine):
    with session(engine) as db:
        overrides = db.scalars(
            select(CheckpointRecord).where(CheckpointRecord.decision != CheckpointRecord.proposed)
        ).all()
    assert {(o.proposed, o.decision) for o in overrides} >= {
        ("refer", "adjust"),
        ("ongoing_care", "graduate"),
    }
    assert all(o.reason for o in overrides)


def test_red_flags_opioid_doses_and_unfinished_episodes_are_in_the_demo(engine):
    with session(engine) as db:
        plans = {  # the plans made at intake
            e.patient_id: p.data
            for e, p in db.execute(
                select(Episode, PlanRevision).join(
                    PlanRevision,
                    (PlanRevision.episode_id == Episode.id) & (PlanRevision.number == 1),
                )
            )
        }
        names = {p.id: p.name for p in db.scalars(select(Patient))}
        no_intake = db.scalars(
            select(Episode).where(~Episode.id.in_(select(IntakeRecord.episode_id)))
        ).all()
        logged = set(db.scalars(select(DailyLog.patient_id)))
    by_name = {names[k]: v for k, v in plans.items()}
    emergency = by_name["Oskar Nowak"]
    assert emergency["status"] == "referral"
    assert any(r["urgency"] == "emergency" and r["blocks_plan"] for r in emergency["referrals"])
    flags = [set(p["mme"]["flags"]) for p in plans.values() if p.get("mme")]
    assert {"mme_at_or_above_50"} in flags
    assert any("mme_at_or_above_90" in f for f in flags)
    assert [e for e in no_intake if e.status == "open"]
    intake_only = [n for pid, n in names.items() if pid in plans and pid not in logged]
    assert "Hana Kobayashi" in intake_only


def test_two_opioid_patients_have_taken_a_taper_step_so_mme_now_is_below_intake(engine):
    with session(engine) as db:
        clinics = db.scalars(select(Clinic).order_by(Clinic.name)).all()
    for clinic, (name, intake_mme, now_mme) in zip(
        clinics, [("Frank Murphy", 90, 75), ("Harold Jenkins", 100, 80)], strict=True
    ):
        uow = clinician_uow(engine, clinic.id)
        episode = episode_of(engine, name)
        history, _ = plans.plan_history(uow, episode.id, limit=10, offset=0)
        assert [r.number for r in history] == [2, 1]
        now, first = history
        assert (first.data["mme"]["total_mme_per_day"], now.data["mme"]["total_mme_per_day"]) == (
            intake_mme,
            now_mme,
        )
        assert now.data["mme"]["flags"] == ["mme_at_or_above_50"]
        assert now.reason.startswith("Taper step 2")
        # The taper step changes the dose and nothing else in the plan.
        assert {k: v for k, v in now.data.items() if k != "mme"} == {
            k: v for k, v in first.data.items() if k != "mme"
        }
        panel = clinic_panel(
            clinician_uow(engine, clinic.id), today=TODAY, knowledge=default_knowledge()
        )
        assert panel.mme_now_total == panel.mme_intake_total - (intake_mme - now_mme)
        assert panel.mme_now_total < panel.mme_intake_total
        line = next(m for m in panel.opioid_patients if m.patient_name == name)
        assert (line.mme_intake, line.mme_now) == (intake_mme, now_mme)


# --- building it safely, and the same way every time -----------------------------------------


def test_running_it_again_keeps_the_demo_and_prints_the_logins(built):
    url = built[0]
    before = every_row(url)
    out = run_cli("demo", env={"PAINPATH_DATABASE_URL": url})
    assert out.returncode == 0, out.stderr
    assert "already" in out.stdout and "built for 2026-06-15" in out.stdout
    assert "lead.riverside" in out.stdout and DEFAULT_PASSWORD in out.stdout
    assert every_row(url) == before


def test_a_database_holding_other_data_is_refused_with_exit_1_and_left_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    other_data(url)
    before = every_row(url)
    out = run_cli("demo", env={"PAINPATH_DATABASE_URL": url})
    assert out.returncode == 1
    assert "not the demo" in out.stderr and "--force" in out.stderr
    with pytest.raises(DemoRefused):
        build_demo(url, today=TODAY)
    assert every_row(url) == before


def test_an_interrupted_demo_is_refused_rather_than_completed(tmp_path):
    url = f"sqlite:///{tmp_path / 'half.db'}"
    e = make_engine(url)
    upgrade(e)
    accounts.create_user(
        SqlUnitOfWork(make_session_factory(e), None, client="t"),
        "Northside Pain Clinic",
        UserInput(
            username="lead.northside",
            display_name="Lead",
            role="clinic_admin",
            password=DEFAULT_PASSWORD,
        ),
    )
    e.dispose()
    with pytest.raises(DemoRefused, match="incomplete demo"):
        build_demo(url, today=TODAY)


def test_production_settings_a_short_password_and_a_far_date_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    production = Settings(database_url=url, data_dir=tmp_path, environment="production")
    with pytest.raises(DemoRefused, match="production"):
        build_demo(production, today=TODAY)
    with pytest.raises(DemoError, match="12"):
        build_demo(url, today=TODAY, password="short")
    with pytest.raises(DemoError, match="2000–2099"):
        build_demo(url, today=dt.date(1990, 1, 1))
    assert not (tmp_path / "prod.db").exists()


def test_force_erases_other_data_and_builds_exactly_the_same_demo(built_snapshot, database_url):
    """Determinism: a second build for the same today, on either database, stores the same
    names, goals, logs, sessions, intakes, plans and decisions (ids and clock times aside)."""
    other_data(database_url)
    summary = build_demo(database_url, today=TODAY, force=True)
    assert summary.created and summary.patient_count >= 40
    assert set(summary.signal_coverage) == set(SIGNAL_IDS)
    assert summary.decisions.keys() >= {"continue", "adjust", "refer", "graduate"}
    assert summary.overrides >= 1
    e = make_engine(database_url)
    with e.connect() as c:
        assert "Hillside Physiotherapy" not in set(c.scalars(text("SELECT name FROM clinic")))
    e.dispose()
    assert snapshot(database_url) == built_snapshot


def test_the_demo_guide_names_every_login():
    guide = (ROOT / "docs" / "demo.md").read_text()
    missing = [login.username for login in demo_logins() if f"`{login.username}`" not in guide]
    assert missing == []


def test_a_bad_date_exits_2_and_a_wrong_password_is_not_printed_as_the_demos(
    built, tmp_path, monkeypatch
):
    runner = CliRunner()
    monkeypatch.setenv("PAINPATH_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    bad = runner.invoke(app, ["demo", "--today", "15/06/2026"])
    assert bad.exit_code == 2 and "not a date" in bad.stderr
    short = runner.invoke(app, ["demo", "--password", "short"])
    assert short.exit_code == 2 and "12" in short.stderr
    assert not (tmp_path / "none.db").exists()
    monkeypatch.setenv("PAINPATH_DATABASE_URL", built[0])
    other = runner.invoke(app, ["demo", "--password", "not the demo password"])
    assert other.exit_code == 0, other.stderr
    assert "the one chosen when the demo was built" in other.stdout
    assert "lead.northside" in other.stdout
