"""Imaging in context: each finding beside its prevalence in people of that age without pain.

care-model.md §3 (seed 002; Brinjikji 2015): a degenerative finding is shown with how common
it is in pain-free people of the patient's age, in reassuring plain language, never as the
organising label of the plan. Between the table's decade points the prevalence is interpolated
linearly; outside them it is held at the nearest end (20 or 80 years).
"""

from __future__ import annotations

import math
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


def _region_words(regions: tuple[str, ...]) -> str:
    return ", ".join(r.replace("_", " ") for r in regions)


def imaging_context(
    table: ImagingTable,
    *,
    age: int,
    finding: str,
    level: str | None = None,
    region: str | None = None,
    common_at_pct: float = 30,
    nerve_signs: bool = False,
) -> ImagingContext:
    """One finding in context, with a plain-language sentence for the patient.

    Rule ``imaging.<finding>``: the prevalence among people of that age without back pain
    (Brinjikji 2015). Common findings are described as common, and — honestly — as not proof
    of the cause on their own; less common ones are left for the clinician to explain; with
    nerve signs, a finding that can affect a nerve root is said to be possibly relevant.
    Findings the table does not cover (or imaging of a region it does not describe) come back
    ``in_reference: false``, "not in reference table".
    """
    row = table.row(finding)
    label = row.label if row else finding.replace("_", " ").capitalize()
    outside = region is not None and region not in table.regions
    if row is None or outside:
        why = f" (it describes {_region_words(table.regions)} imaging)" if outside else ""
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
    people = math.floor(pct + 0.5)
    common = pct >= common_at_pct
    seen = (
        f"{label} shows up on the scans of about {people} in 100 people aged {shown_age}{held} "
        "who have no back pain"
    )
    if nerve_signs and row.can_affect_nerve_root:
        text = (
            f"{seen}. With the nerve symptoms in your leg, though, it may be relevant to your "
            "pain; your clinician will explain what it means for your plan."
        )
    elif common:
        text = (
            f"{seen} at all. Because it is so common in people without pain, on its own it is "
            "not proof of what is causing yours."
        )
    else:
        text = (
            f"{seen}, so it is less common; your clinician will explain what it does and does "
            "not mean for you. Many people with it have no pain."
        )
    return ImagingContext(
        finding=finding,
        label=label,
        level=level,
        age=age,
        prevalence_pct=pct,
        in_reference=True,
        common=common,
        can_affect_nerve_root=row.can_affect_nerve_root,
        text=text,
        source=tuple(c.short for c in row.source),
    )
