"""Reading the audit trail out: `painpath audit export --since D` (JSON lines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from painpath.store.models import AuditEvent
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = ["export_audit"]

COLUMNS = (
    "id",
    "at",
    "user_id",
    "actor",
    "role",
    "clinic_id",
    "action",
    "record_type",
    "record_id",
    "patient_id",
    "outcome",
    "client",
)


def export_audit(
    uow: SqlUnitOfWork, *, since: dt.date, clinic_id: str | None = None
) -> Iterator[dict[str, Any]]:
    """Audit events from ``since`` (UTC midnight) on, oldest first, as plain dicts; the export
    itself is audited when it completes."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    with uow:
        query = select(AuditEvent).where(AuditEvent.at >= start).order_by(AuditEvent.id)
        if clinic_id:
            query = query.where(AuditEvent.clinic_id == clinic_id)
        count = 0
        for event in uow.db.scalars(query.execution_options(yield_per=1000)):
            row = {c: getattr(event, c) for c in COLUMNS}
            at = row["at"]
            row["at"] = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).isoformat()
            count += 1
            yield row
        uow.audit("audit.export", outcome="success", actor="painpath-cli", record_id=str(count))
        uow.commit()
