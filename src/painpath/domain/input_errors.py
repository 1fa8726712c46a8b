"""Plain-language messages for input that fails validation, each naming its JSON path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from painpath.domain.instruments.answers import show

__all__ = ["describe", "json_path"]


def json_path(loc: tuple[int | str, ...], root: str) -> str:
    """The JSON path of a pydantic error location: ``days[3].pain``; ``root`` when empty."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (key)"
        else:
            out += f".{part}" if out else part
    return out or root


def _bound(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def describe(error: Mapping[str, Any]) -> str:
    """One plain line for a pydantic error, naming the value and what is allowed."""
    kind, value = error["type"], error.get("input")
    ctx = {k: _bound(v) for k, v in (error.get("ctx") or {}).items()}
    shown = show(value)
    messages = {
        "less_than_equal": f"{shown} is above the maximum {ctx.get('le')}",
        "greater_than_equal": f"{shown} is below the minimum {ctx.get('ge')}",
        "less_than": f"{shown} must be below {ctx.get('lt')}",
        "greater_than": f"{shown} must be above {ctx.get('gt')}",
        "literal_error": f"{shown} is not one of {ctx.get('expected')}",
        "missing": "required",
        "extra_forbidden": "unknown field",
        "string_pattern_mismatch": (
            f"{shown} is not an RxNorm code (digits only)"
            if ctx.get("pattern", "").startswith("^[0-9]")
            else f"{shown} is not a code (lower-case letters, digits, _)"
        ),
        "too_long": f"too many entries; at most {ctx.get('max_length')}",
        "string_too_long": f"longer than {ctx.get('max_length')} characters",
        "too_short": f"needs at least {ctx.get('min_length')}",
        "string_too_short": (
            "must not be empty"
            if int(ctx.get("min_length") or 1) <= 1
            else f"must be at least {ctx.get('min_length')} characters"
        ),
    }
    if kind in messages:
        return messages[kind]
    return str(error["msg"]).removeprefix("Value error, ")
