"""`painpath signals` and `painpath checkpoint`: the timeline engine from the shell."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painpath._timeline_api import proposals_batch, read_timelines, signals_batch
from painpath.cli._io import console, emit_json, fail, knowledge, read_json
from painpath.domain.checkpoints import CheckpointProposal
from painpath.domain.signals.report import SignalReport
from painpath.domain.signals.timeline import TimelineError

__all__ = ["checkpoint", "render_proposal", "render_signals", "signals"]

_STATUS_STYLE = {"setback": "bold red", "prolonged": "bold red", "settling": "green"}
_ALERT = {"plateau", "non_responder", "care_simply_continuing", "data_gap", "checkpoint_due"}


class Format(StrEnum):
    json = "json"
    text = "text"


_FILE = typer.Argument(help="A timeline as JSON, or a list of timelines (a file, or - for stdin).")
_TODAY = typer.Option(
    "--today", help="The date to evaluate on, YYYY-MM-DD (default: today); later rows are ignored."
)
_FORMAT = typer.Option("--format", help="json (default) or text.")


def _run(file: str, today: str | None, batch: Callable[..., list[Any]]) -> tuple[list[Any], bool]:
    """Read a timeline or a list of them and evaluate all at once; bad input exits 2."""
    kb = knowledge()
    data = read_json(f"@{file}" if not file.startswith("@") else file, what="")
    try:
        timelines = read_timelines(data, knowledge=kb)  # paths named as the file has them
        return batch(timelines, today=today, knowledge=kb), isinstance(data, list)
    except TimelineError as exc:
        fail("\n".join(f"{path}: {message}" for path, message in exc.problems))


def signals(
    file: Annotated[str, _FILE],
    today: Annotated[str | None, _TODAY] = None,
    output: Annotated[Format, _FORMAT] = Format.json,
) -> None:
    """Every signal of a timeline — soreness, flares, relief windows, plateau, goals, gaps —
    each with its evidence (docs/signals.md).

    Prints {"patient_id", "today", "phase", "signals": [...]} (a list for a list of
    timelines). Bad input exits 2 naming each problem by JSON path; nothing is computed.
    """
    reports, many = _run(file, today, signals_batch)
    _emit(reports, many=many, output=output, render=render_signals)


def checkpoint(
    file: Annotated[str, _FILE],
    today: Annotated[str | None, _TODAY] = None,
    output: Annotated[Format, _FORMAT] = Format.json,
) -> None:
    """Propose the checkpoint decision — continue, adjust, transition, refer, ongoing_care or
    graduate — with its reasons and the signals behind them (docs/signals.md)."""
    proposals, many = _run(file, today, proposals_batch)
    _emit(proposals, many=many, output=output, render=render_proposal)


def _emit(
    results: Sequence[Any], *, many: bool, output: Format, render: Callable[[Any], Any]
) -> None:
    """Text: one panel per patient; JSON: one object, or a list for a list of timelines."""
    if output is Format.text:
        for r in results:
            console.print(render(r))
    elif many:
        emit_json([r.to_dict() for r in results])
    else:
        emit_json(results[0].to_dict())


def _signal_table(report: SignalReport) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("signal")
    table.add_column("when")
    table.add_column("what it means", overflow="fold")
    for s in report.signals:
        if s.id in ("relief_window", "goal_progress", "passive_active_ratio"):
            continue  # shown in their own lines below
        name = Text(s.id + (f" ({s.status})" if s.status else ""))
        style = _STATUS_STYLE.get(s.status or "") or ("yellow" if s.id in _ALERT else "")
        name.stylize(style)
        span = " → ".join(d.isoformat() for d in (s.start, s.end) if d) or "-"
        table.add_row(name, Text(span), Text(s.evidence.text))
    return table


def render_signals(report: SignalReport) -> RenderableType:
    """A clinician's summary of one patient's signals."""
    parts: list[RenderableType] = [_signal_table(report)]
    windows = [
        f"{s.session}: {s.value:g}d" if s.value is not None else f"{s.session}: -"
        for s in report.of("relief_window")
    ]
    if windows:
        parts.append(Text("relief windows  " + "  ".join(windows)))
    for g in report.of("goal_progress"):
        parts.append(Text(f"goal {g.goal}  " + g.evidence.text))
    for r in report.of("passive_active_ratio"):
        parts.append(Text("passive:active  " + r.evidence.text))
    title = f"{report.patient_id} on {report.today} — phase {report.phase or 'not recorded'}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="dim")


def render_proposal(p: CheckpointProposal) -> RenderableType:
    """The proposed decision, its reasons, and what a clinician recorded."""
    head = Text(f"Proposed: {p.decision}", style="bold")
    if p.to:
        head.append(f" → {p.to}")
    if p.overlap_days is not None:
        head.append(f" (overlap {p.overlap_days} days)")
    if p.review_by:
        head.append(f" (review by {p.review_by})")
    lines: list[RenderableType] = [head]
    for r in p.reasons:
        lines.append(Text(f"• {r.text}  [{r.rule}]"))
    if p.recorded:
        rec = p.recorded
        note = Text(
            f"Recorded {rec['date']}: {rec['decision']} by {rec['by'] or 'unknown'}"
            + (f" — {rec['reason']}" if rec["reason"] else "")
        )
        if rec.get("differs"):
            note.append("  (differs from the proposal)", style="yellow")
        lines.append(note)
    title = f"{p.patient_id} checkpoint on {p.today} — phase {p.phase or 'not recorded'}"
    return Panel(Group(*lines), title=title, title_align="left", border_style="dim")
