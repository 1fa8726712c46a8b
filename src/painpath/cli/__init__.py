"""The `painpath` command line: questionnaires, knowledge and FHIR from the shell.

Bad input exits with status 2 and one line per problem; nothing prints a traceback to a user
(set PAINPATH_DEBUG=1 to see one for an unexpected internal error).
"""

from __future__ import annotations

import os
import sys

import typer

from painpath._version import __version__
from painpath.cli import fhir, knowledge
from painpath.cli.assessment import assess, imaging, schema
from painpath.cli.demo import demo, demo_clinic
from painpath.cli.planning import mme, plan, taper
from painpath.cli.scoring import ask, compare, instruments, score
from painpath.cli.server import audit_app, db_app, openapi, serve, token_app, user_app
from painpath.cli.timeline import checkpoint, signals

__all__ = ["app", "main"]

app = typer.Typer(
    name="painpath",
    help="Painpath: root-cause chronic pain care. Score validated questionnaires, "
    "inspect the clinical knowledge base, and speak FHIR R4.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"painpath {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Painpath command line."""


app.command()(instruments)
app.command()(score)
app.command()(compare)
app.command()(ask)
app.command()(assess)
app.command()(imaging)
app.command()(schema)
app.command()(plan)
app.command()(mme)
app.command()(taper)
app.command()(signals)
app.command()(checkpoint)
app.command("demo-intake")(demo)
app.command("demo")(demo_clinic)
app.add_typer(knowledge.app)
app.add_typer(fhir.app)
app.command()(serve)
app.command()(openapi)
app.add_typer(db_app)
app.add_typer(user_app)
app.add_typer(token_app)
app.add_typer(audit_app)


def main() -> None:
    """Run the CLI; an unexpected internal error prints one line, not a traceback."""
    try:
        app()
    except Exception as exc:  # the last line of defence: users never see a traceback
        if os.environ.get("PAINPATH_DEBUG"):
            raise
        print(
            f"painpath: internal error ({exc.__class__.__name__}); this is a bug — "
            "run again with PAINPATH_DEBUG=1 and report the traceback",
            file=sys.stderr,
        )
        sys.exit(70)
