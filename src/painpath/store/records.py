"""The scoped repository: every query is filtered to the signed-in principal's clinic, and for a
patient to their own record, so a route cannot read what its caller may not see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, func, select, update
from sqlalchemy.orm import Session

from painpath.services.errors import NotFound
from painpath.services.principal import Principal
from painpath.store.models import Base, Episode, Patient

__all__ = ["Records"]

M = TypeVar("M", bound=Base)

# How a record is named in a 404 ("no such episode").
_LABELS = {
    "patient": "patient",
    "episode": "episode",
    "intake": "intake",
    "assessment": "assessment",
    "plan_revision": "plan revision",
    "goal": "goal",
    "daily_log": "daily log",
    "care_session": "session",
    "checkpoint": "checkpoint",
    "referral": "referral",
    "team_note": "team note",
    "app_user": "user",
}


def label(model: type[Base]) -> str:
    return _LABELS.get(str(model.__tablename__), str(model.__tablename__))


class Records:
    """Rows of one clinic, seen by one principal. Out-of-scope rows raise NotFound, exactly as
    missing ones do."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _scope(self, model: type[M]) -> Select[Any]:
        p = self.principal
        query = select(model).where(model.clinic_id == p.clinic_id)  # type: ignore[attr-defined]
        if p.is_patient:
            # A patient sees their own record and what hangs off it, nothing else.
            if model is Patient:
                query = query.where(Patient.id == p.patient_id)
            elif hasattr(model, "patient_id"):
                query = query.where(model.patient_id == p.patient_id)  # type: ignore[attr-defined]
            elif hasattr(model, "episode_id"):
                own = select(Episode.id).where(Episode.patient_id == p.patient_id)
                query = query.where(model.episode_id.in_(own))  # type: ignore[attr-defined]
            else:
                query = query.where(false())
        return query

    def get(self, model: type[M], record_id: str) -> M:
        """One record by id, or NotFound (also when it belongs to someone out of scope)."""
        query = self._scope(model).where(model.id == record_id)  # type: ignore[attr-defined]
        row: M | None = self.session.scalars(query).first()
        if row is None:
            raise NotFound(label(model))
        return row

    def find(self, model: type[M], *where: ColumnElement[bool]) -> M | None:
        found: M | None = self.session.scalars(self._scope(model).where(*where)).first()
        return found

    def page(
        self,
        model: type[M],
        *where: ColumnElement[bool],
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[M], int]:
        """A page of records and the total count that match ``where`` inside the scope."""
        query = self._scope(model).where(*where)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        query = query.order_by(*order_by).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(self.session.scalars(query)), int(total)

    def all(
        self, model: type[M], *where: ColumnElement[bool], order_by: Sequence[Any] = ()
    ) -> list[M]:
        return list(self.session.scalars(self._scope(model).where(*where).order_by(*order_by)))

    def add(self, record: M) -> M:
        """Store a new record in the principal's clinic (the clinic is never taken from input)."""
        record.clinic_id = self.principal.clinic_id  # type: ignore[attr-defined]
        self.session.add(record)
        self.session.flush()
        return record

    def claim_version(self, model: type[M], record_id: str, column: str, expected: int) -> bool:
        """Move ``column`` from ``expected`` to ``expected + 1`` in one conditional UPDATE.

        Of several writers that read the same version, exactly one sees True; the others get
        False and their transaction must answer 409 (optimistic concurrency)."""
        key, clinic, col = (getattr(model, c) for c in ("id", "clinic_id", column))
        result = self.session.execute(
            update(model)
            .where(key == record_id, clinic == self.principal.clinic_id, col == expected)
            .values({column: expected + 1})
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
