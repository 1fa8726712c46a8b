"""`painpath demo-intake`: a patient from the seeds, scored on every instrument; and
`painpath demo`: the demo clinics with their logins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import OperationalError

from painpath._api import compare, score
from painpath.cli._io import console, fail, knowledge, stderr
from painpath.cli._render import change_text
from painpath.demo import demo_intake
from painpath.demo.clinic import DEFAULT_PASSWORD, DemoError, DemoRefused, DemoSummary, build_demo
from painpath.settings import SettingsError, load_settings

__all__ = ["demo", "demo_clinic"]


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


_ROLE_LABEL = {
    "clinic_admin": "clinic lead",
    "physical_therapist": "physical therapist",
    "occupational_therapist": "occupational therapist",
}


def _logins_table(summary: DemoSummary, *, every: bool) -> Table:
    table = Table(title="Demo logins", title_justify="left", header_style="bold")
    for column in ("clinic", "role", "username", "what to look at"):
        table.add_column(column, overflow="fold")
    last = None
    for login in summary.logins:
        if not (every or login.featured):
            continue
        clinic = login.clinic if login.clinic != last else ""
        if login.clinic != last and last is not None:
            table.add_section()
        last = login.clinic
        role = _ROLE_LABEL.get(login.role, login.role)
        look = login.look_at if login.role != "patient" else f"{login.name}: {login.look_at}"
        table.add_row(clinic, role, login.username, look)
    return table


def demo_clinic(
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="The demo's today, YYYY-MM-DD (default: today); timelines end on it.",
        ),
    ] = None,
    password: Annotated[
        str, typer.Option("--password", help="The password of every demo account.")
    ] = DEFAULT_PASSWORD,
    force: Annotated[
        bool,
        typer.Option("--force", help="Erase the database (every table) and build the demo."),
    ] = False,
    list_logins: Annotated[
        bool, typer.Option("--list-logins", help="Print every login, each patient's too.")
    ] = False,
) -> None:
    """Build two demo clinics (staff of every role, 48 synthetic patients whose timelines show
    every signal and checkpoint decision) in the database of PAINPATH_DATABASE_URL or
    PAINPATH_DATA_DIR, and print the logins.

    Refuses (exit 1, nothing written) when the database holds anything else.
    --force erases the database first. An existing demo is kept; its logins are printed again.
    The same --today always gives the same data (docs/demo.md).
    """
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        fail(f"--today: {today!r} is not a date (YYYY-MM-DD)")
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    kb = knowledge()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task("Demo clinics", total=None)

        def advance(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        try:
            summary = build_demo(
                settings, today=day, password=password, force=force, knowledge=kb, progress=advance
            )
        except DemoRefused as exc:
            fail(str(exc), code=1)
        except DemoError as exc:
            fail(str(exc))
        except OperationalError as exc:
            fail(
                f"cannot use the database: {exc.orig.__class__.__name__ if exc.orig else exc}",
                code=1,
            )
    if summary.created:
        for c in summary.clinics:
            stderr.print(
                f"{c.name}: {c.patients} patients ({c.open_episodes} in care, "
                f"{c.graduated} graduated)"
            )
        stderr.print(
            f"Built the demo for {summary.today.isoformat()} in {escape(summary.database)} "
            f"in {summary.seconds:.1f} s"
        )
    else:
        console.print(
            f"The demo is already in {escape(summary.database)} (built for "
            f"{summary.today.isoformat()}); nothing was changed. "
            "`painpath demo --force` rebuilds it for today."
        )
    console.print(_logins_table(summary, every=list_logins))
    shown = sum(1 for login in summary.logins if list_logins or login.featured)
    if summary.password is None:
        console.print(
            "Password of every account: the one chosen when the demo was built "
            f"({escape(password)!r} is not it)"
        )
    else:
        console.print(f"Password of every account: [bold]{escape(summary.password)}[/]")
    if shown < len(summary.logins):
        more = len(summary.logins) - shown
        console.print(f"[dim]{more} more patient logins: painpath demo --list-logins[/]")
    seen = ", ".join(f"{k} {len(v)}" for k, v in summary.signal_coverage.items())
    console.print(f"[dim]Signals today in open episodes (patients): {seen}[/]")
    console.print(
        "[dim]Sign in with any of these at http://127.0.0.1:8000 (`make run` serves it; "
        "otherwise `painpath serve`).[/]"
    )
