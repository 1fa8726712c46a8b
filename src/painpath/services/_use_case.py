"""One audit event per use case, in the same transaction as the change it records."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError

from painpath.services.errors import Conflict, ServiceError
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = ["use_case"]

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("painpath.services")


def use_case(
    action: str, *, retry_on_race: bool = False
) -> Callable[
    [Callable[Concatenate[SqlUnitOfWork, P], R]], Callable[Concatenate[SqlUnitOfWork, P], R]
]:
    """Run the decorated use case in its own transaction and audit it exactly once.

    Success: the audit event is added to the use case's transaction and committed with it.
    Refusal (not found, denied, invalid, conflict): everything is rolled back, then the refusal
    alone is audited and committed, so a failed write leaves nothing but its audit event.

    ``retry_on_race``: for idempotent writes (a day's log), a unique key that another writer
    took first between our read and our insert (PostgreSQL lets both read "absent") is retried
    once, and the second attempt updates the row the other writer made.
    """

    def decorate(
        fn: Callable[Concatenate[SqlUnitOfWork, P], R],
    ) -> Callable[Concatenate[SqlUnitOfWork, P], R]:
        @functools.wraps(fn)
        def run(uow: SqlUnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> R:
            attempts = 2 if retry_on_race else 1
            with uow:
                for attempt in range(1, attempts + 1):
                    try:
                        result = fn(uow, *args, **kwargs)
                        uow.audit(action, outcome="success", **uow.subject)
                        uow.commit()
                    except ServiceError as exc:
                        refusal = exc
                        break
                    except IntegrityError:
                        # A unique or foreign key raced another writer (PostgreSQL); nothing was
                        # written. Logged without values: the statement may hold patient data.
                        log.warning("%s: integrity conflict, rolled back", action)
                        refusal = Conflict("the record changed at the same time; try again")
                        uow.rollback()
                        if attempt < attempts:
                            continue
                    else:
                        return result
                uow.rollback()
                uow.audit(action, outcome=refusal.outcome, **uow.subject)
                uow.commit()
                raise refusal

        return run

    return decorate
