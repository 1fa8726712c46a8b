"""A compact builder for timeline dicts (docs/signals.md, "The timeline").

Series are written as per-day tokens from ``start``: ``"3 3 . 7"`` is pain 3 on day 0 and 1,
nothing logged on day 2, 7 on day 3; ``"3*7"`` repeats a token seven times. Sessions, events
and checkpoints are keyed by day offset::

    timeline(pain="3*7 7 6 3", goals={"walk": "10 10 . 12"}, sessions={7: "passive"},
             events={9: "moved house"}, checkpoints={14: "continue"}, reported={7: 2})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

START = dt.date(2026, 1, 5)
KINDS = ("passive", "active", "psychological", "intervention", "surgery")


def day(n: int, start: dt.date = START) -> dt.date:
    """The date ``n`` days after ``start``."""
    return start + dt.timedelta(days=n)


def iso(n: int, start: dt.date = START) -> str:
    return day(n, start).isoformat()


def series(tokens: str) -> list[float | None]:
    """``"3 . 2.5 4*3"`` → [3, None, 2.5, 4, 4, 4] (whole numbers stay ints)."""
    out: list[Any] = []
    for token in tokens.split():
        value, _, times = token.partition("*")
        parsed = None if value == "." else float(value)
        if parsed is not None and parsed.is_integer():
            parsed = int(parsed)
        out.extend([parsed] * (int(times) if times else 1))
    return out


def goal(
    gid: str,
    baseline: float,
    target: float,
    *,
    direction: str | None = None,
    meaningful_change: float | None = None,
) -> dict[str, Any]:
    """A goal; its direction follows from baseline and target unless given."""
    g: dict[str, Any] = {
        "id": gid,
        "metric": gid,
        "baseline": baseline,
        "target": target,
        "direction": direction or ("increase" if target > baseline else "decrease"),
    }
    if meaningful_change is not None:
        g["meaningful_change"] = meaningful_change
    return g


def _modalities(spec: str | Sequence[str]) -> list[dict[str, str]]:
    names = [spec] if isinstance(spec, str) else list(spec)
    # A bare kind becomes a modality of that kind; anything else is a treatment id.
    return [{"name": n, "kind": n} if n in KINDS else {"name": n} for n in names]


def timeline(
    pain: str = "",
    *,
    start: dt.date = START,
    goals: Mapping[str, str] | None = None,
    goal_defs: Sequence[Mapping[str, Any]] = (),
    sessions: Mapping[int, str | Sequence[str]] | None = None,
    events: Mapping[int, str] | None = None,
    checkpoints: Mapping[int, str | Mapping[str, Any]] | None = None,
    phase: str | None = None,
    reported: Mapping[int, int] | None = None,
    steps: str = "",
    patient_id: str = "p1",
) -> dict[str, Any]:
    """A timeline dict. Goals logged in ``goals`` without a definition in ``goal_defs`` are
    defined as 10 → 30, increasing (meaningful change 4)."""
    goals = dict(goals or {})
    defs = {g["id"]: dict(g) for g in goal_defs}
    for gid in goals:
        defs.setdefault(gid, goal(gid, 10, 30))
    days: dict[int, dict[str, Any]] = {}

    def put(n: int, key: str, value: Any) -> None:
        days.setdefault(n, {"date": iso(n, start)})[key] = value

    for key, tokens in (("pain", pain), ("steps", steps)):
        for n, v in enumerate(series(tokens)):
            if v is not None:
                put(n, key, v)
    for gid, tokens in goals.items():
        for n, v in enumerate(series(tokens)):
            if v is not None:
                days.setdefault(n, {"date": iso(n, start)}).setdefault("goals", {})[gid] = v
    for n, text in (events or {}).items():
        put(n, "event", text)
    out: dict[str, Any] = {
        "patient_id": patient_id,
        "start": start.isoformat(),
        "goals": list(defs.values()),
        "days": [days[n] for n in sorted(days)],
        "sessions": [
            {"date": iso(n, start), "modalities": _modalities(m)}
            | ({"relief_window_days": (reported or {})[n]} if n in (reported or {}) else {})
            for n, m in sorted((sessions or {}).items())
        ],
        "checkpoints": [
            {"date": iso(n, start)} | ({"decision": c} if isinstance(c, str) else dict(c))
            for n, c in sorted((checkpoints or {}).items())
        ],
    }
    if phase is not None:
        out["phase"] = phase
    return out
