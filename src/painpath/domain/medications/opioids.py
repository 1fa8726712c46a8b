"""The RxNorm opioid table: which opioid ingredients, at which strength, a drug code carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["OpioidIngredient", "OpioidProduct", "OpioidTable"]


@dataclass(frozen=True)
class OpioidIngredient:
    """One opioid ingredient of a product, e.g. oxycodone 5 MG."""

    rxnorm_ingredient: str
    name: str
    strength_value: float
    strength_unit: str  # MG, MG/ML, MG/HR, MG/ACTUAT


@dataclass(frozen=True)
class OpioidProduct:
    """An RxNorm drug code with its dose form and opioid ingredients."""

    rxnorm_drug_code: str
    drug_name: str
    dose_form_code: str
    dose_form_name: str
    ingredients: tuple[OpioidIngredient, ...]

    @property
    def is_patch(self) -> bool:
        """Transdermal systems are dosed by strength per hour (RxNorm dose form 316987)."""
        return self.dose_form_code == "316987"


@dataclass(frozen=True)
class OpioidTable:
    """RxNorm drug code → product, from rxnorm/rxnorm-opioid-ingredients.csv (NLM data)."""

    products: Mapping[str, OpioidProduct]

    def get(self, rxnorm_drug_code: str) -> OpioidProduct | None:
        """The product for a drug code, or None if the table does not list it."""
        return self.products.get(rxnorm_drug_code)
