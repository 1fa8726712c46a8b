"""A guideline's stance on a treatment or a medication, for the patients it applies to."""

from __future__ import annotations

from typing import Literal

from painpath.domain.explain import Sourced
from painpath.domain.facts import FactTest

__all__ = ["Stance", "Strength"]

Strength = Literal["recommend", "consider", "against", "strong_against"]


class Stance(Sourced):
    """One guideline's position on a treatment, for the patients it applies to."""

    guideline: str
    strength: Strength
    text: str
    applies_when: tuple[FactTest, ...] = ()
