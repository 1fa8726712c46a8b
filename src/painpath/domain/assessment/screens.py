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
    RedFlagGroup,
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
) -> tuple[tuple[RedFlagResult, ...], tuple[Reason, ...]]:
    """Every red flag raised, most urgent first (rule ``red_flags.<id>``), and notes on
    features that did not reach their group's threshold.

    A flag's urgency is its own, or a conditional one (``urgency_if``); when at least
    ``escalate_at`` flags of its group are present, urgency and referral become the group's
    escalated ones. A group with ``min_present`` raises its features only together. A
    combination of groups (malignancy with a motor deficit) is a flag of its own.
    """
    found = set(recorded)
    present = [(f, why) for f in catalog.flags for ok, why in [_raised(f, found, facts)] if ok]
    per_group = Counter(f.group for f, _ in present)
    groups = {g.id: g for g in catalog.groups}
    notes: list[Reason] = []
    raised = []
    for flag, why in present:
        group = groups[flag.group]
        if per_group[flag.group] < group.min_present:
            notes.append(
                Reason(
                    rule=f"red_flags.{flag.id}",
                    text=f"{flag.label}: noted, not flagged — {group.label} needs "
                    f"{group.min_present} of its features together ({per_group[flag.group]} "
                    "present)",
                    data={"group": flag.group, "present": per_group[flag.group]},
                    sources=sources_of(flag, group),
                )
            )
        else:
            raised.append((flag, why))
    results = [
        _flag_result(flag, why, groups[flag.group], per_group, facts) for flag, why in raised
    ]
    active = {f.group for f, _ in raised}
    for combo in catalog.combinations:
        if all(g in active for g in combo.groups):
            labels = " and ".join(groups[g].label for g in combo.groups)
            results.append(
                RedFlagResult(
                    id=combo.id,
                    label=combo.label,
                    group="combination",
                    kind="red_flag",
                    urgency=combo.urgency,
                    referral=combo.referral,
                    reason=Reason(
                        rule=f"red_flags.{combo.id}",
                        text=f"{combo.label}: flags of {labels} together; urgency "
                        f"{combo.urgency}; refer: {combo.referral}",
                        data={"groups": list(combo.groups), "urgency": combo.urgency},
                        sources=combo.source,
                    ),
                )
            )
    results.sort(key=lambda r: -URGENCY_ORDER[r.urgency])
    return tuple(results), tuple(notes)


def _flag_result(
    flag: RedFlag,
    why: str,
    group: RedFlagGroup,
    per_group: Counter[str],
    facts: Facts,
) -> RedFlagResult:
    urgency: Urgency = flag.urgency
    referral = flag.referral
    notes = []
    for alternative in flag.urgency_if:
        held, _ = holds_all(alternative.when, (), facts)
        if held:
            urgency = alternative.urgency
            notes.append(f"{describe_tests(alternative.when)} → {urgency}")
            break
    escalated = group.escalated_urgency
    if (
        group.escalate_at is not None
        and escalated is not None
        and group.escalated_referral is not None
        and per_group[flag.group] >= group.escalate_at
        and URGENCY_ORDER[escalated] >= URGENCY_ORDER[urgency]
    ):
        urgency, referral = escalated, group.escalated_referral
        notes.append(f"{per_group[flag.group]} {group.label} flags together → {urgency}")
    text = f"{flag.label}: {why}; urgency {urgency}" + (f" ({'; '.join(notes)})" if notes else "")
    return RedFlagResult(
        id=flag.id,
        label=flag.label,
        group=flag.group,
        kind=flag.kind,
        urgency=urgency,
        referral=referral,
        reason=Reason(
            rule=f"red_flags.{flag.id}",
            text=f"{text}; refer: {referral}",
            data={"urgency": urgency, "group": flag.group},
            sources=sources_of(flag, group) if notes else flag.source,
        ),
    )


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
    ``high_components`` of them are high, low when at least ``low_components`` are low and none
    is high, moderate otherwise.
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
    lows = sum(1 for g in components.values() if g == "low")
    grade: Grade
    if highs >= rules.high_components.value:
        grade = "high"
    elif highs == 0 and lows >= rules.low_components.value:
        grade = "low"
    else:
        grade = "moderate"
    text = (
        f"provoked by {inputs.provoked_by} activity ({components['provocation']}), peak "
        f"{inputs.peak_severity}/10 ({components['severity']}; high ≥ "
        f"{rules.severity_high_at.value:g}, low ≤ {rules.severity_low_at.value:g}), settles in "
        f"{inputs.settle_hours:g} h ({components['settle']}; high ≥ "
        f"{rules.settle_high_hours.value:g} h, low ≤ {rules.settle_low_hours.value:g} h) → "
        f"{grade} ({highs} high, {lows} low; high needs {rules.high_components.value:g} high, "
        f"low needs {rules.low_components.value:g} low and none high)"
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
                rules.low_components,
            ),
        ),
    )
