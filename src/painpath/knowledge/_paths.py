"""Naming entries inside knowledge files: a list entry is known by its ``id`` (or ``key``)."""

from __future__ import annotations

from typing import Any

__all__ = ["entry_ident"]


def entry_ident(node: Any) -> str | None:
    """The id (or bibliography key) of a list entry, as text; None for anything else."""
    if isinstance(node, dict):
        ident = node.get("id", node.get("key"))
        return None if ident is None else str(ident)
    return None
