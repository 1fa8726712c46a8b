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
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from painpath.domain.care_defaults import CheckpointDefaults, SignalDefaults
from painpath.domain.explain import Citation
from painpath.domain.instruments import InstrumentDefinition
from painpath.knowledge._merge import MergeError, apply_override, cite_override
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


def _walk(root: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, rel + "/")
        elif entry.name.endswith((".yaml", ".yml")):
            yield rel, entry


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
        try:
            raw[rel] = parse_yaml(entry.read_text(encoding="utf-8"), rel)
        except (YamlError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, "", "", str(exc).removeprefix(f"{rel}: ")))

    records: list[tuple[str, _OverrideHeader, list[tuple[str | int, ...]], str]] = []
    digest = hashlib.sha256()
    if overrides is not None:
        over_dir = Path(overrides)
        if not over_dir.is_dir():
            raise KnowledgeError(
                [Problem(str(over_dir), "", "", "the override directory does not exist")]
            )
        for rel, path in _walk(over_dir):
            label = f"overrides/{rel}"
            text = path.read_text(encoding="utf-8")
            digest.update(rel.encode() + b"\0" + text.encode())
            try:
                data = parse_yaml(text, label)
            except YamlError as exc:
                problems.append(Problem(label, "", "", str(exc).removeprefix(f"{label}: ")))
                continue
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
            records.append((rel, header, changed, key))

    if problems:
        raise KnowledgeError(problems)
    return _validate(raw, records, digest.hexdigest()[:8] if overrides is not None else None)


def _validate(
    raw: dict[str, Any],
    records: list[tuple[str, _OverrideHeader, list[tuple[str | int, ...]], str]],
    override_digest: str | None,
) -> KnowledgeBase:
    problems: list[Problem] = []
    overridden = {rel for rel, *_ in records}

    def check(rel: str, model: type[BaseModel], context: dict[str, Any] | None = None) -> Any:
        # An override can make a valid file invalid: name both files in the message.
        label = f"{rel} (with overrides/{rel})" if rel in overridden else rel
        if rel not in raw:
            problems.append(Problem(rel, "", "", "the file is missing from the knowledge base"))
            return None
        if not isinstance(raw[rel], dict):
            problems.append(Problem(rel, "", "", "the file must hold a mapping of fields"))
            return None
        try:
            return model.model_validate(raw[rel], context=context)
        except ValidationError as exc:
            problems.extend(problems_from_validation(label, raw[rel], exc))
            return None

    manifest = check("knowledge.yaml", _Manifest)
    bibliography = check("sources.yaml", _Bibliography)
    sources: dict[str, Citation] = {}
    if bibliography is not None:
        for citation in bibliography.sources:
            if citation.key in sources:
                problems.append(
                    Problem("sources.yaml", f"sources[{citation.key}]", "key", "key is repeated")
                )
            sources[citation.key] = citation
    for key, header_key in ((r[3], r) for r in records):
        rel, header = header_key[0], header_key[1]
        who = f" (approved by {header.approved_by})" if header.approved_by else ""
        sources[key] = Citation(
            key=key,
            short=f"clinic override {rel}",
            citation=f"{header.reason}{who}",
            kind="override",
        )
    context = {"bibliography": sources}
    signals = check("signals.yaml", SignalDefaults, context)
    checkpoints = check("checkpoints.yaml", CheckpointDefaults, context)
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
    unexpected = sorted(
        r
        for r in raw
        if r not in {"knowledge.yaml", "sources.yaml", "signals.yaml", "checkpoints.yaml"}
        and not r.startswith("instruments/")
    )
    problems.extend(Problem(r, "", "", "no schema is known for this file") for r in unexpected)
    if problems:
        raise KnowledgeError(problems)

    assert manifest is not None and signals is not None and checkpoints is not None
    version = manifest.version + (f"+clinic.{override_digest}" if override_digest else "")
    override_records = tuple(
        OverrideRecord(
            file=rel,
            reason=header.reason,
            approved_by=header.approved_by,
            citation_key=key,
            changed=tuple(_tree_key(rel, raw[rel], p) for p in changed),
        )
        for rel, header, changed, key in records
    )
    return KnowledgeBase(
        version=version,
        fhir_canonical_base=manifest.fhir_canonical_base,
        sources=sources,
        instruments=instruments,
        signals=signals,
        checkpoints=checkpoints,
        files=tuple(sorted(raw)),
        overrides=override_records,
    )


def _tree_key(rel: str, data: Any, path: tuple[str | int, ...]) -> str:
    """Translate a path inside a file into the dotted key ``knowledge show`` accepts."""
    stem = rel.rsplit(".", 1)[0]
    parts = stem.split("/")
    node = data
    for p in path:
        if isinstance(p, int) and isinstance(node, list):
            node = node[p]
            ident = node.get("id", node.get("key")) if isinstance(node, dict) else None
            parts.append(str(ident if ident is not None else p))
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
