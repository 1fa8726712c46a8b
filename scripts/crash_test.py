#!/usr/bin/env python
"""Crash consistency (docs reliability-security.md item 5): kill -9 the server during concurrent
acknowledged writes and check that nothing acknowledged is lost and nothing is half-written.

A fresh SQLite data directory is set up the way an operator would (`painpath db upgrade`,
`painpath user create`, `painpath token create`, patients over the API). Then, round after
round, `painpath serve` runs as a subprocess while client threads PUT daily logs, each under a
(patient, day) key never used before and with values unique to that write, and the server is
killed with SIGKILL at a random moment. At the end, with the server down, the database file is
checked directly:

- lost: an acknowledged (2xx) write whose row is missing;
- corrupt: a row whose values are not exactly those of the one write sent for its key (partial,
  mixed or never sent);
- audit: every stored log has exactly one successful ``daily_log.write`` audit event (it is
  written in the same transaction), and no such event names a log that is not stored;
- ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``.

Writes in flight at a kill (sent, never answered) may be stored or not, but if stored they must
be whole. The figures are printed as ``name: value`` lines; the exit status is 1 on any loss,
corruption, missing audit event, failed check or server error.

    .venv/bin/python scripts/crash_test.py --rounds 20 --clients 8
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

USERNAME = "crash.doc"
PASSWORD = "crash test password, not a secret"
CLINIC = "Crash Test Clinic"
VALUES = ("pain", "steps", "sitting_min", "sleep_h", "note")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20, help="server runs, each ended by SIGKILL")
    ap.add_argument("--clients", type=int, default=8, help="concurrent writer threads")
    ap.add_argument(
        "--seconds-per-round",
        type=float,
        default=2.0,
        help="the kill comes at a random moment within this many seconds of the writes starting",
    )
    ap.add_argument("--patients", type=int, default=10, help="patients whose days are logged")
    ap.add_argument(
        "--data-dir",
        type=Path,
        help="an empty or new directory for the database (kept); default: a temporary one, "
        "removed after a clean run",
    )
    ap.add_argument("--seed", type=int, help="random seed (default: chosen and printed)")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.clients < 1 or args.patients < 1 or args.seconds_per_round <= 0:
        ap.error("--rounds, --clients, --patients and --seconds-per-round must be positive")
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def painpath(*args: str, env: dict[str, str]) -> str:
    """Run the real CLI (`python -m painpath ...`); its standard output, or exit on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "painpath", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"painpath {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@dataclass
class Ledger:
    """Every write sent (key → values), and what became of it. Shared by the client threads."""

    today: dt.date
    patients: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=itertools.count)
    sent: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    acknowledged: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    in_flight: set[tuple[str, str]] = field(default_factory=set)
    refused: dict[int, int] = field(default_factory=dict)  # status → count
    errors_before_kill: list[str] = field(default_factory=list)

    def next_write(self, rng: random.Random) -> tuple[tuple[str, str], dict[str, Any]]:
        """A (patient, day) key never used before, and values unique to this write."""
        with self.lock:
            n = next(self.counter)
        patient = self.patients[n % len(self.patients)]
        day = self.today - dt.timedelta(days=n // len(self.patients))
        if day < dt.date(1990, 1, 1):  # a physician may log 1990-01-01 to today
            raise RuntimeError("out of distinct (patient, day) keys: add --patients")
        values = {
            "pain": rng.randint(0, 10),
            "steps": rng.randint(0, 200_000),
            "sitting_min": rng.randint(0, 1440),
            "sleep_h": rng.randint(0, 240) / 10,
            # No blank at either end: the API strips them, and the check wants exact values.
            "note": f"crash-test write {n}:" + "x" * rng.randint(0, 1500),
        }
        key = (patient, day.isoformat())
        with self.lock:
            self.sent[key] = values
        return key, values


class Server:
    """`painpath serve` in a subprocess, killed with SIGKILL."""

    def __init__(self, env: dict[str, str], token: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.killed = threading.Event()
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "painpath", "serve", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
            while True:
                if self.proc.poll() is not None:
                    sys.exit(f"painpath serve exited with {self.proc.returncode}; see {log}")
                with suppress(httpx.TransportError):
                    if http.get(f"{self.url}/api/v1/auth/me", timeout=2).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    self.kill()
                    sys.exit(f"painpath serve did not answer within 60 s; see {log}")
                time.sleep(0.05)

    def kill(self) -> None:
        self.killed.set()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def writer(
    server: Server, token: str, ledger: Ledger, rng: random.Random, stop: threading.Event
) -> int:
    """PUT new days until the server dies or the round ends; the number acknowledged."""
    acked = 0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        while not stop.is_set():
            key, values = ledger.next_write(rng)
            patient, day = key
            try:
                r = http.put(f"/api/v1/patients/{patient}/logs/{day}", json=values)
            except httpx.TransportError as exc:
                with ledger.lock:
                    ledger.in_flight.add(key)
                    if not server.killed.is_set():
                        ledger.errors_before_kill.append(f"{type(exc).__name__}: {exc}")
                return acked
            with ledger.lock:
                if r.is_success:
                    ledger.acknowledged[key] = values
                    acked += 1
                else:
                    ledger.refused[r.status_code] = ledger.refused.get(r.status_code, 0) + 1
    return acked


def run_round(
    server: Server, token: str, ledger: Ledger, clients: int, kill_after: float, seed: str
) -> tuple[int, float]:
    """Writers against a running server, killed after ``kill_after`` seconds; (acked, seconds)."""
    stop = threading.Event()
    counts = [0] * clients

    def work(i: int) -> None:
        counts[i] = writer(server, token, ledger, random.Random(f"{seed}-{i}"), stop)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(kill_after)
    server.kill()
    elapsed = time.monotonic() - started
    stop.set()
    for t in threads:
        t.join(timeout=120)
        if t.is_alive():
            sys.exit("a writer thread did not finish after the kill")
    return sum(counts), elapsed


@contextmanager
def data_directory(given: Path | None) -> Iterator[tuple[Path, bool]]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        if (given / "painpath.db").exists():
            sys.exit(f"{given} already holds a database; give an empty or new --data-dir")
        yield given, True
        return
    yield Path(tempfile.mkdtemp(prefix="painpath-crash-")), False


def verify(db_file: Path, ledger: Ledger) -> dict[str, Any]:
    """Check the database file directly (the server is down)."""
    con = sqlite3.connect(db_file)
    try:
        integrity = ", ".join(row[0] for row in con.execute("PRAGMA integrity_check"))
        fk_problems = con.execute("PRAGMA foreign_key_check").fetchall()
        rows = {
            (patient, str(day)): (log_id, dict(zip(VALUES, rest, strict=True)))
            for log_id, patient, day, *rest in con.execute(
                "SELECT id, patient_id, day, pain, steps, sitting_min, sleep_h, note FROM daily_log"
            )
        }
        audited: dict[str, int] = dict(
            con.execute(
                "SELECT record_id, count(*) FROM audit_event "
                "WHERE action = 'daily_log.write' AND outcome = 'success' GROUP BY record_id"
            ).fetchall()
        )
    finally:
        con.close()
    lost = [key for key in ledger.acknowledged if key not in rows]
    corrupt = [key for key, (_, values) in rows.items() if ledger.sent.get(key) != values]
    log_ids = {log_id for log_id, _ in rows.values()}
    audit_missing = [key for key, (log_id, _) in rows.items() if audited.get(log_id) != 1]
    audit_orphans = [record_id for record_id in audited if record_id not in log_ids]
    unacked = ledger.sent.keys() - ledger.acknowledged.keys()
    return {
        "rows stored": len(rows),
        "in flight at a kill": len(ledger.in_flight),
        "in flight and stored anyway": len(unacked & rows.keys()),
        "lost": len(lost),
        "corrupt": len(corrupt),
        "audit events missing": len(audit_missing),
        "audit events without a log": len(audit_orphans),
        "integrity_check": integrity,
        "foreign_key_check": "ok" if not fk_problems else f"{len(fk_problems)} problems",
        "_examples": {
            "lost": lost[:5],
            "corrupt": corrupt[:5],
            "audit missing": audit_missing[:5],
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    began = time.monotonic()
    with data_directory(args.data_dir) as (data_dir, keep):
        db_file = data_dir / "painpath.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAINPATH_")}
        env |= {
            "PAINPATH_DATA_DIR": str(data_dir),
            "PAINPATH_DATABASE_URL": f"sqlite:///{db_file}",
            "PAINPATH_PASSWORD": PASSWORD,
        }
        log = data_dir / "server.log"
        painpath("db", "upgrade", env=env)
        painpath(
            "user", "create", "--username", USERNAME, "--role", "physician", "--clinic", CLINIC,
            env=env,
        )  # fmt: skip
        token = painpath("token", "create", "--username", USERNAME, "--name", "crash", env=env)
        token = token.strip().splitlines()[-1]

        ledger: Ledger | None = None
        per_round: list[int] = []
        seconds = 0.0
        kills = 0
        for number in range(1, args.rounds + 1):
            server = Server(env, token, log)
            if ledger is None:
                with httpx.Client(
                    base_url=server.url, headers={"Authorization": f"Bearer {token}"}
                ) as http:
                    patients = []
                    for i in range(args.patients):
                        r = http.post("/api/v1/patients", json={"name": f"Crash Patient {i}"})
                        if r.status_code != 201:
                            sys.exit(f"creating a patient: {r.status_code} {r.text}")
                        patients.append(r.json()["id"])
                today = dt.datetime.now(dt.UTC).astimezone().date()
                ledger = Ledger(today=today, patients=patients)
            kill_after = rng.uniform(0.1, args.seconds_per_round)
            acked, elapsed = run_round(
                server, token, ledger, args.clients, kill_after, f"{seed}-{number}"
            )
            kills += server.proc.returncode == -signal.SIGKILL
            per_round.append(acked)
            seconds += elapsed

        # The server must come back once more after the last kill; then stop it cleanly.
        Server(env, token, log).stop()
        assert ledger is not None
        found = verify(db_file, ledger)
        examples = found.pop("_examples")
        server_errors = sum(n for status, n in ledger.refused.items() if status >= 500)
        figures: dict[str, Any] = {
            "seed": seed,
            "rounds": args.rounds,
            "kills": kills,
            "clients": args.clients,
            "writes attempted": len(ledger.sent),
            "acknowledged": len(ledger.acknowledged),
            "acknowledged per round": " ".join(map(str, per_round)),
            "refused": sum(ledger.refused.values()),
            "server errors": server_errors,
            "transport errors before a kill": len(ledger.errors_before_kill),
            **found,
            "writes/s": f"{len(ledger.acknowledged) / seconds:.1f}" if seconds else "0",
            "seconds": f"{time.monotonic() - began:.1f}",
        }
        for name, value in figures.items():
            print(f"{name}: {value}")
        failed = (
            found["lost"]
            or found["corrupt"]
            or found["audit events missing"]
            or found["audit events without a log"]
            or found["integrity_check"] != "ok"
            or found["foreign_key_check"] != "ok"
            or ledger.refused
            or ledger.errors_before_kill
        )
        if failed:
            for what, keys in examples.items():
                if keys:
                    print(f"examples of {what}: {keys}", file=sys.stderr)
            if ledger.refused:
                print(f"refused by status: {ledger.refused}", file=sys.stderr)
            for error in ledger.errors_before_kill[:5]:
                print(f"transport error before a kill: {error}", file=sys.stderr)
            print(f"FAILED; the data directory is kept: {data_dir}", file=sys.stderr)
            return 1
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        print("result: ok")
        return 0


if __name__ == "__main__":
    sys.exit(main())
