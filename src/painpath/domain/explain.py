"""Why a decision was made: the citations behind a rule and the reasons a result carries.

Every decision Painpath makes returns its reasons: the rule id, the data points it used and the
sources it rests on (style.md, principle 15). These two value objects are shared by every part
of the domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Certainty", "Citation", "Reason", "Sourced", "resolve_sources", "sources_of"]

CitationKind = Literal[
    "paper", "guideline", "instrument", "web", "standard", "seed", "spec", "dataset", "override"
]

Certainty = Literal["confirmed", "secondary", "unconfirmed"]
"""How firmly a fact was verified (clinical-facts.md legend): read in the primary source,
only in a third-party summary, or not confirmed by any found source."""


class Citation(BaseModel):
    """One entry of the bibliography: what a rule rests on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_.:/-]*$")
    short: str = Field(min_length=1, description="How a result line names it, e.g. 'Kroenke 2001'")
    citation: str = Field(min_length=1, description="The full reference")
    kind: CitationKind
    url: str | None = None


def resolve_sources(value: object, context: object) -> object:
    """Turn the source keys a knowledge file writes into Citation objects.

    Knowledge files name their sources by bibliography key (``source: kroenke2001`` or a list);
    the loader passes the bibliography as validation context. Citation objects pass through.
    """
    raw = [value] if isinstance(value, str | Citation | dict) else value
    if not isinstance(raw, list | tuple):
        return value
    bibliography = context.get("bibliography") if isinstance(context, dict) else None
    resolved: list[object] = []
    for entry in raw:
        if isinstance(entry, str):
            if not isinstance(bibliography, Mapping):
                raise ValueError(f"source '{entry}' cannot be resolved without the bibliography")
            if entry not in bibliography:
                raise ValueError(f"unknown source '{entry}': add it to sources.yaml first")
            resolved.append(bibliography[entry])
        else:
            resolved.append(entry)
    return tuple(resolved)


class Sourced(BaseModel):
    """A piece of knowledge that says where it comes from.

    ``source`` is never empty: a rule without a source cannot be reviewed, so it cannot load.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    source: tuple[Citation, ...] = Field(min_length=1)
    certainty: Certainty | None = None
    note: str | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _resolve(cls, value: object, info: Any) -> object:
        return resolve_sources(value, info.context)

    @property
    def cited(self) -> str:
        """The short names of the sources, as a result line prints them."""
        return "; ".join(c.short for c in self.source)


class Reason(BaseModel):
    """One rule applied to one set of data, in words and in data."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Rule id, e.g. 'phq9.band.moderate'")
    text: str = Field(description="What the rule found, in plain language")
    data: Mapping[str, Any] = Field(default_factory=dict, description="The data points used")
    sources: tuple[Citation, ...] = ()

    def line(self) -> str:
        """The reason as one line: rule id, finding and sources.

        >>> c = Citation(key="k", short="Kroenke 2001", citation="...", kind="paper")
        >>> Reason(rule="phq9.total", text="sum of items = 12", sources=(c,)).line()
        'phq9.total: sum of items = 12 [Kroenke 2001]'
        """
        cited = "; ".join(c.short for c in self.sources)
        return f"{self.rule}: {self.text}" + (f" [{cited}]" if cited else "")


def sources_of(*entries: Sourced) -> tuple[Citation, ...]:
    """The citations of several entries, each once, in order: a decision that used a rule and
    its parameters cites them all (so a clinic's overridden number shows up)."""
    return tuple(dict.fromkeys(c for e in entries for c in e.source))
