"""The composition root's products that every request uses: settings, database, knowledge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from painpath.knowledge import KnowledgeBase
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = ["AppContext"]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    knowledge: KnowledgeBase
    clock: Callable[[], dt.datetime] = _utcnow

    def uow(self, principal: Principal | None, client: str | None) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, principal, client=client)

    def today(self) -> dt.date:
        # The clinic's calendar day: the server's local date (docs/deploy.md, TZ).
        return self.clock().astimezone().date()
