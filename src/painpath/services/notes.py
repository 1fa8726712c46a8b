"""Team notes: what the team thinks about a part of the hypothesis (staff only)."""

from __future__ import annotations

from painpath.services._use_case import use_case
from painpath.services.commands import NoteInput
from painpath.store.models import Episode, TeamNote
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = ["add_team_note", "list_team_notes"]


@use_case("team_note.create")
def add_team_note(uow: SqlUnitOfWork, episode_id: str, data: NoteInput) -> TeamNote:
    """Add a note for the team, tied to a part of the mechanism hypothesis (clinicians)."""
    uow.about("team_note", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("team_note", None, patient_id=episode.patient_id)
    uow.records.principal.require_clinician()
    note = uow.records.add(
        TeamNote(
            episode_id=episode.id,
            hypothesis=data.hypothesis,
            body=data.body,
            author_id=uow.records.principal.user_id,
        )
    )
    uow.about("team_note", note.id, patient_id=episode.patient_id)
    return note


@use_case("team_note.list")
def list_team_notes(
    uow: SqlUnitOfWork, episode_id: str, *, limit: int, offset: int
) -> tuple[list[TeamNote], int]:
    uow.about("team_note", None)
    episode = uow.records.get(Episode, episode_id)
    uow.about("team_note", None, patient_id=episode.patient_id)
    uow.records.principal.require_staff()
    return uow.records.page(
        TeamNote,
        TeamNote.episode_id == episode.id,
        order_by=(TeamNote.created_at.desc(), TeamNote.id),
        limit=limit,
        offset=offset,
    )
