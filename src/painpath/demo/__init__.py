"""Demonstration data: a patient from the seeds, scored end to end."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["demo_intake"]


def demo_intake() -> dict[str, Any]:
    """The demo patient's intake and six-week checkpoint answers."""
    text = resources.files("painpath.demo").joinpath("sciatica.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
