"""`painpath assess`, `painpath imaging`, `painpath schema`: the first-visit hypothesis."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painpath._api import assess as assess_api
from painpath._api import imaging_context
from painpath.cli._io import console, emit_json, fail, knowledge, read_json
from painpath.domain.assessment import Assessment, Intake, IntakeError
from painpath.domain.signals.timeline import Timeline

__all__ = ["assess", "imaging", "schema"]

_URGENCY_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "soon": "yellow"}


class Format(StrEnum):
    json = "json"
    text = "text"


class SchemaName(StrEnum):
    intake = "intake"
    timeline = "timeline"


def assess(
    file: Annotated[str, typer.Argument(help="An intake as JSON (a file, or - for stdin).")],
    output: Annotated[
        Format, typer.Option("--format", help="json (default) or text.")
    ] = Format.json,
) -> None:
    """Assess an intake: red flags, mechanisms, drivers, irritability, psychosocial, imaging.

    An invalid intake exits 2 with each problem named by its JSON path.
    """
    kb = knowledge()
    data = read_json(f"@{file}" if not file.startswith("@") else file, what="")
    try:
        result = assess_api(data, knowledge=kb)
    except IntakeError as exc:
        fail("\n".join(f"{path}: {message}" for path, message in exc.problems))
    if output is Format.text:
        console.print(render_assessment(result))
    else:
        emit_json(result.to_dict())


def imaging(
    age: Annotated[int, typer.Option("--age", help="The patient's age in years.")],
    finding: Annotated[str, typer.Option("--finding", help="e.g. disc_bulge, facet_degeneration.")],
) -> None:
    """Show how common an imaging finding is in people of that age without back pain."""
    kb = knowledge()
    known = [r.id for r in kb.imaging.findings]
    if finding not in known:
        fail(f"unknown finding {finding!r}; the reference table has: {', '.join(known)}")
    try:
        context = imaging_context(age, finding, knowledge=kb)
    except IntakeError as exc:
        fail("\n".join(f"--{path}: {message}" for path, message in exc.problems))
    emit_json(
        {
            "finding": context.finding,
            "age": context.age,
            "prevalence_pct": context.prevalence_pct,
            "common": context.common,
            "text": context.text,
            "source": list(context.source),
        }
    )


def schema(name: Annotated[SchemaName, typer.Argument(help="Which schema.")]) -> None:
    """Print a published JSON Schema (docs/schema/<name>.schema.json)."""
    model = Timeline if name is SchemaName.timeline else Intake
    print(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))


def _section(title: str, body: RenderableType) -> Panel:
    return Panel(body, title=title, title_align="left", border_style="dim")


def render_assessment(a: Assessment) -> RenderableType:
    """The clinician-readable summary: red flags first, then the hypothesis, then context."""
    parts: list[RenderableType] = []
    if a.red_flags:
        flags = Text()
        for f in a.red_flags:
            flags.append(f" {f.urgency.upper()} ", style=_URGENCY_STYLE[f.urgency])
            flags.append(f" {f.label}\n   refer: {f.referral}\n")
        if a.plan_blocked:
            flags.append(f"PLAN BLOCKED: {a.plan_blocked_reason}", style="bold red")
        parts.append(_section("Red flags", flags))
    elif a.red_flags_screened:
        parts.append(_section("Red flags", Text("screened: none found", style="green")))
    else:
        parts.append(
            _section(
                "Red flags", Text("NOT SCREENED: record the red-flag findings", style="bold red")
            )
        )

    # Every string goes in as Text: labels come from knowledge files and must never be read as
    # Rich markup.
    mechanisms = Table.grid(padding=(0, 2))
    for m in a.mechanisms:
        mechanisms.add_row(
            Text(m.id, style="bold"), Text(m.status.replace("_", " ")), Text(m.evidence[0].text)
        )
    if a.mixed:
        mechanisms.add_row(
            Text(""), Text(""), Text("mixed profile (more than one mechanism)", style="italic")
        )
    parts.append(_section("Mechanisms", mechanisms))

    drivers = Table.grid(padding=(0, 2))
    for d in a.drivers:
        if d.rank is None:
            continue
        evidence = "; ".join(r.text.split(" (")[0] for r in d.evidence)
        drivers.add_row(
            Text(f"{d.rank}."), Text(d.label, style="bold"), Text(f"{d.score} pts"), Text(evidence)
        )
    parts.append(_section("Drivers (ranked by evidence)", drivers))

    irr = a.irritability
    parts.append(_section("Irritability", Text(f"{irr.grade or 'not graded'}: {irr.reason.text}")))
    psycho = Text("\n".join(f"• {p.label}: {p.action}" for p in a.psychosocial) or "none found")
    parts.append(_section("Psychosocial", psycho))
    if a.imaging:
        parts.append(
            _section(
                "Imaging in context",
                Text(
                    "\n".join(
                        f"• {i.label}{' ' + i.level if i.level else ''}: {i.text}"
                        for i in a.imaging
                    )
                ),
            )
        )
    pattern = a.central_sensitisation_pattern
    text = f"{pattern.status}" + (f" — {pattern.recommendation}" if pattern.recommendation else "")
    parts.append(_section("Central sensitisation pattern", Text(text)))
    parts.append(_section("Mismatch", Text(a.mismatch.reason.text)))
    if a.missing:
        parts.append(_section("Not assessed", Text("\n".join(f"• {m}" for m in a.missing))))
    return Group(*parts, Text(f"knowledge {a.knowledge_version}", style="dim"))
