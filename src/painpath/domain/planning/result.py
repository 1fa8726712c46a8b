"""What the planner returns: a staged plan (or the referral that replaces it) with its reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from painpath.domain.explain import Reason
from painpath.domain.medications.mme import MmeResult
from painpath.domain.medications.review import MedicationFinding, StanceView
from painpath.domain.medications.taper import TaperPlan

__all__ = [
    "Checkpoint",
    "ConsideredOption",
    "Plan",
    "PlannedModality",
    "PlannedPhase",
    "Referral",
    "reason_dict",
]

PlanStatus = Literal["referral", "provisional", "plan"]
CheckpointKind = Literal["referral", "interval", "after_intervention", "phase_end", "follow_up"]


def _plain(value: Any) -> Any:
    """JSON's shapes: tuples become lists, all the way down."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def reason_dict(r: Reason) -> dict[str, Any]:
    """A reason as JSON: rule, text, data and the short names of its sources."""
    return {
        "rule": r.rule,
        "text": r.text,
        "data": _plain(dict(r.data)),
        "sources": [c.short for c in r.sources],
    }


@dataclass(frozen=True)
class Referral:
    """Where a red flag sends the patient, how urgently, and whether the plan waits for it."""

    urgency: Literal["emergency", "urgent", "soon"]
    text: str
    flags: tuple[str, ...]
    blocks_plan: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "urgency": self.urgency,
            "text": self.text,
            "flags": list(self.flags),
            "blocks_plan": self.blocks_plan,
        }


@dataclass(frozen=True)
class PlannedModality:
    """A modality chosen for a phase, with why, its evidence and any timing notes."""

    id: str
    label: str
    kind: str
    role: Literal["core", "targeted", "bridge", "referral"]
    targets: tuple[str, ...]
    evidence: str
    stances: tuple[StanceView, ...]
    trial_weeks: int
    reassess_days: int
    telehealth: bool
    home: bool
    why: Reason
    alternatives: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    date: dt.date | None = None
    rehab_by: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "role": self.role,
            "targets": list(self.targets),
            "evidence": self.evidence,
            "stances": [s.to_dict() for s in self.stances],
            "trial_weeks": self.trial_weeks,
            "reassess_days": self.reassess_days,
            "telehealth": self.telehealth,
            "home": self.home,
            "why": reason_dict(self.why),
            "alternatives": list(self.alternatives),
            "notes": list(self.notes),
            "date": self.date.isoformat() if self.date else None,
            "rehab_by": self.rehab_by.isoformat() if self.rehab_by else None,
        }


@dataclass(frozen=True)
class PlannedPhase:
    """One phase: a time-limited trial with its modalities, sessions and exit criteria.

    Dates are the earliest expected: the phase ends when its exit criteria are met, and a
    checkpoint decides (continue, adjust, refer or graduate)."""

    id: str
    number: int
    label: str
    purpose: str
    emphasis: str
    start: dt.date
    end: dt.date
    trial_weeks: int
    sessions: int
    session_minutes: int | None
    modalities: tuple[PlannedModality, ...]
    exit_criteria: tuple[str, ...]
    also_suitable: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "label": self.label,
            "purpose": self.purpose,
            "emphasis": self.emphasis,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "trial_weeks": self.trial_weeks,
            "sessions": self.sessions,
            "session_minutes": self.session_minutes,
            "modalities": [m.to_dict() for m in self.modalities],
            "also_suitable": list(self.also_suitable),
            "exit_criteria": list(self.exit_criteria),
        }


@dataclass(frozen=True)
class Checkpoint:
    """A dated question the plan must answer (care-model.md §7)."""

    date: dt.date
    kind: CheckpointKind
    phase: str | None
    question: str
    window_end: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "window_end": self.window_end.isoformat() if self.window_end else None,
            "kind": self.kind,
            "phase": self.phase,
            "question": self.question,
        }


@dataclass(frozen=True)
class ConsideredOption:
    """A treatment that was considered for this patient and is not in the plan, with why:
    never silently dropped, because patients ask for them."""

    id: str
    label: str
    kind: str
    verdict: Literal["not_recommended", "guidelines_disagree", "held"]
    evidence: str
    stances: tuple[StanceView, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "stances": [s.to_dict() for s in self.stances],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Plan:
    """The plan for one assessment on one date."""

    knowledge_version: str | None
    today: dt.date
    status: PlanStatus
    status_reason: str
    referrals: tuple[Referral, ...]
    entry_phase: str | None
    entry_reason: Reason | None
    phases: tuple[PlannedPhase, ...]
    checkpoints: tuple[Checkpoint, ...]
    considered: tuple[ConsideredOption, ...]
    goals: tuple[dict[str, Any], ...]
    medications: tuple[MedicationFinding, ...]
    mme: MmeResult | None
    taper: TaperPlan | None
    constraints: tuple[Reason, ...]
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]

    def phase(self, phase_id: str) -> PlannedPhase:
        """The planned phase with this id (KeyError if the plan does not reach it)."""
        for p in self.phases:
            if p.id == phase_id:
                return p
        raise KeyError(phase_id)

    def modality_ids(self) -> set[str]:
        """Every modality the plan proposes, in any phase."""
        return {m.id for p in self.phases for m in p.modalities}

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON (the shape `painpath plan --format json` prints)."""
        return {
            "knowledge_version": self.knowledge_version,
            "today": self.today.isoformat(),
            "status": self.status,
            "status_reason": self.status_reason,
            "referrals": [r.to_dict() for r in self.referrals],
            "entry_phase": self.entry_phase,
            "entry_reason": reason_dict(self.entry_reason) if self.entry_reason else None,
            "phases": [p.to_dict() for p in self.phases],
            "checkpoints": [c.to_dict() for c in self.checkpoints],
            "considered_not_planned": [c.to_dict() for c in self.considered],
            "goals": list(self.goals),
            "medications": [m.to_dict() for m in self.medications],
            "mme": self.mme.to_dict() if self.mme else None,
            "taper": self.taper.to_dict() if self.taper else None,
            "constraints": [reason_dict(r) for r in self.constraints],
            "reasons": [reason_dict(r) for r in self.reasons],
            "missing": list(self.missing),
        }
