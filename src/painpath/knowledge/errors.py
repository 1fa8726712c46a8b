"""Refusing a bad knowledge file with a message that names the file, the entry and the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from painpath.knowledge._paths import entry_ident

__all__ = ["KnowledgeError", "Problem", "problems_from_validation"]

# Pydantic adds the name of a union member or validator to an error's location; these are not
# part of the file's structure and are dropped from the path a person reads.
_TYPE_TAGS = {"int", "float", "str", "bool", "list", "dict", "tuple", "none", "is-instance"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one knowledge file."""

    file: str
    entry: str
    field: str
    message: str

    def line(self) -> str:
        """The problem as one line: ``file: entry E, field F: message``."""
        where = [f"entry {self.entry}"] if self.entry else []
        where += [f"field {self.field}"] if self.field else []
        return (
            f"{self.file}: {', '.join(where)}: {self.message}"
            if where
            else (f"{self.file}: {self.message}")
        )


class KnowledgeError(ValueError):
    """The knowledge base (or a clinic's override of it) did not validate; nothing was loaded."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(p.line() for p in self.problems))


def _locate(raw: Any, loc: Sequence[int | str]) -> tuple[str, str]:
    """Split an error location into the entry (the nearest element with an id) and the field."""
    parts: list[str] = []
    entry_end = 0
    node: Any = raw
    for element in loc:
        if isinstance(element, int) and isinstance(node, list) and 0 <= element < len(node):
            node = node[element]
            ident = entry_ident(node)
            label = f"[{ident}]" if ident is not None else f"[{element}]"
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
            if ident is not None:
                entry_end = len(parts)
            continue
        text = str(element)
        if text in _TYPE_TAGS or "[" in text:
            continue
        parts.append(text)
        node = node.get(element) if isinstance(node, dict) else None
    if entry_end == 0:
        entry_end = max(len(parts) - 1, min(len(parts), 1))
    return ".".join(parts[:entry_end]), ".".join(parts[entry_end:])


def problems_from_validation(file: str, raw: Any, error: ValidationError) -> list[Problem]:
    """One Problem per distinct pydantic error, located in the file's own terms."""
    seen: set[tuple[str, str, str]] = set()
    problems: list[Problem] = []
    for e in error.errors(include_url=False):
        entry, field = _locate(raw, e["loc"])
        message = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; the schema does not have it)"
        elif e["type"] == "missing":
            message = "required field is missing"
        key = (entry, field, message)
        if key not in seen:
            seen.add(key)
            problems.append(Problem(file, entry, field, message))
    return problems
