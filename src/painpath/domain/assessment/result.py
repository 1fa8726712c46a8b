"""What the assessment returns: the hypothesis, each part with the reasons behind it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from painpath.domain.assessment.intake import Intake
from painpath.domain.explain import Reason
from painpath.domain.instruments import Score

__all__ = [
    "Assessment",
    "Criterion",
    "DriverResult",
    "ImagingContext",
    "IrritabilityResult",
    "MechanismResult",
    "MismatchResult",
    "PatternResult",
    "PsychosocialFinding",
    "RedFlagResult",
]

_FROZEN = ConfigDict(frozen=True)
Grade = Literal["low", "moderate", "high"]


def _reason(r: Reason) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "text": r.text,
        "data": dict(r.data),
        "sources": [c.short for c in r.sources],
    }


class RedFlagResult(BaseModel):
    model_config = _FROZEN
    id: str
    label: str
    group: str
    kind: Literal["red_flag", "safety"]
    urgency: Literal["emergency", "urgent", "soon"]
    referral: str
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude={"reason"}) | {"evidence": _reason(self.reason)}


class IrritabilityResult(BaseModel):
    model_config = _FROZEN
    grade: Grade | None
    components: dict[str, Grade]
    missing: tuple[str, ...]
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "components": dict(self.components),
            "missing": list(self.missing),
            "evidence": _reason(self.reason),
        }


class Criterion(BaseModel):
    """One IASP 2021 criterion: met, not met, or not assessable (None)."""

    model_config = _FROZEN
    id: str
    label: str
    met: bool | None
    detail: str


class MechanismResult(BaseModel):
    model_config = _FROZEN
    id: Literal["nociceptive", "neuropathic", "nociplastic"]
    status: Literal["likely", "possible", "probable", "unlikely", "not_met", "not_assessed"]
    evidence: tuple[Reason, ...]
    criteria: tuple[Criterion, ...] = ()
    support: tuple[Reason, ...] = ()

    @property
    def present(self) -> bool:
        """Whether the mechanism counts toward the profile (likely, probable or possible)."""
        return self.status in {"likely", "probable", "possible"}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "evidence": [_reason(r) for r in self.evidence],
        }
        if self.criteria:
            out["criteria"] = [c.model_dump() for c in self.criteria]
        if self.support:
            out["support"] = [_reason(r) for r in self.support]
        return out


class DriverResult(BaseModel):
    model_config = _FROZEN
    id: str
    label: str
    score: int
    rank: int | None
    explanation: str
    evidence: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "rank": self.rank,
            "score": self.score,
            "explanation": self.explanation,
            "evidence": [_reason(r) for r in self.evidence],
        }


class PsychosocialFinding(BaseModel):
    model_config = _FROZEN
    id: str
    label: str
    instrument: str | None
    value: float | int | None
    band: str | None
    action: str
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude={"reason"}) | {"evidence": _reason(self.reason)}


class ImagingContext(BaseModel):
    """One imaging finding beside its prevalence in people of the same age without pain."""

    model_config = _FROZEN
    finding: str
    label: str
    level: str | None
    age: int
    prevalence_pct: float | None
    in_reference: bool
    common: bool | None
    can_affect_nerve_root: bool = False
    text: str
    source: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump() | {"source": list(self.source)}


class MismatchResult(BaseModel):
    model_config = _FROZEN
    present: bool | None
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return {"present": self.present, "evidence": _reason(self.reason)}


class PatternResult(BaseModel):
    model_config = _FROZEN
    status: Literal["present", "possible", "absent"]
    features: dict[str, bool | None]
    recommendation: str | None
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "features": dict(self.features),
            "recommendation": self.recommendation,
            "evidence": _reason(self.reason),
        }


class Assessment(BaseModel):
    """The first-visit hypothesis: red flags first, then mechanisms, drivers and context."""

    model_config = _FROZEN
    knowledge_version: str | None
    red_flags_screened: bool
    red_flags: tuple[RedFlagResult, ...]
    plan_blocked: bool
    plan_blocked_reason: str | None
    urgency: Literal["emergency", "urgent", "soon"] | None
    mechanisms: tuple[MechanismResult, ...]
    mixed: bool
    drivers: tuple[DriverResult, ...]
    irritability: IrritabilityResult
    psychosocial: tuple[PsychosocialFinding, ...]
    imaging: tuple[ImagingContext, ...]
    mismatch: MismatchResult
    central_sensitisation_pattern: PatternResult
    questionnaires: dict[str, Score]
    missing: tuple[str, ...]
    reasons: tuple[Reason, ...]
    intake: Intake
    facts: dict[str, Any]

    @property
    def explanation(self) -> tuple[str, ...]:
        """One line per rule applied, each with its sources."""
        return tuple(r.line() for r in self.reasons)

    def mechanism(self, mechanism_id: str) -> MechanismResult:
        """The result for one mechanism."""
        return next(m for m in self.mechanisms if m.id == mechanism_id)

    def to_dict(self) -> dict[str, Any]:
        """The assessment as JSON (the CLI and API contract)."""
        return {
            "knowledge_version": self.knowledge_version,
            "red_flags_screened": self.red_flags_screened,
            "red_flags": [f.to_dict() for f in self.red_flags],
            "plan_blocked": self.plan_blocked,
            "plan_blocked_reason": self.plan_blocked_reason,
            "urgency": self.urgency,
            "mechanisms": [m.to_dict() for m in self.mechanisms],
            "mixed": self.mixed,
            "drivers": [d.to_dict() for d in self.drivers],
            "irritability": self.irritability.to_dict(),
            "psychosocial": [p.to_dict() for p in self.psychosocial],
            "imaging": [i.to_dict() for i in self.imaging],
            "mismatch": self.mismatch.to_dict(),
            "central_sensitisation_pattern": self.central_sensitisation_pattern.to_dict(),
            "questionnaires": {
                k: {"total": s.total, "band": s.band, "flags": list(s.flags)}
                for k, s in self.questionnaires.items()
            },
            "missing": list(self.missing),
            "explanation": list(self.explanation),
        }
