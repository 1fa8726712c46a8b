"""Checking the assessment's rules against the facts they name, after every file has loaded.

A rule that tests a fact that does not exist would never hold — a typo could silently switch
off a safety flag — and a test of the wrong kind (``contains`` on a number) would be
meaningless. This check knows every fact the engine provides, its kind and, where the set is
closed, its values: intake codes from the intake model, bands and flags from the instrument
definitions, the engine's own conclusions. The knowledge loader refuses a file that fails it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args, get_origin

from painpath.domain.assessment.intake import Intake, PriorTreatment
from painpath.domain.assessment.knowledge import (
    AssessmentRules,
    DriverRules,
    PsychosocialRules,
    RedFlagCatalog,
)
from painpath.domain.facts import FactTest
from painpath.domain.instruments import InstrumentDefinition

__all__ = [
    "FactKind",
    "Vocabulary",
    "fact_kind",
    "located_tests",
    "rule_problems",
    "test_problem",
]

Kind = Literal["number", "text", "list", "bool"]
FactKind = tuple[Kind, frozenset[str] | None]
Problem = tuple[str, str, str, str]  # file, entry, field, message

# The engine's own conclusions (derived.*) and what they can be.
_DERIVED: dict[str, FactKind] = {
    "derived.mismatch": ("bool", None),
    "derived.fear_avoidance_residue": ("bool", None),
    "derived.imaging_unremarkable": ("bool", None),
    "derived.nociceptive": ("text", frozenset({"likely", "possible", "unlikely", "not_assessed"})),
    "derived.neuropathic": ("text", frozenset({"likely", "possible", "unlikely", "not_assessed"})),
    "derived.nociplastic": ("text", frozenset({"probable", "possible", "not_met", "not_assessed"})),
    "derived.central_sensitisation_pattern": ("text", frozenset({"present", "possible", "absent"})),
    "derived.irritability": ("text", frozenset({"low", "moderate", "high"})),
}
# List facts whose vocabulary comes from the knowledge (drivers, findings, red-flag groups).
_DERIVED_LISTS = ("derived.drivers", "derived.psychosocial", "derived.red_flag_groups")
FACT_FIELDS = (
    "age", "sex", "duration_weeks", "regions", "distribution", "aggravating", "easing",
    "flares_after_minor_stressors", "pain_not_fully_explained", "red_flag_findings",
    "neuro_signs", "hypersensitivity_signs", "hypersensitivity_history", "comorbid_symptoms",
    "inflammatory_features", "movement_findings",
)  # fmt: skip


def _kind_of(annotation: object, red_flag_codes: frozenset[str]) -> FactKind:
    """The kind and closed vocabulary of an intake field's type."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind_of(args[0], red_flag_codes)
    if origin is list:
        inner = args[0]
        literal = get_args(inner) if get_origin(inner) is Literal else None
        return ("list", frozenset(literal) if literal else red_flag_codes)
    if origin is Literal:
        return ("text", frozenset(str(a) for a in get_args(annotation)))
    if annotation is bool:
        return ("bool", None)
    return ("number", None)


def literal_values(model: type, field: str) -> frozenset[str]:
    """The allowed values of a Literal-typed field (e.g. PriorTreatment.kind)."""
    annotation = model.model_fields[field].annotation  # type: ignore[attr-defined]
    return frozenset(str(a) for a in get_args(annotation))


def fact_kind(
    fact: str,
    instruments: Mapping[str, InstrumentDefinition],
    red_flag_codes: frozenset[str],
    vocabularies: Mapping[str, frozenset[str]] | None = None,
) -> FactKind | None:
    """What a fact is (kind, closed vocabulary), or None if the engine provides no such fact.

    ``vocabularies`` gives the values of the list facts the knowledge defines (drivers,
    psychosocial findings, red-flag groups)."""
    if fact in _DERIVED:
        return _DERIVED[fact]
    if vocabularies is not None and fact in vocabularies:
        return ("list", vocabularies[fact])
    if fact in _DERIVED_LISTS:
        return ("list", None)
    head, _, rest = fact.partition(".")
    if head == "intake":
        if rest not in FACT_FIELDS:
            return None
        return _kind_of(Intake.model_fields[rest].annotation, red_flag_codes)
    if head != "q":
        return None
    instrument, _, part = rest.partition(".")
    defn = instruments.get(instrument)
    if defn is None:
        return None
    if part == "total":
        return ("number", None)
    if part == "band":
        return ("text", frozenset(b.id for b in defn.bands)) if defn.bands else None
    if part == "flags":
        return ("list", frozenset(f.id for f in defn.flags))
    kind, _, name = part.partition(".")
    if kind == "subscale" and name in {s.id for s in defn.subscales}:
        return ("number", None)
    if kind == "item" and name in {i.id for i in defn.items}:
        return ("number", None)
    return None


@dataclass(frozen=True)
class Vocabulary:
    """Everything a rule may name: instruments, red-flag codes and the knowledge's own lists."""

    instruments: Mapping[str, InstrumentDefinition]
    red_flag_codes: frozenset[str]
    lists: Mapping[str, frozenset[str]]

    @classmethod
    def of(
        cls,
        instruments: Mapping[str, InstrumentDefinition],
        red_flags: RedFlagCatalog,
        drivers: DriverRules,
        psychosocial: PsychosocialRules,
    ) -> Vocabulary:
        groups = {g.id for g in red_flags.groups} | {"combination"}
        return cls(
            instruments=instruments,
            red_flag_codes=red_flags.finding_codes,
            lists={
                "derived.drivers": frozenset(d.id for d in drivers.drivers),
                "derived.psychosocial": frozenset(p.id for p in psychosocial.findings),
                "derived.red_flag_groups": frozenset(groups),
            },
        )


def test_problem(test: FactTest, vocabulary: Vocabulary) -> str | None:
    """Why a fact test can never work as written, or None if it can."""
    known = fact_kind(
        test.fact, vocabulary.instruments, vocabulary.red_flag_codes, vocabulary.lists
    )
    if known is None:
        return f"the engine provides no fact {test.fact!r}"
    kind, allowed_values = known
    if test.in_ is not None:
        wanted, values = "text", test.in_
    elif test.contains is not None:
        wanted, values = "list", (test.contains,)
    elif test.any_of is not None:
        wanted, values = "list", test.any_of
    elif test.none_of is not None:
        wanted, values = "list", test.none_of
    elif test.nonempty is not None:
        wanted, values = "list", ()
    elif test.is_ is not None:
        wanted, values = "bool", ()
    else:
        wanted, values = "number", ()
    if kind != wanted:
        return f"{test.fact} is a {kind}; this test needs a {wanted}"
    if allowed_values is not None and (unknown := [v for v in values if v not in allowed_values]):
        allowed = ", ".join(sorted(allowed_values))
        return f"{test.fact} can never be {', '.join(unknown)} (known: {allowed})"
    return None


def located_tests(
    file: str, entry: str, field: str, tests: Sequence[FactTest]
) -> Iterator[tuple[str, str, str, FactTest]]:
    """Each test of a rule with where it is written, for error messages."""
    for n, t in enumerate(tests):
        yield file, entry, f"{field}[{n}]", t


def rule_problems(
    *,
    instruments: Mapping[str, InstrumentDefinition],
    red_flags: RedFlagCatalog,
    rules: AssessmentRules,
    drivers: DriverRules,
    psychosocial: PsychosocialRules,
) -> list[Problem]:
    """Every rule that names a fact the engine does not provide, tests it the wrong way, or
    names an instrument, flag, band or code that does not exist."""
    codes = red_flags.finding_codes
    located: list[tuple[str, str, str, FactTest]] = []
    for f in red_flags.flags:
        located += located_tests("red_flags.yaml", f"flags[{f.id}]", "trigger", f.trigger)
        for n, u in enumerate(f.urgency_if):
            located += located_tests(
                "red_flags.yaml", f"flags[{f.id}]", f"urgency_if[{n}].when", u.when
            )
    for feature in rules.central_sensitisation_pattern.features:
        entry = f"central_sensitisation_pattern.features[{feature.id}]"
        located += located_tests("assessment.yaml", entry, "when", feature.when)
        located += located_tests("assessment.yaml", entry, "when_any", feature.when_any)
    for e in drivers.evidence:
        located += located_tests("drivers.yaml", f"evidence[{e.id}]", "when", e.when)
        located += located_tests("drivers.yaml", f"evidence[{e.id}]", "when_any", e.when_any)
    for p in psychosocial.findings:
        located += located_tests("psychosocial.yaml", f"findings[{p.id}]", "when", p.when)
        located += located_tests("psychosocial.yaml", f"findings[{p.id}]", "when_any", p.when_any)
    for n, group in enumerate(psychosocial.expected_instruments):
        located += located_tests(
            "psychosocial.yaml", f"expected_instruments[{n}]", "when", group.when
        )

    vocabulary = Vocabulary.of(instruments, red_flags, drivers, psychosocial)
    problems: list[Problem] = []
    for file, entry, field, test in located:
        if message := test_problem(test, vocabulary):
            problems.append((file, entry, field, message))

    def need(
        file: str, entry: str, field: str, values: Sequence[str], known: frozenset[str]
    ) -> None:
        if unknown := [v for v in values if v not in known]:
            problems.append(
                (
                    file,
                    entry,
                    field,
                    f"unknown {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                )
            )

    ids = frozenset(instruments)
    for n, screen in enumerate(rules.neuropathic.screens):
        entry = f"neuropathic.screens[{n}]"
        need("assessment.yaml", entry, "instrument", [screen.instrument], ids)
        if screen.instrument in instruments:
            flags = frozenset(f.id for f in instruments[screen.instrument].flags)
            need("assessment.yaml", entry, "likely_flag", [screen.likely_flag], flags)
            if screen.uncertain_flag:
                need("assessment.yaml", entry, "uncertain_flag", [screen.uncertain_flag], flags)
    factors = _kind_of(Intake.model_fields["aggravating"].annotation, codes)[1] or frozenset()
    distributions = literal_values(Intake, "distribution")
    need(
        "assessment.yaml",
        "nociceptive",
        "mechanical_factors",
        rules.nociceptive.mechanical_factors,
        factors,
    )
    need(
        "assessment.yaml",
        "nociceptive",
        "local_distributions",
        rules.nociceptive.local_distributions,
        distributions,
    )
    need(
        "assessment.yaml",
        "nociplastic",
        "regional_distributions",
        rules.nociplastic.regional_distributions,
        distributions,
    )
    support = rules.nociplastic.support_flag_instrument
    need("assessment.yaml", "nociplastic", "support_flag_instrument", [support], ids)
    if support in instruments:
        flags = frozenset(f.id for f in instruments[support].flags)
        need(
            "assessment.yaml",
            "nociplastic",
            "support_flag",
            [rules.nociplastic.support_flag],
            flags,
        )
    residue = rules.fear_avoidance_residue
    need(
        "assessment.yaml",
        "fear_avoidance_residue",
        "kinds",
        residue.kinds,
        literal_values(PriorTreatment, "kind"),
    )
    need(
        "assessment.yaml",
        "fear_avoidance_residue",
        "responses",
        residue.responses,
        literal_values(PriorTreatment, "response"),
    )
    for p in psychosocial.findings:
        need("psychosocial.yaml", f"findings[{p.id}]", "instruments", p.instruments, ids)
    for n, group in enumerate(psychosocial.expected_instruments):
        need(
            "psychosocial.yaml", f"expected_instruments[{n}]", "instruments", group.instruments, ids
        )
    return problems
