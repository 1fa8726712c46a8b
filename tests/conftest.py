"""Shared fixtures: the shipped knowledge base, a scratch copy of it, and the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from painpath.knowledge import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "painpath" / "knowledge" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
