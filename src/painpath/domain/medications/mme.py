"""Morphine milligram equivalents per day (CDC 2022; rules mme.*).

Each opioid ingredient of each current order is one item: daily dose × the CDC 2022 factor,
rounded to one decimal as the CDC's implementation does. Patches count their strength in mcg/hr
(× 2.4) for as long as they are worn, whatever the change interval. Ingredients without a 2022
factor (buprenorphine above all) are reported as excluded and add nothing. An order that cannot
be read is an error for that order alone: the total is then a lower bound, and says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from painpath.domain.explain import Citation
from painpath.domain.medications.knowledge import MedicationCatalog, MmeRules
from painpath.domain.medications.opioids import OpioidTable
from painpath.domain.medications.orders import (
    OrderLine,
    ResolvedDose,
    ResolvedOrder,
    resolve_order,
)

__all__ = [
    "MmeError",
    "MmeExcluded",
    "MmeItem",
    "MmeResult",
    "NotOpioid",
    "calculate_mme",
    "round_mme",
]


@dataclass(frozen=True)
class MmeItem:
    """One opioid ingredient of one order, counted."""

    where: str
    label: str
    ingredient: str
    rxnorm_ingredient: str
    daily_dose: float
    daily_dose_unit: Literal["mg/day", "mcg/hr"]
    factor: float
    mme_per_day: float
    calculation: str
    prn: bool
    rxnorm: str | None
    dose_form: str | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "label": self.label,
            "rxnorm": self.rxnorm,
            "dose_form": self.dose_form,
            "ingredient": self.ingredient,
            "rxnorm_ingredient": self.rxnorm_ingredient,
            "daily_dose": self.daily_dose,
            "daily_dose_unit": self.daily_dose_unit,
            "factor": self.factor,
            "mme_per_day": self.mme_per_day,
            "calculation": self.calculation,
            "prn": self.prn,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class MmeExcluded:
    """An opioid, or an order, that is reported but adds nothing to the total."""

    where: str
    label: str
    reason: str
    ingredient: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "label": self.label,
            "ingredient": self.ingredient,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class NotOpioid:
    """An order for something that is not an opioid (left out of the calculation)."""

    where: str
    label: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class MmeError:
    """An order that could not be counted, naming the order and the field."""

    where: str
    label: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "label": self.label,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class MmeResult:
    """Total MME/day with every item, exclusion, non-opioid and error that made it."""

    total_mme_per_day: float
    items: tuple[MmeItem, ...]
    excluded: tuple[MmeExcluded, ...]
    not_opioids: tuple[NotOpioid, ...]
    errors: tuple[MmeError, ...]
    flags: tuple[str, ...]
    thresholds: dict[str, float]
    sources: tuple[Citation, ...]
    skipped_resources: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every order was read; otherwise the total is a lower bound."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_mme_per_day": self.total_mme_per_day,
            "complete": self.complete,
            "total_is_lower_bound": not self.complete,
            "flags": list(self.flags),
            "thresholds": self.thresholds,
            "items": [i.to_dict() for i in self.items],
            "excluded": [e.to_dict() for e in self.excluded],
            "not_opioids": [n.to_dict() for n in self.not_opioids],
            "skipped_resources": dict(self.skipped_resources),
            "errors": [e.to_dict() for e in self.errors],
            "sources": [c.short for c in self.sources],
        }


def round_mme(value: float) -> float:
    """One decimal, halves up, on the decimal value: CQL's Round, which the CDC implementation
    uses (Python's round() takes 2.25 to 2.2). Binary noise (15 × 0.15 = 2.2499999999999996)
    is dropped first, so the decimal the clinician would write is what is rounded."""
    exact = Decimal(repr(value)).quantize(Decimal("0.000001"))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _implausible(mme: float, rules: MmeRules, line: OrderLine, label: str) -> MmeError | None:
    """One order above ``mme.implausible_above`` is a data error until checked, not a dose."""
    ceiling = rules.implausible_above.value
    if mme <= ceiling:
        return None
    return MmeError(
        line.where, label, line.dose_field,
        f"{mme:,.0f} MME/day from one order is above {ceiling:,.0f}: check the dose, unit and "
        "frequency (mg for mcg? a count for mg?)",
    )  # fmt: skip


def _item(
    order: ResolvedOrder, dose: ResolvedDose, rules: MmeRules, warnings: tuple[str, ...]
) -> MmeItem | MmeExcluded | MmeError:
    """Count one ingredient of an order, or say why it is not counted."""
    line = order.line
    label = line.label or dose.name
    if (exclusion := rules.exclusion_for(dose.ingredient)) is not None:
        return MmeExcluded(line.where, label, exclusion.reason, exclusion.ingredient)
    factor = rules.factor_for(dose.ingredient)
    if factor is None:  # pragma: no cover - the knowledge check covers every table ingredient
        return MmeError(line.where, label, line.code_field, f"no MME factor for {dose.name}")
    prn = " as needed, counted at the most it allows" if line.prn else ""
    if factor.per == "mcg_per_hr":
        if dose.mcg_per_hr is None:
            return MmeExcluded(
                line.where,
                label,
                f"the CDC 2022 factor for {factor.ingredient} is for transdermal patches (per "
                "mcg/hr); this dose form has no 2022 factor",
                factor.ingredient,
            )
        mme = round_mme(dose.mcg_per_hr * factor.factor)
        if (implausible := _implausible(mme, rules, line, label)) is not None:
            return implausible
        calc = f"{dose.written} × {factor.factor:g} = {mme:g} MME/day"
        return MmeItem(
            line.where,
            label,
            factor.ingredient,
            dose.ingredient,
            round_mme(dose.mcg_per_hr),
            "mcg/hr",
            factor.factor,
            mme,
            calc,
            line.prn,
            line.rxnorm,
            order.product.dose_form_name if order.product else "patch",
            (*order.notes, *warnings),
        )
    if dose.mg_per_dose is None:
        return MmeError(
            line.where,
            label,
            "mcg_per_hr",
            f"{factor.ingredient} is dosed in mg, not as a patch rate",
        )
    if line.doses_per_day is None:
        return MmeError(line.where, label, line.frequency_field, "no frequency is given")
    daily = dose.mg_per_dose * line.doses_per_day
    mme = round_mme(daily * factor.factor)
    if (implausible := _implausible(mme, rules, line, label)) is not None:
        return implausible
    calc = (
        f"{dose.written} × {line.doses_per_day:g}/day = {round_mme(daily):g} mg/day "
        f"× {factor.factor:g} = {mme:g} MME/day{prn}"
    )
    return MmeItem(
        line.where,
        label,
        factor.ingredient,
        dose.ingredient,
        round_mme(daily),
        "mg/day",
        factor.factor,
        mme,
        calc,
        line.prn,
        line.rxnorm,
        order.product.dose_form_name if order.product else None,
        (*order.notes, *warnings),
    )


def _warnings(order: ResolvedOrder) -> tuple[str, ...]:
    """Cautions about an order the CDC factors were not derived for."""
    product = order.product
    if product is None or order.patch or "oral" in product.dose_form_name.lower():
        return ()
    return (
        f"the CDC factors are for oral opioids and fentanyl patches; a {product.dose_form_name} "
        "is counted with the oral factor",
    )


def calculate_mme(
    lines: Sequence[OrderLine], table: OpioidTable, catalog: MedicationCatalog
) -> MmeResult:
    """Total MME/day of the current opioid orders (rules mme.factors, mme.excluded,
    mme.caution_at, mme.taper_now_at; CDC 2022).

    Orders that are not current (stopped, completed, cancelled, entered in error) are listed as
    excluded. The flags are named after the thresholds: ``mme_at_or_above_50`` and
    ``mme_at_or_above_90`` with the default knowledge."""
    rules = catalog.mme
    items: list[MmeItem] = []
    excluded: list[MmeExcluded] = []
    not_opioids: list[NotOpioid] = []
    errors: list[MmeError] = []
    for line in lines:
        order = resolve_order(line, table, catalog)
        if order.not_opioid is not None:
            not_opioids.append(NotOpioid(line.where, line.label, order.not_opioid))
            continue
        if line.duplicate_of is not None:
            excluded.append(MmeExcluded(
                line.where, line.label, f"the same order as {line.duplicate_of}: counted once",
                ", ".join(order.ingredient_names) or None,
            ))  # fmt: skip
            continue
        if not line.current:
            names = ", ".join(order.ingredient_names) or None
            excluded.append(
                MmeExcluded(
                    line.where, line.label, f"status {line.status}: not a current order", names
                )
            )
            continue
        if order.errors:
            errors.extend(MmeError(line.where, line.label, f, m) for f, m in order.errors)
            continue
        warnings = _warnings(order)
        for dose in order.doses:
            outcome = _item(order, dose, rules, warnings)
            if isinstance(outcome, MmeItem):
                items.append(outcome)
            elif isinstance(outcome, MmeExcluded):
                excluded.append(outcome)
            else:
                errors.append(outcome)
    total = round_mme(sum(i.mme_per_day for i in items))
    thresholds = {
        "caution_at": float(rules.caution_at.value),
        "taper_now_at": float(rules.taper_now_at.value),
    }
    flags = tuple(f"mme_at_or_above_{value:g}" for value in thresholds.values() if total >= value)
    return MmeResult(
        total_mme_per_day=total,
        items=tuple(items),
        excluded=tuple(excluded),
        not_opioids=tuple(not_opioids),
        errors=tuple(errors),
        flags=flags,
        thresholds=thresholds,
        sources=rules.source,
    )
