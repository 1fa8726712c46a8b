"""Reading medication orders for the MME calculation from JSON: FHIR R4 or a simple list.

The simple list is what a clinician types when there is no EHR at hand::

    [{"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3},
     {"ingredient": "fentanyl", "mcg_per_hr": 25},
     {"rxnorm": "856987", "dose_mg": 5, "doses_per_day": 4, "prn": true}]

An item names its drug by ``ingredient`` (or ``name``) and/or an RxNorm drug code, and gives
``dose_mg`` with ``doses_per_day``, or ``mcg_per_hr`` for a patch. A bad field is reported
against its item (``items[2].dose_mg``); the other items are still counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from painpath.domain.medications.orders import OrderLine, Quantity
from painpath.domain.numbers import read_number
from painpath.interop.fhir.medication import read_medication_requests

__all__ = ["ITEM_FIELDS", "OrdersInputError", "read_orders"]

ITEM_FIELDS = {
    "ingredient": "the opioid's name, e.g. oxycodone",
    "name": "the medication as written, e.g. 'Percocet 5/325'",
    "rxnorm": "an RxNorm drug code from the opioid table, e.g. 856987",
    "dose_mg": "mg of the opioid per dose, more than 0",
    "mcg_per_hr": "a patch's strength in mcg/hr, more than 0",
    "doses_per_day": "doses a day, more than 0 (the most the order allows, for PRN)",
    "prn": "true when taken as needed",
    "weeks": "how long it has been taken, in weeks",
}


class OrdersInputError(ValueError):
    """The input as a whole cannot be read (not a list of orders nor FHIR)."""


def _number(
    item: Mapping[str, Any], key: str, problems: list[tuple[str, str]], high: float
) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    allowed = f"give more than 0 and at most {high:g}"
    number = read_number(value)
    if isinstance(number, str):
        shown = "the number" if number == "is too large" else repr(value)
        problems.append((key, f"{shown} {number}; {allowed}"))
        return None
    if not 0 < number <= high:
        problems.append((key, f"{number:g} is out of range; {allowed}"))
        return None
    return number


def _simple(n: int, item: object) -> OrderLine:
    where = f"items[{n}]"
    if not isinstance(item, Mapping):
        return OrderLine(
            where, "", problems=(("item", "each item is an object"),), expect_opioid=True
        )
    problems: list[tuple[str, str]] = []
    for key in item:
        if key not in ITEM_FIELDS:
            problems.append((key, f"unknown field; use {', '.join(ITEM_FIELDS)}"))
    texts = {}
    for key in ("ingredient", "name", "rxnorm"):
        value = item.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append((key, "must be a non-empty string"))
        elif value is not None:
            texts[key] = value.strip()
    rxnorm = texts.get("rxnorm")
    if rxnorm is not None and not rxnorm.isdigit():
        problems.append(("rxnorm", f"{rxnorm!r} is not an RxNorm code (digits)"))
        rxnorm = None
    if not texts:
        problems.append(("ingredient", "name the drug: ingredient, name or rxnorm"))
    dose_mg = _number(item, "dose_mg", problems, 100_000)
    mcg = _number(item, "mcg_per_hr", problems, 1000)
    per_day = _number(item, "doses_per_day", problems, 48)
    _number(item, "weeks", problems, 5200)
    if dose_mg is not None and mcg is not None:
        problems.append(("mcg_per_hr", "give dose_mg or mcg_per_hr, not both"))
    prn = item.get("prn", False)
    if not isinstance(prn, bool):
        problems.append(("prn", f"{prn!r}: give true or false"))
        prn = False
    return OrderLine(
        where=where,
        label=texts.get("name") or texts.get("ingredient") or "",
        ingredient=texts.get("ingredient"),
        rxnorm=rxnorm,
        dose=Quantity(dose_mg, "mg") if dose_mg is not None else None,
        mcg_per_hr=mcg,
        doses_per_day=per_day,
        prn=prn,
        code_field="rxnorm" if rxnorm else ("ingredient" if "ingredient" in texts else "name"),
        problems=tuple(problems),
        expect_opioid=True,
    )


def _fhir(data: object, known_codes: set[str] | None) -> tuple[list[OrderLine], dict[str, int]]:
    try:
        read = read_medication_requests(data, known_codes)
    except ValueError as exc:
        raise OrdersInputError(str(exc)) from None
    return list(read.lines), read.skipped


def read_orders(
    data: object, known_codes: set[str] | None = None
) -> tuple[list[OrderLine], dict[str, int]]:
    """Order lines from parsed JSON: a FHIR MedicationRequest, Bundle or list of resources, a
    simple list of items, or ``{"medications": [...]}``. Returns the lines and the FHIR
    resource types skipped (with counts)."""
    if isinstance(data, Mapping) and "resourceType" in data:
        return _fhir(data, known_codes)
    if isinstance(data, Mapping) and isinstance(data.get("medications"), list):
        data = data["medications"]
    if isinstance(data, list):
        if not data:
            raise OrdersInputError("the list is empty: give at least one medication")
        if all(isinstance(x, Mapping) and "resourceType" in x for x in data):
            return _fhir(data, known_codes)
        return [_simple(n, item) for n, item in enumerate(data)], {}
    raise OrdersInputError(
        "expected a FHIR MedicationRequest, a Bundle, a list of resources, or a list of items "
        'like {"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3}'
    )
