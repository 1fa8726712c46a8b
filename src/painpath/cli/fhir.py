"""`painpath fhir …`: instruments in FHIR R4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from painpath.cli._io import console, emit_json, fail, knowledge, write_files
from painpath.domain.instruments import ScoringError
from painpath.interop.fhir import to_questionnaire

app = typer.Typer(
    name="fhir", help="Export instruments as FHIR R4 resources.", no_args_is_help=True
)


@app.command()
def questionnaire(
    instrument: Annotated[str, typer.Argument(help="Instrument id, or `all` for every one.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (a directory when exporting `all`)."),
    ] = None,
) -> None:
    """Print an instrument as a FHIR R4 Questionnaire (LOINC-coded where codes are known)."""
    kb = knowledge()
    ids = list(kb.instruments) if instrument == "all" else [instrument]
    try:
        resources = {
            i: to_questionnaire(
                kb.instrument(i), canonical_base=kb.fhir_canonical_base, version=kb.version
            )
            for i in ids
        }
    except ScoringError as exc:
        fail(str(exc))
    if output is None:
        emit_json(list(resources.values()) if instrument == "all" else resources[instrument])
        return
    if instrument == "all":
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create {output}: {exc.strerror}")
        targets = {output / f"Questionnaire-{i}.json": r for i, r in resources.items()}
    else:
        targets = {output: resources[instrument]}
    write_files({p: json.dumps(r, indent=2, ensure_ascii=False) + "\n" for p, r in targets.items()})
    console.print(f"wrote {len(targets)} Questionnaire{'s' if len(targets) > 1 else ''}")
