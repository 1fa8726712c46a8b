"""From a prescription to opioid doses: which ingredients, how much per dose, how often.

An adapter (FHIR, a JSON list, an intake) reads a prescription into an ``OrderLine``; this module
resolves it against the RxNorm opioid table and the medication knowledge into per-ingredient
doses, or says exactly which field stops it. The unit rules follow the CDC's own MME
implementation (cqframework/opioid-mme-r4, OMTKLogic 3.0.0): a dose in mg is the ingredient's
mass; a dose in mL is multiplied by a liquid's strength per mL; a count (tablets, sprays,
patches, or no unit) is multiplied by the strength per unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from painpath.domain.medications.knowledge import MedicationCatalog, MmeExclusion, MmeFactor
from painpath.domain.medications.opioids import OpioidProduct, OpioidTable

__all__ = [
    "OrderLine",
    "Quantity",
    "ResolvedDose",
    "ResolvedOrder",
    "doses_per_day",
    "opioid_named_in",
    "resolve_order",
]

_MASS_MG = {"mg": 1.0, "ug": 0.001, "mcg": 0.001, "g": 1000.0}
_VOLUME_ML = {"ml": 1.0, "l": 1000.0}
_RATE_MCG_PER_HR = {"ug/h": 1.0, "mcg/h": 1.0, "mcg/hr": 1.0, "ug/hr": 1.0, "mg/h": 1000.0}
# Units that count dispensed units: "1 tablet", "2 sprays", "1 patch", UCUM "{tbl}" or none.
_COUNT = frozenset(
    [
        "",
        "1",
        "tbl",
        "tab",
        "tablet",
        "cap",
        "capsule",
        "patch",
        "actuat",
        "actuation",
        "spray",
        "puff",
        "film",
        "lozenge",
        "troche",
        "suppository",
        "each",
        "ea",
        "dose",
        "unit",
        "pill",
        "sachet",
        "vial",
        "ampule",
        "syringe",
        "lollipop",
    ]
)
# FHIR UnitsOfTime (and the spelled-out forms the CDC implementation also accepts) in days.
# fmt: off
_PERIOD_DAYS = {
    "s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0, "mo": 30.0, "a": 365.0,
    "second": 1 / 86400, "minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0,
    "month": 30.0, "year": 365.0,
}
# fmt: on


@dataclass(frozen=True)
class Quantity:
    """A dose as written: a number and its unit (UCUM or free text; None for a bare count)."""

    value: float
    unit: str | None = None

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}" if self.unit else f"{self.value:g}"


@dataclass(frozen=True)
class OrderLine:
    """One medication order as an adapter read it, before any clinical interpretation.

    ``where`` names the order in the input ("MedicationRequest/abc", "items[2]") so every
    message can point at it; ``problems`` are the (field, message) pairs the adapter already
    found (a negative dose, a missing dosage instruction)."""

    where: str
    label: str
    rxnorm: str | None = None
    ingredient: str | None = None
    dose: Quantity | None = None
    mcg_per_hr: float | None = None
    doses_per_day: float | None = None
    prn: bool = False
    status: str | None = None
    current: bool = True
    code_field: str = "rxnorm"
    dose_field: str = "dose_mg"
    frequency_field: str = "doses_per_day"
    problems: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    expect_opioid: bool = False  # a list typed for the MME: an unknown name is an error
    duplicate_of: str | None = None  # the same order, already read at this place


@dataclass(frozen=True)
class ResolvedDose:
    """One opioid ingredient of an order: mg per dose, or the patch rate in mcg/hr."""

    ingredient: str  # RxNorm ingredient code
    name: str
    mg_per_dose: float | None = None
    mcg_per_hr: float | None = None
    written: str = ""  # how the dose was worked out, e.g. "1 × 5 MG"


@dataclass(frozen=True)
class ResolvedOrder:
    """An order resolved to opioid ingredients, or why it is not counted or cannot be."""

    line: OrderLine
    product: OpioidProduct | None = None
    doses: tuple[ResolvedDose, ...] = ()
    patch: bool = False
    not_opioid: str | None = None
    errors: tuple[tuple[str, str], ...] = field(default=())
    notes: tuple[str, ...] = ()
    named: str | None = None  # the ingredient the order's name mentions

    @property
    def ingredient_names(self) -> tuple[str, ...]:
        """The opioid ingredients of the order, however far it could be resolved."""
        if self.doses:
            return tuple(dict.fromkeys(d.name for d in self.doses))
        if self.product is not None:
            return tuple(dict.fromkeys(i.name for i in self.product.ingredients))
        return (self.named,) if self.named else ()


def doses_per_day(frequency: float, period: float = 1.0, period_unit: str = "d") -> float | None:
    """Doses a day for ``frequency`` doses every ``period`` ``period_unit`` (FHIR Timing), or
    None for a unit of time it does not know (rule: CDC MME implementation, ToDaily)."""
    unit = period_unit.strip().lower()
    days = _PERIOD_DAYS.get(unit) or _PERIOD_DAYS.get(unit.removesuffix("s"))
    if days is None or period <= 0:
        return None
    return frequency / (period * days)


def _unit_key(unit: str | None) -> str:
    """A unit as written, lower-cased, without UCUM braces and in the singular ("patches" →
    "patch", "suppositories" → "suppository")."""
    known = _COUNT | set(_MASS_MG) | set(_VOLUME_ML) | set(_RATE_MCG_PER_HR)
    text = (unit or "").strip().lower().replace("{", "").replace("}", "")
    for singular in (text, text.removesuffix("s"), text.removesuffix("es")):
        if singular in known:
            return singular
    if text.endswith("ies") and (singular := text.removesuffix("ies") + "y") in known:
        return singular
    return text


def _ingredient_rules(catalog: MedicationCatalog) -> list[MmeFactor | MmeExclusion]:
    return [*catalog.mme.factors, *catalog.mme.excluded]


def opioids_named_in(text: str, catalog: MedicationCatalog) -> tuple[str, ...]:
    """Every opioid ingredient (RxNorm code) a free-text name mentions, in order of mention.

    Names are matched as whole words against the opioid agents of medications.yaml (brands
    included), so "Acetaminophen 300 MG / Hydrocodone Bitartrate 5 MG" names hydrocodone,
    "dihydrocodeine" names dihydrocodeine and not codeine, and "astemizole" names none."""
    words = text.lower()
    found: dict[str, int] = {}
    names = [
        (name, agent.rxnorm_ingredient)
        for drug_class in catalog.classes
        if drug_class.opioid
        for agent in drug_class.agents
        for name in agent.names
        if agent.rxnorm_ingredient is not None
    ] + [(rules.ingredient, rules.rxnorm_ingredient) for rules in _ingredient_rules(catalog)]
    for name, code in names:
        if match := re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", words):
            found[code] = min(found.get(code, match.start()), match.start())
    return tuple(sorted(found, key=found.__getitem__))


def opioid_named_in(text: str, catalog: MedicationCatalog) -> str | None:
    """The first opioid ingredient (RxNorm code) a free-text name mentions, if any."""
    named = opioids_named_in(text, catalog)
    return named[0] if named else None


def _ingredient_name(code: str, catalog: MedicationCatalog) -> str:
    for rules in _ingredient_rules(catalog):
        if rules.rxnorm_ingredient == code:
            return rules.ingredient
    return code  # pragma: no cover - the knowledge check ties every opioid agent to a factor


def _no_dose(line: OrderLine) -> tuple[tuple[str, str], ...]:
    missing = [(line.dose_field, "no dose is given")]
    if line.doses_per_day is None:
        missing.append((line.frequency_field, "no frequency is given"))
    return tuple(missing)


def _patch(line: OrderLine, product: OpioidProduct) -> ResolvedOrder:
    """A transdermal system: the number of patches worn × the coded strength per hour. A rate
    written in mcg/h must be a whole number of the coded patches (25 mcg/h against a 75 mcg/h
    code is a contradiction, not a dose)."""
    dose = line.dose
    strength = product.ingredients[0].strength_value * 1000  # mcg/hr of one patch
    count = 1.0
    notes: tuple[str, ...] = ("no dose given: one patch at a time assumed",)
    rate = line.mcg_per_hr
    if dose is not None:
        key = _unit_key(dose.unit)
        if key in _RATE_MCG_PER_HR:
            rate = dose.value * _RATE_MCG_PER_HR[key]
        elif key in _COUNT:
            count, notes = dose.value, ()
        else:
            return ResolvedOrder(line, product, patch=True, errors=(
                (line.dose_field,
                 f"a patch is dosed as a number of patches or in mcg/h, not {dose.unit!r}"),
            ))  # fmt: skip
    if rate is not None:
        count, notes = rate / strength, ()
        if abs(count - round(count)) > 1e-6 or round(count) < 1:
            field = "mcg_per_hr" if line.mcg_per_hr is not None else line.dose_field
            return ResolvedOrder(line, product, patch=True, errors=(
                (field, f"{rate:g} mcg/hr is not a whole number of {strength:g} mcg/hr patches "
                        f"of {product.drug_name}; check the code or the rate"),
            ))  # fmt: skip
        count = float(round(count))
    return ResolvedOrder(
        line,
        product,
        tuple(
            ResolvedDose(
                i.rxnorm_ingredient, i.name, None, count * i.strength_value * 1000,
                f"{count:g} × {i.strength_value * 1000:g} mcg/hr",
            )
            for i in product.ingredients
        ),
        patch=True,
        notes=notes,
    )  # fmt: skip


def _from_product(line: OrderLine, product: OpioidProduct) -> ResolvedOrder:
    """Per-ingredient doses from a table product and the dose as written."""
    patch = product.is_patch and all(i.strength_unit == "MG/HR" for i in product.ingredients)
    dose = line.dose
    if patch:
        return _patch(line, product)
    if dose is None:
        if line.mcg_per_hr is not None:
            return ResolvedOrder(
                line,
                product,
                errors=(("mcg_per_hr", f"{product.drug_name} is not a patch; give dose_mg"),),
            )
        return ResolvedOrder(line, product, errors=_no_dose(line))
    key = _unit_key(dose.unit)
    if key in _MASS_MG:
        if len(product.ingredients) > 1:
            return ResolvedOrder(
                line,
                product,
                errors=(
                    (
                        line.dose_field,
                        f"a dose in {dose.unit} is ambiguous for {product.drug_name}, "
                        "which has several opioid ingredients; give the number of units",
                    ),
                ),
            )
        (ing,) = product.ingredients
        mg = dose.value * _MASS_MG[key]
        return ResolvedOrder(
            line, product, (ResolvedDose(ing.rxnorm_ingredient, ing.name, mg, written=str(dose)),)
        )
    if key in _VOLUME_ML:
        if any(i.strength_unit != "MG/ML" for i in product.ingredients):
            return ResolvedOrder(
                line,
                product,
                errors=(
                    (
                        line.dose_field,
                        f"a dose in {dose.unit} needs a liquid; {product.drug_name} "
                        "is dosed in units or mg",
                    ),
                ),
            )
        ml = dose.value * _VOLUME_ML[key]
        return ResolvedOrder(
            line,
            product,
            tuple(
                ResolvedDose(
                    i.rxnorm_ingredient,
                    i.name,
                    ml * i.strength_value,
                    written=f"{ml:g} mL × {i.strength_value:g} mg/mL",
                )
                for i in product.ingredients
            ),
        )
    if key in _COUNT:
        if any(i.strength_unit == "MG/ML" for i in product.ingredients):
            return ResolvedOrder(
                line,
                product,
                errors=(
                    (
                        line.dose_field,
                        f"{product.drug_name} is a liquid; give the dose in mL or mg",
                    ),
                ),
            )
        return ResolvedOrder(
            line,
            product,
            tuple(
                ResolvedDose(
                    i.rxnorm_ingredient,
                    i.name,
                    dose.value * i.strength_value,
                    written=f"{dose.value:g} × {i.strength_value:g} mg",
                )
                for i in product.ingredients
            ),
        )
    return ResolvedOrder(
        line,
        product,
        errors=(
            (
                line.dose_field,
                f"unknown dose unit {dose.unit!r}; use mg, mcg, mL, a count "
                "(tablets, sprays, patches) or mcg/h for a patch",
            ),
        ),
    )


def _from_ingredient(line: OrderLine, code: str, catalog: MedicationCatalog) -> ResolvedOrder:
    """Doses written directly against an ingredient: dose_mg, or mcg_per_hr for a patch."""
    name = _ingredient_name(code, catalog)
    if line.mcg_per_hr is not None:
        if line.dose is not None:
            return ResolvedOrder(
                line, errors=(("mcg_per_hr", "give dose_mg or mcg_per_hr, not both"),)
            )
        rate = line.mcg_per_hr
        return ResolvedOrder(
            line, doses=(ResolvedDose(code, name, None, rate, f"{rate:g} mcg/hr"),), patch=True
        )
    if line.dose is None:
        return ResolvedOrder(line, errors=_no_dose(line))
    key = _unit_key(line.dose.unit)
    if key not in _MASS_MG:
        return ResolvedOrder(
            line,
            errors=(
                (
                    line.dose_field,
                    "without an RxNorm drug code from the opioid table the strength "
                    "of one unit is unknown; give the dose in mg",
                ),
            ),
        )
    mg = line.dose.value * _MASS_MG[key]
    return ResolvedOrder(line, doses=(ResolvedDose(code, name, mg, written=f"{mg:g} mg"),))


def resolve_order(line: OrderLine, table: OpioidTable, catalog: MedicationCatalog) -> ResolvedOrder:
    """Resolve one order to its opioid ingredients and doses (the unit rules of the CDC MME
    implementation, OMTKLogic GetDailyDose; medications.yaml `mme`).

    An RxNorm drug code is looked up in the opioid table; a code the table does not hold is
    "not an opioid" only when its name mentions no opioid — otherwise it is an error, because
    counting it as zero would understate the total. Without a code, the name or ingredient is
    matched against the opioid agents of the knowledge. Problems the adapter found matter only
    once the order is known to be an opioid."""
    if line.expect_opioid and line.problems:
        return ResolvedOrder(line, errors=line.problems)
    described = " ".join(dict.fromkeys(filter(None, (line.label, line.ingredient))))
    product = table.get(line.rxnorm) if line.rxnorm is not None else None
    # The ingredient field, when given, says which opioid; the name must not say another.
    by_ingredient = opioids_named_in(line.ingredient or "", catalog)
    by_label = opioids_named_in(line.label, catalog)
    named_all = tuple(dict.fromkeys((*by_ingredient, *by_label)))
    named = named_all[0] if named_all else None
    in_product = {i.rxnorm_ingredient for i in product.ingredients} if product else set()
    if product is not None and (stray := [c for c in named_all if c not in in_product]):
        others = ", ".join(_ingredient_name(c, catalog) for c in stray)
        return ResolvedOrder(line, product, errors=((line.code_field, (
            f"RxNorm {line.rxnorm} is {product.drug_name}, but the order names {others}; check "
            "the code or the name"
        )),))  # fmt: skip
    if product is None and len(named_all) > 1:
        several = ", ".join(_ingredient_name(c, catalog) for c in named_all)
        return ResolvedOrder(line, errors=((line.code_field, (
            f"the order names several opioids ({several}); give one order per opioid, or an "
            "RxNorm code"
        )),))  # fmt: skip
    if product is None and named is None and line.expect_opioid:
        known = sorted(f.ingredient for f in _ingredient_rules(catalog))
        what = f"RxNorm {line.rxnorm}" if line.rxnorm else repr(described)
        return ResolvedOrder(
            line,
            errors=(
                (
                    line.code_field,
                    f"{what} is not an opioid Painpath knows (the opioid table and "
                    f"{', '.join(known)}); leave non-opioids out of the list",
                ),
            ),
        )
    if product is None and named is None:
        if line.rxnorm is not None and not described.strip():
            return ResolvedOrder(
                line,
                errors=(
                    (
                        line.code_field,
                        f"RxNorm {line.rxnorm} is not in the RxNorm opioid table and "
                        "the order has no name to tell whether it is an opioid",
                    ),
                ),
            )
        if line.rxnorm is not None:
            return ResolvedOrder(
                line,
                not_opioid=f"RxNorm {line.rxnorm} is not in the opioid "
                "table and its name mentions no opioid",
            )
        return ResolvedOrder(line, not_opioid="its name mentions no opioid")
    if line.problems:
        name = _ingredient_name(named, catalog) if named else None
        return ResolvedOrder(line, product, errors=line.problems, named=name)
    if product is not None:
        return _from_product(line, product)
    assert named is not None
    if line.rxnorm is not None:
        return ResolvedOrder(
            line,
            errors=(
                (
                    line.code_field,
                    f"RxNorm {line.rxnorm} names {_ingredient_name(named, catalog)} but "
                    "is not in the RxNorm opioid table; check the code, or enter the order as "
                    "ingredient, dose_mg and doses_per_day",
                ),
            ),
        )
    return _from_ingredient(line, named, catalog)
