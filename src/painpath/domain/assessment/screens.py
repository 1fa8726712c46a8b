"""Red flags and irritability: what overrides everything, and how gently to start.

care-model.md §3. Red flags come from a coded knowledge file (red_flags.yaml): a finding a
clinician records, or a fact such as PHQ-9 item 9 > 0. Irritability is graded from how little
provokes the symptoms, how severe they get and how long they take to settle (Maitland;
thresholds in assessment.yaml).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from painpath.domain.assessment.intake import IrritabilityInputs
from painpath.domain.assessment.knowledge import (
    URGENCY_ORDER,
    IrritabilityRules,
    RedFlag,
    RedFlagCatalog,
    Urgency,
)
from painpath.domain.assessment.result import Grade, IrritabilityResult, RedFlagResult
from painpath.domain.explain import Reason, sources_of
from painpath.domain.facts import Facts, describe_tests, holds_all

__all__ = ["grade_irritability", "screen_red_flags"]


def _raised(flag: RedFlag, recorded: set[str], facts: Facts) -> tuple[bool, str]:
    if flag.trigger:
        held, _ = holds_all(flag.trigger, (), facts)
        return held is True, describe_tests(flag.trigger)
    return flag.id in recorded, f"{flag.id} recorded at intake"


def screen_red_flags(
    catalog: RedFlagCatalog, recorded: Sequence[str], facts: Facts
) -> tuple[RedFlagResult, ...]:
    """Every red flag raised, most urgent first (rule ``red_flags.<id>``).

    A flag's urgency is its own, or a conditional one (``urgency_if``), raised to its group's
    escalated urgency when at least ``escalate_at`` flags of the group are present.
    """
    found = set(recorded)
    raised = [(f, why) for f in catalog.flags for ok, why in [_raised(f, found, facts)] if ok]
    per_group = Counter(f.group for f, _ in raised)
    groups = {g.id: g for g in catalog.groups}
    results = []
    for flag, why in raised:
        urgency: Urgency = flag.urgency
        notes = []
        for alternative in flag.urgency_if:
            held, _ = holds_all(alternative.when, (), facts)
            if held:
                urgency = alternative.urgency
                notes.append(f"{describe_tests(alternative.when)} → {urgency}")
                break
        group = groups[flag.group]
        if (
            group.escalate_at is not None
            and group.escalated_urgency is not None
            and per_group[flag.group] >= group.escalate_at
            and URGENCY_ORDER[group.escalated_urgency] > URGENCY_ORDER[urgency]
        ):
            urgency = group.escalated_urgency
            notes.append(f"{per_group[flag.group]} {group.label} flags together → {urgency}")
        text = f"{flag.label}: {why}; urgency {urgency}" + (
            f" ({'; '.join(notes)})" if notes else ""
        )
        results.append(
            RedFlagResult(
                id=flag.id,
                label=flag.label,
                group=flag.group,
                kind=flag.kind,
                urgency=urgency,
                referral=flag.referral,
                reason=Reason(
                    rule=f"red_flags.{flag.id}",
                    text=f"{text}; refer: {flag.referral}",
                    data={"urgency": urgency, "group": flag.group},
                    sources=flag.source,
                ),
            )
        )
    results.sort(key=lambda r: -URGENCY_ORDER[r.urgency])
    return tuple(results)


def _component(value: float, *, high_at: float, low_at: float) -> Grade:
    if value >= high_at:
        return "high"
    if value <= low_at:
        return "low"
    return "moderate"


def grade_irritability(
    inputs: IrritabilityInputs | None, rules: IrritabilityRules
) -> IrritabilityResult:
    """Grade irritability low, moderate or high (rule ``irritability.grade``).

    Each of the three inputs is graded high, moderate or low; the whole is high when at least
    ``high_components`` of them are high, low when all three are low, moderate otherwise.
    Without the inputs the grade is left empty and reported as missing, never guessed.
    """
    if inputs is None:
        return IrritabilityResult(
            grade=None,
            components={},
            missing=("irritability",),
            reason=Reason(
                rule="irritability.grade",
                text="not graded: irritability inputs (provocation, peak severity, time to "
                "settle) were not recorded",
                sources=rules.source,
            ),
        )
    by_provocation: dict[str, Grade] = {
        "minimal": "high",
        "moderate": "moderate",
        "vigorous": "low",
    }
    provocation = by_provocation[inputs.provoked_by]
    components: dict[str, Grade] = {
        "provocation": provocation,
        "severity": _component(
            inputs.peak_severity,
            high_at=rules.severity_high_at.value,
            low_at=rules.severity_low_at.value,
        ),
        "settle": _component(
            inputs.settle_hours,
            high_at=rules.settle_high_hours.value,
            low_at=rules.settle_low_hours.value,
        ),
    }
    highs = sum(1 for g in components.values() if g == "high")
    grade: Grade
    if highs >= rules.high_components.value:
        grade = "high"
    elif all(g == "low" for g in components.values()):
        grade = "low"
    else:
        grade = "moderate"
    text = (
        f"provoked by {inputs.provoked_by} activity ({components['provocation']}), peak "
        f"{inputs.peak_severity}/10 ({components['severity']}; high ≥ "
        f"{rules.severity_high_at.value:g}, low ≤ {rules.severity_low_at.value:g}), settles in "
        f"{inputs.settle_hours:g} h ({components['settle']}; high ≥ "
        f"{rules.settle_high_hours.value:g} h, low ≤ {rules.settle_low_hours.value:g} h) → "
        f"{grade} ({highs} of 3 high; high needs {rules.high_components.value:g})"
    )
    return IrritabilityResult(
        grade=grade,
        components=components,
        missing=(),
        reason=Reason(
            rule="irritability.grade",
            text=text,
            data={"grade": grade, **components},
            sources=sources_of(
                rules,
                rules.severity_high_at,
                rules.severity_low_at,
                rules.settle_high_hours,
                rules.settle_low_hours,
                rules.high_components,
            ),
        ),
    )
