"""Reading browser forms: every value named, typed and range-checked, with the message a person
reads next to the field; what was typed is kept so an error never loses it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from starlette.datastructures import FormData

__all__ = ["FormReader", "errors_by_field", "text_field"]


def text_field(form: FormData, name: str, *, limit: int = 2000, strip: bool = True) -> str:
    """A text value of a form (empty when missing or not text), cut at ``limit`` characters."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    value = value.replace("\x00", "")
    return (value.strip() if strip else value)[:limit]


def _plain(x: float) -> str:
    # 1000000 → "1,000,000", 0.5 → "0.5" (never "1e+06" in a message a person reads)
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def errors_by_field(errors: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Service or form errors as ``{field: message}`` (the first message of each field)."""
    out: dict[str, str] = {}
    for field, message in errors:
        out.setdefault(field, message)
    return out


class FormReader:
    """Typed values out of a form; each problem is kept as (field, message), never raised."""

    def __init__(self, form: FormData | Mapping[str, Any]) -> None:
        self.form = form
        self.errors: list[tuple[str, str]] = []

    def raw(self, name: str) -> str:
        value = self.form.get(name)
        return value.replace("\x00", "").strip() if isinstance(value, str) else ""

    def raw_all(self, name: str) -> list[str]:
        getter = getattr(self.form, "getlist", None)
        values: Sequence[Any] = getter(name) if getter else [self.form.get(name)]
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    def typed(self) -> dict[str, str]:
        """Everything typed, as text, to fill the form again."""
        keys = self.form.keys()
        return {k: self.raw(k) for k in keys if k != "csrf_token"}

    def _missing(self, name: str, required: bool, label: str | None) -> None:
        if required:
            self.errors.append((name, f"{label or 'this'} is required"))

    def text(
        self, name: str, *, limit: int = 2000, required: bool = False, label: str | None = None
    ) -> str | None:
        value = self.raw(name)
        if not value:
            self._missing(name, required, label)
            return None
        if len(value) > limit:
            self.errors.append((name, f"must be at most {limit:,} characters"))
            return None
        return value

    def number(
        self,
        name: str,
        lo: float,
        hi: float,
        *,
        required: bool = False,
        label: str | None = None,
        whole: bool = False,
    ) -> float | None:
        value = self.raw(name).replace(",", "")
        if not value:
            self._missing(name, required, label)
            return None
        kind = "a whole number" if whole else "a number"
        span = f"from {_plain(lo)} to {_plain(hi)}"
        try:
            number = float(value)
        except ValueError:
            self.errors.append((name, f"must be {kind} {span}"))
            return None
        if (
            not math.isfinite(number)
            or not lo <= number <= hi
            or (whole and not number.is_integer())
        ):
            self.errors.append((name, f"must be {kind} {span}"))
            return None
        return number

    def integer(
        self, name: str, lo: int, hi: int, *, required: bool = False, label: str | None = None
    ) -> int | None:
        value = self.number(name, lo, hi, required=required, label=label, whole=True)
        return None if value is None else int(value)

    def date(
        self,
        name: str,
        *,
        required: bool = False,
        label: str | None = None,
        lo: dt.date | None = None,
        hi: dt.date | None = None,
    ) -> dt.date | None:
        value = self.raw(name)
        if not value:
            self._missing(name, required, label)
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.errors.append((name, "must be a date (YYYY-MM-DD)"))
            return None
        if (lo and day < lo) or (hi and day > hi):
            self.errors.append((name, f"must be between {lo or 'any date'} and {hi or 'any date'}"))
            return None
        return day

    def choice(
        self,
        name: str,
        options: Iterable[str],
        *,
        required: bool = False,
        label: str | None = None,
    ) -> str | None:
        allowed = list(options)
        value = self.raw(name)
        if not value:
            self._missing(name, required, label)
            return None
        if value not in allowed:
            self.errors.append((name, f"must be one of: {', '.join(allowed)}"))
            return None
        return value

    def checked(self, name: str) -> bool:
        return self.raw(name) in {"on", "true", "1", "yes"}
