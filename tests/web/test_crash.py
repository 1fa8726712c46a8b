"""Crash consistency, short run (reliability-security.md item 5): scripts/crash_test.py kills the
real `painpath serve` with SIGKILL during concurrent daily-log writes, three times, and checks the
SQLite file afterwards. The long run is the script's default (20 rounds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "crash_test.py"
ROUNDS = 3


def figures(stdout: str) -> dict[str, str]:
    """The script's ``name: value`` lines."""
    return dict(line.split(": ", 1) for line in stdout.splitlines() if ": " in line)


def test_killing_the_server_during_writes_loses_and_corrupts_nothing_acknowledged(
    tmp_path: Path,
) -> None:
    # Seed 5 puts the three kills 0.97, 1.14 and 1.21 s after the writes start, so every round
    # has writes acknowledged before its kill (and rounds 2 and 3 after an earlier kill).
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            f"--rounds={ROUNDS}",
            "--clients=4",
            "--seconds-per-round=1.5",
            "--seed=5",
            f"--data-dir={tmp_path / 'data'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    got = figures(done.stdout)
    assert got["kills"] == str(ROUNDS)
    assert got["lost"] == "0"
    assert got["corrupt"] == "0"
    assert got["integrity_check"] == "ok"
    assert got["foreign_key_check"] == "ok"
    assert got["audit events missing"] == got["audit events without a log"] == "0"
    assert got["server errors"] == got["refused"] == "0"
    per_round = [int(n) for n in got["acknowledged per round"].split()]
    assert len(per_round) == ROUNDS
    assert per_round[0] > 0, "no write was acknowledged before the first kill"
    assert sum(per_round[1:]) > 0, "no write was acknowledged after a kill"
    assert int(got["acknowledged"]) == sum(per_round)
    # Writes were cut off by the kills, and nothing acknowledged went missing.
    assert int(got["in flight at a kill"]) > 0
    assert int(got["rows stored"]) >= int(got["acknowledged"])
