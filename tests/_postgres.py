"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary directory, a free port on
127.0.0.1, trust authentication for the superuser `painpath`, and durability switched off (the
data dies with the test session anyway).

As root the server runs as the `postgres` system user (initdb refuses to run as root); otherwise it
runs as whoever runs the tests. `psycopg` is imported only when a cluster is actually used, so the
rest of the suite does not need it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SUPERUSER = "painpath"
HOST = "127.0.0.1"
POSTGRES_LIB = Path("/usr/lib/postgresql")
START_TIMEOUT = 60.0  # seconds; initdb and start take about 1 s on a 2-core machine


def new_database_name() -> str:
    """A database name no other test uses."""
    return f"painpath_test_{uuid.uuid4().hex[:12]}"


class PostgresError(RuntimeError):
    """The throwaway cluster could not be set up, started or used."""


@dataclass(frozen=True)
class Binaries:
    initdb: Path
    pg_ctl: Path


def find_binaries() -> Binaries | None:
    """initdb and pg_ctl: the highest version under /usr/lib/postgresql/*/bin, else from PATH."""

    def version(bin_dir: Path) -> tuple[int, ...]:
        numbers = re.findall(r"\d+", bin_dir.parent.name)
        return tuple(int(n) for n in numbers)

    candidates = sorted(POSTGRES_LIB.glob("*/bin"), key=version, reverse=True)
    for bin_dir in candidates:
        initdb, pg_ctl = bin_dir / "initdb", bin_dir / "pg_ctl"
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return Binaries(initdb=initdb, pg_ctl=pg_ctl)
    initdb_path, pg_ctl_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb_path and pg_ctl_path:
        return Binaries(initdb=Path(initdb_path), pg_ctl=Path(pg_ctl_path))
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now (the server may still race us)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _run_as() -> list[str]:
    """The command prefix that runs a server program as a user it accepts."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresError(
            "running as root, but `runuser` is missing to run PostgreSQL as postgres"
        )
    return [runuser, "-u", "postgres", "--"]


def _environment() -> dict[str, str]:
    """Our environment without libpq settings that would point the tools at another server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


@dataclass(eq=False)  # compared and hashed by identity
class PostgresCluster:
    """A running throwaway cluster. Make one with `start_cluster()` or `running_cluster()`."""

    binaries: Binaries
    root: Path
    port: int = 0
    watchdog: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def connect(
        self, database: str = "postgres", *, timeout: float = 5.0
    ) -> psycopg.Connection[Any]:
        """A psycopg connection in autocommit mode (CREATE/DROP DATABASE need it)."""
        import psycopg

        return psycopg.connect(
            host=HOST,
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            connect_timeout=max(1, int(timeout)),
            autocommit=True,
        )

    def create_database(self, name: str | None = None) -> str:
        """Create a fresh empty database and return its SQLAlchemy URL."""
        from psycopg import sql

        name = name or new_database_name()
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still connected to it."""
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError as error:
            return f"(no server log: {error})"
        return "\n".join(text.splitlines()[-lines:]) or "(the server log is empty)"

    def _pg_ctl_command(self, *args: str) -> list[str]:
        return [*_run_as(), str(self.binaries.pg_ctl), "-D", str(self.data_dir), *args]

    def _pg_ctl(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._pg_ctl_command(*args),
            cwd=self.root,
            env=_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _initdb(self, timeout: float) -> None:
        command = [
            *_run_as(),
            str(self.binaries.initdb),
            "-D",
            str(self.data_dir),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",  # nothing here has to survive a crash
        ]
        done = subprocess.run(
            command,
            cwd=self.root,
            env=_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise PostgresError(
                f"initdb failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}".rstrip()
            )

    def _start(self, timeout: float) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {shlex.quote(str(self.root))}",
                f"-c listen_addresses={HOST}",
                "-c fsync=off",
                "-c full_page_writes=off",
                "-c synchronous_commit=off",
            ]
        )
        done = self._pg_ctl(
            "-o",
            options,
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            str(int(timeout)),
            "start",
            timeout=timeout + 10,
        )
        if done.returncode != 0:
            raise PostgresError(
                f"pg_ctl start failed (exit {done.returncode}) on port {self.port}:\n"
                f"{done.stdout}{done.stderr}\n--- server log (tail) ---\n{self.log_tail()}"
            )

    def _wait_until_accepting(self, timeout: float) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.connect(timeout=2) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise PostgresError(
                        f"PostgreSQL on {HOST}:{self.port} did not accept connections within "
                        f"{timeout:.0f} s: {error}\n--- server log (tail) ---\n{self.log_tail()}"
                    ) from error
                time.sleep(0.1)

    def is_running(self) -> bool:
        return self.data_dir.joinpath("postmaster.pid").exists()

    def _start_watchdog(self) -> None:
        """A shell that outlives us if we are killed (SIGTERM, SIGKILL, a CI timeout): it stops the
        server and removes the directory once this process is gone. `stop()` ends it."""
        stop = self._pg_ctl_command("stop", "-m", "immediate")
        self.watchdog = subprocess.Popen(
            ["sh", "-c", _WATCHDOG, str(os.getpid()), str(self.root), *stop],
            cwd=self.root,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal is ours to handle, not its
        )

    def stop(self) -> None:
        """Stop the server (fast, then immediate if it hangs) and remove the directory."""
        try:
            if self.is_running():
                try:
                    done = self._pg_ctl("stop", "-m", "fast", "-w", "-t", "30", timeout=40)
                    failed = done.returncode != 0
                except subprocess.TimeoutExpired:
                    failed = True
                if failed and self.is_running():
                    self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30", timeout=40)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            if self.watchdog is not None:
                self.watchdog.kill()
                self.watchdog.wait()
                self.watchdog = None


# Arguments: our pid, the cluster directory, then the command that stops the server.
_WATCHDOG = """
pid=$0 root=$1
shift
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$@" >/dev/null 2>&1
rm -rf "$root"
"""


def start_cluster(timeout: float = START_TIMEOUT) -> PostgresCluster:
    """initdb a new cluster in a temporary directory, start it and wait until it takes queries."""
    binaries = find_binaries()
    if binaries is None:
        raise PostgresError("PostgreSQL is not installed (no initdb and pg_ctl found)")
    root = Path(tempfile.mkdtemp(prefix="painpath-pg-"))
    cluster = PostgresCluster(binaries=binaries, root=root)
    try:
        if os.geteuid() == 0:
            try:
                postgres = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresError(
                    "running as root, but there is no `postgres` user to run the server as"
                ) from None
            os.chown(root, postgres.pw_uid, postgres.pw_gid)
        cluster._start_watchdog()
        cluster._initdb(timeout)
        # The port is free when we look but could be taken before the server binds it: retry.
        for attempt in range(3):
            cluster.port = free_port()
            try:
                cluster._start(timeout)
                break
            except PostgresError:
                if attempt == 2 or "could not bind" not in cluster.log_tail():
                    raise
        cluster._wait_until_accepting(timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextlib.contextmanager
def running_cluster(timeout: float = START_TIMEOUT) -> Iterator[PostgresCluster]:
    """A started cluster for the duration of the block; stopped and removed afterwards."""
    cluster = start_cluster(timeout)
    try:
        yield cluster
    finally:
        cluster.stop()
