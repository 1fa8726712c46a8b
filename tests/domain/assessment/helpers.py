"""A minimal valid intake to vary one field at a time in case tables."""

from __future__ import annotations

from typing import Any

BASE: dict[str, Any] = {
    "age": 45,
    "sex": "female",
    "duration_weeks": 20,
    "regions": ["low_back"],
    "distribution": "regional",
}


def intake(**changes: Any) -> dict[str, Any]:
    """BASE with ``changes`` applied (a value of ... removes the field)."""
    data = dict(BASE)
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data
