"""What scoring and comparing return: immutable values that carry their own explanation."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from painpath.domain.explain import Citation, Reason

__all__ = ["Change", "ChangeStatus", "Score"]

Number = int | float

ChangeStatus = Literal["improved", "worsened", "no_meaningful_change", "not_classifiable"]


class _Explained(BaseModel):
    """A result that carries the reasons it was reached."""

    model_config = ConfigDict(frozen=True)

    reasons: tuple[Reason, ...]
    knowledge_version: str | None = None

    @property
    def explanation(self) -> tuple[str, ...]:
        """One line per rule applied, each with its source."""
        return tuple(r.line() for r in self.reasons)


class Score(_Explained):
    """A scored questionnaire."""

    instrument: str
    name: str
    total: Number
    range: tuple[Number, Number]
    band: str | None
    band_label: str | None
    subscales: dict[str, Number]
    flags: tuple[str, ...]
    missing: tuple[str, ...]
    answered: int
    prorated: bool

    def to_dict(self) -> dict[str, Any]:
        """The score as the JSON the CLI prints and the API returns."""
        return {
            "instrument": self.instrument,
            "name": self.name,
            "total": self.total,
            "range": list(self.range),
            "band": self.band,
            "band_label": self.band_label,
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
            "missing": list(self.missing),
            "answered": self.answered,
            "prorated": self.prorated,
            "explanation": list(self.explanation),
            "reasons": [_reason_dict(r) for r in self.reasons],
            "knowledge_version": self.knowledge_version,
        }


class Change(_Explained):
    """Whether a score moved by a meaningful amount between two administrations."""

    instrument: str
    before: Number
    after: Number
    difference: Number
    direction: Literal["higher_is_worse", "higher_is_better"]
    status: ChangeStatus
    threshold_kind: Literal["mcid", "mic", "mid", "mdc"] | None
    threshold_points: float | None
    threshold_percent: float | None
    sources: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON."""
        return {
            "instrument": self.instrument,
            "before": self.before,
            "after": self.after,
            "difference": self.difference,
            "direction": self.direction,
            "status": self.status,
            "threshold": {
                "kind": self.threshold_kind,
                "points": self.threshold_points,
                "percent": self.threshold_percent,
                "source": [c.short for c in self.sources],
            },
            "explanation": list(self.explanation),
            "knowledge_version": self.knowledge_version,
        }


def _reason_dict(r: Reason) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "text": r.text,
        "data": dict(r.data),
        "sources": [c.key for c in r.sources],
    }
