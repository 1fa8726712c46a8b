"""Loading the knowledge base from its data files and a clinic's override directory.

The files shipped in ``painpath/knowledge/data`` are read, each clinic override is merged into
its base file value by value, and every file is validated against its schema. Any problem in
any file refuses the whole load, with one line per problem naming file, entry and field:
nothing is loaded half-way.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from painpath.domain.assessment.knowledge import (
    AssessmentRules,
    DriverRules,
    ImagingTable,
    PsychosocialRules,
    RedFlagCatalog,
)
from painpath.domain.assessment.validation import Vocabulary, rule_problems
from painpath.domain.care_defaults import CheckpointDefaults, SignalDefaults
from painpath.domain.explain import Citation
from painpath.domain.instruments import InstrumentDefinition
from painpath.domain.medications.knowledge import MedicationCatalog
from painpath.domain.planning.knowledge import PlanningRules, TreatmentCatalog
from painpath.domain.planning.validation import planning_rule_problems
from painpath.knowledge._merge import MergeError, apply_override, cite_override
from painpath.knowledge._paths import entry_ident
from painpath.knowledge._rxnorm import RXNORM_FILE, parse_opioid_table
from painpath.knowledge._yaml import YamlError, parse_yaml
from painpath.knowledge.base import KnowledgeBase, OverrideRecord
from painpath.knowledge.errors import KnowledgeError, Problem, problems_from_validation

__all__ = ["OVERRIDES_ENV", "default_knowledge", "load_knowledge"]

OVERRIDES_ENV = "PAINPATH_KNOWLEDGE_OVERRIDES"


class _Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    fhir_canonical_base: str = Field(pattern=r"^https?://\S+[^/]$")


class _Bibliography(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int = Field(ge=1)
    sources: tuple[Citation, ...]


class _OverrideHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    reason: str = Field(min_length=1)
    approved_by: str | None = None
    date: datetime.date | None = None


def _data_root() -> Traversable:
    return resources.files("painpath.knowledge").joinpath("data")


@dataclass(frozen=True)
class _Applied:
    """One override file merged into its base file."""

    rel: str
    header: _OverrideHeader
    changed: list[tuple[str | int, ...]]
    citation_key: str

    @property
    def label(self) -> str:
        return f"overrides/{self.rel}"


def _is_yaml(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml"))


def _walk(root: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """Every file below ``root`` (hidden ones aside), as (relative path, file)."""
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, rel + "/")
        else:
            yield rel, entry


def _read(entry: Traversable, label: str, problems: list[Problem]) -> tuple[str, Any] | None:
    """The text and parsed YAML of one file, or None with the problem recorded."""
    try:
        text = entry.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(label, "", "", "the file is not UTF-8 text"))
        return None
    except OSError as exc:
        problems.append(Problem(label, "", "", f"the file cannot be read ({exc.strerror})"))
        return None
    try:
        return text, parse_yaml(text, label)
    except YamlError as exc:
        problems.append(Problem(label, "", "", exc.detail))
        return None


def load_knowledge(
    *,
    overrides: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> KnowledgeBase:
    """Load and validate the knowledge base, applying a clinic's override directory if given.

    Raises KnowledgeError listing every problem found; on error nothing is returned.
    """
    root: Traversable = Path(data_dir) if data_dir is not None else _data_root()
    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    for rel, entry in _walk(root):
        if _is_yaml(rel) and (read := _read(entry, rel, problems)) is not None:
            raw[rel] = read[1]
        elif rel == RXNORM_FILE:
            raw[rel] = entry.read_text(encoding="utf-8")

    applied: list[_Applied] = []
    digest = hashlib.sha256()
    if overrides is not None:
        over_dir = Path(overrides)
        if not over_dir.is_dir():
            why = "is not a directory" if over_dir.exists() else "does not exist"
            raise KnowledgeError([Problem(str(over_dir), "", "", f"the override directory {why}")])
        for rel, path in _walk(over_dir):
            label = f"overrides/{rel}"
            if not _is_yaml(rel):
                if not path.name.upper().startswith("README"):
                    problems.append(Problem(label, "", "", "only .yaml override files are read"))
                continue
            read = _read(path, label, problems)
            if read is None:
                continue
            text, data = read
            digest.update(rel.encode() + b"\0" + text.encode())
            rel = re.sub(r"\.(yaml|yml)$", ".yaml", rel, flags=re.IGNORECASE)  # its base file
            if rel not in raw:
                problems.append(
                    Problem(label, "", "", f"there is no base knowledge file {rel} to override")
                )
                continue
            if not isinstance(data, dict) or "override" not in data:
                problems.append(
                    Problem(
                        label,
                        "override",
                        "reason",
                        "an override file starts with `override: {reason: ...}` saying why",
                    )
                )
                continue
            try:
                header = _OverrideHeader.model_validate(data.pop("override"))
            except ValidationError as exc:
                problems.extend(
                    Problem(label, "override", p.field or p.entry, p.message)
                    for p in problems_from_validation(label, {}, exc)
                )
                continue
            try:
                raw[rel], changed = apply_override(raw[rel], data)
            except MergeError as exc:
                problems.append(Problem(label, exc.path, "", exc.message))
                continue
            key = "override:" + re.sub(r"[^a-z0-9_.:/-]", "-", rel.lower())
            cite_override(raw[rel], changed, key)
            applied.append(_Applied(rel, header, changed, key))

    if problems:
        raise KnowledgeError(problems)
    return _validate(raw, applied, digest.hexdigest()[:8] if overrides is not None else None)


def _validate(
    raw: dict[str, Any], applied: list[_Applied], override_digest: str | None
) -> KnowledgeBase:
    problems: list[Problem] = []
    overridden = {a.rel: a for a in applied}

    def check(rel: str, model: type[BaseModel], context: dict[str, Any] | None = None) -> Any:
        # An override can make a valid file invalid: name both files in the message.
        label = f"{rel} (with {overridden[rel].label})" if rel in overridden else rel
        if rel not in raw:
            problems.append(Problem(rel, "", "", "the file is missing from the knowledge base"))
            return None
        if not isinstance(raw[rel], dict):
            problems.append(Problem(label, "", "", "the file must hold a mapping of fields"))
            return None
        try:
            return model.model_validate(raw[rel], context=context)
        except ValidationError as exc:
            problems.extend(problems_from_validation(label, raw[rel], exc))
            return None

    manifest = check("knowledge.yaml", _Manifest)
    bibliography = check("sources.yaml", _Bibliography)
    if bibliography is None:
        # Every other file cites the bibliography; without it each citation would fail too.
        raise KnowledgeError(problems)
    sources: dict[str, Citation] = {}
    for citation in bibliography.sources:
        if citation.key in sources:
            problems.append(
                Problem("sources.yaml", f"sources[{citation.key}]", "key", "key is repeated")
            )
        sources[citation.key] = citation
    for a in applied:
        who = f" (approved by {a.header.approved_by})" if a.header.approved_by else ""
        sources[a.citation_key] = Citation(
            key=a.citation_key,
            short=f"clinic override {a.rel}",
            citation=f"{a.header.reason}{who}",
            kind="override",
        )
    context = {"bibliography": sources}
    signals = check("signals.yaml", SignalDefaults, context)
    checkpoints = check("checkpoints.yaml", CheckpointDefaults, context)
    red_flags = check("red_flags.yaml", RedFlagCatalog, context)
    assessment_rules = check("assessment.yaml", AssessmentRules, context)
    drivers = check("drivers.yaml", DriverRules, context)
    psychosocial = check("psychosocial.yaml", PsychosocialRules, context)
    imaging = check("imaging_prevalence.yaml", ImagingTable, context)
    treatments = check("treatments.yaml", TreatmentCatalog, context)
    medications = check("medications.yaml", MedicationCatalog, context)
    planning = check("planning.yaml", PlanningRules, context)
    opioid_table = None
    if RXNORM_FILE not in raw:
        problems.append(Problem(RXNORM_FILE, "", "", "the RxNorm opioid table is missing"))
    else:
        opioid_table, table_problems = parse_opioid_table(raw[RXNORM_FILE])
        problems.extend(table_problems)
    instruments: dict[str, InstrumentDefinition] = {}
    for rel in sorted(r for r in raw if r.startswith("instruments/")):
        definition = check(rel, InstrumentDefinition, context)
        if definition is None:
            continue
        stem = rel.removeprefix("instruments/").rsplit(".", 1)[0]
        if definition.id != stem:
            problems.append(
                Problem(
                    rel, "", "id", f"the id {definition.id!r} must match the file name {stem!r}"
                )
            )
        instruments[definition.id] = definition
    known = {
        "knowledge.yaml",
        "sources.yaml",
        "signals.yaml",
        "checkpoints.yaml",
        "red_flags.yaml",
        "assessment.yaml",
        "drivers.yaml",
        "psychosocial.yaml",
        "imaging_prevalence.yaml",
        "treatments.yaml",
        "medications.yaml",
        "planning.yaml",
        RXNORM_FILE,
    }
    unexpected = sorted(r for r in raw if r not in known and not r.startswith("instruments/"))
    problems.extend(Problem(r, "", "", "no schema is known for this file") for r in unexpected)
    if problems:
        raise KnowledgeError(problems)

    parts = (manifest, signals, checkpoints, red_flags, assessment_rules, drivers, psychosocial)
    assert all(p is not None for p in parts) and imaging is not None
    assert treatments is not None and medications is not None and planning is not None
    assert opioid_table is not None
    # Rules are checked against the facts they name once every file has loaded: a typo in a
    # fact must not silently switch a rule (or a safety flag) off.
    for file, entry, field, message in rule_problems(
        instruments=instruments,
        red_flags=red_flags,
        rules=assessment_rules,
        drivers=drivers,
        psychosocial=psychosocial,
    ):
        label = f"{file} (with {overridden[file].label})" if file in overridden else file
        problems.append(Problem(label, entry, field, message))
    vocabulary = Vocabulary.of(instruments, red_flags, drivers, psychosocial)
    for file, entry, field, message in planning_rule_problems(
        vocabulary, treatments, medications, planning
    ):
        label = f"{file} (with {overridden[file].label})" if file in overridden else file
        problems.append(Problem(label, entry, field, message))
    if problems:
        raise KnowledgeError(problems)
    version = manifest.version + (f"+clinic.{override_digest}" if override_digest else "")
    return KnowledgeBase(
        version=version,
        fhir_canonical_base=manifest.fhir_canonical_base,
        sources=sources,
        instruments=instruments,
        signals=signals,
        checkpoints=checkpoints,
        red_flags=red_flags,
        assessment_rules=assessment_rules,
        drivers=drivers,
        psychosocial=psychosocial,
        imaging=imaging,
        treatments=treatments,
        medications=medications,
        planning=planning,
        opioid_table=opioid_table,
        files=tuple(sorted(raw)),
        overrides=tuple(
            OverrideRecord(
                file=a.rel,
                reason=a.header.reason,
                approved_by=a.header.approved_by,
                citation_key=a.citation_key,
                changed=tuple(_tree_key(a.rel, raw[a.rel], p) for p in a.changed),
            )
            for a in applied
        ),
    )


def _tree_key(rel: str, data: Any, path: tuple[str | int, ...]) -> str:
    """Translate a path inside a file into the dotted key ``knowledge show`` accepts."""
    stem = rel.rsplit(".", 1)[0]
    parts = stem.split("/")
    node = data
    for p in path:
        if isinstance(p, int) and isinstance(node, list):
            node = node[p]
            ident = entry_ident(node)
            parts.append(ident if ident is not None else str(p))
        else:
            parts.append(str(p))
            node = node.get(p) if isinstance(node, dict) else None
    if parts[0] == "sources" and len(parts) > 1 and parts[1] == "sources":
        parts = ["sources", *parts[2:]]
    return ".".join(parts)


@functools.lru_cache(maxsize=8)
def _cached(overrides: str | None) -> KnowledgeBase:
    return load_knowledge(overrides=overrides)


def default_knowledge() -> KnowledgeBase:
    """The knowledge base this process uses: the shipped files plus the clinic's overrides named
    by ``PAINPATH_KNOWLEDGE_OVERRIDES`` (if set). Loaded once per override directory."""
    return _cached(os.environ.get(OVERRIDES_ENV) or None)
