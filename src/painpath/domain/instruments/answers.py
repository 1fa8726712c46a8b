"""Reading a set of answers: what counts as an answer, and the one-line error when it is not.

Answers are keyed by item number as a string ("1"…"n"); ``None`` or absence means unanswered.
An answer is a whole number in the item's allowed range. Anything else is refused with a
message naming the instrument, the item and what is allowed: ``phq9 item 4: 5 is out of range
0–3``. Nothing is coerced silently except a float that is exactly whole (3.0 → 3), which FHIR
decimals and JSON writers produce.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from painpath.domain.instruments.errors import ScoringError
from painpath.domain.instruments.model import InstrumentDefinition, Item

__all__ = ["read_answer", "read_answers", "show"]


def show(value: object) -> str:
    """A short, one-line rendering of a value for an error message."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else "a very large number"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value if len(value) <= 24 else value[:21] + "..."
        return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def read_answer(defn: InstrumentDefinition, item: Item, value: object) -> int:
    """Accept one answer for ``item`` or raise ScoringError naming it and the allowed range."""
    scale = defn.scale_for(item)
    where = f"{defn.id} item {item.id}"
    allowed = scale.describe()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoringError(
            f"{where}: {show(value)} is not a whole number; allowed answers are {allowed}",
            instrument=defn.id,
            item=item.id,
        )
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ScoringError(
                f"{where}: {show(value)} is not a whole number; allowed answers are {allowed}",
                instrument=defn.id,
                item=item.id,
            )
        value = int(value)
    if scale.accepts(value):
        return value
    if scale.min <= value <= scale.max:
        message = f"{where}: {value} is not an allowed answer; allowed answers are {allowed}"
    else:
        message = f"{where}: {show(value)} is out of range {allowed}"
    raise ScoringError(message, instrument=defn.id, item=item.id)


def read_answers(defn: InstrumentDefinition, answers: object) -> dict[str, int]:
    """Validate a whole set of answers; return the answered items as item id → value."""
    n = len(defn.items)
    keys = f'"1"…"{n}"' if n > 1 else '"1"'
    if not isinstance(answers, Mapping):
        raise ScoringError(
            f"{defn.id}: answers must be an object keyed by item number {keys}; "
            f"got {show(answers)}",
            instrument=defn.id,
        )
    ids = {item.id for item in defn.items}
    values: dict[str, int] = {}
    for key, value in answers.items():
        if not isinstance(key, str):
            raise ScoringError(
                f"{defn.id}: item keys are strings {keys}; got {show(key)}", instrument=defn.id
            )
        if key not in ids:
            raise ScoringError(
                f"{defn.id} item {show(key).strip(chr(34))}: unknown item; "
                f"{defn.id} has items {keys}",
                instrument=defn.id,
                item=key,
            )
        if value is None:
            continue
        values[key] = read_answer(defn, defn.item(key), value)
    return values
