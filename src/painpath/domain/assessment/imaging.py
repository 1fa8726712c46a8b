"""Imaging in context: each finding beside its prevalence in people of that age without pain.

care-model.md §3 (seed 002; Brinjikji 2015): a degenerative finding is shown with how common
it is in pain-free people of the patient's age, in reassuring plain language, never as the
organising label of the plan. Between the table's decade points the prevalence is interpolated
linearly; outside them it is held at the nearest end (20 or 80 years).
"""

from __future__ import annotations

from itertools import pairwise

from painpath.domain.assessment.knowledge import ImagingTable
from painpath.domain.assessment.result import ImagingContext

__all__ = ["imaging_context", "prevalence_at"]


def prevalence_at(table: ImagingTable, finding: str, age: float) -> float | None:
    """Prevalence (%) of ``finding`` among people of ``age`` without pain; None if not in table.

    Rule ``imaging.prevalence``: linear interpolation between decade points, clamped to the
    table's first and last ages (Brinjikji 2015).
    """
    row = table.row(finding)
    if row is None:
        return None
    ages, values = table.ages, row.prevalence_pct
    if age <= ages[0]:
        return float(values[0])
    if age >= ages[-1]:
        return float(values[-1])
    for (a0, v0), (a1, v1) in pairwise(zip(ages, values, strict=True)):
        if a0 <= age <= a1:
            return round(v0 + (v1 - v0) * (age - a0) / (a1 - a0), 1)
    raise AssertionError("unreachable: ages are sorted and age lies between them")


def imaging_context(
    table: ImagingTable,
    *,
    age: int,
    finding: str,
    level: str | None = None,
    region: str | None = None,
    common_at_pct: float = 30,
) -> ImagingContext:
    """One finding in context, with a plain-language sentence for the patient.

    Findings the table does not cover (or imaging of a region it does not describe) are
    returned as ``in_reference: false`` with the text "not in reference table".
    """
    row = table.row(finding)
    label = row.label if row else finding.replace("_", " ").capitalize()
    outside = region is not None and region not in table.regions
    if row is None or outside:
        why = f" (the table describes {', '.join(table.regions)} imaging)" if outside else ""
        return ImagingContext(
            finding=finding,
            label=label,
            level=level,
            age=age,
            prevalence_pct=None,
            in_reference=False,
            common=None,
            text=f"not in reference table{why}",
            source=(),
        )
    pct = prevalence_at(table, finding, age)
    assert pct is not None
    shown_age = min(max(age, table.ages[0]), table.ages[-1])
    held = f" (the table ends at {shown_age})" if shown_age != age else ""
    people = round(pct)
    common = pct >= common_at_pct
    if common:
        text = (
            f"{label} shows up on the scans of about {people} in 100 people aged {shown_age}"
            f"{held} who have no back pain at all. It is a common, normal part of ageing and, on "
            "its own, does not explain your pain or mean your spine is damaged."
        )
    else:
        text = (
            f"{label} shows up on the scans of about {people} in 100 people aged {shown_age}"
            f"{held} who have no back pain. It is less common, so your clinician will explain "
            "what it does and does not mean for you; many people with it have no pain."
        )
    return ImagingContext(
        finding=finding,
        label=label,
        level=level,
        age=age,
        prevalence_pct=pct,
        in_reference=True,
        common=common,
        text=text,
        source=tuple(c.short for c in row.source),
    )
