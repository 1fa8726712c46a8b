"""From an intake to an explained clinical hypothesis (care-model.md §2–3; seeds 000–002).

``read_intake`` refuses a bad intake with every problem named by its JSON path; ``assess``
screens red flags, forms the mechanism profile, grades irritability, finds the psychosocial
drivers, puts the imaging in context and ranks the drivers — each decision with its rule, the
data it used and its sources. Pure: knowledge arrives as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from painpath.domain.assessment.drivers import find_psychosocial, rank_drivers
from painpath.domain.assessment.imaging import imaging_context
from painpath.domain.assessment.intake import Intake
from painpath.domain.assessment.knowledge import (
    AssessmentRules,
    DriverRules,
    ImagingTable,
    PsychosocialRules,
    RedFlagCatalog,
)
from painpath.domain.assessment.mechanisms import (
    central_sensitisation_pattern,
    fear_avoidance_residue,
    imaging_unremarkable,
    mismatch,
    neuropathic,
    nociceptive,
    nociplastic,
    structure_status,
)
from painpath.domain.assessment.result import Assessment
from painpath.domain.assessment.screens import grade_irritability, screen_red_flags
from painpath.domain.assessment.validation import FACT_FIELDS
from painpath.domain.explain import Reason, sources_of
from painpath.domain.input_errors import describe, json_path
from painpath.domain.instruments import InstrumentDefinition, Score, ScoringError, score_answers
from painpath.domain.instruments.answers import show

__all__ = [
    "AssessmentKnowledge",
    "IntakeError",
    "assess",
    "build_facts",
    "check_intake",
    "read_intake",
]

# Optional examination fields: when None they are reported as not recorded, never read as "none".
_EXAMINED = (
    "red_flag_findings",
    "aggravating",
    "easing",
    "prior_treatments",
    "neuro_signs",
    "hypersensitivity_signs",
    "hypersensitivity_history",
    "comorbid_symptoms",
    "inflammatory_features",
    "movement_findings",
    "flares_after_minor_stressors",
)


@dataclass(frozen=True)
class AssessmentKnowledge:
    """Everything the assessment reads from the knowledge base."""

    instruments: Mapping[str, InstrumentDefinition]
    red_flags: RedFlagCatalog
    rules: AssessmentRules
    drivers: DriverRules
    psychosocial: PsychosocialRules
    imaging: ImagingTable
    version: str | None = None


class IntakeError(ValueError):
    """An intake that cannot be assessed; ``problems`` are (JSON path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{path}: {message}" for path, message in self.problems))


def read_intake(data: object, knowledge: AssessmentKnowledge) -> Intake:
    """Validate an intake against its schema and the knowledge base, or raise IntakeError
    naming every problem by JSON path (``age``, ``red_flag_findings[2]``,
    ``questionnaires.phq9.4``)."""
    if not isinstance(data, Mapping):
        raise IntakeError([("(intake)", f"an intake is a JSON object, not {show(data)}")])
    try:
        intake = Intake.model_validate(data)
    except ValidationError as exc:
        found = [
            (json_path(e["loc"], "(intake)"), describe(e)) for e in exc.errors(include_url=False)
        ]
        raise IntakeError(list(dict.fromkeys(found))) from None
    check_intake(intake, knowledge)
    return intake


def check_intake(intake: Intake, knowledge: AssessmentKnowledge) -> None:
    """Check what the schema cannot: red-flag codes and questionnaire answers against the
    knowledge base. Raises IntakeError naming each problem by JSON path."""
    problems: list[tuple[str, str]] = []
    codes = knowledge.red_flags.finding_codes
    for n, code in enumerate(intake.red_flag_findings or []):
        if code not in codes:
            problems.append(
                (
                    f"red_flag_findings[{n}]",
                    f"unknown red-flag code {code!r} (see `painpath knowledge show red_flags`)",
                )
            )
    for instrument, answers in intake.questionnaires.items():
        where = f"questionnaires.{instrument}"
        definition = knowledge.instruments.get(instrument)
        if definition is None:
            known = ", ".join(sorted(knowledge.instruments))
            problems.append((where, f"unknown instrument; known: {known}"))
            continue
        try:
            score_answers(definition, answers)
        except ScoringError as exc:
            if exc.item:
                prefix = f"{instrument} item {exc.item}: "
                problems.append((f"{where}.{exc.item}", str(exc).removeprefix(prefix)))
            else:
                problems.append((where, str(exc).removeprefix(f"{instrument}: ")))
    if problems:
        raise IntakeError(problems)


def build_facts(intake: Intake, scores: Mapping[str, Score]) -> dict[str, Any]:
    """The named facts rules read: ``intake.<field>`` and ``q.<instrument>.<total|band|flags|
    subscale.<id>|item.<n>>``. Lists become tuples; a field not recorded stays None."""
    facts: dict[str, Any] = {}
    for name in FACT_FIELDS:
        value = getattr(intake, name)
        facts[f"intake.{name}"] = tuple(value) if isinstance(value, list) else value
    for instrument, s in scores.items():
        facts[f"q.{instrument}.total"] = s.total
        facts[f"q.{instrument}.band"] = s.band
        facts[f"q.{instrument}.flags"] = s.flags
        for sub, value in s.subscales.items():
            facts[f"q.{instrument}.subscale.{sub}"] = value
        for item, answer in intake.questionnaires[instrument].items():
            facts[f"q.{instrument}.item.{item}"] = answer
    return facts


def assess(intake: Intake, knowledge: AssessmentKnowledge) -> Assessment:
    """Assess a validated intake: red flags, mechanisms, irritability, drivers, psychosocial
    findings, imaging in context and the central sensitisation pattern, each with reasons.

    Any emergency red flag blocks the plan (``plan_blocked``) and says why.
    """
    rules = knowledge.rules
    scores = {
        i: score_answers(knowledge.instruments[i], answers, knowledge_version=knowledge.version)
        for i, answers in intake.questionnaires.items()
    }
    facts = build_facts(intake, scores)

    noci = nociceptive(intake, rules)
    neuro = neuropathic(intake, scores, rules)
    # Nerve signs make a disc finding possibly concordant: one judgement for the imaging
    # sentences, the mismatch rule and the central sensitisation pattern.
    nerve_signs = neuro.status == "likely" or bool(intake.neuro_signs)
    common_at = rules.mismatch.common_prevalence_pct.value
    imaging = tuple(
        imaging_context(
            knowledge.imaging,
            age=intake.age,
            finding=f.finding,
            level=f.level,
            region=report.region,
            common_at_pct=common_at,
            nerve_signs=nerve_signs,
        )
        for report in intake.imaging or []
        for f in report.findings
    )
    imaged = None if intake.imaging is None else bool(intake.imaging)
    structure = structure_status(imaging, imaged, nerve_signs)
    mismatch_result = mismatch(scores, imaging, structure, intake.duration_weeks, rules)
    nocip = nociplastic(intake, scores, (noci, neuro), mismatch_result, rules)
    residue, failed = fear_avoidance_residue(intake, rules)
    facts.update(
        {
            "derived.mismatch": mismatch_result.present,
            "derived.nociceptive": noci.status,
            "derived.neuropathic": neuro.status,
            "derived.nociplastic": nocip.status,
            "derived.fear_avoidance_residue": residue,
            "derived.imaging_unremarkable": imaging_unremarkable(structure),
        }
    )
    pattern = central_sensitisation_pattern(facts, rules.central_sensitisation_pattern)
    facts["derived.central_sensitisation_pattern"] = pattern.status

    red_flags, red_flag_notes = screen_red_flags(
        knowledge.red_flags, intake.red_flag_findings or [], facts
    )
    emergencies = [f for f in red_flags if f.urgency == "emergency"]
    blocked_reason = (
        "Emergency red flag: "
        + "; ".join(f.label for f in emergencies)
        + f". Do not start a care plan: {emergencies[0].referral}"
        if emergencies
        else None
    )
    irritability = grade_irritability(intake.irritability, rules.irritability)
    drivers, missing_facts = rank_drivers(knowledge.drivers, facts)
    psychosocial, not_administered = find_psychosocial(knowledge.psychosocial, facts, scores)
    # Conclusions later rules (planning) read as facts.
    facts.update(
        {
            "derived.irritability": irritability.grade,
            "derived.drivers": tuple(d.id for d in drivers if d.rank),
            "derived.psychosocial": tuple(p.id for p in psychosocial),
            "derived.red_flag_groups": tuple(dict.fromkeys(f.group for f in red_flags)),
        }
    )
    mechanisms = (noci, neuro, nocip)

    missing = list(irritability.missing)
    missing += not_administered
    unrecorded = {f.removeprefix("intake.") for f in missing_facts if f.startswith("intake.")}
    unrecorded |= {name for name in _EXAMINED if getattr(intake, name) is None}
    if "red_flag_findings" in unrecorded:
        unrecorded.discard("red_flag_findings")
        missing.insert(0, "red-flag screen not recorded: record the findings ([] when none)")
    missing += [f"{name} not recorded" for name in sorted(unrecorded)]
    if mismatch_result.present is None:
        missing.append(f"mismatch rule not assessed ({mismatch_result.reason.text})")
    if intake.imaging is None:
        missing.append("imaging not reported (null); give [] when none was done")
    if not intake.goals:
        missing.append("no functional goals recorded")

    reasons: list[Reason] = [f.reason for f in red_flags]
    reasons.extend(red_flag_notes)
    if blocked_reason:
        reasons.append(
            Reason(rule="plan.blocked", text=blocked_reason, sources=emergencies[0].reason.sources)
        )
    for m in mechanisms:
        reasons.extend(m.evidence)
        reasons.extend(m.support)
    reasons.append(mismatch_result.reason)
    reasons.append(pattern.reason)
    reasons.append(irritability.reason)
    if residue:
        reasons.append(
            Reason(
                rule="derived.fear_avoidance_residue",
                text=f"failed active programme that flared: {', '.join(failed)}",
                data={"treatments": failed},
                sources=rules.fear_avoidance_residue.source,
            )
        )
    reasons.extend(p.reason for p in psychosocial)
    for d in drivers:
        reasons.extend(d.evidence)
    for i in imaging:
        row = knowledge.imaging.row(i.finding)
        reasons.append(
            Reason(
                rule=f"imaging.{i.finding}",
                text=f"{i.label}{' at ' + i.level if i.level else ''}, age {i.age}: "
                + (f"{i.prevalence_pct:g}% of people without pain" if i.in_reference else i.text),
                data={"prevalence_pct": i.prevalence_pct},
                sources=sources_of(knowledge.imaging, row) if row and i.in_reference else (),
            )
        )
    urgency = red_flags[0].urgency if red_flags else None
    return Assessment(
        knowledge_version=knowledge.version,
        red_flags_screened=intake.red_flag_findings is not None,
        red_flags=red_flags,
        plan_blocked=bool(emergencies),
        plan_blocked_reason=blocked_reason,
        urgency=urgency,
        mechanisms=mechanisms,
        mixed=sum(m.present for m in mechanisms) >= 2,
        drivers=drivers,
        irritability=irritability,
        psychosocial=psychosocial,
        imaging=imaging,
        mismatch=mismatch_result,
        central_sensitisation_pattern=pattern,
        questionnaires=scores,
        missing=tuple(missing),
        reasons=tuple(reasons),
        intake=intake,
        facts=facts,
    )
