"""Shared fixtures: the shipped knowledge base, a scratch copy of it, the real CLI, and databases
(SQLite and a real PostgreSQL that the tests start themselves)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from painpath.knowledge import KnowledgeBase, load_knowledge
from tests._postgres import PostgresCluster, find_binaries, new_database_name, running_cluster

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "painpath" / "knowledge" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_MISSING = "PostgreSQL is not installed; as root run: apt-get install -y postgresql"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge files, for breaking on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(autouse=True)
def _no_stray_overrides(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests start without a clinic override directory (the knowledge cache is keyed by it)."""
    monkeypatch.delenv("PAINPATH_KNOWLEDGE_OVERRIDES", raising=False)
    yield


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `painpath` console script for real and capture what a user would see."""
    exe = Path(sys.executable).parent / "painpath"
    environment = {k: v for k, v in os.environ.items() if k != "PAINPATH_KNOWLEDGE_OVERRIDES"}
    environment.update(env or {})
    return subprocess.run(
        [str(exe), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server for the whole session, stopped and removed at the end.

    Skips when PostgreSQL is not installed, except in CI (CI=true), where that is a failure.
    """
    if find_binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(POSTGRES_MISSING)
        pytest.skip(POSTGRES_MISSING)
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
    ids=["sqlite", "postgresql"],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty database; tests taking it run once per back end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'painpath.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = new_database_name()
    url = cluster.create_database(name)
    try:
        yield url
    finally:
        cluster.drop_database(name)
