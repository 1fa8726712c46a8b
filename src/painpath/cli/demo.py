"""`painpath demo-intake`: a patient from the seeds, scored on every instrument."""

from __future__ import annotations

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painpath._api import compare, score
from painpath.cli._io import console, knowledge
from painpath.cli._render import change_text
from painpath.demo import demo_intake

__all__ = ["demo"]


def demo() -> None:
    """Score a demo intake with every instrument and compare it with a six-week checkpoint."""
    kb = knowledge()
    data = demo_intake()
    console.print(
        Panel(data["patient"]["story"], title=data["patient"]["label"], title_align="left")
    )
    intake = {i: score(i, answers, knowledge=kb) for i, answers in data["intake"].items()}
    table = Table(title="Intake", title_justify="left", header_style="bold")
    for column in ("instrument", "total", "range", "band", "flags"):
        table.add_column(column, overflow="fold")
    for s in intake.values():
        flags = Text(", ".join(s.flags) or "—", style="bold red" if s.flags else "dim")
        table.add_row(
            s.name, str(s.total), f"{s.range[0]}–{s.range[1]}", s.band_label or "—", flags
        )
    console.print(table)

    label = data["checkpoint"]["label"]
    changes = Table(title=f"Checkpoint at {label}", title_justify="left", header_style="bold")
    changes.add_column("instrument")
    changes.add_column(f"intake → {label}, meaningful change?", overflow="fold")
    for instrument, answers in data["checkpoint"]["answers"].items():
        change = compare(instrument, intake[instrument], answers, knowledge=kb)
        changes.add_row(intake[instrument].name, change_text(change))
    console.print(changes)
    console.print(
        f"[dim]Knowledge base {kb.version}. Every number above comes with its rule and source;"
        " try (after `make run` the command is .venv/bin/painpath):[/]\n"
        "  painpath assess docs/examples/intake/02_sciatica_cannot_sit.json --format text\n"
        "                                        [dim]his whole first-visit assessment[/]\n"
        '  painpath score peg --answers \'{"1": 7, "2": 7, "3": 8}\'\n'
        "  painpath ask phq9                     [dim]administer a questionnaire here[/]\n"
        "  painpath knowledge show odi.bands     [dim]any rule, with its source[/]\n"
        "  painpath fhir questionnaire peg       [dim]the instrument as FHIR R4[/]\n"
        "  painpath --help"
    )
