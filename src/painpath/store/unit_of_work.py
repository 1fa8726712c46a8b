"""The unit of work: one transaction per use case that rolls back unless committed, with the
audit event written inside it (style.md: cosmicpython's unit of work)."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from painpath.services.principal import Principal
from painpath.store.models import AuditEvent
from painpath.store.records import Records

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving the block without commit rolls back."""

    def __init__(
        self, factory: sessionmaker[Session], principal: Principal | None, *, client: str | None
    ) -> None:
        self._factory = factory
        self.principal = principal
        self.client = client
        self.session: Session | None = None
        self.subject: dict[str, str | None] = {}

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        self.subject = {}
        return self

    def about(
        self, record_type: str, record_id: str | None, *, patient_id: str | None = None
    ) -> None:
        """Name the record this use case touches, for its audit event."""
        self.subject = {
            "record_type": record_type,
            "record_id": record_id,
            "patient_id": patient_id,
        }

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        self.session.rollback()
        self.session.close()
        self.session = None

    @property
    def db(self) -> Session:
        assert self.session is not None, "use the unit of work inside `with`"
        return self.session

    @property
    def records(self) -> Records:
        assert self.principal is not None, "this unit of work has no signed-in principal"
        return Records(self.db, self.principal)

    def commit(self) -> None:
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def audit(
        self,
        action: str,
        *,
        outcome: str,
        record_type: str | None = None,
        record_id: str | None = None,
        patient_id: str | None = None,
        actor: str | None = None,
    ) -> None:
        """Add one audit event to the current transaction (who, role, clinic, what, outcome,
        when, from where). It is committed with the change it describes, or not at all."""
        p = self.principal
        self.db.add(
            AuditEvent(
                user_id=p.user_id if p else None,
                actor=actor or (p.username if p else None),
                role=p.role if p else None,
                clinic_id=p.clinic_id if p else None,
                action=action,
                record_type=record_type,
                record_id=record_id,
                patient_id=patient_id,
                outcome=outcome,
                client=self.client,
            )
        )
        self.db.flush()
