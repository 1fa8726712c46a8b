"""`painpath knowledge …`: validate the knowledge base, look an entry up, write its reference."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml

from painpath.cli._io import console, fail, write_files
from painpath.knowledge import (
    OVERRIDES_ENV,
    KnowledgeBase,
    KnowledgeError,
    UnknownKeyError,
    load_knowledge,
)
from painpath.knowledge.reference import (
    assessment_reference,
    instruments_reference,
    planning_reference,
)

app = typer.Typer(
    name="knowledge",
    help="Validate the clinical knowledge base and look entries up with their sources.",
    no_args_is_help=True,
)

OverridesOption = Annotated[
    Path | None,
    typer.Option(
        "--overrides",
        help=f"A clinic's override directory (default: ${OVERRIDES_ENV} when set).",
        show_default=False,
    ),
]


def _load(overrides: Path | None) -> KnowledgeBase:
    directory = overrides if overrides is not None else os.environ.get(OVERRIDES_ENV) or None
    try:
        return load_knowledge(overrides=directory)
    except KnowledgeError as exc:
        fail(str(exc))


@app.command()
def check(overrides: OverridesOption = None) -> None:
    """Validate every knowledge file (and a clinic's overrides) and print a summary."""
    kb = _load(overrides)
    entries = list(kb.entries())
    defaults = sum(1 for key, _ in entries if key.startswith(("signals.", "checkpoints.")))
    console.print(f"[bold green]Knowledge base {kb.version} is valid.[/]")
    console.print(
        f"  {len(kb.files)} files · {len(kb.instruments)} instruments · "
        f"{defaults} care-model defaults · {len(kb.sources)} sources"
    )
    console.print(f"  {len(entries)} entries, each with at least one source")
    if not kb.overrides:
        console.print("  no clinic overrides")
    for record in kb.overrides:
        who = f" (approved by {record.approved_by})" if record.approved_by else ""
        console.print(f"  override [bold]{record.file}[/]: {record.reason}{who}")
        for key in record.changed:
            console.print(f"    changed {key}")


@app.command()
def show(
    key: Annotated[
        str,
        typer.Argument(
            help="Dotted key, e.g. phq9.bands.moderate, odi.scoring.max_missing, "
            "signals.flare.pain_rise_points, sources.kroenke2001."
        ),
    ],
    overrides: OverridesOption = None,
) -> None:
    """Print one knowledge entry with the sources it rests on."""
    kb = _load(overrides)
    try:
        full, entry = kb.lookup(key)
        citations = kb.sources_for(full)
        changed_by = kb.overrides_for(full)
    except UnknownKeyError as exc:
        fail(str(exc))
    print(f"{full}  (knowledge {kb.version})")
    if isinstance(entry, dict | list):
        print(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=100).rstrip())
    else:
        print(entry)
    if citations:
        print("Sources:")
        for c in citations:
            print(f"  [{c.key}] {c.citation}" + (f" <{c.url}>" if c.url else ""))
    for record in changed_by:
        who = f" (approved by {record.approved_by})" if record.approved_by else ""
        print(f"Overridden by {record.file}: {record.reason}{who}")


class Reference(StrEnum):
    instruments = "instruments"
    assessment = "assessment"
    planning = "planning"


@app.command()
def docs(
    what: Annotated[
        Reference,
        typer.Argument(help="instruments (docs/instruments.md), assessment or planning."),
    ] = Reference.instruments,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write a reference generated from the shipped knowledge (docs/instruments.md,
    docs/assessment-rules.md, docs/planning-rules.md)."""
    render = {
        Reference.instruments: instruments_reference,
        Reference.assessment: assessment_reference,
        Reference.planning: planning_reference,
    }[what]
    try:
        text = render(load_knowledge())
    except KnowledgeError as exc:
        fail(str(exc))
    if output is None:
        print(text, end="")
    else:
        write_files({output: text})
        console.print(f"wrote {output}")
