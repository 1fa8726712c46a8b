"""Reading a number given as JSON or from Python: one rule for every adapter and engine."""

from __future__ import annotations

import math

__all__ = ["read_number"]


def read_number(value: object) -> float | str:
    """``value`` as a finite float, or a short phrase saying why it is not one.

    Booleans and text are not numbers (``True`` is not 1); NaN and infinities are not usable;
    a JSON integer with hundreds of digits is too large for a float (``float()`` would raise).

    >>> read_number(3), read_number(True), read_number(10**400)
    (3.0, 'is not a number', 'is too large')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "is not a number"
    try:
        number = float(value)
    except OverflowError:
        return "is too large"
    return number if math.isfinite(number) else "is not a number"
