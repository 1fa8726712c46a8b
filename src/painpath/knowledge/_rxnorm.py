"""Reading the RxNorm opioid table (CSV) into the domain's OpioidTable, refusing bad rows."""

from __future__ import annotations

import csv
import io

from painpath.domain.medications.opioids import OpioidIngredient, OpioidProduct, OpioidTable
from painpath.knowledge.errors import Problem

__all__ = ["RXNORM_FILE", "parse_opioid_table"]

RXNORM_FILE = "rxnorm/rxnorm-opioid-ingredients.csv"
_COLUMNS = [
    "rxnorm_drug_code", "drug_name", "dose_form_code", "dose_form_name", "rxnorm_ingredient_code",
    "ingredient_name", "strength", "strength_value", "strength_unit",
]  # fmt: skip
_UNITS = {"MG", "MG/ML", "MG/HR", "MG/ACTUAT"}


def parse_opioid_table(text: str) -> tuple[OpioidTable | None, list[Problem]]:
    """The table, or the problems that refuse it (file, row, column, message)."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != _COLUMNS:
        return None, [Problem(RXNORM_FILE, "header", "", f"expected columns {', '.join(_COLUMNS)}")]
    problems: list[Problem] = []
    rows: dict[str, list[dict[str, str]]] = {}
    for n, row in enumerate(reader, start=2):
        where = f"line {n}"
        if not row["rxnorm_drug_code"].isdigit() or not row["rxnorm_ingredient_code"].isdigit():
            problems.append(Problem(RXNORM_FILE, where, "rxnorm codes", "codes are digits"))
            continue
        if row["strength_unit"] not in _UNITS:
            problems.append(Problem(RXNORM_FILE, where, "strength_unit", f"not one of {_UNITS}"))
            continue
        try:
            if float(row["strength_value"]) <= 0:
                raise ValueError
        except ValueError:
            problems.append(Problem(RXNORM_FILE, where, "strength_value", "a positive number"))
            continue
        rows.setdefault(row["rxnorm_drug_code"], []).append(row)
    products = {
        code: OpioidProduct(
            rxnorm_drug_code=code,
            drug_name=group[0]["drug_name"],
            dose_form_code=group[0]["dose_form_code"],
            dose_form_name=group[0]["dose_form_name"],
            ingredients=tuple(
                OpioidIngredient(
                    rxnorm_ingredient=r["rxnorm_ingredient_code"],
                    name=r["ingredient_name"].lower(),
                    strength_value=float(r["strength_value"]),
                    strength_unit=r["strength_unit"],
                )
                for r in group
            ),
        )
        for code, group in rows.items()
    }
    return (None if problems else OpioidTable(products)), problems
