"""`painpath fhir …`: instruments in FHIR R4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from painpath.cli._io import emit_json, fail, knowledge
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
    targets = (
        {i: output / f"Questionnaire-{i}.json" for i in ids}
        if instrument == "all"
        else {instrument: output}
    )
    if instrument == "all":
        output.mkdir(parents=True, exist_ok=True)
    for i, path in targets.items():
        path.write_text(json.dumps(resources[i], indent=2, ensure_ascii=False) + "\n", "utf-8")
