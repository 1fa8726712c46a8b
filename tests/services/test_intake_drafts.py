"""Intake drafts on real databases (SQLite and PostgreSQL): a partial intake is kept exactly as
typed, saved over, read back, and becomes the intake when it is submitted; an episode still has
one intake; only clinicians write drafts; what cannot be stored is refused by path."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from painpath.knowledge import KnowledgeBase
from painpath.services import intake, patients
from painpath.services.commands import EpisodeInput
from painpath.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import upgrade
from painpath.store.models import (
    Assessment,
    AuditEvent,
    Clinic,
    Episode,
    IntakeRecord,
    Patient,
    PlanRevision,
    User,
)
from painpath.store.unit_of_work import SqlUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
SCIATICA = ROOT / "docs" / "examples" / "intake" / "02_sciatica_cannot_sit.json"
START = dt.date(2026, 3, 2)

# Half an intake, as a clinician leaves the wizard: questionnaires not started, one goal typed,
# an age the schema would refuse. A draft keeps it all.
PARTIAL = {
    "age": 151,
    "sex": "female",
    "regions": ["low_back"],
    "goals": [{"activity": "walk the dog", "baseline": 5}],
    "notes": "to finish on Tuesday",
}


@dataclass
class Clinics:
    factory: sessionmaker[Session]
    doc: Principal
    pt: Principal
    admin: Principal
    patient_a: Principal
    doc_y: Principal
    episode: str  # patient A's open episode (clinic X)

    def uow(self, principal: Principal) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.factory, principal, client="test")

    def intakes(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.factory() as s:
            rows = s.scalars(select(IntakeRecord).order_by(IntakeRecord.created_at))
            return [(r.id, r.status, r.data) for r in rows]

    def count(self, model: type[Any]) -> int:
        with self.factory() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    def events(self) -> list[tuple[str, str, str | None]]:
        with self.factory() as s:
            rows = s.execute(
                select(AuditEvent.action, AuditEvent.outcome, AuditEvent.record_id).order_by(
                    AuditEvent.id
                )
            )
            return [(a, o, r) for a, o, r in rows]


@pytest.fixture
def clinics(database_url: str) -> Iterator[Clinics]:
    """Clinic X: a physician, a physical therapist, an admin and patient A (with an account and
    an open episode). Clinic Y: a physician."""
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        x, y = Clinic(name="Clinic X"), Clinic(name="Clinic Y")
        s.add_all([x, y])
        s.flush()
        a = Patient(clinic_id=x.id, name="Alice")
        s.add(a)
        s.flush()
        users = {
            "doc": User(clinic_id=x.id, username="doc.x", display_name="d", role="physician"),
            "pt": User(
                clinic_id=x.id, username="pt.x", display_name="p", role="physical_therapist"
            ),
            "admin": User(
                clinic_id=x.id, username="admin.x", display_name="a", role="clinic_admin"
            ),
            "patient_a": User(
                clinic_id=x.id,
                username="patient-a.x",
                display_name="Alice",
                role="patient",
                patient_id=a.id,
            ),
            "doc_y": User(clinic_id=y.id, username="doc.y", display_name="y", role="physician"),
        }
        s.add_all(users.values())
        s.commit()
        principals = {
            k: Principal(
                user_id=u.id,
                username=u.username,
                role=u.role,
                clinic_id=u.clinic_id,
                patient_id=u.patient_id,
            )
            for k, u in users.items()
        }
        patient_id = a.id
    uow = SqlUnitOfWork(factory, principals["doc"], client="test")
    episode = patients.open_episode(uow, patient_id, EpisodeInput(title="Back", start_date=START))
    yield Clinics(factory, episode=episode.id, **principals)
    engine.dispose()


def sciatica() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCIATICA.read_text(encoding="utf-8"))
    return data


def save(c: Clinics, data: Any, who: Principal | None = None, **kw: Any) -> IntakeRecord:
    return intake.save_intake_draft(c.uow(who or c.doc), c.episode, data, **kw)


def submit(c: Clinics, kb: KnowledgeBase, data: Any) -> intake.IntakeResult:
    return intake.submit_intake(c.uow(c.doc), c.episode, data, today=START, knowledge=kb)


# --- saving and reading -------------------------------------------------------------------------


def test_a_draft_keeps_a_partial_intake_exactly_as_typed(clinics: Clinics) -> None:
    c = clinics
    draft = save(c, PARTIAL)
    assert (draft.status, draft.data, intake.draft_version(draft)) == ("draft", PARTIAL, 1)
    read = intake.get_intake_draft(c.uow(c.pt), c.episode)
    assert read is not None
    assert (read.id, read.data, intake.draft_version(read)) == (draft.id, PARTIAL, 1)
    assert c.events()[-2:] == [
        ("intake.draft.save", "success", draft.id),
        ("intake.draft.read", "success", draft.id),
    ]


def test_saving_again_replaces_the_draft_in_the_same_row(clinics: Clinics) -> None:
    c = clinics
    first = save(c, PARTIAL)
    second = save(c, {**PARTIAL, "age": 51}, c.pt, expected_version=1)
    assert (second.id, intake.draft_version(second), second.data["age"]) == (first.id, 2, 51)
    assert second.entered_by == c.pt.user_id  # who saved it last
    assert [(status, data["age"]) for _, status, data in c.intakes()] == [("draft", 51)]


def test_an_episode_without_a_draft_reads_none(clinics: Clinics) -> None:
    assert intake.get_intake_draft(clinics.uow(clinics.doc), clinics.episode) is None
    assert clinics.events()[-1] == ("intake.draft.read", "success", None)


def test_a_save_over_a_draft_someone_else_saved_meanwhile_is_a_conflict(clinics: Clinics) -> None:
    c = clinics
    save(c, PARTIAL, expected_version=0)  # 0: "I saw no draft"
    save(c, {"age": 60}, c.pt, expected_version=1)
    with pytest.raises(Conflict):
        save(c, {"age": 70}, expected_version=1)
    with pytest.raises(Conflict):
        save(c, {"age": 70}, expected_version=0)
    assert [data for _, _, data in c.intakes()] == [{"age": 60}]
    assert c.events()[-1][:2] == ("intake.draft.save", "conflict")
    save(c, {"age": 70})  # no expected version: the last save wins
    assert [data for _, _, data in c.intakes()] == [{"age": 70}]


def test_a_draft_of_another_clinics_episode_does_not_exist(clinics: Clinics) -> None:
    c = clinics
    save(c, PARTIAL)
    with pytest.raises(NotFound):
        intake.get_intake_draft(c.uow(c.doc_y), c.episode)
    with pytest.raises(NotFound):
        save(c, {"age": 1}, c.doc_y)
    assert [data for _, _, data in c.intakes()] == [PARTIAL]


def test_a_patient_can_neither_save_nor_read_a_draft(clinics: Clinics) -> None:
    c = clinics
    with pytest.raises(Forbidden):
        save(c, PARTIAL, c.patient_a)
    assert c.intakes() == []
    assert c.events()[-1][:2] == ("intake.draft.save", "denied")
    save(c, PARTIAL)
    with pytest.raises(Forbidden):
        intake.get_intake_draft(c.uow(c.patient_a), c.episode)


def test_the_clinic_admin_reads_drafts_but_does_not_write_them(clinics: Clinics) -> None:
    c = clinics
    with pytest.raises(Forbidden):
        save(c, PARTIAL, c.admin)
    save(c, PARTIAL)
    read = intake.get_intake_draft(c.uow(c.admin), c.episode)
    assert read is not None and read.data == PARTIAL


def test_no_draft_for_an_episode_that_has_ended(clinics: Clinics) -> None:
    c = clinics
    with c.factory() as s:
        s.execute(update(Episode).values(status="graduated", ended_on=START))
        s.commit()
    with pytest.raises(InvalidInput) as refused:
        save(c, PARTIAL)
    assert [f for f, _ in refused.value.errors] == ["episode_id"]


NUL = "\x00"
UNSTORABLE: dict[str, tuple[Any, list[str]]] = {
    "a-list": ([{"age": 50}], ["(intake)"]),
    "text": ("age: 50", ["(intake)"]),
    "null": (None, ["(intake)"]),
    "nul-in-a-value": ({**PARTIAL, "notes": f"a{NUL}b"}, ["notes"]),
    "nul-deep-inside": (
        {"goals": [{"activity": "ok"}, {"activity": f"walk{NUL}"}]},
        ["goals[1].activity"],
    ),
    "nul-in-a-name": ({"questionnaires": {f"phq{NUL}9": 1}}, [f"questionnaires.phq{NUL}9"]),
    "not-a-number": (
        {"age": float("nan"), "duration_weeks": float("inf")},
        ["age", "duration_weeks"],
    ),
    "not-json": ({"onset": dt.date(2026, 1, 1)}, ["onset"]),
    "too-deep": (
        {"notes": [[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]},
        ["notes[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"],
    ),
    "too-large": ({"notes": "x" * (intake.MAX_DRAFT_BYTES + 1)}, ["(intake)"]),
}


@pytest.mark.parametrize(("data", "fields"), UNSTORABLE.values(), ids=UNSTORABLE)
def test_what_cannot_be_stored_is_refused_by_field_and_nothing_is_saved(
    clinics: Clinics, data: Any, fields: list[str]
) -> None:
    c = clinics
    save(c, PARTIAL)
    with pytest.raises(InvalidInput) as refused:
        save(c, data)
    assert [f for f, _ in refused.value.errors] == fields
    assert [d for _, _, d in c.intakes()] == [PARTIAL]
    assert c.events()[-1][:2] == ("intake.draft.save", "invalid")


# --- submitting -----------------------------------------------------------------------------------


def test_submitting_turns_the_draft_into_the_intake(clinics: Clinics, kb: KnowledgeBase) -> None:
    c = clinics
    draft = save(c, PARTIAL)
    data = sciatica()
    result = submit(c, kb, data)
    assert result.intake.id == draft.id  # the same row: one intake per episode
    assert c.intakes() == [(draft.id, "submitted", data)]
    assert result.assessment.intake_id == draft.id
    assert result.intake.scores == result.assessment.data["questionnaires"]
    assert intake.get_intake(c.uow(c.doc), c.episode).id == draft.id
    assert intake.get_intake_draft(c.uow(c.doc), c.episode) is None
    assert c.events()[-3][:2] == ("intake.submit", "success")


def test_a_refused_submission_leaves_the_draft_as_it_was(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    save(c, PARTIAL)
    with pytest.raises(InvalidInput) as refused:
        submit(c, kb, PARTIAL)
    assert "age" in [f for f, _ in refused.value.errors]
    assert [(status, data) for _, status, data in c.intakes()] == [("draft", PARTIAL)]
    assert [c.count(m) for m in (Assessment, PlanRevision)] == [0, 0]


def test_an_episode_still_takes_one_intake(clinics: Clinics, kb: KnowledgeBase) -> None:
    c = clinics
    save(c, PARTIAL)
    submit(c, kb, sciatica())
    with pytest.raises(InvalidInput) as twice:
        submit(c, kb, sciatica())
    assert [f for f, _ in twice.value.errors] == ["episode_id"]
    with pytest.raises(InvalidInput) as late_draft:
        save(c, PARTIAL)
    assert [f for f, _ in late_draft.value.errors] == ["episode_id"]
    assert [status for _, status, _ in c.intakes()] == ["submitted"]
    assert [c.count(m) for m in (Assessment, PlanRevision)] == [1, 1]


def test_submitting_without_a_draft_still_works(clinics: Clinics, kb: KnowledgeBase) -> None:
    c = clinics
    result = submit(c, kb, sciatica())
    assert [(i, s) for i, s, _ in c.intakes()] == [(result.intake.id, "submitted")]


def test_a_draft_alone_is_not_the_intake(clinics: Clinics) -> None:
    c = clinics
    save(c, PARTIAL)
    with pytest.raises(NotFound, match="no such intake"):
        intake.get_intake(c.uow(c.doc), c.episode)
    with pytest.raises(NotFound, match="no such assessment"):
        intake.get_assessment(c.uow(c.doc), c.episode)


def test_an_intake_with_a_nul_character_is_refused_by_path(
    clinics: Clinics, kb: KnowledgeBase
) -> None:
    c = clinics
    data = sciatica()
    data["goals"][0]["activity"] = f"sit{NUL}"
    with pytest.raises(InvalidInput) as refused:
        submit(c, kb, data)
    assert [f for f, _ in refused.value.errors] == ["goals[0].activity"]
    assert c.intakes() == []
