"""The panel benchmark's first duty: the engine, the pandas version and the DuckDB query give
the same signals on a generated clinic. A short run in the suite keeps the three honest; the
figures themselves are printed by the script, never asserted (docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_three_implementations_agree_on_a_generated_clinic():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "panel.py"), "--patients", "150", "--days", "200",
         "--seed", "11", "--repeat", "1"],
        capture_output=True, text=True, timeout=600, check=False, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(figures) == {"engine", "pandas", "duckdb"}
    assert all(isinstance(v, int | float) and v > 0 for v in figures.values())
