"""The database harness works: every test taking `database_url` gets a fresh, empty, private
database on SQLite and on a real PostgreSQL server the tests started themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from tests._postgres import PostgresCluster, new_database_name


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    """An engine whose pooled connections are closed when the block ends."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_round_trip_create_insert_select(database_url: str) -> None:
    with engine_for(database_url) as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE patient (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"))
            conn.execute(
                text("INSERT INTO patient (id, name) VALUES (:id, :name)"),
                [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bo"}],
            )
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name FROM patient ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(1, "Ada"), (2, "Bo")]


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_an_empty_database_of_its_own(database_url: str, attempt: int) -> None:
    # Both attempts leave the same table behind; whichever runs second would see it if the
    # databases were shared.
    with engine_for(database_url) as engine:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE left_behind (attempt INTEGER)"))
            conn.execute(text("INSERT INTO left_behind VALUES (:a)"), {"a": attempt})


@pytest.mark.postgresql
def test_two_databases_in_one_cluster_are_isolated(postgres_cluster: PostgresCluster) -> None:
    names = [new_database_name(), new_database_name()]
    first, second = (postgres_cluster.create_database(name) for name in names)
    try:
        assert first != second
        with engine_for(first) as one, engine_for(second) as other:
            with one.begin() as conn:
                conn.execute(text("CREATE TABLE only_here (x INTEGER)"))
            assert inspect(one).get_table_names() == ["only_here"]
            assert inspect(other).get_table_names() == []
    finally:
        for name in names:
            postgres_cluster.drop_database(name)


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_server_is_postgresql_13_or_newer(database_url: str) -> None:
    with engine_for(database_url) as engine, engine.connect() as conn:
        version = conn.execute(text("SELECT version()")).scalar_one()
    match = re.match(r"PostgreSQL (\d+)", version)
    assert match, version
    assert int(match.group(1)) >= 13, version


@pytest.mark.postgresql
def test_a_database_is_dropped_even_while_someone_is_connected(
    postgres_cluster: PostgresCluster,
) -> None:
    name = new_database_name()
    postgres_cluster.create_database(name)
    with postgres_cluster.connect(name):  # a test that forgot to close its connection
        postgres_cluster.drop_database(name)
    with postgres_cluster.connect() as admin:
        names = [row[0] for row in admin.execute("SELECT datname FROM pg_database")]
    assert name not in names
