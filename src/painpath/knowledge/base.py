"""The loaded knowledge base: every validated file, its version, and what a clinic overrode."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from painpath.domain.assessment import AssessmentKnowledge
from painpath.domain.assessment.knowledge import (
    AssessmentRules,
    DriverRules,
    ImagingTable,
    PsychosocialRules,
    RedFlagCatalog,
)
from painpath.domain.care_defaults import CheckpointDefaults, SignalDefaults
from painpath.domain.explain import Citation, Sourced
from painpath.domain.instruments import InstrumentDefinition, UnknownInstrumentError
from painpath.domain.medications.knowledge import MedicationCatalog
from painpath.domain.medications.opioids import OpioidTable
from painpath.domain.planning.knowledge import PlanningRules, TreatmentCatalog
from painpath.domain.planning.plan import PlanningKnowledge

__all__ = ["KnowledgeBase", "OverrideRecord", "UnknownKeyError"]


@dataclass(frozen=True)
class OverrideRecord:
    """One override file a clinic applied: why, by whom, and which values it changed."""

    file: str
    reason: str
    approved_by: str | None
    citation_key: str
    changed: tuple[str, ...]


class UnknownKeyError(KeyError):
    """A knowledge key that names no entry; the message suggests near matches."""

    def __init__(self, key: str, suggestions: list[str]):
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        self.message = f"no knowledge entry {key!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything Painpath knows, validated, with the version that results record."""

    version: str
    fhir_canonical_base: str
    sources: Mapping[str, Citation]
    instruments: Mapping[str, InstrumentDefinition]
    signals: SignalDefaults
    checkpoints: CheckpointDefaults
    red_flags: RedFlagCatalog
    assessment_rules: AssessmentRules
    drivers: DriverRules
    psychosocial: PsychosocialRules
    imaging: ImagingTable
    treatments: TreatmentCatalog
    medications: MedicationCatalog
    planning: PlanningRules
    opioid_table: OpioidTable
    files: tuple[str, ...]
    overrides: tuple[OverrideRecord, ...] = ()
    _tree: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def instrument(self, instrument_id: str) -> InstrumentDefinition:
        """The definition of ``instrument_id``; UnknownInstrumentError lists the known ones."""
        try:
            return self.instruments[instrument_id]
        except (KeyError, TypeError):
            raise UnknownInstrumentError(str(instrument_id), list(self.instruments)) from None

    @property
    def assessment(self) -> AssessmentKnowledge:
        """What the assessment engine reads."""
        return AssessmentKnowledge(
            instruments=self.instruments,
            red_flags=self.red_flags,
            rules=self.assessment_rules,
            drivers=self.drivers,
            psychosocial=self.psychosocial,
            imaging=self.imaging,
            version=self.version,
        )

    @property
    def planning_knowledge(self) -> PlanningKnowledge:
        """What the planner reads."""
        return PlanningKnowledge(
            treatments=self.treatments,
            rules=self.planning,
            checkpoints=self.checkpoints,
            medications=self.medications,
            opioid_table=self.opioid_table,
            version=self.version,
        )

    def entries(self) -> Iterator[tuple[str, Sourced]]:
        """Every sourced entry in the knowledge base, with its dotted key.

        Instruments, their scoring, bands, flags, subscales, change rules, licences and codes,
        and every default of the care model: each is a Sourced model and carries its citations.
        """
        for ident, definition in self.instruments.items():
            yield from _walk_sourced(f"instruments.{ident}", definition)
        yield from _walk_sourced("signals", self.signals)
        yield from _walk_sourced("checkpoints", self.checkpoints)
        yield from _walk_sourced("red_flags", self.red_flags)
        yield from _walk_sourced("assessment", self.assessment_rules)
        yield from _walk_sourced("drivers", self.drivers)
        yield from _walk_sourced("psychosocial", self.psychosocial)
        yield from _walk_sourced("imaging", self.imaging)
        yield from _walk_sourced("treatments", self.treatments)
        yield from _walk_sourced("medications", self.medications)
        yield from _walk_sourced("planning", self.planning)

    def tree(self) -> dict[str, Any]:
        """The knowledge as nested mappings, entries keyed by id, sources as keys.

        This is the shape ``painpath knowledge show KEY`` walks.
        """
        if not self._tree:
            self._tree.update(
                {
                    "instruments": {
                        i: _keyed(d.model_dump(mode="json", exclude_none=True))
                        for i, d in self.instruments.items()
                    },
                    "signals": _keyed(self.signals.model_dump(mode="json", exclude_none=True)),
                    "checkpoints": _keyed(
                        self.checkpoints.model_dump(mode="json", exclude_none=True)
                    ),
                    **{
                        name: _keyed(
                            getattr(self, attr).model_dump(
                                mode="json", exclude_none=True, by_alias=True
                            )
                        )
                        for name, attr in (
                            ("red_flags", "red_flags"),
                            ("assessment", "assessment_rules"),
                            ("drivers", "drivers"),
                            ("psychosocial", "psychosocial"),
                            ("imaging", "imaging"),
                            ("treatments", "treatments"),
                            ("medications", "medications"),
                            ("planning", "planning"),
                        )
                    },
                    "sources": {
                        k: c.model_dump(exclude_none=True) for k, c in self.sources.items()
                    },
                }
            )
        return self._tree

    def lookup(self, key: str) -> tuple[str, Any]:
        """Find an entry by dotted key; instrument ids may drop the ``instruments.`` prefix.

        Returns the full key and the entry. Raises UnknownKeyError with suggestions.
        """
        tree = self.tree()
        parts = [p for p in key.strip().split(".") if p]
        if parts and parts[0] not in tree and parts[0] in tree["instruments"]:
            parts = ["instruments", *parts]
        parts = self._rule_id_to_key(parts, tree)
        if len(parts) > 2 and parts[0] == "sources":
            # Bibliography keys may contain dots (override:instruments/odi.yaml).
            parts = ["sources", ".".join(parts[1:])]
        node: Any = tree
        for n, part in enumerate(parts):
            if isinstance(node, dict) and part in node:
                node = node[part]
                continue
            here = ".".join(parts[:n])
            options = [f"{here}.{k}" if here else k for k in node] if isinstance(node, dict) else []
            wanted = ".".join(parts[: n + 1])
            raise UnknownKeyError(key, difflib.get_close_matches(wanted, options, n=3, cutoff=0.5))
        if not parts:
            raise UnknownKeyError(key, sorted(tree))
        return ".".join(parts), node

    @staticmethod
    def _rule_id_to_key(parts: list[str], tree: Mapping[str, Any]) -> list[str]:
        """Rule ids as results print them, as keys: ``treatments.pacing`` is the treatment,
        ``medications.opioid.opioid_chronic_back_pain`` a check of a class, ``taper.*`` and
        ``mme.*`` the medication file's sections."""
        if parts and parts[0] in ("taper", "mme"):
            return ["medications", *parts]
        if len(parts) >= 2 and parts[0] == "treatments" and parts[1] not in tree["treatments"]:
            return ["treatments", "treatments", *parts[1:]]
        classes = tree["medications"].get("classes", {})
        if len(parts) >= 2 and parts[0] == "medications" and parts[1] in classes:
            rest = ["checks", *parts[2:]] if len(parts) > 2 else []
            if len(parts) > 2 and parts[2] not in classes[parts[1]].get("checks", {}):
                rest = parts[2:]
            return ["medications", "classes", parts[1], *rest]
        return parts

    def sources_for(self, key: str) -> list[Citation]:
        """The citations an entry rests on: its own sources, else those of its parents."""
        full, node = self.lookup(key)
        keys = _source_keys(node)
        parts = full.split(".")
        while not keys and parts:
            parts = parts[:-1]
            if parts:
                keys = _source_keys(self.lookup(".".join(parts))[1], deep=False)
        return [self.sources[k] for k in dict.fromkeys(keys) if k in self.sources]

    def overrides_for(self, key: str) -> list[OverrideRecord]:
        """The override files that changed this entry or anything inside it."""
        full, _ = self.lookup(key)
        return [
            o
            for o in self.overrides
            if any(
                c == full or c.startswith(full + ".") or full.startswith(c + ".") for c in o.changed
            )
        ]


def _walk_sourced(key: str, value: object) -> Iterator[tuple[str, Sourced]]:
    if isinstance(value, Sourced):
        yield key, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "source":
                yield from _walk_sourced(f"{key}.{name}", getattr(value, name))
    elif isinstance(value, tuple):
        for n, element in enumerate(value):
            ident = getattr(element, "id", n)
            yield from _walk_sourced(f"{key}.{ident}", element)


_PROVENANCE = ("source", "certainty", "note")


def _keyed(value: Any) -> Any:
    """Lists of entries with ids become mappings keyed by id; citations become their keys;
    provenance fields move to the end of each entry; whole floats print as integers."""
    if isinstance(value, dict):
        out = {k: _keyed(v) for k, v in value.items() if k not in _PROVENANCE}
        for k in _PROVENANCE:
            if k in value:
                v = value[k]
                out[k] = [c["key"] if isinstance(c, dict) else c for c in v] if k == "source" else v
        return out
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "id" in v for v in value):
            return {str(v["id"]): _keyed(v) for v in value}
        return [_keyed(v) for v in value]
    return value


def _source_keys(node: Any, *, deep: bool = True) -> list[str]:
    keys: list[str] = []
    if isinstance(node, dict):
        src = node.get("source")
        if isinstance(src, list):
            keys.extend(str(s) for s in src)
        if deep:
            for k, v in node.items():
                if k != "source":
                    keys.extend(_source_keys(v))
    elif isinstance(node, list) and deep:
        for v in node:
            keys.extend(_source_keys(v))
    return keys
