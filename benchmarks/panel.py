"""How fast are the timeline signals over a clinic panel? Three implementations, same answers.

    .venv/bin/python benchmarks/panel.py --patients 10000 --days 365 [--seed 7] [--repeat 3]
        [--skip-pandas-above N] [--pandas-sample K] [--skip NAME] [--tolerance 0]

A seeded synthetic clinic (benchmarks/_panel_data.py) is evaluated by the engine
(``painpath.domain.signals.evaluate``), by a per-patient pandas implementation
(benchmarks/_panel_pandas.py) and by a DuckDB query (benchmarks/_panel_duckdb.py). First every
implementation that ran on the full panel must give the same set of rows on the eight compared
columns (patient_id, id, start, end, status, goal, session, value); on any difference a summary
per signal is printed and the exit status is 1, before any figure. Then each is timed (best of
``--repeat``, the checking run included) and reported in seconds and patient-days per second
(patient-days: each patient's days from ``start`` to ``today``, inclusive). The last line is one
JSON object ``{"engine": …, "pandas": …, "duckdb": …}`` in patient-days per second (null when an
implementation was skipped).

``--pandas-sample K`` runs pandas on K patients drawn (seeded) from the panel, checks it against
the others' rows for those patients, and extrapolates its rate to the whole panel (labelled so).
An implementation that cannot be imported yet is skipped with a note.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from painpath import default_knowledge
from painpath.domain.signals.engine import SIGNAL_SCHEMA

HERE = Path(__file__).resolve().parent
NAMES = ("engine", "pandas", "duckdb")
SCHEMA: dict[str, pl.DataType] = SIGNAL_SCHEMA  # the eight compared columns
KEYS = [name for name in SCHEMA if name != "value"]
EXAMPLES = 3

console = Console(highlight=False, soft_wrap=True)
if not console.is_terminal:  # a log or a pipe: wide enough for the table on one line a row
    console = Console(highlight=False, soft_wrap=True, width=120)


def _local(module: str) -> Any:
    """A module of this folder, whether run as a script or imported as ``benchmarks.panel``."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(module)


def _import(name: str) -> tuple[Callable[..., Any] | None, str]:
    """The implementation's function, or None and why it is skipped."""
    try:
        if name == "engine":
            from painpath.domain.signals import evaluate

            return evaluate, ""
        module = _local("_panel_pandas" if name == "pandas" else "_panel_duckdb")
        return getattr(module, f"evaluate_{name}"), ""
    except Exception as exc:  # an implementation not written yet (or broken) is skipped
        return None, f"{type(exc).__name__}: {exc}"


def patient_days(patients: pl.DataFrame, today: Any) -> int:
    """Each patient's days from start to today, inclusive, summed."""
    span = (pl.lit(today, dtype=pl.Date) - pl.col("start")).dt.total_days() + 1
    return int(patients.filter(pl.col("start") <= today).select(span.sum()).item() or 0)


def subset(frames: Any, ids: pl.Series) -> Any:
    """The frames of the given patients only."""
    keep = pl.col("patient_id").is_in(ids.implode())
    return type(frames)(
        patients=frames.patients.filter(keep),
        days=frames.days.filter(keep),
        goals=frames.goals.filter(keep),
        goal_values=frames.goal_values.filter(keep),
        sessions=frames.sessions.filter(keep),
        checkpoints=frames.checkpoints.filter(keep),
    )


def normalise(result: pl.DataFrame, name: str) -> pl.DataFrame:
    """The eight compared columns in their types, value rounded to 3 decimals, sorted."""
    missing = [column for column in SCHEMA if column not in result.columns]
    if missing:
        console.print(f"[red]{name}: the result has no column {', '.join(missing)}[/red]")
        sys.exit(1)
    return (
        result.select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
        .with_columns(pl.col("value").round(3))
        .sort(list(SCHEMA), nulls_last=True)
    )


def compare(
    left: pl.DataFrame, right: pl.DataFrame, names: tuple[str, str], tolerance: float
) -> bool:
    """True when both hold the same rows; otherwise print a summary per signal id."""

    def numbered(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col("value").cum_count().over(KEYS).alias("_n"))

    a, b = names
    present_l = pl.col("_in").is_not_null()
    present_r = pl.col("_in_right").is_not_null()
    joined = numbered(left.with_columns(_in=pl.lit(True))).join(
        numbered(right.with_columns(_in=pl.lit(True))),
        on=[*KEYS, "_n"],
        how="full",
        nulls_equal=True,
        coalesce=True,
    )
    va, vb = pl.col("value"), pl.col("value_right")
    same_value = (va.is_null() & vb.is_null()) | ((va - vb).abs() <= tolerance + 1e-9)
    joined = joined.with_columns(
        kind=pl.when(~present_r)
        .then(pl.lit(f"only {a}"))
        .when(~present_l)
        .then(pl.lit(f"only {b}"))
        .when(~same_value.fill_null(False))
        .then(pl.lit("value differs"))
    )
    bad = joined.filter(pl.col("kind").is_not_null())
    if bad.is_empty():
        console.print(f"  {a} = {b}: {left.height} rows identical")
        return True
    console.print(f"[red]  {a} ≠ {b}: {bad.height} differing rows[/red]")
    by_id = bad.group_by("id", "kind").len().sort("id", "kind")
    for sid in by_id["id"].unique(maintain_order=True):
        counts = by_id.filter(pl.col("id") == sid)
        parts = ", ".join(f"{k}: {n}" for k, n in zip(counts["kind"], counts["len"], strict=True))
        total = (left["id"] == sid).sum(), (right["id"] == sid).sum()
        console.print(f"  [bold]{sid}[/bold] ({a} {total[0]} rows, {b} {total[1]}): {parts}")
        examples = bad.filter(pl.col("id") == sid).sort("kind", "patient_id").head(EXAMPLES * 2)
        for row in examples.iter_rows(named=True):
            shown = " ".join(
                f"{k}={row[k]}"
                for k in KEYS
                if k not in ("id", "patient_id") and row[k] is not None
            )
            if row["kind"] == "value differs":
                value = f"value {a}={row['value']} {b}={row['value_right']}"
            else:
                value = f"value={row['value'] if row['_in'] else row['value_right']}"
            console.print(
                f"      {row['kind']}: {row['patient_id']} {shown} {value}",
                soft_wrap=True,
                markup=False,
            )
    return False


class Progress:
    """A counter line on stderr for the per-patient pandas run."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(1, total // (100 if self.tty else 10))
        if done % step and done != total:
            return
        if self.tty:
            sys.stderr.write(f"\r  {self.label}: {done}/{total} patients")
            if done == total:
                sys.stderr.write("\n")
        elif done != self.shown:
            sys.stderr.write(f"  {self.label}: {done}/{total} patients\n")
        self.shown = done
        sys.stderr.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs each (best is kept)")
    parser.add_argument(
        "--skip-pandas-above",
        type=int,
        default=None,
        metavar="N",
        help="skip pandas when it would run on more than N patients",
    )
    parser.add_argument(
        "--pandas-sample",
        type=int,
        default=None,
        metavar="K",
        help="time pandas on K patients and extrapolate its rate to the panel",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=NAMES,
        help="leave an implementation out (repeatable)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.0,
        help="largest accepted difference of `value` between implementations (default exact)",
    )
    args = parser.parse_args()
    if args.patients < 1 or args.days < 1 or args.repeat < 1:
        parser.error("--patients, --days and --repeat must be at least 1")

    generate = _local("_panel_data").generate
    kb = default_knowledge()
    started = time.perf_counter()
    frames, today = generate(args.patients, args.days, args.seed)
    took = time.perf_counter() - started
    rows = {
        k: getattr(frames, k).height
        for k in ("days", "goal_values", "sessions", "checkpoints", "goals")
    }
    full_pd = patient_days(frames.patients, today)
    console.print(
        f"generated {args.patients} patients × {args.days} days (seed {args.seed}, today "
        f"{today}) in {took:.2f} s: {full_pd} patient-days, "
        + ", ".join(f"{n} {k}" for k, n in rows.items())
    )

    # what runs, and on which patients
    runners: dict[str, Callable[[Any], pl.DataFrame]] = {}
    targets: dict[str, Any] = {}
    labels: dict[str, str] = dict.fromkeys(NAMES, "")
    for name in NAMES:
        if name in args.skip:
            console.print(f"[yellow]note: {name} skipped (--skip)[/yellow]")
            continue
        fn, why = _import(name)
        if fn is None:
            console.print(f"[yellow]note: {name} skipped, not importable yet ({why})[/yellow]")
            continue
        if name == "engine":
            runners[name] = lambda fr, fn=fn: fn(fr, kb, today)
        elif name == "pandas":
            runners[name] = lambda fr, fn=fn: fn(fr, today, kb, progress=Progress("pandas"))
        else:
            runners[name] = lambda fr, fn=fn: fn(fr, today, kb)
        targets[name] = frames
    sample_ids: pl.Series | None = None
    if "pandas" in runners:
        size = args.patients
        if args.pandas_sample is not None and args.pandas_sample < args.patients:
            size = max(1, args.pandas_sample)
        if args.skip_pandas_above is not None and size > args.skip_pandas_above:
            console.print(
                f"[yellow]note: pandas skipped ({size} patients > --skip-pandas-above "
                f"{args.skip_pandas_above})[/yellow]"
            )
            del runners["pandas"], targets["pandas"]
        elif size < args.patients:
            sample_ids = frames.patients["patient_id"].sample(size, seed=args.seed).sort()
            targets["pandas"] = subset(frames, sample_ids)
            labels["pandas"] = f"extrapolated from {size} patients"
    if not runners:
        console.print("[red]no implementation to run[/red]")
        sys.exit(1)

    # one checking run each (it is timed too)
    timings: dict[str, list[float]] = {}
    results: dict[str, pl.DataFrame] = {}
    for name, run in runners.items():
        gc.collect()
        t0 = time.perf_counter()
        out = run(targets[name])
        timings[name] = [time.perf_counter() - t0]
        results[name] = normalise(out, name)
        console.print(f"  {name}: {results[name].height} rows in {timings[name][0]:.2f} s")

    full = [n for n in runners if n != "pandas" or sample_ids is None]
    same = True
    if len(runners) == 1:
        console.print("[yellow]note: only one implementation ran; nothing to compare[/yellow]")
    for i, one in enumerate(full):  # every pair, so a disagreement shows who is the odd one
        for other in full[i + 1 :]:
            same &= compare(results[one], results[other], (one, other), args.tolerance)
    if sample_ids is not None:
        in_sample = pl.col("patient_id").is_in(sample_ids.implode())
        for one in full:
            ref = results[one].filter(in_sample)
            label = f"{one} (sample)"
            same &= compare(ref, results["pandas"], (label, "pandas"), args.tolerance)
    if not same:
        console.print("[red]the implementations disagree: no figures[/red]")
        sys.exit(1)

    reference = results[full[0] if full else "pandas"]
    counts = reference.group_by("id", "status").len().sort("id", "status", nulls_last=True)
    console.print(
        "signals: "
        + ", ".join(f"{sid}{'/' + st if st else ''} {n}" for sid, st, n in counts.iter_rows()),
        soft_wrap=True,
    )

    for name, run in runners.items():
        for _ in range(args.repeat - 1):
            gc.collect()
            t0 = time.perf_counter()
            run(targets[name])
            timings[name].append(time.perf_counter() - t0)

    table = Table(title=f"signals over {args.patients} patients × {args.days} days")
    table.add_column("implementation")
    table.add_column("seconds (best)", justify="right")
    table.add_column("patient-days/s", justify="right")
    table.add_column("runs", justify="right")
    table.add_column("note")
    rates: dict[str, float | None] = dict.fromkeys(NAMES)
    for name in NAMES:
        if name not in runners:
            table.add_row(name, "–", "–", "0", "skipped")
            continue
        best = min(timings[name])
        ran_on = full_pd if name in full else patient_days(targets[name].patients, today)
        rate = ran_on / best if best > 0 else float("inf")
        rates[name] = round(rate, 1)
        seconds = full_pd / rate if rate else float("inf")
        shown = ("≈ " if labels[name] else "") + f"{seconds:.3f}"
        table.add_row(name, shown, f"{rate:,.0f}", str(len(timings[name])), labels[name])
    console.print(table)
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
