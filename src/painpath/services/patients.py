"""Patients and their episodes of care: create, list and read, inside the caller's clinic."""

from __future__ import annotations

from painpath.services._use_case import use_case
from painpath.services.commands import EpisodeInput, PatientInput
from painpath.services.errors import InvalidInput
from painpath.store.models import Episode, Patient
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "create_patient",
    "get_episode",
    "get_patient",
    "list_episodes",
    "list_patients",
    "open_episode",
]


@use_case("patient.create")
def create_patient(uow: SqlUnitOfWork, data: PatientInput) -> Patient:
    """A new patient record in the caller's clinic (clinicians and the clinic admin)."""
    uow.records.principal.require_staff()
    patient = uow.records.add(Patient(**data.model_dump()))
    uow.about("patient", patient.id, patient_id=patient.id)
    return patient


@use_case("patient.list")
def list_patients(
    uow: SqlUnitOfWork, *, limit: int, offset: int, name: str | None = None
) -> tuple[list[Patient], int]:
    """A page of the clinic's patients by name (a patient sees only their own record)."""
    where = [Patient.name.ilike(f"%{name}%")] if name else []
    uow.about("patient", None)
    return uow.records.page(
        Patient, *where, order_by=(Patient.name, Patient.id), limit=limit, offset=offset
    )


@use_case("patient.read")
def get_patient(uow: SqlUnitOfWork, patient_id: str) -> Patient:
    uow.about("patient", patient_id, patient_id=patient_id)
    return uow.records.get(Patient, patient_id)


@use_case("episode.create")
def open_episode(uow: SqlUnitOfWork, patient_id: str, data: EpisodeInput) -> Episode:
    """Open an episode of care for a patient; a patient has at most one open episode."""
    uow.about("episode", None, patient_id=patient_id)
    uow.records.principal.require_clinician()
    patient = uow.records.get(Patient, patient_id)
    if uow.records.find(Episode, Episode.patient_id == patient.id, Episode.status == "open"):
        raise InvalidInput([("patient_id", "this patient already has an open episode of care")])
    episode = uow.records.add(
        Episode(patient_id=patient.id, title=data.title, start_date=data.start_date)
    )
    uow.about("episode", episode.id, patient_id=patient.id)
    return episode


@use_case("episode.list")
def list_episodes(
    uow: SqlUnitOfWork, patient_id: str, *, limit: int, offset: int
) -> tuple[list[Episode], int]:
    uow.about("episode", None, patient_id=patient_id)
    uow.records.get(Patient, patient_id)
    return uow.records.page(
        Episode,
        Episode.patient_id == patient_id,
        order_by=(Episode.start_date.desc(), Episode.id),
        limit=limit,
        offset=offset,
    )


@use_case("episode.read")
def get_episode(uow: SqlUnitOfWork, episode_id: str) -> Episode:
    uow.about("episode", episode_id)
    episode = uow.records.get(Episode, episode_id)
    uow.about("episode", episode.id, patient_id=episode.patient_id)
    return episode
