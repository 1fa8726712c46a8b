"""Settings read from the environment, validated once at start-up (the composition root's input).

Every setting is a ``PAINPATH_*`` environment variable; docs/deploy.md lists them. Bad values stop
the program with a message naming the variable, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "SettingsError", "load_settings"]


class SettingsError(ValueError):
    """A ``PAINPATH_*`` variable holds a value Painpath cannot use."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the server, the CLI and the tests configure: where data lives and how sessions age."""

    database_url: str
    data_dir: Path
    environment: str = "development"
    staff_idle_minutes: int = 30
    patient_idle_minutes: int = 60
    session_max_hours: int = 12
    login_failures_per_user: int = 5
    login_failures_per_address: int = 30
    login_window_minutes: int = 15
    secure_cookies: bool | None = None  # None: Secure except on plain-HTTP localhost

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a whole number ({low}–{high})") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: {value} is outside {low}–{high}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the process environment).

    >>> s = load_settings({"PAINPATH_DATA_DIR": "/srv/painpath"})
    >>> s.database_url, s.staff_idle_minutes
    ('sqlite:////srv/painpath/painpath.db', 30)
    """
    env = os.environ if env is None else env
    data_dir = Path(env.get("PAINPATH_DATA_DIR") or "var").expanduser()
    url = env.get("PAINPATH_DATABASE_URL") or f"sqlite:///{data_dir / 'painpath.db'}"
    if not url.startswith(("sqlite", "postgresql")):
        raise SettingsError(
            "PAINPATH_DATABASE_URL: use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    environment = env.get("PAINPATH_ENV", "development")
    if environment not in {"development", "production"}:
        raise SettingsError("PAINPATH_ENV: use development or production")
    secure = env.get("PAINPATH_SECURE_COOKIES")
    if secure not in (None, "", "auto", "true", "false"):
        raise SettingsError("PAINPATH_SECURE_COOKIES: use true, false or auto")
    if environment == "production" and secure == "false":
        raise SettingsError("PAINPATH_SECURE_COOKIES: production refuses cookies without Secure")
    return Settings(
        database_url=url,
        data_dir=data_dir,
        environment=environment,
        # ASVS 3.3.2 / the issue: staff sessions idle out within 30 minutes, never longer.
        staff_idle_minutes=_int(env, "PAINPATH_STAFF_IDLE_MINUTES", 30, 1, 30),
        patient_idle_minutes=_int(env, "PAINPATH_PATIENT_IDLE_MINUTES", 60, 1, 24 * 60),
        session_max_hours=_int(env, "PAINPATH_SESSION_MAX_HOURS", 12, 1, 72),
        login_failures_per_user=_int(env, "PAINPATH_LOGIN_FAILURES_PER_USER", 5, 1, 1000),
        login_failures_per_address=_int(env, "PAINPATH_LOGIN_FAILURES_PER_ADDRESS", 30, 1, 10000),
        login_window_minutes=_int(env, "PAINPATH_LOGIN_WINDOW_MINUTES", 15, 1, 24 * 60),
        secure_cookies=None if secure in (None, "", "auto") else secure == "true",
    )
