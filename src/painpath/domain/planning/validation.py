"""Checking the planning and medication rules against the facts and names they use."""

from __future__ import annotations

from painpath.domain.assessment.validation import Vocabulary, located_tests, test_problem
from painpath.domain.facts import FactTest
from painpath.domain.medications.knowledge import MedicationCatalog
from painpath.domain.planning.knowledge import PlanningRules, TreatmentCatalog

__all__ = ["planning_rule_problems"]

Problem = tuple[str, str, str, str]
_MECHANISMS = {"nociceptive", "neuropathic", "nociplastic"}


def planning_rule_problems(
    vocabulary: Vocabulary,
    treatments: TreatmentCatalog,
    medications: MedicationCatalog,
    planning: PlanningRules,
) -> list[Problem]:
    """Every planning or medication rule that names a fact, driver or ingredient that does not
    exist, or tests a fact the wrong way."""
    located: list[tuple[str, str, str, FactTest]] = []
    problems: list[Problem] = []
    drivers = vocabulary.lists["derived.drivers"]
    # The medication review adds one fact of its own: the classes of every current medication.
    review_vocabulary = Vocabulary(
        vocabulary.instruments,
        vocabulary.red_flag_codes,
        {
            **vocabulary.lists,
            "derived.medication_classes": frozenset(c.id for c in medications.classes),
        },
    )
    for t in treatments.treatments:
        entry = f"treatments[{t.id}]"
        located += located_tests("treatments.yaml", entry, "considered_when", t.considered_when)
        located += located_tests(
            "treatments.yaml", entry, "considered_when_any", t.considered_when_any
        )
        located += located_tests("treatments.yaml", entry, "held_when_any", t.held_when_any)
        for n, s in enumerate(t.stances):
            located += located_tests(
                "treatments.yaml", entry, f"stances[{n}].applies_when", s.applies_when
            )
        if t.kind == "intervention" and t.pairing is None:
            bridge = "an intervention is a bridge: give its rehab hand-off (pairing)"
            problems.append(("treatments.yaml", entry, "pairing", bridge))
        if unknown := [d for d in t.targets if d not in drivers]:
            problems.append(("treatments.yaml", entry, "targets", f"unknown drivers {unknown}"))
    factors = {f.rxnorm_ingredient for f in medications.mme.factors}
    excluded = {e.rxnorm_ingredient for e in medications.mme.excluded}
    for c in medications.classes:
        entry = f"classes[{c.id}]"
        for n, s in enumerate(c.stances):
            located += located_tests(
                "medications.yaml", entry, f"stances[{n}].applies_when", s.applies_when
            )
        for check in c.checks:
            where = f"{entry}.checks[{check.id}]"
            located += located_tests("medications.yaml", where, "when", check.when)
            located += located_tests("medications.yaml", where, "when_any", check.when_any)
        if unknown := [f for f in c.fits if f not in drivers | _MECHANISMS]:
            problems.append(
                ("medications.yaml", entry, "fits", f"unknown drivers or mechanisms {unknown}")
            )
        for a in c.agents:
            if c.opioid and (
                a.rxnorm_ingredient is None or a.rxnorm_ingredient not in factors | excluded
            ):
                problems.append(
                    ("medications.yaml", f"{entry}.agents[{a.id}]", "rxnorm_ingredient",
                     "an opioid needs an RxNorm ingredient with an MME factor or an exclusion")
                )  # fmt: skip
    located += located_tests(
        "medications.yaml", "taper.defer", "when_any", medications.taper.defer.when_any
    )
    for n, rule in enumerate(planning.entry):
        located += located_tests("planning.yaml", f"entry[{n}]", "when", rule.when)
        located += located_tests("planning.yaml", f"entry[{n}]", "when_any", rule.when_any)
    for file, entry, field, test in located:
        chosen = review_vocabulary if file == "medications.yaml" else vocabulary
        if message := test_problem(test, chosen):
            problems.append((file, entry, field, message))
    return problems
