"""Reading FHIR R4 MedicationRequests into order lines for the MME calculation (sans-I/O).

Accepts one MedicationRequest, a Bundle (other resource types are skipped and counted), or a
JSON list of resources. Follows the CDC's MME profile and calculator (cqframework/opioid-mme-r4):
the RxNorm code of ``medicationCodeableConcept`` (or of the Medication a ``medicationReference``
points to, contained or in the Bundle); one ``dosageInstruction``; the dose from
``doseQuantity`` or the high end of ``doseRange``; doses a day from ``timing.repeat`` with
``frequencyMax`` before ``frequency`` (the most aggressive dosing), ``period`` and
``periodUnit`` defaulting to one day, else the count of ``timeOfDay``, else a ``timing.code``
such as BID. A problem in one request is reported against that request and never fails the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from painpath.domain.medications.orders import OrderLine, Quantity, doses_per_day
from painpath.domain.numbers import read_number

__all__ = ["RXNORM_SYSTEM", "FhirOrders", "read_medication_requests"]

RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_UCUM = "http://unitsofmeasure.org"
_CURRENT = {"active", "draft", "on-hold", "unknown"}
_MAX_VALUE = 100_000.0
_MAX_PER_DAY = 48.0  # as the simple list and the intake allow
_STATUSES = _CURRENT | {"cancelled", "completed", "entered-in-error", "stopped"}
# HL7 v3 GTSAbbreviation timing codes → doses a day.
_TIMING_CODES = {
    "QD": 1.0,
    "AM": 1.0,
    "PM": 1.0,
    "BED": 1.0,
    "BID": 2.0,
    "TID": 3.0,
    "QID": 4.0,
    "QOD": 0.5,
    "Q1H": 24.0,
    "Q2H": 12.0,
    "Q3H": 8.0,
    "Q4H": 6.0,
    "Q6H": 4.0,
    "Q8H": 3.0,
    "Q12H": 2.0,
    "WK": 1 / 7,
    "MO": 1 / 30,
}


@dataclass(frozen=True)
class FhirOrders:
    """The order lines read, and what was skipped (resource types Painpath does not read)."""

    lines: tuple[OrderLine, ...]
    skipped: dict[str, int]


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))


def _positive(
    value: object, field: str, problems: _Problems, *, whole: bool = False
) -> float | None:
    if value is None:
        return None
    number = read_number(value)
    if isinstance(number, str):
        shown = "the number" if number == "is too large" else repr(value)
        problems.add(field, f"{shown} {number} (at most {_MAX_VALUE:g})")
        return None
    if number > _MAX_VALUE:
        problems.add(field, f"{number:g} is above the most Painpath reads, {_MAX_VALUE:g}")
        return None
    if number <= 0:
        problems.add(field, f"{number:g} must be more than 0")
        return None
    if whole and not number.is_integer():
        problems.add(field, f"{number:g} must be a whole number")
        return None
    return number


def _quantity(data: object, field: str, problems: _Problems) -> Quantity | None:
    if not isinstance(data, Mapping):
        problems.add(field, "must be a Quantity object")
        return None
    value = _positive(data.get("value"), f"{field}.value", problems)
    if value is None:
        if data.get("value") is None:
            problems.add(f"{field}.value", "missing")
        return None
    system, code, unit = data.get("system"), data.get("code"), data.get("unit")
    chosen = code if (code and (system in (None, _UCUM))) else unit
    return Quantity(value, str(chosen) if chosen else None)


def _resources(data: object) -> Iterator[tuple[str, Mapping[str, Any], str | None]]:
    """(position, resource, fullUrl) for every resource in the input."""
    if isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
        for n, entry in enumerate(data.get("entry") or []):
            if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
                yield f"entry[{n}]", entry["resource"], entry.get("fullUrl")
    elif isinstance(data, Mapping):
        yield "", data, None
    elif isinstance(data, list):
        for n, resource in enumerate(data):
            if isinstance(resource, Mapping):
                yield f"[{n}]", resource, None


def _where(position: str, resource: Mapping[str, Any], full_url: str | None) -> str:
    rid = resource.get("id")
    name = f"MedicationRequest/{rid}" if isinstance(rid, str) and rid else "MedicationRequest"
    if position and not (isinstance(rid, str) and rid):
        return f"{position} {name}" + (f" ({full_url})" if full_url else "")
    return f"{position} {name}".strip()


def _concept(
    request: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]], problems: _Problems
) -> tuple[Mapping[str, Any] | None, str]:
    """The medication's CodeableConcept and the field it came from."""
    if isinstance(request.get("medicationCodeableConcept"), Mapping):
        return request["medicationCodeableConcept"], "medicationCodeableConcept"
    ref = request.get("medicationReference")
    if isinstance(ref, Mapping) and isinstance(ref.get("reference"), str):
        target = ref["reference"]
        if target.startswith("#"):
            contained = {
                r["id"]: r
                for r in request.get("contained") or []
                if isinstance(r, Mapping) and isinstance(r.get("id"), str)
            }
            found = contained.get(target[1:])
        else:
            found = medications.get(target)
        if isinstance(found, Mapping) and isinstance(found.get("code"), Mapping):
            return found["code"], "medicationReference"
        problems.add("medicationReference", f"{target} is not in the bundle or contained")
        return ({"text": ref.get("display")} if ref.get("display") else None), "medicationReference"
    problems.add("medication[x]", "missing: no medicationCodeableConcept or medicationReference")
    return None, "medication[x]"


def _frequency(instruction: Mapping[str, Any], base: str, problems: _Problems) -> float | None:
    timing = instruction.get("timing")
    if not isinstance(timing, Mapping):
        return None
    repeat = timing.get("repeat")
    if isinstance(repeat, Mapping):
        f_field = "frequencyMax" if repeat.get("frequencyMax") is not None else "frequency"
        written = repeat.get(f_field)
        if written is None and repeat.get("period") is not None:
            written = 1  # FHIR R4: with no frequency, the event occurs once per period
        frequency = _positive(written, f"{base}.timing.repeat.{f_field}", problems, whole=True)
        if frequency is not None:
            if repeat.get("period") is not None and repeat.get("periodUnit") is None:
                # FHIR invariant tim-2: a period needs its unit; guessing days could understate
                # "every 8" hours 24-fold.
                problems.add(f"{base}.timing.repeat.periodUnit", "missing: a period needs its unit")
                return None
            period = _positive(repeat.get("period", 1), f"{base}.timing.repeat.period", problems)
            unit = repeat.get("periodUnit", "d")
            if period is None:
                return None
            per_day = doses_per_day(frequency, period, str(unit))
            if per_day is None:
                problems.add(
                    f"{base}.timing.repeat.periodUnit",
                    f"{unit!r} is not a FHIR unit of time (s, min, h, d, wk, mo, a)",
                )
            elif per_day > _MAX_PER_DAY:
                problems.add(
                    f"{base}.timing.repeat",
                    f"{per_day:g} doses a day is more than {_MAX_PER_DAY:g}; check the timing",
                )
                return None
            return per_day
        if written is not None:
            return None
        times = repeat.get("timeOfDay")
        if isinstance(times, list) and times:
            return float(len(times))
    code = timing.get("code")
    if isinstance(code, Mapping):
        for coding in code.get("coding") or []:
            value = coding.get("code") if isinstance(coding, Mapping) else None
            if isinstance(value, str) and value in _TIMING_CODES:
                return _TIMING_CODES[value]
    return None


def _label(concept: Mapping[str, Any] | None) -> str:
    if concept is None:
        return ""
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return str(concept["text"]).strip()
    for coding in concept.get("coding") or []:
        if isinstance(coding, Mapping) and isinstance(coding.get("display"), str):
            return str(coding["display"]).strip()
    return ""


def _rxnorm(concept: Mapping[str, Any] | None, known: set[str] | None) -> str | None:
    codes = [
        str(c["code"])
        for c in (concept or {}).get("coding") or []
        if isinstance(c, Mapping) and c.get("system") == RXNORM_SYSTEM and c.get("code")
    ]
    if known is not None:
        for code in codes:
            if code in known:
                return code
    return codes[0] if codes else None


def _read(
    where: str,
    request: Mapping[str, Any],
    medications: Mapping[str, Mapping[str, Any]],
    known_codes: set[str] | None,
) -> OrderLine:
    problems = _Problems()
    status = request.get("status")
    if status is not None and (not isinstance(status, str) or status not in _STATUSES):
        problems.add("status", f"{status!r} is not a MedicationRequest status")
    concept, code_field = _concept(request, medications, problems)
    label = _label(concept)
    rxnorm = _rxnorm(concept, known_codes)
    instructions = request.get("dosageInstruction")
    dose: Quantity | None = None
    per_day: float | None = None
    prn = False
    base = "dosageInstruction[0]"
    if not isinstance(instructions, list) or not instructions:
        problems.add("dosageInstruction", "missing: no dose or frequency")
    elif len(instructions) > 1:
        problems.add(
            "dosageInstruction",
            f"has {len(instructions)} entries; the CDC MME profile reads exactly one — "
            "enter the order as a simple list instead",
        )
    elif not isinstance(instructions[0], Mapping):
        problems.add(base, "must be a Dosage object")
    else:
        instruction = instructions[0]
        prn = instruction.get("asNeededBoolean") is True or isinstance(
            instruction.get("asNeededCodeableConcept"), Mapping
        )
        rates = instruction.get("doseAndRate") or []
        first = rates[0] if isinstance(rates, list) and rates else None
        if isinstance(first, Mapping):
            if first.get("doseQuantity") is not None:
                dose = _quantity(
                    first["doseQuantity"], f"{base}.doseAndRate[0].doseQuantity", problems
                )
            elif isinstance(first.get("doseRange"), Mapping):
                high = first["doseRange"].get("high")
                if high is None:
                    problems.add(
                        f"{base}.doseAndRate[0].doseRange.high",
                        "missing: the range's high end is the dose counted",
                    )
                else:
                    dose = _quantity(high, f"{base}.doseAndRate[0].doseRange.high", problems)
            elif first.get("rateQuantity") is not None or first.get("rateRatio") is not None:
                problems.add(
                    f"{base}.doseAndRate[0]",
                    "a rate (infusion) cannot be converted to MME/day here",
                )
        per_day = _frequency(instruction, base, problems)
    field = f"{base}.timing.repeat.frequency"
    return OrderLine(
        where=where,
        label=label,
        rxnorm=rxnorm,
        dose=dose,
        doses_per_day=per_day,
        prn=prn,
        status=status if isinstance(status, str) else None,
        current=not isinstance(status, str) or status in _CURRENT or status not in _STATUSES,
        code_field=f"{code_field}.coding" if rxnorm else code_field,
        dose_field=f"{base}.doseAndRate[0].doseQuantity",
        frequency_field=field,
        problems=tuple(problems.items),
    )


def read_medication_requests(data: object, known_codes: set[str] | None = None) -> FhirOrders:
    """Order lines from FHIR R4 MedicationRequests in ``data`` (a resource, a Bundle or a list).

    ``known_codes`` (the opioid table's drug codes) picks, among several RxNorm codings, the one
    the table knows. Raises ValueError only when the input holds no MedicationRequest at all."""
    resources = list(_resources(data))
    medications: dict[str, Mapping[str, Any]] = {}
    for _, resource, full_url in resources:
        if resource.get("resourceType") == "Medication":
            if isinstance(resource.get("id"), str):
                medications[f"Medication/{resource['id']}"] = resource
            if isinstance(full_url, str):
                medications[full_url] = resource
    lines: list[OrderLine] = []
    skipped: dict[str, int] = {}
    seen: dict[str, str] = {}
    for position, resource, full_url in resources:
        kind = resource.get("resourceType")
        if kind == "MedicationRequest":
            line = _read(_where(position, resource, full_url), resource, medications, known_codes)
            rid = resource.get("id")
            if isinstance(rid, str) and rid:
                if rid in seen:  # the same order twice must not count twice
                    line = dataclasses.replace(line, duplicate_of=seen[rid])
                else:
                    seen[rid] = line.where
            lines.append(line)
        else:
            skipped[str(kind)] = skipped.get(str(kind), 0) + 1
    if not lines:
        kinds = ", ".join(sorted(skipped)) or "nothing"
        raise ValueError(f"no MedicationRequest found (the input holds {kinds})")
    return FhirOrders(tuple(lines), skipped)
