"""The clinic's shell commands, run for real: db upgrade, user and token create, audit export,
openapi, and serve (a real server answering real HTTP)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, run_cli
from tests.web._server import free_port

PASSWORD = "a long enough password"


def env_for(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PAINPATH_DATABASE_URL": database_url,
        "PAINPATH_DATA_DIR": str(tmp_path),
        "PAINPATH_PASSWORD": PASSWORD,
        **extra,
    }


def test_openapi_schema_in_docs_is_current():
    out = run_cli("openapi")
    assert out.returncode == 0, out.stderr
    committed = (ROOT / "docs" / "api" / "openapi.json").read_text()
    assert json.loads(out.stdout) == json.loads(committed), (
        "docs/api/openapi.json is stale: run `painpath openapi > docs/api/openapi.json`"
    )


def test_every_operation_in_the_published_schema_declares_its_access():
    schema = json.loads((ROOT / "docs" / "api" / "openapi.json").read_text())
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "x-access" not in operation
    ]
    assert schema["paths"] and undeclared == []


def test_db_upgrade_creates_the_schema_once_and_is_safe_to_repeat(database_url, tmp_path):
    env = env_for(database_url, tmp_path)
    first = run_cli("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty to 0001" in first.stdout
    again = run_cli("db", "upgrade", env=env)
    assert again.returncode == 0 and "already at revision 0001" in again.stdout


def test_commands_refuse_a_database_that_was_never_upgraded(tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    out = run_cli(
        "user", "create", "--username", "doc", "--role", "physician", "--clinic", "C", env=env
    )
    assert out.returncode == 2
    assert "run `painpath db upgrade` first" in out.stderr


def test_user_create_stores_an_account_and_refuses_a_taken_name(tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    assert run_cli("db", "upgrade", env=env).returncode == 0
    made = run_cli(
        "user",
        "create",
        "--username",
        "doc.smith",
        "--role",
        "physician",
        "--clinic",
        "Riverside Pain Clinic",
        "--name",
        "Dr Smith",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    assert "created physician doc.smith in 'Riverside Pain Clinic'" in made.stdout
    again = run_cli(
        "user", "create", "--username", "doc.smith", "--role", "physician", "--clinic", "X", env=env
    )
    assert again.returncode == 2 and "'doc.smith' is taken" in again.stderr


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "surgeon"], PASSWORD, "role:"),
        (["--role", "physician"], "short", "password:"),
        (["--role", "patient"], PASSWORD, "patient_id: give it for a patient account"),
        (["--role", "physician", "--username", "A B"], PASSWORD, "username:"),
    ],
)
def test_user_create_names_the_bad_option(tmp_path, args, password, message):
    env = env_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, PAINPATH_PASSWORD=password)
    assert run_cli("db", "upgrade", env=env).returncode == 0
    base = ["user", "create", "--clinic", "C"]
    if "--username" not in args:
        base += ["--username", "someone"]
    out = run_cli(*base, *args, env=env)
    assert out.returncode == 2
    assert message in out.stderr


def test_password_can_come_from_standard_input(tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    del env["PAINPATH_PASSWORD"]
    assert run_cli("db", "upgrade", env=env).returncode == 0
    out = run_cli(
        "user",
        "create",
        "--username",
        "pt.jones",
        "--role",
        "physical_therapist",
        "--clinic",
        "C",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert out.returncode == 0, out.stderr
    without = run_cli(
        "user",
        "create",
        "--username",
        "pt.two",
        "--role",
        "physician",
        "--clinic",
        "C",
        stdin="",
        env=env,
    )
    assert without.returncode == 2 and "--password-stdin or PAINPATH_PASSWORD" in without.stderr


def test_token_create_prints_a_token_once_and_audit_export_lists_what_happened(tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    assert run_cli("db", "upgrade", env=env).returncode == 0
    run_cli("user", "create", "--username", "feed", "--role", "physician", "--clinic", "C", env=env)
    token = run_cli("token", "create", "--username", "feed", "--days", "30", env=env)
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("pp_") and len(token.stdout.strip()) > 40
    unknown = run_cli("token", "create", "--username", "nobody", env=env)
    assert unknown.returncode == 2 and "no such user" in unknown.stderr

    export = run_cli("audit", "export", "--since", "2000-01-01", env=env)
    assert export.returncode == 0, export.stderr
    rows = [json.loads(line) for line in export.stdout.splitlines()]
    assert [r["action"] for r in rows] == ["user.create", "token.create"]
    assert all(r["outcome"] == "success" and r["at"] for r in rows)
    exported = run_cli("audit", "export", "--since", "2000-01-01", env=env)
    # The first export was itself audited.
    assert [json.loads(x)["action"] for x in exported.stdout.splitlines()][-1] == "audit.export"
    bad = run_cli("audit", "export", "--since", "yesterday", env=env)
    assert bad.returncode == 2 and "--since: 'yesterday' is not a date" in bad.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PAINPATH_STAFF_IDLE_MINUTES", "45", "PAINPATH_STAFF_IDLE_MINUTES: 45 is outside 1–30"),
        ("PAINPATH_STAFF_IDLE_MINUTES", "soon", "is not a whole number"),
        ("PAINPATH_DATABASE_URL", "mysql://x", "PAINPATH_DATABASE_URL: use sqlite"),
        ("PAINPATH_ENV", "staging", "PAINPATH_ENV: use development or production"),
    ],
)
def test_bad_settings_stop_the_command_with_the_variable_named(tmp_path, variable, value, message):
    env = {"PAINPATH_DATA_DIR": str(tmp_path), variable: value}
    out = run_cli("db", "upgrade", env=env)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_production_refuses_cookies_without_secure(tmp_path):
    env = {
        "PAINPATH_DATA_DIR": str(tmp_path),
        "PAINPATH_ENV": "production",
        "PAINPATH_SECURE_COOKIES": "false",
    }
    out = run_cli("db", "upgrade", env=env)
    assert out.returncode == 2 and "production refuses cookies without Secure" in out.stderr


def test_serve_answers_real_http_and_signs_a_user_in(tmp_path):
    env = {**os.environ, **env_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)}
    assert run_cli("db", "upgrade", env=env).returncode == 0
    run_cli("user", "create", "--username", "doc", "--role", "physician", "--clinic", "C", env=env)
    port = free_port()
    exe = Path(sys.executable).parent / "painpath"
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                anonymous = httpx.get(f"{url}/api/v1/auth/me")
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        signed = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "doc", "password": PASSWORD}
        )
        assert signed.status_code == 200
        assert signed.json()["user"]["role"] == "physician"
        assert "painpath_session" in signed.cookies
    finally:
        server.send_signal(signal.SIGTERM)
        out, _err = server.communicate(timeout=30)
    assert f"Painpath on http://127.0.0.1:{port}/" in out
