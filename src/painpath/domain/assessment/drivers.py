"""Drivers and psychosocial findings: rules as data over the patient's facts.

care-model.md §1 and §3: chronic pain is usually kept alive by several drivers at once —
sensitisation, movement avoidance, psychosocial load, biomechanical faults, inflammation. Each
piece of evidence (drivers.yaml) adds points to one driver; drivers are ranked by their points.
The points are Painpath's weighting of the evidence, not a validated score: they order the
list, the evidence is what a clinician reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from painpath.domain.assessment.knowledge import DriverRules, PsychosocialRules
from painpath.domain.assessment.result import DriverResult, PsychosocialFinding
from painpath.domain.explain import Reason
from painpath.domain.facts import Facts, describe_tests, holds_all
from painpath.domain.instruments import Score

__all__ = ["find_psychosocial", "rank_drivers"]


def rank_drivers(rules: DriverRules, facts: Facts) -> tuple[tuple[DriverResult, ...], set[str]]:
    """Score every driver from its evidence rules and rank them (rule ``drivers.<evidence>``).

    Returns the drivers, those with evidence first (rank 1 = most evidence; drivers with
    equal points share a rank and are listed in the order of drivers.yaml), and the facts that
    were missing for some rule.
    """
    found: dict[str, list[tuple[int, Reason]]] = {d.id: [] for d in rules.drivers}
    missing: set[str] = set()
    for rule in rules.evidence:
        held, lacked = holds_all(rule.when, rule.when_any, facts)
        missing.update(lacked)
        if held:
            data = {t.fact: _shown(facts.get(t.fact)) for t in (*rule.when, *rule.when_any)}
            found[rule.driver].append(
                (
                    rule.points,
                    Reason(
                        rule=f"drivers.{rule.id}",
                        text=f"{rule.label} ({describe_tests(rule.when, rule.when_any)}) "
                        f"→ +{rule.points} {rule.driver}",
                        data={"points": rule.points, **data},
                        sources=rule.source,
                    ),
                )
            )
    scored = [(sum(p for p, _ in found[d.id]), n, d) for n, d in enumerate(rules.drivers)]
    ordered = sorted(scored, key=lambda x: (-x[0], x[1]))
    results = []
    for score, _, d in ordered:
        rank = 1 + sum(1 for other, _, _ in scored if other > score)
        results.append(
            DriverResult(
                id=d.id,
                label=d.label,
                score=score,
                rank=rank if score > 0 else None,
                explanation=d.explanation,
                evidence=tuple(r for _, r in found[d.id]),
            )
        )
    return tuple(results), missing


def _shown(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def find_psychosocial(
    rules: PsychosocialRules, facts: Facts, scores: Mapping[str, Score]
) -> tuple[tuple[PsychosocialFinding, ...], list[str]]:
    """The psychosocial findings that hold (rule ``psychosocial.<id>``), and what was not
    assessed because no instrument of an expected group was administered."""
    findings = []
    for rule in rules.findings:
        held, _ = holds_all(rule.when, rule.when_any, facts)
        if not held:
            continue
        # The value shown is the one of the instrument whose test held (TSK-11, not TSK-17).
        tests = (*rule.when, *rule.when_any)
        triggered = [
            i for i in rule.instruments
            if any(t.fact.startswith(f"q.{i}.") and t.check(facts) for t in tests)
        ]  # fmt: skip
        given = triggered or [i for i in rule.instruments if i in scores]
        s = scores[given[0]] if given else None
        value = s.total if s else None
        shown = f"{s.name} {s.total}" + (f" ({s.band_label})" if s.band_label else "") if s else ""
        findings.append(
            PsychosocialFinding(
                id=rule.id,
                label=rule.label,
                instrument=s.instrument if s else None,
                value=value,
                band=s.band if s else None,
                action=rule.action,
                reason=Reason(
                    rule=f"psychosocial.{rule.id}",
                    text=f"{rule.label}: {shown + '; ' if shown else ''}"
                    f"{describe_tests(rule.when, rule.when_any)} → {rule.action}",
                    data={"value": value},
                    sources=rule.source,
                ),
            )
        )
    not_assessed = [
        f"{' or '.join(group.instruments)} not administered"
        + (f": {group.note}" if group.note else "")
        for group in rules.expected_instruments
        if not any(i in scores for i in group.instruments)
        and (not group.when or holds_all(group.when, (), facts)[0])
    ]
    return tuple(findings), not_assessed
