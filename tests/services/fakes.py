"""An in-memory unit of work for the use cases (cosmicpython's fake unit of work).

The use cases take a unit of work and touch storage only through it: ``uow.records`` (the
scoped repository), ``uow.db`` (the session, for ``flush`` and a few plain reads),
``uow.about``/``uow.audit``/``uow.commit``/``uow.rollback`` and ``with uow:``. This module
provides the same surface over Python dicts, so the use cases' rules can be tested without a
database. The real storage (SQL, scoping in SQL, triggers) is tested on SQLite and PostgreSQL
in tests/store and tests/services/test_use_cases_on_database.py.

What the fake supports — and nothing more; anything else raises ``NotImplementedError``:

- ``FakeDatabase``: the shared "database". Rows are the real ORM objects
  (``painpath.store.models``), kept per model in dicts by id. ``seed(*rows)`` stores and commits
  rows as they are (no scoping: the test's own set-up). ``commit()`` snapshots every row's
  column values; ``rollback()`` drops rows added since the last commit and puts back every
  changed attribute of the others, so a refused use case leaves nothing behind, as on a real
  database. ``commits``/``rollbacks`` count the calls; ``events`` are the committed audit events
  (``AuditEvent`` objects with increasing ids), ``count(model)`` the stored rows of a model.
- Constraints checked on every flush: primary key ids, ``UniqueConstraint`` and
  ``unique=True`` columns, and foreign keys to a stored row; a violation raises SQLAlchemy's
  ``IntegrityError`` as the database would. Column defaults (``id``, ``created_at``,
  ``version``, ``status``, ``goals`` …) are filled in when a row is added.
- ``FakeRecords`` — the methods of ``painpath.store.records.Records``: ``get``, ``find``,
  ``page``, ``all``, ``add``, ``claim_version``, with the same scope (the principal's clinic;
  a patient sees their own patient row and rows with their ``patient_id`` or of their own
  episodes) and the same ``NotFound`` messages; ``add`` forces the principal's clinic.
- Where-clauses on the queried model's own columns: ``==``, ``!=``, ``<``, ``<=``, ``>``,
  ``>=`` (a NULL on either side matches nothing, as in SQL), ``is_(None)``/``is_not(None)``,
  ``in_``/``not_in`` with a list, ``like``/``ilike`` with ``%`` and ``_``, ``and_``/``or_``,
  ``true()``/``false()``. ``order_by`` takes columns and ``.asc()``/``.desc()`` (NULLs first
  ascending, as SQLite sorts); without it rows come in insertion order.
- ``FakeSession`` (``uow.db``): ``flush()``, ``get(model, id)`` (unscoped, as
  ``Session.get``), and ``query(Model).filter(*where)`` with ``all()``, ``first()`` and
  iteration (whole models only, not single columns).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import UniqueConstraint, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnElement,
    False_,
    Null,
    True_,
    UnaryExpression,
)

from painpath.services.errors import NotFound
from painpath.services.principal import Principal
from painpath.store.models import AuditEvent, Base, Episode, Patient, utcnow
from painpath.store.records import label

__all__ = ["FakeDatabase", "FakeRecords", "FakeSession", "FakeUnitOfWork"]

M = TypeVar("M", bound=Base)


def _columns(model: type[Base]) -> list[str]:
    return [attr.key for attr in inspect(model).column_attrs]


def _model_of_table(name: str) -> type[Base]:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == name:
            return mapper.class_  # type: ignore[no-any-return]
    raise NotImplementedError(f"no model for table {name}")


class FakeDatabase:
    """The rows of every model, with commit and rollback (see the module docstring)."""

    def __init__(self) -> None:
        self.rows: dict[type[Base], dict[Any, Base]] = {}
        self._committed: dict[type[Base], dict[Any, tuple[Base, dict[str, Any]]]] = {}
        self.events: list[AuditEvent] = []
        self.pending_events: list[AuditEvent] = []
        self.commits = 0
        self.rollbacks = 0

    # -- rows ------------------------------------------------------------------------------
    def table(self, model: type[M]) -> dict[Any, M]:
        return self.rows.setdefault(model, {})  # type: ignore[return-value]

    def count(self, model: type[Base]) -> int:
        return len(self.rows.get(model, {}))

    def insert(self, row: Base) -> None:
        """Store a new row (defaults filled in) and check the constraints, like a flush."""
        model = type(row)
        for attr in inspect(model).column_attrs:
            column = attr.columns[0]
            if getattr(row, attr.key) is None and column.default is not None:
                default = column.default
                value = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined,operator]
                setattr(row, attr.key, value)
        key = row.id  # type: ignore[attr-defined]
        if key in self.table(model):
            raise IntegrityError("INSERT (fake)", {}, Exception(f"{model.__name__} id repeats"))
        self.table(model)[key] = row
        try:
            self.check_constraints()
        except IntegrityError:
            del self.table(model)[key]
            raise

    def seed(self, *rows: Base) -> None:
        """The test's set-up: store rows as given (unscoped) and commit."""
        for row in rows:
            self.insert(row)
        self.commit()

    def check_constraints(self) -> None:
        for model, rows in self.rows.items():
            table = model.__table__
            uniques: list[tuple[str, ...]] = [
                tuple(c.key for c in constraint.columns)
                for constraint in table.constraints  # type: ignore[attr-defined]
                if isinstance(constraint, UniqueConstraint)
            ]
            uniques += [(c.key,) for c in table.columns if c.unique]  # type: ignore[attr-defined]
            for names in uniques:
                seen: set[tuple[Any, ...]] = set()
                for row in rows.values():
                    value = tuple(getattr(row, n) for n in names)
                    if None in value:
                        continue
                    if value in seen:
                        raise IntegrityError(
                            "INSERT (fake)",
                            {},
                            Exception(f"UNIQUE constraint failed: {table.name}{names}"),  # type: ignore[attr-defined]
                        )
                    seen.add(value)
            for column in table.columns:  # type: ignore[attr-defined]
                for fk in column.foreign_keys:
                    target = _model_of_table(fk.column.table.name)
                    for row in rows.values():
                        value = getattr(row, column.key)
                        if value is not None and value not in self.rows.get(target, {}):
                            raise IntegrityError(
                                "INSERT (fake)",
                                {},
                                Exception(f"FOREIGN KEY constraint failed: {column}"),
                            )

    # -- transactions ----------------------------------------------------------------------
    def commit(self) -> None:
        self.check_constraints()
        self._committed = {
            model: {
                key: (row, {c: copy.deepcopy(getattr(row, c)) for c in _columns(model)})
                for key, row in rows.items()
            }
            for model, rows in self.rows.items()
        }
        self.events.extend(self.pending_events)
        self.pending_events = []
        self.commits += 1

    def rollback(self) -> None:
        self.rows = {}
        for model, rows in self._committed.items():
            table = self.table(model)
            for key, (row, values) in rows.items():
                for name, value in values.items():
                    if getattr(row, name) != value:
                        setattr(row, name, copy.deepcopy(value))
                table[key] = row
        self.pending_events = []
        self.rollbacks += 1


# -- where-clauses -------------------------------------------------------------------------
def _like(pattern: str, *, case: bool) -> re.Pattern[str]:
    parts = ("." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL | (0 if case else re.IGNORECASE))


_COMPARE = {
    operators.eq: lambda a, b: a == b,
    operators.ne: lambda a, b: a != b,
    operators.lt: lambda a, b: a < b,
    operators.le: lambda a, b: a <= b,
    operators.gt: lambda a, b: a > b,
    operators.ge: lambda a, b: a >= b,
}


def _operand(model: type[Base], row: Base, element: Any) -> Any:
    if isinstance(element, BindParameter):
        return element.effective_value
    if isinstance(element, Null):
        return None
    table = getattr(element, "table", None)
    if table is not None and table is model.__table__:
        return getattr(row, element.key)
    raise NotImplementedError(f"the fake cannot read {element!r} on {model.__name__}")


def matches(model: type[Base], row: Base, clause: Any) -> bool:
    """Whether ``row`` satisfies the SQLAlchemy ``clause`` (see the module docstring)."""
    if isinstance(clause, True_):
        return True
    if isinstance(clause, False_):
        return False
    if isinstance(clause, BooleanClauseList):
        results = (matches(model, row, c) for c in clause.clauses)
        if clause.operator is operators.and_:
            return all(results)
        if clause.operator is operators.or_:
            return any(results)
    if isinstance(clause, BinaryExpression):
        op = clause.operator
        left = _operand(model, row, clause.left)
        right = _operand(model, row, clause.right)
        if op is operators.is_:
            return left is right
        if op is operators.is_not:
            return left is not right
        if left is None or right is None:
            return False  # SQL: a comparison with NULL is unknown
        if op in _COMPARE:
            return bool(_COMPARE[op](left, right))
        if op is operators.in_op:
            return left in right
        if op is operators.not_in_op:
            return left not in right
        if op in (operators.like_op, operators.ilike_op):
            return _like(right, case=op is operators.like_op).fullmatch(left) is not None
    raise NotImplementedError(f"the fake cannot evaluate {clause}")


def _ordered(model: type[Base], rows: list[M], order_by: Sequence[Any]) -> list[M]:
    out = list(rows)
    for item in reversed(list(order_by)):
        descending = False
        if isinstance(item, UnaryExpression):
            if item.modifier not in (operators.desc_op, operators.asc_op):
                raise NotImplementedError(f"the fake cannot order by {item}")
            descending = item.modifier is operators.desc_op
            item = item.element
        name = item.key
        if name not in _columns(model):
            raise NotImplementedError(f"the fake cannot order {model.__name__} by {item}")

        def key(row: Base, name: str = name) -> tuple[bool, Any]:
            value = getattr(row, name)
            return (value is not None, value)

        out.sort(key=key, reverse=descending)
    return out


# -- the repository ------------------------------------------------------------------------
class FakeRecords:
    """``painpath.store.records.Records`` over a FakeDatabase: same methods, same scope."""

    def __init__(self, database: FakeDatabase, principal: Principal) -> None:
        self.database = database
        self.principal = principal

    def _in_scope(self, model: type[Base], row: Base) -> bool:
        p = self.principal
        if row.clinic_id != p.clinic_id:  # type: ignore[attr-defined]
            return False
        if not p.is_patient:
            return True
        if model is Patient:
            return row.id == p.patient_id  # type: ignore[attr-defined,no-any-return]
        if hasattr(model, "patient_id"):
            return row.patient_id == p.patient_id  # type: ignore[attr-defined,no-any-return]
        if hasattr(model, "episode_id"):
            own = {
                e.id for e in self.database.table(Episode).values() if e.patient_id == p.patient_id
            }
            return row.episode_id in own  # type: ignore[attr-defined]
        return False

    def _select(self, model: type[M], where: Sequence[Any]) -> list[M]:
        return [
            row
            for row in self.database.table(model).values()
            if self._in_scope(model, row) and all(matches(model, row, w) for w in where)
        ]

    def get(self, model: type[M], record_id: str) -> M:
        row = self.database.table(model).get(record_id)
        if row is None or not self._in_scope(model, row):
            raise NotFound(label(model))
        return row

    def find(self, model: type[M], *where: ColumnElement[bool]) -> M | None:
        found = self._select(model, where)
        return found[0] if found else None

    def page(
        self,
        model: type[M],
        *where: ColumnElement[bool],
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[M], int]:
        rows = _ordered(model, self._select(model, where), order_by)
        end = None if limit is None else offset + limit
        return rows[offset:end], len(rows)

    def all(
        self, model: type[M], *where: ColumnElement[bool], order_by: Sequence[Any] = ()
    ) -> list[M]:
        return _ordered(model, self._select(model, where), order_by)

    def add(self, record: M) -> M:
        record.clinic_id = self.principal.clinic_id  # type: ignore[attr-defined]
        self.database.insert(record)
        return record

    def claim_version(self, model: type[M], record_id: str, column: str, expected: int) -> bool:
        row = self.database.table(model).get(record_id)
        if row is None or row.clinic_id != self.principal.clinic_id:  # type: ignore[attr-defined]
            return False
        if getattr(row, column) != expected:
            return False
        setattr(row, column, expected + 1)
        return True


class FakeQuery:
    def __init__(self, database: FakeDatabase, model: type[Base], where: tuple[Any, ...]) -> None:
        if not (isinstance(model, type) and issubclass(model, Base)):
            raise NotImplementedError("the fake queries whole models only")
        self._database, self._model, self._where = database, model, where

    def filter(self, *where: Any) -> FakeQuery:
        return FakeQuery(self._database, self._model, (*self._where, *where))

    def all(self) -> list[Any]:
        return [
            row
            for row in self._database.table(self._model).values()
            if all(matches(self._model, row, w) for w in self._where)
        ]

    def first(self) -> Any:
        found = self.all()
        return found[0] if found else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())


class FakeSession:
    """The part of ``sqlalchemy.orm.Session`` the use cases call as ``uow.db``."""

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    def flush(self) -> None:
        self._database.check_constraints()

    def get(self, model: type[M], record_id: Any) -> M | None:
        return self._database.table(model).get(record_id)

    def query(self, model: type[Base]) -> FakeQuery:
        return FakeQuery(self._database, model, ())


class FakeUnitOfWork:
    """``painpath.store.unit_of_work.SqlUnitOfWork`` over a FakeDatabase: ``with uow:`` rolls
    back unless ``uow.commit()`` was called; audit events are committed with the rest."""

    def __init__(
        self, database: FakeDatabase, principal: Principal | None, *, client: str | None = "test"
    ) -> None:
        self.database = database
        self.principal = principal
        self.client = client
        self.subject: dict[str, str | None] = {}
        self._open = False

    def __enter__(self) -> FakeUnitOfWork:
        self._open = True
        self.subject = {}
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.database.rollback()
        self._open = False

    def about(
        self, record_type: str, record_id: str | None, *, patient_id: str | None = None
    ) -> None:
        self.subject = {
            "record_type": record_type,
            "record_id": record_id,
            "patient_id": patient_id,
        }

    @property
    def db(self) -> FakeSession:
        assert self._open, "use the unit of work inside `with`"
        return FakeSession(self.database)

    @property
    def records(self) -> FakeRecords:
        assert self._open, "use the unit of work inside `with`"
        assert self.principal is not None, "this unit of work has no signed-in principal"
        return FakeRecords(self.database, self.principal)

    def commit(self) -> None:
        self.database.commit()

    def rollback(self) -> None:
        self.database.rollback()

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
        p = self.principal
        self.database.pending_events.append(
            AuditEvent(
                id=len(self.database.events) + len(self.database.pending_events) + 1,
                at=utcnow(),
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
