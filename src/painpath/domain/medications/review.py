"""Medication review: each current medication against the mechanism profile and the guidelines.

Seed 001: "align medication to mechanisms" — an NSAID fits an inflammatory driver, a centrally
acting drug fits sensitisation, and more opioids rarely help central sensitisation. Each
medication is recognised (RxNorm code through the opioid table, or by name), its class's checks
run over the assessment's facts, and the guideline stances that apply to this patient are shown
beside it. Nothing here changes a prescription: it is what the prescriber reviews.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from painpath.domain.explain import Citation, Reason
from painpath.domain.facts import Facts, holds_all
from painpath.domain.medications.knowledge import Agent, DrugClass, MedicationCatalog
from painpath.domain.medications.opioids import OpioidTable
from painpath.domain.stances import Stance

__all__ = ["ACTIVE_MECHANISMS", "MedicationFinding", "StanceView", "applicable", "review"]

Verdict = Literal["concern", "caution", "fits", "no_target", "unrecognised"]
_ORDER: dict[str, int] = {"concern": 0, "caution": 1, "fits": 2}
# The statuses at which a mechanism counts as part of this patient's profile.
ACTIVE_MECHANISMS = {
    "nociceptive": ("likely", "possible"),
    "neuropathic": ("likely", "possible"),
    "nociplastic": ("probable", "possible"),
}


@dataclass(frozen=True)
class StanceView:
    """A guideline stance that applies to this patient."""

    guideline: str
    strength: str
    text: str
    certainty: str | None
    sources: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "guideline": self.guideline,
            "strength": self.strength,
            "text": self.text,
            "certainty": self.certainty,
            "sources": [c.short for c in self.sources],
        }


def applicable(stances: Sequence[Stance], facts: Facts) -> tuple[StanceView, ...]:
    """The stances whose ``applies_when`` holds for this patient (unknown facts: not shown)."""
    return tuple(
        StanceView(s.guideline, s.strength, s.text, s.certainty, s.source)
        for s in stances
        if holds_all(s.applies_when, (), facts)[0] is True
    )


@dataclass(frozen=True)
class MedicationFinding:
    """One medication reviewed: what it is, the verdict and every reason for it."""

    name: str
    agent: str | None
    drug_class: str | None
    class_label: str | None
    opioid: bool
    verdict: Verdict
    reasons: tuple[Reason, ...]
    stances: tuple[StanceView, ...]
    cautions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agent": self.agent,
            "class": self.drug_class,
            "class_label": self.class_label,
            "opioid": self.opioid,
            "verdict": self.verdict,
            "reasons": [
                {"rule": r.rule, "text": r.text, "sources": [c.short for c in r.sources]}
                for r in self.reasons
            ],
            "stances": [s.to_dict() for s in self.stances],
            "cautions": list(self.cautions),
        }


def _recognise(
    name: str, rxnorm: str | None, catalog: MedicationCatalog, table: OpioidTable
) -> tuple[DrugClass, Agent] | None:
    """The class and agent of a medication: by RxNorm code, else by the longest name it
    mentions (so "diclofenac gel" is the topical, "diclofenac" the oral)."""
    pairs = [(c, a) for c in catalog.classes for a in c.agents]
    if rxnorm is not None:
        product = table.get(rxnorm)
        codes = {i.rxnorm_ingredient for i in product.ingredients} if product else {rxnorm}
        for c, a in pairs:
            if a.rxnorm_ingredient in codes:
                return c, a
    text = name.lower()
    best: tuple[int, DrugClass, Agent] | None = None
    for c, a in pairs:
        for n in a.names:
            if re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", text) and (
                best is None or len(n) > best[0]
            ):
                best = (len(n), c, a)
    return (best[1], best[2]) if best else None


def _profile(facts: Facts) -> set[str]:
    """The mechanisms and drivers active for this patient."""
    active = {
        m for m, statuses in ACTIVE_MECHANISMS.items() if facts.get(f"derived.{m}") in statuses
    }
    return active | set(facts.get("derived.drivers", ()))


def review(
    medications: Sequence[tuple[str, str | None]],
    facts: Facts,
    catalog: MedicationCatalog,
    table: OpioidTable,
) -> tuple[MedicationFinding, ...]:
    """Review each (name, RxNorm code) against the patient's facts (rules
    medications.<class>.checks; the verdict is the most serious check that holds, else "fits"
    when the class fits an active mechanism or driver, else "no_target")."""
    profile = _profile(facts)
    findings: list[MedicationFinding] = []
    for name, rxnorm in medications:
        found = _recognise(name, rxnorm, catalog, table)
        if found is None:
            findings.append(
                MedicationFinding(
                    name,
                    None,
                    None,
                    None,
                    False,
                    "unrecognised",
                    (
                        Reason(
                            rule="medications.unrecognised",
                            text=f"{name!r} is not in the medication knowledge; review it by hand",
                        ),
                    ),
                    (),
                    (),
                )
            )
            continue
        drug_class, agent = found
        fired = []
        for check in drug_class.checks:
            if holds_all(check.when, check.when_any, facts)[0] is True:
                fired.append(check)
        fired.sort(key=lambda c: _ORDER[c.verdict])
        reasons = [
            Reason(rule=f"medications.{drug_class.id}.{c.id}", text=c.text, sources=c.source)
            for c in fired
        ]
        matched = [f for f in drug_class.fits if f in profile]
        verdict: Verdict
        if fired:
            verdict = fired[0].verdict
        elif matched:
            verdict = "fits"
        else:
            verdict = "no_target"
        if matched:
            reasons.append(
                Reason(
                    rule=f"medications.{drug_class.id}.fits",
                    text=f"{drug_class.label} fits {', '.join(matched)} in this assessment",
                    data={"fits": list(drug_class.fits)},
                    sources=drug_class.source,
                )
            )
        elif not fired:
            reasons.append(
                Reason(
                    rule=f"medications.{drug_class.id}.no_target",
                    text=f"{drug_class.label} targets {', '.join(drug_class.fits)}; none is "
                    "part of this assessment — review whether it still has a job",
                    data={"fits": list(drug_class.fits)},
                    sources=drug_class.source,
                )
            )
        findings.append(
            MedicationFinding(
                name=name,
                agent=agent.id,
                drug_class=drug_class.id,
                class_label=drug_class.label,
                opioid=drug_class.opioid,
                verdict=verdict,
                reasons=tuple(reasons),
                stances=applicable(drug_class.stances, facts),
                cautions=drug_class.cautions,
            )
        )
    return tuple(findings)
