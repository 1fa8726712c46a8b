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

__all__ = [
    "ACTIVE_MECHANISMS",
    "MedicationFinding",
    "StanceView",
    "active_profile",
    "applicable",
    "review",
]

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
    """The class and agent of a medication: by RxNorm code, else by the names it mentions.

    An opioid named anywhere wins ("hydrocodone/acetaminophen 5/325" is reviewed as the opioid,
    as its RxNorm code would be); otherwise the longest name wins, so "diclofenac gel" is the
    topical and "diclofenac" the oral. A code in the opioid table whose ingredient has no agent
    of its own is still an opioid."""
    pairs = [(c, a) for c in catalog.classes for a in c.agents]
    if rxnorm is not None:
        product = table.get(rxnorm)
        codes = {i.rxnorm_ingredient for i in product.ingredients} if product else {rxnorm}
        for c, a in pairs:
            if a.rxnorm_ingredient in codes:
                return c, a
        if product is not None:
            generic = next((c for c in catalog.classes if c.opioid), None)
            if generic is not None:
                ingredient = product.ingredients[0].name
                agent = Agent(
                    id=re.sub(r"[^a-z0-9]+", "_", ingredient).strip("_") or "opioid",
                    names=(ingredient,),
                    rxnorm_ingredient=product.ingredients[0].rxnorm_ingredient,
                )
                return generic, agent
    text = name.lower()
    best: tuple[bool, int, DrugClass, Agent] | None = None
    for c, a in pairs:
        for n in a.names:
            if re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", text):
                rank = (c.opioid, len(n))
                if best is None or rank > best[:2]:
                    best = (c.opioid, len(n), c, a)
    return (best[2], best[3]) if best else None


def active_profile(facts: Facts) -> tuple[set[str], set[str]]:
    """The mechanisms (at the statuses in ACTIVE_MECHANISMS) and the ranked drivers an
    assessment found: what a medication or a treatment can fit or target."""
    mechanisms = {
        m for m, statuses in ACTIVE_MECHANISMS.items() if facts.get(f"derived.{m}") in statuses
    }
    return mechanisms, set(facts.get("derived.drivers", ()))


def review(
    medications: Sequence[tuple[str, str | None]],
    facts: Facts,
    catalog: MedicationCatalog,
    table: OpioidTable,
    *,
    tried_without_response: Sequence[str] = (),
) -> tuple[MedicationFinding, ...]:
    """Review each (name, RxNorm code) against the patient's facts (rules
    medications.<class>.checks, medications.no_response; the verdict is the most serious check
    that holds, else "fits" when the class fits an active mechanism or driver, else
    "no_target"). The checks also see ``derived.medication_classes``, the classes of every
    medication reviewed, for combinations; ``tried_without_response`` names prior treatments
    recorded with no response (or worse), matched to a current medication by agent."""
    mechanisms, drivers = active_profile(facts)
    profile = mechanisms | drivers
    recognised = [
        (name, rxnorm, _recognise(name, rxnorm, catalog, table)) for name, rxnorm in medications
    ]
    classes = tuple(dict.fromkeys(found[0].id for _, _, found in recognised if found))
    facts = {**facts, "derived.medication_classes": classes}
    tried = {
        found[1].id
        for found in (_recognise(n, None, catalog, table) for n in tried_without_response)
        if found
    }
    findings: list[MedicationFinding] = []
    for name, _, found in recognised:
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
        verdicts = [c.verdict for c in fired]
        if agent.id in tried:
            rule = catalog.no_response
            reasons.insert(0, Reason(rule="medications.no_response", text=rule.text,
                                     sources=rule.source))  # fmt: skip
            verdicts.insert(0, "concern")
        matched = [f for f in drug_class.fits if f in profile]
        verdict: Verdict
        if verdicts:
            verdict = verdicts[0]
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
        elif not verdicts:
            reasons.append(
                Reason(
                    rule=f"medications.{drug_class.id}.no_target",
                    text=(
                        f"{drug_class.label} targets {', '.join(drug_class.fits)}; none is "
                        "part of this assessment — review whether it still has a job"
                        if drug_class.fits
                        else f"{drug_class.label} targets no pain mechanism or driver — "
                        "review whether it still has a job"
                    ),
                    data={"fits": list(drug_class.fits)},
                    sources=drug_class.source,
                )
            )
        stances = applicable(drug_class.stances, facts)
        against = [st for st in stances if st.strength in ("against", "strong_against")]
        if verdict == "fits" and against:
            # It fits the mechanism, but a guideline that applies to this patient is against
            # it: the prescriber weighs both (rule medications.guideline_against).
            verdict = "caution"
            reasons.insert(0, Reason(
                rule=f"medications.{drug_class.id}.guideline_against",
                text="; ".join(f"{st.guideline} is against it here: {st.text}" for st in against),
                sources=tuple(c for st in against for c in st.sources),
            ))  # fmt: skip
        findings.append(
            MedicationFinding(
                name=name,
                agent=agent.id,
                drug_class=drug_class.id,
                class_label=drug_class.label,
                opioid=drug_class.opioid,
                verdict=verdict,
                reasons=tuple(reasons),
                stances=stances,
                cautions=drug_class.cautions,
            )
        )
    return tuple(findings)
