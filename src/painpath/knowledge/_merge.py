"""Applying a clinic's override file to a base knowledge file, value by value, with provenance.

An override names only what it changes. Mappings merge key by key; lists of entries with an
``id`` (items, bands, flags) merge entry by entry, and an id the base does not have is refused
(a typo must not become a new band); the bibliography's entries merge by ``key`` and a clinic may
add its own. A default written as a bare number (``pain_rise_points: 3``) sets that default's
``value``. Every changed entry gets the override file as an extra source, so a result that used
a clinic's number says so.
"""

from __future__ import annotations

import copy
from typing import Any

from painpath.knowledge._paths import entry_ident

__all__ = ["MergeError", "apply_override", "cite_override"]


class MergeError(ValueError):
    """An override that does not fit its base file; ``path`` says where."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


Path = tuple[str | int, ...]


def _show(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def apply_override(base: Any, override: Any) -> tuple[Any, list[Path]]:
    """Return the merged data and the paths (into the merged data) whose values changed."""
    changed: list[Path] = []
    merged = _merge(copy.deepcopy(base), override, (), changed)
    return merged, changed


def _identity(entries: list[Any]) -> str | None:
    if entries and all(isinstance(e, dict) for e in entries):
        for name in ("id", "key"):
            if all(name in e for e in entries):
                return name
    return None


def _merge(base: Any, override: Any, path: Path, changed: list[Path]) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        for key, value in override.items():
            if key in base:
                base[key] = _merge(base[key], value, (*path, key), changed)
            else:
                base[key] = copy.deepcopy(value)
                changed.append((*path, key))
        return base
    if isinstance(base, dict) and "value" in base and not isinstance(override, dict | list):
        if base["value"] != override:
            base["value"] = override
            changed.append((*path, "value"))
        return base
    identity = _identity(base) if isinstance(base, list) else None
    if identity and isinstance(override, list):
        # Ids compare as text: `id: 1` in an override means the base's `id: "1"`.
        index = {entry_ident(entry): i for i, entry in enumerate(base)}
        seen: set[str] = set()
        for n, entry in enumerate(override):
            ident = entry_ident(entry)
            if ident is None:
                raise MergeError(
                    _show((*path, n)), f"each entry of an override list needs its {identity}"
                )
            if ident in seen:
                raise MergeError(f"{_show(path)}[{ident}]", "the override lists this entry twice")
            seen.add(ident)
            if ident in index:
                i = index[ident]
                same_id = {**entry, identity: base[i][identity]}  # keep the base's spelling
                base[i] = _merge(base[i], same_id, (*path, i), changed)
            elif identity == "key":
                base.append(copy.deepcopy(entry))
                changed.append((*path, len(base) - 1))
            else:
                raise MergeError(
                    f"{_show(path)}[{ident}]",
                    "no such entry in the base file; an override changes existing entries",
                )
        return base
    if base != override:
        changed.append(path)
    return copy.deepcopy(override)


def cite_override(data: Any, changed: list[Path], citation_key: str) -> None:
    """Add ``citation_key`` to the sources of the nearest sourced entry above each change."""
    for path in changed:
        if "source" in path:
            continue  # the override set the sources itself
        for cut in range(len(path), -1, -1):
            node = _at(data, path[:cut])
            if isinstance(node, dict) and "source" in node:
                sources = node["source"]
                sources = [sources] if isinstance(sources, str) else list(sources)
                if citation_key not in sources:
                    node["source"] = [*sources, citation_key]
                break


def _at(data: Any, path: Path) -> Any:
    node = data
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return None
    return node
