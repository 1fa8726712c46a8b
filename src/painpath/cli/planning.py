"""`painpath plan`, `painpath mme`, `painpath taper`: the staged plan and the opioid tools."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painpath._api import assess as assess_api
from painpath._api import mme as mme_api
from painpath._api import read_date
from painpath._api import taper as taper_api
from painpath.cli._io import console, emit_json, fail, knowledge, read_json
from painpath.domain.assessment import IntakeError
from painpath.domain.medications import MmeResult, TaperError, TaperPlan
from painpath.domain.planning import Plan, build_plan
from painpath.interop.medication_list import OrdersInputError

__all__ = ["mme", "plan", "render_plan", "taper"]

_URGENCY_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "soon": "yellow"}
_VERDICT_STYLE = {
    "concern": "bold red",
    "caution": "yellow",
    "fits": "green",
    "no_target": "yellow",
    "unrecognised": "dim",
}


class Format(StrEnum):
    json = "json"
    text = "text"


def _date(value: str | None, option: str) -> dt.date:
    if value is None:
        return dt.date.today()
    date = read_date(value, repr(value))
    if isinstance(date, str):
        fail(f"{option}: {date}")
    return date


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def plan(
    file: Annotated[str, typer.Argument(help="An intake as JSON (a file, or - for stdin).")],
    today: Annotated[
        str | None,
        typer.Option("--today", help="The plan's start date, YYYY-MM-DD (default: today)."),
    ] = None,
    output: Annotated[
        Format, typer.Option("--format", help="json (default) or text.")
    ] = Format.json,
) -> None:
    """Plan care from an intake: phases, modalities, checkpoints, exit criteria, medications.

    Red flags come first: an emergency makes the plan the referral. An invalid intake exits 2
    with each problem named by its JSON path.
    """
    kb = knowledge()
    start = _date(today, "--today")
    data = read_json(f"@{file}" if not file.startswith("@") else file, what="")
    try:
        assessment = assess_api(data, knowledge=kb)
    except IntakeError as exc:
        fail("\n".join(f"{path}: {message}" for path, message in exc.problems))
    result = build_plan(assessment, start, kb.planning_knowledge)
    if output is Format.text:
        console.print(render_plan(result))
    else:
        emit_json(result.to_dict())


def mme(
    file: Annotated[
        str,
        typer.Argument(
            help="FHIR R4 MedicationRequest(s) — a resource, Bundle or list — or a simple JSON "
            "list of {ingredient, dose_mg | mcg_per_hr, doses_per_day} (a file, or - for stdin)."
        ),
    ],
) -> None:
    """Total morphine milligram equivalents per day (CDC 2022), item by item.

    Prints JSON with total_mme_per_day, items, excluded, flags and errors. An order that
    cannot be counted (unknown code, missing dose or frequency, a negative value) is named in
    errors and the command exits 2 after printing the rest: the total is then a lower bound.
    """
    kb = knowledge()
    data = read_json(f"@{file}" if not file.startswith("@") else file, what="")
    try:
        result = mme_api(data, knowledge=kb)
    except OrdersInputError as exc:
        fail(str(exc))
    emit_json(result.to_dict())
    if result.errors:
        fail("\n".join(str(e) for e in result.errors) + "\nthe total is a lower bound")


def _float(value: str, option: str, allowed: str) -> float:
    # Plain decimal notation only: float() would also take "6_0", "nan" or other scripts' digits.
    if not _NUMBER.fullmatch(value.strip()):
        fail(f"{option}: {value!r} is not a number; give {allowed}")
    return float(value)


def taper(
    mme: Annotated[
        str, typer.Option("--mme", help="The current total MME/day (more than 0, at most 5000).")
    ],
    duration: Annotated[
        str,
        typer.Option("--duration-weeks", help="How long opioids have been taken, in weeks."),
    ],
    start: Annotated[
        str | None, typer.Option("--start", help="First step, YYYY-MM-DD (default: today).")
    ] = None,
    output: Annotated[
        Format, typer.Option("--format", help="json (default) or text.")
    ] = Format.json,
) -> None:
    """A gradual opioid taper schedule (CDC 2022): never abrupt, follow-up at least monthly."""
    mme_per_day = _float(mme, "--mme", "more than 0 and at most 5000")
    duration_weeks = _float(duration, "--duration-weeks", "0–5200")
    kb = knowledge()
    first = _date(start, "--start")
    try:
        result = taper_api(mme_per_day, duration_weeks, start=first, knowledge=kb)
    except TaperError as exc:
        flag = {"mme_per_day": "--mme", "duration_weeks": "--duration-weeks"}.get(exc.field)
        fail(f"{flag or exc.field}: {str(exc).split(': ', 1)[1]}")
    if output is Format.text:
        console.print(render_taper(result))
    else:
        emit_json(result.to_dict())


def _section(title: str, body: RenderableType) -> Panel:
    return Panel(body, title=title, title_align="left", border_style="dim")


def render_taper(t: TaperPlan) -> RenderableType:
    """The taper as a dated table."""
    table = Table("step", "date", "MME/day", "% of start", "what", box=None, pad_edge=False)
    for s in t.steps:
        table.add_row(
            Text(str(s.number)),
            Text(s.date.isoformat()),
            Text(f"{s.mme_per_day:g}"),
            Text(f"{s.percent_of_original:g}%"),
            Text(s.text),
        )
    notes = Text("\n".join(f"• {r.text}" for r in t.reasons))
    notes.append("\nFollow-up: " + ", ".join(d.isoformat() for d in t.follow_ups))
    notes.append("\n" + "\n".join(f"• {c}" for c in t.cautions), style="italic")
    return Group(table, notes)


def render_mme(m: MmeResult) -> Text:
    """MME items one per line, with exclusions and errors."""
    text = Text()
    for item in m.items:
        text.append(f"• {item.label}: {item.calculation}\n")
    for e in m.excluded:
        text.append(f"• {e.label}: not counted — {e.reason}\n", style="dim")
    for err in m.errors:
        text.append(f"• {err.label or err.where}: {err.field}: {err.message}\n", style="bold red")
    total = f"Total {m.total_mme_per_day:g} MME/day" + ("" if m.complete else " (a lower bound)")
    text.append(total, style="bold")
    if m.flags:
        text.append(f"  [{', '.join(m.flags)}]", style="bold red")
    return text


def render_plan(p: Plan) -> RenderableType:
    """The clinician-readable plan: referrals first, then the phases in order."""
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{p.status.upper()}", style="bold red" if p.status != "plan" else "bold green")
    head.append(f"  {p.status_reason}")
    if p.entry_reason:
        head.append(f"\n{p.entry_reason.text}")
    parts.append(head)
    if p.referrals:
        refs = Text()
        for r in p.referrals:
            refs.append(f" {r.urgency.upper()} ", style=_URGENCY_STYLE[r.urgency])
            refs.append(f" {r.text}\n   for: {'; '.join(r.flags)}\n")
        parts.append(_section("Referrals", refs))
    for ph in p.phases:
        body = Text()
        body.append(f"{ph.start} → {ph.end} · {ph.trial_weeks}-week trial · {ph.sessions} sessions")
        if ph.session_minutes:
            body.append(f" of {ph.session_minutes} min")
        body.append(f"\n{ph.purpose}\n", style="italic")
        for m in ph.modalities:
            alt = f" (or {', '.join(m.alternatives)})" if m.alternatives else ""
            body.append(f"• {m.label}{alt}", style="bold" if m.role != "bridge" else "")
            body.append(
                f"  [{m.kind}{', optional bridge' if m.role == 'bridge' else ''}]", style="dim"
            )
            targets = ", ".join(t.replace("_", " ") for t in m.targets) or "core"
            body.append(f" — {targets}\n")
            for note in m.notes:
                body.append(f"    {note}\n", style="italic")
        if ph.also_suitable:
            body.append(f"Also suitable: {', '.join(ph.also_suitable)}\n", style="dim")
        body.append("Exit when:\n", style="bold")
        body.append("\n".join(f"  ✓ {c}" for c in ph.exit_criteria))
        parts.append(_section(f"{ph.number}. {ph.label}", body))
    if p.checkpoints:
        cps = Table.grid(padding=(0, 2))
        for c in p.checkpoints:
            when = c.date.isoformat() + (f"–{c.window_end.isoformat()}" if c.window_end else "")
            cps.add_row(Text(when), Text(c.kind.replace("_", " ")), Text(c.question))
        parts.append(_section("Checkpoints", cps))
    if p.considered:
        text = Text()
        for option in p.considered:
            verdict = option.verdict.replace("_", " ")
            text.append(f"• {option.label}: {verdict}", style="bold")
            text.append(f" — {option.reason or option.evidence}\n")
        parts.append(_section("Considered, not planned", text))
    if p.medications:
        text = Text()
        for med in p.medications:
            text.append(f"• {med.name}: ")
            text.append(med.verdict.replace("_", " "), style=_VERDICT_STYLE[med.verdict])
            text.append("".join(f"\n    {r.text}" for r in med.reasons) + "\n")
            for caution in med.cautions:
                text.append(f"    caution: {caution}\n", style="italic")
        if p.mme is not None:
            text.append_text(render_mme(p.mme))
        parts.append(_section("Medication review", text))
    if p.taper is not None:
        parts.append(_section("Taper offered", render_taper(p.taper)))
    if p.constraints:
        parts.append(
            _section(
                "Constraints change the plan, not the goals",
                Text("\n".join(f"• {r.text}" for r in p.constraints)),
            )
        )
    later = [r for r in p.reasons if r is not p.entry_reason]
    if later:
        parts.append(_section("Why", Text("\n".join(f"• {r.line()}" for r in later))))
    if p.missing:
        parts.append(_section("Missing", Text("\n".join(f"• {m}" for m in p.missing))))
    return Group(*parts, Text(f"knowledge {p.knowledge_version}", style="dim"))
