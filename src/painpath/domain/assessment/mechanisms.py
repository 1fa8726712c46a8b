"""The mechanism profile: nociceptive, neuropathic, nociplastic — and the mismatch rule.

care-model.md §3 (seed 001 "the physician looks for the generator"; seed 000): mixed is
normal. Nociplastic pain follows the IASP 2021 clinical criteria and grading (Kosek 2021):
criteria 1–4 → possible; with a history of hypersensitivity and a comorbidity → probable; the
CSI supports but never decides. The mismatch rule (seed 000): pain disproportionate to the
structural findings raises central mechanisms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from painpath.domain.assessment.intake import Intake
from painpath.domain.assessment.knowledge import AssessmentRules, CentralSensitisationPattern
from painpath.domain.assessment.result import (
    Criterion,
    ImagingContext,
    MechanismResult,
    MismatchResult,
    PatternResult,
)
from painpath.domain.explain import Reason, sources_of
from painpath.domain.facts import Facts, holds_all
from painpath.domain.instruments import Score

__all__ = [
    "StructureStatus",
    "central_sensitisation_pattern",
    "fear_avoidance_residue",
    "imaging_unremarkable",
    "mismatch",
    "neuropathic",
    "nociceptive",
    "nociplastic",
    "structure_status",
]


def nociceptive(intake: Intake, rules: AssessmentRules) -> MechanismResult:
    """Rule ``mechanisms.nociceptive``: a local or regional distribution with a mechanical
    pattern (movements and positions that reliably worsen or ease it) → likely; one of the
    two → possible; neither → unlikely. Inflammatory features count as a pattern too. When
    aggravating and easing factors were not recorded, a widespread presentation is not assessed
    rather than called unlikely."""
    r = rules.nociceptive
    recorded = intake.aggravating is not None or intake.easing is not None
    factors = set(intake.aggravating or []) | set(intake.easing or [])
    mechanical = sorted(factors & set(r.mechanical_factors))
    inflammatory = sorted(intake.inflammatory_features or [])
    local = intake.distribution in r.local_distributions
    evidence = []
    if local:
        evidence.append(f"{intake.distribution} distribution fits a local generator")
    if mechanical:
        evidence.append(f"mechanical pattern ({', '.join(mechanical)})")
    if inflammatory:
        evidence.append(f"inflammatory features ({', '.join(inflammatory)})")
    if not recorded:
        evidence.append("aggravating and easing factors not recorded")
    patterned = bool(mechanical or inflammatory)
    if local and patterned:
        status = "likely"
    elif local or patterned:
        status = "possible"
    else:
        status = "unlikely" if recorded else "not_assessed"
    text = "; ".join(evidence) or f"{intake.distribution} pain without a mechanical pattern"
    return MechanismResult(
        id="nociceptive",
        status=status,
        evidence=(
            Reason(
                rule="mechanisms.nociceptive",
                text=f"{text} → {status.replace('_', ' ')}",
                data={"distribution": intake.distribution, "mechanical": mechanical},
                sources=r.source,
            ),
        ),
    )


def neuropathic(
    intake: Intake, scores: Mapping[str, Score], rules: AssessmentRules
) -> MechanismResult:
    """Rule ``mechanisms.neuropathic``: a positive screen (DN4, painDETECT, S-LANSS) with
    neurological signs → likely; a positive or uncertain screen, or signs alone → possible;
    negative screens and no signs → unlikely; no screen and no examination → not assessed."""
    r = rules.neuropathic
    positive, uncertain, negative = [], [], []
    for screen in r.screens:
        s = scores.get(screen.instrument)
        if s is None:
            continue
        if screen.likely_flag in s.flags:
            positive.append(f"{s.name} {s.total}")
        elif screen.uncertain_flag and screen.uncertain_flag in s.flags:
            uncertain.append(f"{s.name} {s.total}")
        else:
            negative.append(f"{s.name} {s.total}")
    signs = intake.neuro_signs
    parts = []
    if positive:
        parts.append(f"screen positive: {', '.join(positive)}")
    if uncertain:
        parts.append(f"screen uncertain: {', '.join(uncertain)}")
    if negative:
        parts.append(f"screen negative: {', '.join(negative)}")
    if signs:
        parts.append(f"signs: {', '.join(signs)}")
    elif signs == []:
        parts.append("neurological examination found no signs")
    else:
        parts.append("neurological examination not recorded")
    if positive and signs:
        status = "likely"
    elif positive or uncertain or signs:
        status = "possible"
    elif negative or signs == []:
        status = "unlikely"
    else:
        status = "not_assessed"
    return MechanismResult(
        id="neuropathic",
        status=status,
        evidence=(
            Reason(
                rule="mechanisms.neuropathic",
                text=f"{'; '.join(parts)} → {status.replace('_', ' ')}",
                data={"positive": positive, "uncertain": uncertain, "signs": list(signs or [])},
                sources=r.source,
            ),
        ),
    )


StructureStatus = Literal[
    "not_imaged", "unremarkable", "common_only", "concordant", "uncommon", "unreferenced"
]


def structure_status(
    imaging: Sequence[ImagingContext], imaged: bool | None, radicular: bool
) -> StructureStatus:
    """What the imaging shows, for the mismatch rule and the central sensitisation pattern.

    ``concordant``: nerve signs beside a finding that can affect a nerve root (a disc
    protrusion) — the finding may explain the pain, whatever its prevalence.
    """
    if not imaged:
        return "not_imaged"
    if not imaging:
        return "unremarkable"
    if radicular and any(i.can_affect_nerve_root for i in imaging):
        return "concordant"
    if all(i.in_reference and i.common for i in imaging):
        return "common_only"
    if any(i.in_reference and not i.common for i in imaging):
        return "uncommon"
    return "unreferenced"


def imaging_unremarkable(status: StructureStatus) -> bool | None:
    """Unremarkable for the central sensitisation pattern: nothing, or only common findings."""
    if status in ("not_imaged", "unreferenced"):
        return None
    return status in ("unremarkable", "common_only")


def mismatch(
    scores: Mapping[str, Score],
    imaging: Sequence[ImagingContext],
    status: StructureStatus,
    duration_weeks: float,
    rules: AssessmentRules,
) -> MismatchResult:
    """Rule ``mechanisms.mismatch``: persistent (≥ 12 weeks), severe pain or disability
    (NPRS or PEG ≥ 7, ODI ≥ 41) beside imaging that is unremarkable or shows only findings
    common in pain-free people of the same age → present. Not assessable without a severity
    measure or without imaging. Nerve signs with a finding that can affect a nerve root are
    not a mismatch: the finding is concordant (protrusion is 2.65× as common with back pain
    under 50, Brinjikji 2015 companion study)."""
    r = rules.mismatch
    pain, odi = r.pain_at_least.value, r.odi_at_least.value
    severe = []
    for instrument, threshold in (("nprs", pain), ("peg", pain), ("odi", odi)):
        s = scores.get(instrument)
        if s is not None and s.total >= threshold:
            severe.append(f"{s.name} {s.total} ≥ {threshold:g}")
    shown = ", ".join(severe)
    present: bool | None
    if not any(i in scores for i in ("nprs", "peg", "odi")):
        present, text = None, "not assessable: no NPRS, PEG or ODI score"
    elif duration_weeks < r.min_duration_weeks.value:
        present = False
        text = (
            f"pain for {duration_weeks:g} weeks (under {r.min_duration_weeks.value:g}): "
            "severe early pain is expected, not disproportionate"
        )
    elif not severe:
        present = False
        text = f"pain and disability are not severe (NPRS/PEG < {pain:g}, ODI < {odi:g})"
    elif status == "not_imaged":
        present, text = None, f"{shown}, but no imaging to compare with"
    elif status == "unremarkable":
        present, text = True, f"{shown} with unremarkable imaging"
    elif status == "concordant":
        relevant = ", ".join(i.label for i in imaging if i.can_affect_nerve_root)
        present = False
        text = f"{shown} with nerve signs: the findings ({relevant}) may be concordant"
    elif status == "common_only":
        found = ", ".join(f"{i.label} ({i.prevalence_pct:g}% of pain-free peers)" for i in imaging)
        present, text = True, f"{shown} with only common findings: {found}"
    elif status == "uncommon":
        rare = ", ".join(i.label for i in imaging if i.in_reference and not i.common)
        present, text = False, f"{shown} with a less common finding ({rare})"
    else:
        present, text = None, f"{shown}; the findings are not in the reference table"
    outcome = {True: "present", False: "absent", None: "not assessed"}[present]
    return MismatchResult(
        present=present,
        reason=Reason(
            rule="mechanisms.mismatch",
            text=f"{text} → mismatch {outcome}",
            data={"present": present},
            sources=sources_of(
                r, r.min_duration_weeks, r.pain_at_least, r.odi_at_least, r.common_prevalence_pct
            ),
        ),
    )


def nociplastic(
    intake: Intake,
    scores: Mapping[str, Score],
    explained: tuple[MechanismResult, MechanismResult],
    mismatch_result: MismatchResult,
    rules: AssessmentRules,
) -> MechanismResult:
    """Rule ``mechanisms.nociplastic`` (IASP 2021, Kosek): possible when criteria 1–4 are met,
    probable when 5 (history of hypersensitivity) and 6 (a comorbidity) are met too.

    Criterion 3 (not entirely explained by nociceptive or neuropathic mechanisms) is the
    clinician's judgement when recorded (``pain_not_fully_explained``); otherwise it is derived
    — met when the mismatch rule fires or no likely nociceptive or neuropathic mechanism
    explains the pain — and the evidence says it was derived."""
    r = rules.nociplastic
    weeks = r.min_duration_weeks.value
    explained_by = [m.id for m in explained if m.status == "likely"]
    hyper = intake.hypersensitivity_signs
    history = intake.hypersensitivity_history
    comorbid = intake.comorbid_symptoms
    c3_met: bool | None
    if intake.pain_not_fully_explained is not None:
        # Criterion 3 is a clinical judgement; when the clinician has made it, it stands.
        c3_met = intake.pain_not_fully_explained
        c3_detail = "clinician's judgement" + ("" if c3_met else ": fully explained")
    elif mismatch_result.present:
        c3_met, c3_detail = True, "derived: pain is disproportionate to the structural findings"
    elif explained_by:
        c3_met = False
        c3_detail = f"derived: explained by a likely {' and '.join(explained_by)} mechanism"
    elif unassessed := [m.id for m in explained if m.status == "not_assessed"]:
        c3_met = None
        c3_detail = f"cannot be derived: {' and '.join(unassessed)} not assessed"
    else:
        c3_met, c3_detail = True, "derived: no likely nociceptive or neuropathic mechanism"
    criteria = (
        Criterion(
            id="duration",
            label=f"pain for at least {weeks:g} weeks (3 months)",
            met=intake.duration_weeks >= weeks,
            detail=f"{intake.duration_weeks:g} weeks",
        ),
        Criterion(
            id="regional_distribution",
            label="regional rather than discrete distribution (multifocal or widespread count)",
            met=intake.distribution in r.regional_distributions,
            detail=intake.distribution,
        ),
        Criterion(
            id="not_explained",
            label="not entirely explained by nociceptive or neuropathic mechanisms",
            met=c3_met,
            detail=c3_detail,
        ),
        Criterion(
            id="hypersensitivity_signs",
            label="clinical signs of pain hypersensitivity in the region",
            met=None if hyper is None else bool(hyper),
            detail="not examined" if hyper is None else ", ".join(hyper) or "none found",
        ),
        Criterion(
            id="hypersensitivity_history",
            label="history of pain hypersensitivity in the region",
            met=None if history is None else bool(history),
            detail="not recorded" if history is None else ", ".join(history) or "none",
        ),
        Criterion(
            id="comorbidity",
            label="a comorbidity: sensitivity to light/sound/odours, disturbed sleep, fatigue "
            "or cognitive problems",
            met=None if comorbid is None else bool(comorbid),
            detail="not recorded" if comorbid is None else ", ".join(comorbid) or "none",
        ),
    )
    first_four = [c.met for c in criteria[:4]]
    if any(m is False for m in first_four):
        status = "not_met"
    elif any(m is None for m in first_four):
        status = "not_assessed"
    elif criteria[4].met and criteria[5].met:
        status = "probable"
    else:
        status = "possible"
    summary = "; ".join(
        f"{n}. {c.label}: {'met' if c.met else 'not met' if c.met is False else 'unknown'} "
        f"({c.detail})"
        for n, c in enumerate(criteria, 1)
    )
    support = []
    csi = scores.get(r.support_flag_instrument)
    if csi is not None and r.support_flag in csi.flags:
        support.append(
            Reason(
                rule="mechanisms.nociplastic.support",
                text=f"{csi.name} {csi.total} raises {r.support_flag}, which supports a central "
                "component (support only: the CSI tracks psychological constructs closely)",
                data={"csi": csi.total},
                sources=r.source,
            )
        )
    return MechanismResult(
        id="nociplastic",
        status=status,
        criteria=criteria,
        support=tuple(support),
        evidence=(
            Reason(
                rule="mechanisms.nociplastic",
                text=f"{summary} → {status.replace('_', ' ')}",
                data={"status": status, "criteria": {c.id: c.met for c in criteria}},
                sources=sources_of(r, r.min_duration_weeks),
            ),
        ),
    )


def central_sensitisation_pattern(
    facts: Facts, pattern: CentralSensitisationPattern
) -> PatternResult:
    """Rule ``patterns.central_sensitisation`` (seed 001): widespread pain, unrefreshing sleep,
    flares after minor stressors and unremarkable imaging → present; some unknown and none
    absent → possible."""
    features: dict[str, bool | None] = {}
    for feature in pattern.features:
        held, _ = holds_all(feature.when, feature.when_any, facts)
        features[feature.id] = held
    if any(v is False for v in features.values()):
        status = "absent"
    elif all(v is True for v in features.values()):
        status = "present"
    else:
        status = "possible"
    shown = ", ".join(
        f"{f.label}: {'yes' if features[f.id] else 'no' if features[f.id] is False else 'unknown'}"
        for f in pattern.features
    )
    return PatternResult(
        status=status,
        features=features,
        recommendation=pattern.recommendation if status != "absent" else None,
        reason=Reason(
            rule="patterns.central_sensitisation",
            text=f"{shown} → {status}",
            data={"features": features},
            sources=sources_of(pattern, *pattern.features),
        ),
    )


def fear_avoidance_residue(intake: Intake, rules: AssessmentRules) -> tuple[bool | None, list[str]]:
    """Rule ``derived.fear_avoidance_residue`` (seed 002): a failed active programme that
    flared leaves a residue of fear that calls for explaining the sequence this time. Unknown
    (None) when prior treatments were not recorded."""
    if intake.prior_treatments is None:
        return None, []
    r = rules.fear_avoidance_residue
    failed = [
        t.name
        for t in intake.prior_treatments
        if t.kind in r.kinds and t.flared is True and t.response in r.responses
    ]
    return bool(failed), failed
