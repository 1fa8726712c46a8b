"""From an assessment to a staged plan (care-model.md §4; seeds 000–004; rules planning.*).

A plan is a hypothesis tested in order: settle → extend the relief window → blend in active work
→ build capacity → graduate. The entry phase comes from the assessment; each phase chooses the
modalities that target this patient's drivers and mechanisms, runs as a time-limited trial with
dated checkpoints, and ends on exit criteria written in the patient's own goals. Red flags come
first: an emergency replaces the plan with its referral; an urgent one makes the plan wait for
it. Constraints change the plan, never the goals. Options a guideline discourages are listed
with their evidence, not dropped. Medications are reviewed against the mechanism profile, MME is
counted and long-term opioid users are offered a taper.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from painpath.domain.assessment.intake import Goal, Intake
from painpath.domain.assessment.result import Assessment
from painpath.domain.care_defaults import CheckpointDefaults
from painpath.domain.explain import Reason, sources_of
from painpath.domain.facts import Facts, holds_all
from painpath.domain.medications.knowledge import MedicationCatalog
from painpath.domain.medications.mme import MmeResult, calculate_mme
from painpath.domain.medications.opioids import OpioidTable
from painpath.domain.medications.orders import OrderLine, Quantity
from painpath.domain.medications.review import StanceView, active_profile, applicable, review
from painpath.domain.medications.taper import TaperError, TaperPlan, plan_taper
from painpath.domain.planning.knowledge import (
    PHASES,
    Phase,
    PlanningRules,
    Treatment,
    TreatmentCatalog,
)
from painpath.domain.planning.result import (
    Checkpoint,
    ConsideredOption,
    Plan,
    PlannedModality,
    PlannedPhase,
    Referral,
)

__all__ = ["PlanningKnowledge", "build_plan", "goal_criterion", "stance_verdict"]

_URGENCY_ORDER = {"emergency": 0, "urgent": 1, "soon": 2}
Verdict = Literal["planned", "not_recommended", "guidelines_disagree"]


@dataclass(frozen=True)
class PlanningKnowledge:
    """Everything the planner reads from the knowledge base."""

    treatments: TreatmentCatalog
    rules: PlanningRules
    checkpoints: CheckpointDefaults
    medications: MedicationCatalog
    opioid_table: OpioidTable
    version: str | None = None


def stance_verdict(stances: Sequence[StanceView]) -> Verdict:
    """How the applicable guideline stances resolve (treatments.yaml, its header): a strong
    recommendation against, or only recommendations against → not recommended; a
    recommendation for and one against → the guidelines disagree; otherwise it can be planned.

    >>> stance_verdict([])
    'planned'
    """
    strengths = {s.strength for s in stances}
    if "strong_against" in strengths:
        return "not_recommended"
    if "against" in strengths:
        return "guidelines_disagree" if strengths & {"recommend", "consider"} else "not_recommended"
    return "planned"


def _num(value: float) -> str:
    """A goal number as a person writes it: 1000000, 17.5, 30, 0.015 (never 1e+06, and a
    small number keeps its digits)."""
    digits = 1 if abs(value) >= 1 or value == 0 else 3
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def goal_criterion(template: str, goal: Goal, halfway_percent: float) -> str:
    """A phase's exit criterion written in one of the patient's goals (rule
    planning.exit_per_goal): the halfway mark sits ``halfway_percent`` of the way from baseline
    to target, for goals that rise and goals that fall.

    >>> g = Goal(activity="Walk", metric="walk_minutes", unit="minutes", baseline=10, target=30)
    >>> goal_criterion("{activity}: {direction} {halfway} {unit}", g, 50)
    'Walk: at least 20 minutes'
    """
    halfway = goal.baseline + (goal.target - goal.baseline) * halfway_percent / 100
    if float(goal.baseline).is_integer() and float(goal.target).is_integer():
        # Whole-number goals (lifts, wakings, repetitions) get a whole-number mark, a half
        # rounded toward the target — "at least 3 lifts", not "2.5 lifts" — unless rounding
        # would put the mark back on the baseline.
        rising = goal.target > goal.baseline
        whole = math.floor(halfway + 0.5) if rising else math.ceil(halfway - 0.5)
        if whole != goal.baseline:
            halfway = whole
    return template.format(
        activity=goal.activity,
        metric=goal.metric,
        unit=goal.unit,
        baseline=_num(goal.baseline),
        target=_num(goal.target),
        halfway=_num(halfway),
        direction="at least" if goal.target > goal.baseline else "at most",
    )


def _referrals(assessment: Assessment) -> tuple[Referral, ...]:
    grouped: dict[tuple[Literal["emergency", "urgent", "soon"], str], list[str]] = {}
    for flag in assessment.red_flags:
        grouped.setdefault((flag.urgency, flag.referral), []).append(flag.label)
    return tuple(
        Referral(urgency, text, tuple(labels), urgency in ("emergency", "urgent"))
        for (urgency, text), labels in sorted(
            grouped.items(), key=lambda k: _URGENCY_ORDER[k[0][0]]
        )
    )


def _entry(rules: PlanningRules, facts: Facts) -> tuple[str, Reason]:
    """The entry phase: the first entry rule that holds, else the default (rules
    planning.entry)."""
    for n, rule in enumerate(rules.entry):
        if holds_all(rule.when, rule.when_any, facts)[0] is True:
            # The data are the facts the rule tested, and which of its alternatives held.
            held = [t for t in rule.when_any if t.check(facts) is True]
            data: dict[str, Any] = {t.fact: facts.get(t.fact) for t in (*rule.when, *held)}
            return rule.phase, Reason(
                rule=f"planning.entry[{n}].{rule.phase}",
                text=f"Start at {rules.phase(rule.phase).label.lower()}: {rule.reason}",
                data=data,
                sources=rule.source,
            )
    return rules.default_entry, Reason(
        rule="planning.default_entry",
        text=f"Start at {rules.phase(rules.default_entry).label.lower()}: "
        f"{rules.default_entry_reason}",
        data={"derived.irritability": facts.get("derived.irritability")},
        sources=rules.phases[0].source,
    )


@dataclass(frozen=True)
class _Choice:
    treatment: Treatment
    verdict: Verdict
    stances: tuple[StanceView, ...]
    targets: tuple[str, ...]
    why: Reason


def _considered(t: Treatment, facts: Facts) -> bool:
    if not t.considered_when and not t.considered_when_any:
        return True
    return holds_all(t.considered_when, t.considered_when_any, facts)[0] is True


def _held(t: Treatment, facts: Facts) -> bool:
    return any(test.check(facts) is True for test in t.held_when_any)


def _choose(
    catalog: TreatmentCatalog, facts: Facts
) -> tuple[list[_Choice], list[ConsideredOption]]:
    """Which treatments can be planned for this patient, and which were considered and not
    (rules treatments.<id>.considered_when, held_when_any, stances)."""
    mechanisms, drivers = active_profile(facts)
    chosen: list[_Choice] = []
    others: list[ConsideredOption] = []
    for t in catalog.treatments:
        if not _considered(t, facts):
            continue
        stances = applicable(t.stances, facts)
        if _held(t, facts):
            others.append(
                ConsideredOption(
                    t.id, t.label, t.kind, "held", t.evidence, stances, t.hold_reason or ""
                )
            )
            continue
        verdict = stance_verdict(stances)
        if verdict != "planned":
            against = [s for s in stances if s.strength in ("against", "strong_against")]
            text = "; ".join(f"{s.guideline}: {s.text.rstrip('.')}" for s in against) + "."
            if verdict == "guidelines_disagree":
                text = (
                    "Discuss with the patient: "
                    + "; ".join(
                        f"{s.guideline} ({s.strength.replace('_', ' ')}): {s.text.rstrip('.')}"
                        for s in stances
                    )
                    + "."
                )
            others.append(
                ConsideredOption(t.id, t.label, t.kind, verdict, t.evidence, stances, text)
            )
            continue
        hits = tuple(d for d in t.targets if d in drivers) + tuple(
            m for m in t.mechanisms if m in mechanisms
        )
        if not hits and not t.core:
            continue
        if hits:
            text = f"{t.label} targets {', '.join(h.replace('_', ' ') for h in hits)}"
        else:
            text = f"{t.label} is part of every plan that reaches its phases"
        why = Reason(
            rule=f"treatments.{t.id}",
            text=text,
            data={"targets": list(t.targets), "phases": list(t.phases)},
            sources=t.source,
        )
        chosen.append(_Choice(t, verdict, stances, hits, why))
    return chosen, others


def _role(t: Treatment) -> Literal["core", "targeted", "bridge", "referral"]:
    if t.kind == "surgery":
        return "referral"
    if t.kind == "intervention":
        return "bridge"
    return "core" if t.core else "targeted"


def _sessions(phases: Sequence[Phase], covered: int | None) -> tuple[list[int], list[int]]:
    """Sessions per phase, and the sessions the phases would have without a limit: trial
    weeks × sessions a week, or — when fewer visits are covered — the covered visits spread
    over the phases, earlier phases first, at least one each while they last (rule
    planning.constraints)."""
    planned = [round(p.trial_weeks.value * p.sessions_per_week.value) for p in phases]
    if covered is None or covered >= sum(planned):
        return planned, planned
    total = sum(planned) or 1
    shares = [math.floor(n * covered / total) for n in planned]
    for i, n in enumerate(planned):  # every phase with sessions gets at least one, in order
        if n and not shares[i]:
            shares[i] = 1
    i = len(shares) - 1
    while sum(shares) > covered and i >= 0:
        take = min(shares[i], sum(shares) - covered)
        shares[i] -= take
        i -= 1
    i = 0
    while sum(shares) < covered and any(planned):
        if planned[i % len(planned)]:
            shares[i % len(planned)] += 1
        i += 1
    return shares, planned


def _checkpoints_for(
    phase: PlannedPhase, per_week: float, defaults: CheckpointDefaults
) -> list[Checkpoint]:
    """Every 14 days or every 4 sessions, whichever comes first, and at the phase's end
    (rules checkpoints.interval_days, checkpoints.interval_sessions); the graduate phase is
    followed up at least every ``ongoing_care_max_review_days``."""
    days = (phase.end - phase.start).days
    if phase.id == "graduate":
        step = min(int(defaults.ongoing_care_max_review_days.value), days)
        dates = [phase.start + dt.timedelta(days=step * k) for k in range(1, days // step + 1)]
        return [
            Checkpoint(
                d,
                "follow_up",
                phase.id,
                "Follow-up: do the gains hold? Home programme "
                "running, flare plan known — discharge, or back into care on purpose",
            )
            for d in dates
        ]
    interval = int(defaults.interval_days.value)
    if per_week > 0:
        # "every 4 sessions" must never mean a fifth session first: round the days down.
        interval = max(
            1, min(interval, math.floor(defaults.interval_sessions.value * 7 / per_week))
        )
    out = [
        Checkpoint(
            phase.start + dt.timedelta(days=interval * k),
            "interval",
            phase.id,
            f"{phase.label}: is the trial producing functional change? Continue, adjust, "
            "refer or move on",
        )
        for k in range(1, days // interval + 1)
        if interval * k < days
    ]
    out.append(
        Checkpoint(
            phase.end,
            "phase_end",
            phase.id,
            f"End of {phase.label.lower()}: are the exit criteria met? "
            + " · ".join(phase.exit_criteria),
        )
    )
    return out


def _intake_orders(intake: Intake) -> list[OrderLine]:
    lines = []
    for n, med in enumerate(intake.medications or []):
        where = f"medications[{n}]"
        lines.append(
            OrderLine(
                where=where,
                label=med.name,
                rxnorm=med.rxnorm,
                dose=Quantity(med.dose_mg, "mg") if med.dose_mg is not None else None,
                mcg_per_hr=med.mcg_per_hr,
                doses_per_day=med.doses_per_day,
                prn=med.prn,
            )
        )
    return lines


def _opioid_part(
    intake: Intake, facts: Facts, k: PlanningKnowledge, start: dt.date
) -> tuple[MmeResult | None, TaperPlan | None, list[Reason]]:
    """MME of the intake's opioids and, for long-term users, a taper to offer (rules
    mme.*, taper.offer_after_weeks, taper.defer; care-model.md §4: long-term users get a taper
    plan). A taper is never dated while a deferral holds (a mental-health crisis)."""
    lines = _intake_orders(intake)
    if not lines:
        return None, None, []
    result = calculate_mme(lines, k.opioid_table, k.medications)
    opioid_wheres = {i.where for i in result.items} | {e.where for e in result.excluded}
    opioid_wheres |= {e.where for e in result.errors}
    if not opioid_wheres:
        return None, None, []
    taper_rules = k.medications.taper
    weeks = [
        m.weeks
        for n, m in enumerate(intake.medications or [])
        if f"medications[{n}]" in opioid_wheres
    ]
    reasons: list[Reason] = []
    # An opioid of unknown duration may be long-term: it is never hidden by a short course.
    known = [w for w in weeks if w is not None]
    duration = max(known) if known and len(known) == len(weeks) else None
    offer_after = taper_rules.offer_after_weeks.value
    if duration is not None and duration < offer_after:
        reasons.append(
            Reason(
                rule="taper.offer_after_weeks",
                text=f"Opioid use of {duration:g} weeks is short of long-term use "
                f"({offer_after:g} weeks): set a stop date with functional goals instead of "
                "a taper schedule",
                data={"weeks": duration},
                sources=taper_rules.offer_after_weeks.source,
            )
        )
        return result, None, reasons
    if not result.items or result.total_mme_per_day <= 0:
        if result.errors:
            why = "no opioid dose could be counted in MME (see the MME errors)"
        else:  # only opioids without a factor, such as buprenorphine
            names = ", ".join(dict.fromkeys(e.ingredient or e.label for e in result.excluded))
            why = (
                f"{names} has no CDC 2022 MME factor; its taper — or, for opioid use "
                "disorder, its continuation — is the prescriber's plan"
            )
        reasons.append(
            Reason(rule="taper.not_computed", text=f"No taper schedule: {why}",
                   sources=taper_rules.source)
        )  # fmt: skip
        return result, None, reasons
    if duration is None:
        duration = taper_rules.long_term_weeks.value
        reasons.append(
            Reason(
                rule="taper.duration_unknown",
                text="How long the opioid has been taken was not recorded: the slower, long-term "
                "taper is offered",
                sources=taper_rules.long_term_weeks.source,
            )
        )
    offered = Reason(
        rule="taper.offered",
        text=f"Opioids taken for {duration:g} weeks (more than "
        f"{taper_rules.offer_after_weeks.value:g}), {result.total_mme_per_day:g} MME/day"
        + (", a lower bound" if not result.complete else "")
        + ": a gradual taper is offered, agreed with the patient, never imposed",
        data={"weeks": duration, "mme_per_day": result.total_mme_per_day},
        sources=sources_of(taper_rules.offer_after_weeks, taper_rules),
    )
    defer = taper_rules.defer
    if holds_all((), defer.when_any, facts)[0] is True:
        reasons += [offered, Reason(rule="taper.defer", text=defer.text, sources=defer.source)]
        return result, None, reasons
    try:
        taper = plan_taper(result.total_mme_per_day, duration, start, taper_rules)
    except TaperError as exc:  # e.g. a total above what a schedule can start from
        reasons.append(
            Reason(
                rule="taper.not_computed",
                text=f"No taper schedule: {exc}",
                sources=taper_rules.source,
            )
        )
        return result, None, reasons
    reasons.append(offered)
    return result, taper, reasons


def _goals(intake: Intake) -> tuple[dict[str, Any], ...]:
    return tuple(g.model_dump(mode="json") for g in intake.goals)


def _constraint_reasons(
    intake: Intake, few: bool, wanted_sessions: int, k: PlanningKnowledge
) -> tuple[list[Reason], set[str]]:
    """What the patient's constraints change (rules planning.constraints; seed 001, the
    warehouse worker): returned as reasons and as the set of adjustments to apply."""
    c = intake.constraints
    rules = k.rules.constraints
    reasons: list[Reason] = []
    applied: set[str] = set()
    if c is None:
        return reasons, applied
    if c.covered_visits == 0:
        reasons.append(Reason(
            rule="planning.constraints.no_covered_visits",
            text="No covered visits: the plan runs as a home and telehealth programme; the "
                 "sessions it needs must be funded another way, and the first checkpoint "
                 "confirms the response without them",
            data={"covered_visits": 0}, sources=rules.source,
        ))  # fmt: skip
    elif not few and c.covered_visits is not None and c.covered_visits < wanted_sessions:
        reasons.append(Reason(
            rule="planning.constraints.covered_visits",
            text=f"{c.covered_visits} covered visits for {wanted_sessions} planned sessions: "
                 "the visits are spread over the phases, earlier phases first",
            data={"covered_visits": c.covered_visits, "planned_sessions": wanted_sessions},
            sources=rules.source,
        ))  # fmt: skip
    if few:
        applied.add("few_visits")  # the home programme carries more, in every phase
    if few and c.covered_visits:
        reasons.append(
            Reason(
                rule="planning.constraints.few_visits_at_most",
                text=f"{c.covered_visits} covered visits: fewer, denser sessions "
                f"({rules.session_minutes_when_few.value:g} minutes) and a heavier home "
                "programme; the goals stay the same",
                data={"covered_visits": c.covered_visits},
                sources=sources_of(rules.few_visits_at_most, rules.session_minutes_when_few),
            )
        )
    if c.heavy_workload:
        applied.add("heavy_workload")
        reasons.append(
            Reason(
                rule="planning.constraints.heavy_workload",
                text="Heavy work schedule: any intervention is booked in a lighter week with its "
                "rehab hand-off the same week; home work in short blocks that fit shifts",
                data={"schedule": c.schedule, "work_pattern": c.work_pattern},
                sources=rules.source,
            )
        )
    if c.transport in ("none", "limited"):
        applied.add("transport")
        if c.telehealth_ok is False:
            text = (
                f"Transport {c.transport} and telehealth declined: the home programme "
                "carries the plan; in-person sessions only where they cannot be replaced"
            )
        else:
            text = (
                f"Transport {c.transport}: telehealth-suitable modalities first; in-person "
                "ones are marked"
            )
        reasons.append(
            Reason(
                rule="planning.constraints.transport",
                text=text,
                data={"transport": c.transport, "telehealth_ok": c.telehealth_ok},
                sources=rules.source,
            )
        )
    return reasons, applied


def _modality(
    choice: _Choice,
    phase: PlannedPhase,
    applied: set[str],
    alternatives: tuple[str, ...],
    k: PlanningKnowledge,
) -> PlannedModality:
    t = choice.treatment
    notes: list[str] = []
    date = rehab_by = None
    if t.pairing is not None:
        date = phase.start
        rehab_by = date + dt.timedelta(days=t.pairing.rehab_within_days)
        low = k.checkpoints.after_intervention_min_days.value
        high = k.checkpoints.after_intervention_max_days.value
        notes.append(
            f"A bridge, not the plan: if given, the rehab hand-off starts within "
            f"{t.pairing.rehab_within_days} days and it is reassessed {low:g}–{high:g} days after"
        )
        if "heavy_workload" in applied:
            notes.append("Book it in a lighter week, with the rehab hand-off that same week")
    elif t.kind == "surgery":
        notes.append("A surgical opinion, not a decision: referral with the findings")
    if "few_visits" in applied and t.home:
        notes.append("Heavier home programme: progressed at home between the fewer sessions")
    if "transport" in applied and not t.telehealth:
        notes.append("In person: group with other visits or choose a telehealth alternative")
    return PlannedModality(
        id=t.id,
        label=t.label,
        kind=t.kind,
        role=_role(t),
        targets=choice.targets,
        evidence=t.evidence,
        stances=choice.stances,
        trial_weeks=t.trial_weeks,
        reassess_days=t.reassess_days,
        telehealth=t.telehealth,
        home=t.home,
        why=choice.why,
        alternatives=alternatives,
        notes=tuple(notes),
        date=date,
        rehab_by=rehab_by,
    )


def _rank_key(
    choice: _Choice,
    phase: PlannedPhase,
    drivers: Mapping[str, int],
    order: int,
    running: Mapping[str, dt.date],
) -> tuple[int, int, int, int, int]:
    """Core treatments first, then a trial still running from an earlier phase (CBT started
    in settle carries on for its 8 weeks), then by the rank of the driver they target (the
    patient's first driver before the second), then those suited to the phase's emphasis,
    then knowledge order (rule planning.max_modalities_per_phase)."""
    t = choice.treatment
    mismatch = (phase.emphasis == "passive" and t.kind == "active") or (
        phase.emphasis in ("active", "self-management") and t.kind == "passive"
    )
    ranks = [drivers[d] for d in t.targets if d in drivers]
    began = running.get(t.id)
    still = began is not None and (phase.start - began).days < t.trial_weeks * 7
    return (
        0 if t.core else 1,
        0 if still else 1,
        min(ranks, default=len(drivers) + 1),
        int(mismatch),
        order,
    )


def _phase_modalities(
    phase: PlannedPhase,
    choices: Sequence[_Choice],
    applied: set[str],
    k: PlanningKnowledge,
    drivers: Mapping[str, int],
    bring_forward: bool,
    running: dict[str, dt.date],
) -> tuple[tuple[PlannedModality, ...], tuple[str, ...]]:
    """The modalities of one phase and the ones left as "also suitable": alternatives folded
    into the treatment they replace; at most ``max_modalities_per_phase``, ranked; bridges and
    referrals on top; with few visits the home programme joins every phase; with poor
    transport, telehealth first (rules planning.max_modalities_per_phase,
    planning.constraints.*). ``bring_forward``: the entry phase also takes the bridges and
    referrals of the phases the plan skips; ``running`` (updated) is when each modality's
    trial began."""

    def belongs(c: _Choice) -> bool:
        if phase.id in c.treatment.phases:
            return True
        skipped = PHASES.index(phase.id) > max(PHASES.index(p) for p in c.treatment.phases)
        return bring_forward and skipped and c.treatment.kind in ("intervention", "surgery")

    here = [c for c in choices if belongs(c)]
    if "few_visits" in applied and not any(c.treatment.id == "home_programme" for c in here):
        here += [c for c in choices if c.treatment.id == "home_programme"]
    ids = {c.treatment.id for c in here}
    folded = {c.treatment.id for c in here if c.treatment.alternative_to in ids}
    ranked = sorted(
        (c for c in here if c.treatment.id not in folded),
        key=lambda c: _rank_key(c, phase, drivers, choices.index(c), running),
    )
    main = [c for c in ranked if c.treatment.kind not in ("intervention", "surgery")]
    extra = [c for c in ranked if c.treatment.kind in ("intervention", "surgery")]
    cap = int(k.rules.max_modalities_per_phase.value)
    kept, rest = main[:cap], main[cap:]

    # care-model §4: passive care continues while the window is extended and alongside the
    # first active work (blend is "not a hand-off"): keep one passive treatment if any fits.
    def hands_on(c: _Choice) -> bool:
        return c.treatment.kind == "passive" and not c.treatment.core

    if phase.emphasis in ("passive", "blend") and not any(hands_on(c) for c in kept):
        passive = next((c for c in rest if hands_on(c)), None)
        swappable = [c for c in kept if not c.treatment.core]
        if passive is not None and swappable:
            kept.remove(swappable[-1])
            rest.remove(passive)
            rest.insert(0, swappable[-1])
            kept.append(passive)
    for c in kept:
        running.setdefault(c.treatment.id, phase.start)
    for c in rest:  # a trial not continued here starts afresh if a later phase picks it
        running.pop(c.treatment.id, None)
    out = []
    for c in sorted(kept, key=lambda c: choices.index(c)) + extra:
        alternatives = tuple(
            a.treatment.label for a in here if a.treatment.alternative_to == c.treatment.id
        )
        out.append(_modality(c, phase, applied, alternatives, k))
    if "transport" in applied:
        out.sort(key=lambda m: not m.telehealth)

    def labelled(c: _Choice) -> str:
        alternatives = [
            a.treatment.label for a in here if a.treatment.alternative_to == c.treatment.id
        ]
        return c.treatment.label + (f" (or {', '.join(alternatives)})" if alternatives else "")

    return tuple(out), tuple(labelled(c) for c in rest)


def build_plan(assessment: Assessment, today: dt.date, k: PlanningKnowledge) -> Plan:
    """The staged plan for an assessment, dated from ``today`` (rules planning.*,
    treatments.*, checkpoints.*, medications.*, mme.*, taper.*).

    Emergency red flag → the plan is the referral (status "referral"). Urgent red flag → the
    plan waits for the referral (status "provisional", starting after the referral's
    checkpoint). Otherwise a plan, with any "soon" referral alongside."""
    intake, facts = assessment.intake, assessment.facts
    rules = k.rules
    referrals = _referrals(assessment)
    reasons: list[Reason] = []
    missing: list[str] = []
    checkpoints: list[Checkpoint] = []
    for r in referrals:
        checkpoints.append(
            Checkpoint(
                today + dt.timedelta(days=rules.referrals.days(r.urgency)),
                "referral",
                None,
                f"Confirm the {r.urgency} referral happened and what it found: {r.text}",
            )
        )
    medications = review(
        [(m.name, m.rxnorm) for m in intake.medications or []],
        facts,
        k.medications,
        k.opioid_table,
        tried_without_response=[
            t.name
            for t in intake.prior_treatments or []
            if t.kind == "medication" and t.response in ("none", "worse")
        ],
    )
    emergency = any(r.urgency == "emergency" for r in referrals)
    urgent = any(r.urgency == "urgent" for r in referrals)
    if emergency:
        mme, _, _ = _opioid_part(intake, facts, k, today)
        return Plan(
            knowledge_version=k.version,
            today=today,
            status="referral",
            status_reason=assessment.plan_blocked_reason
            or "An emergency red flag: the plan is the referral",
            referrals=referrals,
            entry_phase=None,
            entry_reason=None,
            phases=(),
            checkpoints=tuple(checkpoints),
            considered=(),
            goals=_goals(intake),
            medications=medications,
            mme=mme,
            taper=None,
            constraints=(),
            reasons=(
                Reason(
                    rule="planning.blocked",
                    text="Red flags come first: no treatment plan until the emergency "
                    "referral has been made and answered",
                    sources=sources_of(rules.referrals),
                ),
            ),
            missing=(),
        )

    start = today
    if urgent:
        start = today + dt.timedelta(days=rules.referrals.days("urgent"))
        first = "; ".join(r.text for r in referrals if r.urgency == "urgent")
        status_reason = (
            f"An urgent referral comes first ({first}): the plan below is provisional and "
            "starts once the referral has been seen and answered"
        )
        status: Literal["referral", "provisional", "plan"] = "provisional"
    else:
        status = "plan"
        status_reason = "No red flag blocks care" + ("; referrals alongside" if referrals else "")
        if not assessment.red_flags_screened:
            status_reason += "; the red-flag screen was not recorded — complete it first"
            missing.append("red_flag_findings: the red-flag screen was not recorded")

    entry, entry_reason = _entry(rules, facts)
    reasons.append(entry_reason)
    phase_defs = [rules.phase(p) for p in PHASES[PHASES.index(entry) :]]
    covered = intake.constraints.covered_visits if intake.constraints else None
    few_at_most = rules.constraints.few_visits_at_most.value
    sessions, unlimited = _sessions(phase_defs, covered)
    few = covered is not None and covered <= few_at_most
    constraint_reasons, applied = _constraint_reasons(intake, few, sum(unlimited), k)
    choices, considered = _choose(k.treatments, facts)
    # Drivers by their rank in the assessment: equal evidence, equal rank (the runner's four).
    drivers = {d.id: d.rank for d in assessment.drivers if d.rank is not None}

    halfway = rules.halfway_percent.value
    if not intake.goals:
        missing.append(
            "goals: no functional goals recorded; exit criteria use each phase's general "
            "criteria until up to three goals are set"
        )
    phases: list[PlannedPhase] = []
    empty: list[str] = []
    running: dict[str, dt.date] = {}
    at = start
    for number, (p, n_sessions) in enumerate(zip(phase_defs, sessions, strict=True), start=1):
        weeks = int(p.trial_weeks.value)
        end = at + dt.timedelta(weeks=weeks)
        exit_criteria = list(p.exit)
        if p.exit_per_goal:
            exit_criteria += [goal_criterion(p.exit_per_goal, g, halfway) for g in intake.goals]
        minutes = (
            int(rules.constraints.session_minutes_when_few.value) if few and n_sessions else None
        )
        shell = PlannedPhase(
            p.id,
            number,
            p.label,
            p.purpose,
            p.emphasis,
            at,
            end,
            weeks,
            n_sessions,
            minutes,
            (),
            tuple(exit_criteria),
        )
        modalities, also = _phase_modalities(
            shell, choices, applied, k, drivers, bring_forward=number == 1, running=running
        )
        if not modalities:
            # Everything this phase could hold waits (held, or not for this patient yet): no
            # sessions without content; the held options are listed with why.
            n_sessions, minutes = 0, None
            empty.append(p.label.lower())
        phase = dataclasses.replace(
            shell, sessions=n_sessions, session_minutes=minutes, modalities=modalities,
            also_suitable=also,
        )  # fmt: skip
        phases.append(phase)
        due = _checkpoints_for(phase, n_sessions / weeks, k.checkpoints)
        # An empty phase has no trial to review: only its end, when the plan is revisited.
        checkpoints += due if modalities else [c for c in due if c.kind != "interval"]
        low = int(k.checkpoints.after_intervention_min_days.value)
        high = int(k.checkpoints.after_intervention_max_days.value)
        for m in modalities:
            if m.date is not None:
                checkpoints.append(
                    Checkpoint(
                        m.date + dt.timedelta(days=low),
                        "after_intervention",
                        p.id,
                        f"If {m.label.lower()} was given: did it open a window the rehab used? "
                        "Relief and function since, not memory months later",
                        window_end=m.date + dt.timedelta(days=high),
                    )
                )
        at = end
    if empty:
        reasons.append(
            Reason(
                rule="planning.phase_empty",
                text=f"Nothing can be planned yet for {', '.join(empty)}: the options are held "
                "(see considered, not planned) until the referral or the red flag is answered; "
                "re-plan then",
                data={"phases": empty},
                sources=rules.referrals.source,
            )
        )
    mme, taper, taper_reasons = _opioid_part(intake, facts, k, start)
    reasons += taper_reasons
    checkpoints.sort(key=lambda c: (c.date, c.kind))
    return Plan(
        knowledge_version=k.version,
        today=today,
        status=status,
        status_reason=status_reason,
        referrals=referrals,
        entry_phase=entry,
        entry_reason=entry_reason,
        phases=tuple(phases),
        checkpoints=tuple(checkpoints),
        considered=tuple(considered),
        goals=_goals(intake),
        medications=medications,
        mme=mme,
        taper=taper,
        constraints=tuple(constraint_reasons),
        reasons=tuple(reasons),
        missing=tuple(missing),
    )
