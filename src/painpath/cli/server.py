"""Running a clinic from the shell: `serve`, `db upgrade`, `user create`, `token create`,
`audit export`. Settings come from PAINPATH_* environment variables (docs/deploy.md)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from painpath.cli._io import fail
from painpath.domain.input_errors import describe, json_path
from painpath.services import accounts
from painpath.services.audit import export_audit
from painpath.services.commands import UserInput
from painpath.services.errors import ServiceError
from painpath.settings import Settings, SettingsError, load_settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.migrate import current_revision, head_revision, upgrade
from painpath.store.unit_of_work import SqlUnitOfWork

ROLE_HELP = (
    "physician, physiatrist, physical_therapist, psychologist, pharmacist, "
    "occupational_therapist, clinic_admin or patient."
)

__all__ = ["audit_app", "db_app", "openapi", "serve", "token_app", "user_app"]

db_app = typer.Typer(
    name="db", help="The database: create or upgrade its tables.", no_args_is_help=True
)
user_app = typer.Typer(name="user", help="Accounts of a clinic.", no_args_is_help=True)
token_app = typer.Typer(
    name="token", help="Bearer API tokens for integrations.", no_args_is_help=True
)
audit_app = typer.Typer(name="audit", help="The audit trail.", no_args_is_help=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc))


def _uow(settings: Settings) -> SqlUnitOfWork:
    engine = make_engine(settings.database_url)
    if current_revision(engine) != head_revision():
        fail("the database is not at the newest schema; run `painpath db upgrade` first")
    return SqlUnitOfWork(make_session_factory(engine), None, client="cli")


def _database_error(exc: OperationalError) -> None:
    fail(f"cannot use the database: {exc.orig.__class__.__name__ if exc.orig else exc}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables, or bring them up to this version's schema (safe to run again)."""
    settings = _settings()
    try:
        engine = make_engine(settings.database_url)
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    except OperationalError as exc:
        _database_error(exc)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"{where}: already at revision {after}")
    else:
        print(f"{where}: upgraded from {before or 'empty'} to {after}")


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    env = os.environ.get("PAINPATH_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        fail("give the password with --password-stdin or PAINPATH_PASSWORD")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        fail("the two passwords differ")
    return first


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option("--username", help="Sign-in name.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help=ROLE_HELP,
        ),
    ],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's name (created when new).")],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    patient_id: Annotated[
        str | None, typer.Option("--patient-id", help="For a patient account: their record id.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account. The password comes from --password-stdin, PAINPATH_PASSWORD or a
    prompt; it is stored as an Argon2id hash."""
    settings = _settings()
    try:
        data = UserInput(
            username=username,
            display_name=name or username,
            role=role,
            password=_password(password_stdin),
            patient_id=patient_id,
        )
    except ValidationError as exc:
        fail("\n".join(f"{json_path(e['loc'], '')}: {describe(e)}" for e in exc.errors()))
    try:
        user = accounts.create_user(_uow(settings), clinic, data)
    except ServiceError as exc:
        fail(exc.detail)
    except OperationalError as exc:
        _database_error(exc)
    print(f"created {user.role} {user.username} in {clinic!r} (id {user.id})")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Option("--username", help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What it is for.")] = "integration",
    days: Annotated[
        int | None,
        typer.Option(
            "--days", min=1, max=3650, help="Expires after this many days (default: never)."
        ),
    ] = None,
) -> None:
    """Create a bearer token and print it once (send it as `Authorization: Bearer <token>`)."""
    settings = _settings()
    try:
        token = accounts.create_token(
            _uow(settings), username, name=name, now=dt.datetime.now(dt.UTC), days=days
        )
    except ServiceError as exc:
        fail(exc.detail)
    except OperationalError as exc:
        _database_error(exc)
    print(token)


@audit_app.command("export")
def audit_export(
    since: Annotated[str, typer.Option("--since", help="First day (YYYY-MM-DD, UTC).")],
    clinic_id: Annotated[str | None, typer.Option("--clinic-id", help="Only this clinic.")] = None,
) -> None:
    """Print audit events from --since on as JSON lines, oldest first."""
    try:
        start = dt.date.fromisoformat(since)
    except ValueError:
        fail(f"--since: {since!r} is not a date (YYYY-MM-DD)")
    settings = _settings()
    try:
        for row in export_audit(_uow(settings), since=start, clinic_id=clinic_id):
            print(json.dumps(row, ensure_ascii=False))
    except OperationalError as exc:
        _database_error(exc)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
) -> None:
    """Serve Painpath (the browser app, and the JSON API under /api/v1) with uvicorn. Outside
    production the database is upgraded first; in production it must already be (`painpath db
    upgrade`)."""
    import uvicorn

    from painpath.web import create_app

    settings = _settings()
    try:
        engine = make_engine(settings.database_url)
        if current_revision(engine) != head_revision():
            if settings.environment == "production":
                fail("the database is not at the newest schema; run `painpath db upgrade`")
            upgrade(engine)
        engine.dispose()
    except OperationalError as exc:
        _database_error(exc)
    app = create_app(settings)
    print(f"Painpath on http://{host}:{port}/ (API docs: http://{host}:{port}/api/v1/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def openapi() -> None:
    """Print the JSON API's OpenAPI schema (committed as docs/api/openapi.json)."""
    from pathlib import Path

    from painpath.web import create_app

    app = create_app(Settings(database_url="sqlite://", data_dir=Path()))
    print(json.dumps(app.openapi(), indent=2, ensure_ascii=False))
    app.state.ctx.engine.dispose()
