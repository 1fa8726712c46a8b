"""Commands that administer and score questionnaires: instruments, score, compare, ask."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from painpath._api import compare as compare_api
from painpath._api import score as score_api
from painpath.cli._io import console, emit_json, fail, knowledge, read_json
from painpath.cli._render import change_text, instrument_table, render_score
from painpath.domain.instruments import InstrumentDefinition, ScoringError, read_answer
from painpath.interop.fhir import FhirInputError, score_bundle, score_response

__all__ = ["ask", "compare", "instruments", "score"]


class Format(StrEnum):
    json = "json"
    text = "text"


def instruments(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the validated questionnaires Painpath scores."""
    kb = knowledge()
    definitions = list(kb.instruments.values())
    if as_json:
        emit_json(
            [
                {
                    "id": d.id,
                    "name": d.name,
                    "short_name": d.short_name,
                    "measures": d.measures,
                    "items": len(d.items),
                    "range": list(d.total_range()),
                    "bands": [b.id for b in d.bands],
                    "flags": [f.id for f in d.flags],
                    "change": (
                        {
                            "kind": d.change.kind,
                            "points": d.change.points,
                            "percent": d.change.percent,
                            "source": [c.short for c in d.change.source],
                        }
                        if d.change
                        else None
                    ),
                    "licence": d.licence.name,
                    "wording_shipped": any(i.text for i in d.items),
                }
                for d in definitions
            ]
        )
        return
    console.print(instrument_table(definitions))


def score(
    instrument: Annotated[
        str | None, typer.Argument(help="Instrument id, e.g. phq9 (see `painpath instruments`).")
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            help='Answers as JSON keyed by item number, e.g. \'{"1": 2, "2": 0}\'; '
            "@file.json reads a file, @- standard input.",
        ),
    ] = None,
    fhir: Annotated[
        str | None,
        typer.Option(
            "--fhir",
            help="A FHIR R4 QuestionnaireResponse (or a Bundle of them) to score; - for stdin.",
        ),
    ] = None,
    output: Annotated[
        Format, typer.Option("--format", help="json (default) or text.")
    ] = Format.json,
) -> None:
    """Score answers to an instrument and print total, band, subscales, flags and why.

    Bad input exits with status 2 and one line naming the item and the allowed range.
    """
    kb = knowledge()
    if fhir is not None:
        if answers is not None:
            fail("give either --answers or --fhir, not both")
        resource = read_json(fhir if fhir.startswith("@") else f"@{fhir}", what="--fhir")
        try:
            if isinstance(resource, dict) and resource.get("resourceType") == "Bundle":
                _print_bundle(score_bundle(resource, kb, instrument=instrument), output)
                return
            result = score_response(resource, kb, instrument=instrument)
        except (FhirInputError, ScoringError) as exc:
            fail(str(exc))
        if output is Format.text:
            console.print(render_score(result.score))
            for warning in result.warnings:
                console.print(f"[yellow]warning:[/] {warning}")
        else:
            emit_json(result.to_dict())
        return
    if instrument is None:
        fail("name an instrument, e.g. `painpath score phq9 --answers '{...}'`")
    if answers is None:
        fail(f"give the answers: painpath score {instrument} --answers '{{\"1\": 0, ...}}'")
    data = read_json(answers, what="--answers")
    try:
        result_score = score_api(instrument, data, knowledge=kb)
    except ScoringError as exc:
        fail(str(exc))
    if output is Format.text:
        console.print(render_score(result_score))
    else:
        emit_json(result_score.to_dict())


def _print_bundle(results: list[dict[str, Any]], output: Format) -> None:
    """Print each entry's result; exit 2 when the Bundle held responses and none scored."""
    if output is Format.text:
        for r in results:
            if "total" in r:
                band = f", {r['band_label']}" if r["band_label"] else ""
                flags = f", flags {', '.join(r['flags'])}" if r["flags"] else ""
                console.print(f"entry {r['entry']}: {r['name']} {r['total']}{band}{flags}")
            else:
                console.print(f"entry {r['entry']}: {r.get('error') or r.get('skipped')}")
    else:
        emit_json(results)
    errors = [r for r in results if "error" in r]
    if errors and not any("total" in r for r in results):
        fail(f"none of the {len(errors)} responses in the Bundle could be scored")


def compare(
    instrument: Annotated[str, typer.Argument(help="Instrument id.")],
    before: Annotated[
        str, typer.Option("--before", help="Earlier answers (JSON or @file) or a total.")
    ],
    after: Annotated[
        str, typer.Option("--after", help="Later answers (JSON or @file) or a total.")
    ],
    output: Annotated[
        Format, typer.Option("--format", help="json (default) or text.")
    ] = Format.json,
) -> None:
    """Say whether a score changed meaningfully (MCID where published, MDC otherwise)."""
    kb = knowledge()
    first: Any = read_json(before, what="--before")
    second: Any = read_json(after, what="--after")
    try:
        result = compare_api(instrument, first, second, knowledge=kb)
    except ScoringError as exc:
        fail(str(exc))
    if output is Format.text:
        console.print(change_text(result))
        for line in result.explanation:
            console.print(f"[dim]• {line}[/]")
    else:
        emit_json(result.to_dict())


def _prompt_item(defn: InstrumentDefinition, index: int, blanks_left: int) -> int | None:
    item = defn.items[index]
    scale = defn.scale_for(item)
    console.print(f"\n[bold]{item.id}/{len(defn.items)}[/] {item.label}")
    if scale.options:
        console.print("   " + " · ".join(f"{o.value} {o.label}" for o in scale.options))
    elif anchors := defn.anchors_for(item):
        console.print("   " + " · ".join(f"{a.value} = {a.label}" for a in anchors))
    hint = f"answer {scale.describe()}" + (", Enter to skip" if blanks_left else "")
    while True:
        try:
            raw = input(f"   {hint}: ").strip()
        except EOFError:
            console.print()
            fail("no more input: the questionnaire was not finished", code=1)
        if not raw:
            if blanks_left:
                return None
            console.print("   [yellow]an answer is needed for this item[/]")
            continue
        try:
            value: object = int(raw)
        except ValueError:
            value = raw
        try:
            return read_answer(defn, item, value)
        except ScoringError as exc:
            console.print(f"   [yellow]{exc}[/]")


def ask(
    instrument: Annotated[str, typer.Argument(help="Instrument id, e.g. peg.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the score as JSON at the end.")
    ] = False,
) -> None:
    """Administer a questionnaire interactively, then score it."""
    kb = knowledge()
    try:
        defn = kb.instrument(instrument)
    except ScoringError as exc:
        fail(str(exc))
    console.print(f"[bold]{defn.name}[/] ({defn.short_name}) — {len(defn.items)} items")
    if defn.recall:
        console.print(f"Recall period: {defn.recall}")
    if defn.instructions:
        console.print(defn.instructions)
    if not any(i.text for i in defn.items):
        console.print(
            "[dim]The licensed item wording is not shipped; read each item from your licensed "
            "form (a clinic can supply the wording through its knowledge overrides).[/]"
        )
    answers: dict[str, int | None] = {}
    blanks_left = defn.scoring.max_missing
    for index in range(len(defn.items)):
        value = _prompt_item(defn, index, blanks_left)
        if value is None:
            blanks_left -= 1
        answers[defn.items[index].id] = value
    try:
        result = score_api(defn.id, answers, knowledge=kb)
    except ScoringError as exc:  # pragma: no cover - answers were checked one by one
        fail(str(exc))
    console.print()
    if as_json:
        emit_json(result.to_dict())
    else:
        console.print(render_score(result))
