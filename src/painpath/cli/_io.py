"""What every command shares: reading JSON arguments, printing results, failing in one line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from painpath.knowledge import KnowledgeBase, KnowledgeError, default_knowledge

__all__ = [
    "BAD_INPUT",
    "console",
    "emit_json",
    "fail",
    "knowledge",
    "read_json",
    "stderr",
    "write_files",
]

BAD_INPUT = 2
"""Exit status for input Painpath refuses (bad answers, bad files, bad knowledge)."""

# Piped or captured output gets a fixed, generous width instead of Rich's 80 columns.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, *, code: int = BAD_INPUT) -> NoReturn:
    """Print ``error: message`` (one line per problem) to stderr and exit with ``code``."""
    for line in str(message).splitlines() or [""]:
        print(f"error: {line}", file=sys.stderr)
    raise typer.Exit(code)


def read_json(value: str, *, what: str) -> Any:
    """Parse a JSON argument given inline, as ``@file.json``, or as ``@-`` for standard input.

    ``what`` names the argument in messages (``--answers``); empty, the file name alone does.
    """
    source = what
    if value.startswith("@"):
        name = value[1:]
        shown = "standard input" if name == "-" else name
        source = f"{what} {value}" if what else shown
        if name == "-":
            text = sys.stdin.read()
        else:
            path = Path(name)
            if path.is_dir():
                fail(f"{source}: is a directory, not a file")
            if not path.is_file():
                fail(f"{source}: no such file")
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"{source}: cannot be read ({exc.__class__.__name__})")
    else:
        text = value
    try:
        return json.loads(text, object_pairs_hook=_refuse_repeated_keys)
    except json.JSONDecodeError as exc:
        fail(f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    except _RepeatedKeyError as exc:
        fail(f"{source}: the key {exc.key!r} is given twice")
    except ValueError as exc:  # e.g. an integer with thousands of digits
        fail(f"{source} is not valid JSON: {exc}")
    except RecursionError:
        fail(f"{source} is nested too deeply to read")


class _RepeatedKeyError(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated answer ({"1": 1, "1": 2}) would otherwise silently keep the last one.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RepeatedKeyError(key)
        result[key] = value
    return result


def write_files(contents: dict[Path, str]) -> None:
    """Write every file or none: all are written beside their targets first, then moved."""
    for path in contents:
        if path.is_dir():
            fail(f"cannot write {path}: it is a directory")
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in contents.items():
            temporary = path.with_name(f".{path.name}.painpath-tmp")
            temporary.write_text(text, encoding="utf-8")
            staged.append((temporary, path))
        for temporary, path in staged:
            temporary.replace(path)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        fail(f"cannot write {exc.filename or 'the output'}: {exc.strerror}")


def emit_json(data: Any) -> None:
    """Print a result as indented JSON on stdout."""
    print(json.dumps(data, indent=2, ensure_ascii=False))


def knowledge() -> KnowledgeBase:
    """The knowledge base, or a clean exit naming every problem in it."""
    try:
        return default_knowledge()
    except KnowledgeError as exc:
        fail(str(exc))
