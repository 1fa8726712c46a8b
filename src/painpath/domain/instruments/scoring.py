"""Scoring a questionnaire from its definition: total, subscales, band, flags, and why.

One engine for every instrument: the definition (from the knowledge base) says how items are
transformed, aggregated, banded and flagged; this module applies it and records each rule it
applied with the data it used and the source it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from painpath.domain.explain import Reason, Sourced
from painpath.domain.instruments.answers import read_answers
from painpath.domain.instruments.errors import ScoringError
from painpath.domain.instruments.model import Condition, InstrumentDefinition, Item
from painpath.domain.instruments.results import Number, Score

__all__ = ["score_answers", "tidy"]


def tidy(value: float, decimals: int) -> Number:
    """A score as people write it: whole numbers without a decimal point, others rounded.

    >>> tidy(12.0, 2), tidy(35.5555, 1), tidy(16 / 3, 2)
    (12, 35.6, 5.33)
    """
    rounded = round(value, decimals)
    return int(rounded) if float(rounded).is_integer() else rounded


def _ids(ids: Sequence[str]) -> str:
    """'1, 5 and 8' — item lists as a sentence names them."""
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def score_answers(
    defn: InstrumentDefinition, answers: object, *, knowledge_version: str | None = None
) -> Score:
    """Score one administration of ``defn``; raise ScoringError on any answer it cannot take.

    Rule ids in the explanation are ``<instrument>.<rule>`` (``phq9.total``,
    ``odi.missing``, ``startback.band.high``, ``phq9.flag.safety_item9``); each cites the
    sources of the knowledge entry it applied.
    """
    values = read_answers(defn, answers)
    missing = tuple(i.id for i in defn.items if i.id not in values)
    allowed_missing = defn.scoring.max_missing
    if len(missing) > allowed_missing:
        raise ScoringError(
            f"{defn.id}: {len(missing)} of {len(defn.items)} items unanswered "
            f"(items {_ids(missing)}); at most {allowed_missing} may be missing",
            instrument=defn.id,
        )

    reasons: list[Reason] = []
    reasons.extend(_transform_reasons(defn, values))
    scored = {k: defn.scored_value(defn.item(k), v) for k, v in values.items()}

    if missing:
        reasons.append(_missing_reason(defn, missing))
    all_ids = [i.id for i in defn.items]
    total, prorated, total_reason = _aggregate(defn, scored, all_ids)
    reasons.append(total_reason)

    subscales: dict[str, Number] = {}
    for sub in defn.subscales:
        value, sub_prorated, _ = _aggregate(defn, scored, list(sub.items), method=sub.method)
        if value is None:
            reasons.append(
                Reason(
                    rule=f"{defn.id}.subscale.{sub.id}",
                    text=f"{sub.label} not scored: none of items {_ids(sub.items)} answered",
                    sources=sub.source,
                )
            )
            continue
        subscales[sub.id] = value
        how = "mean" if sub.method == "mean" else "sum"
        reasons.append(
            Reason(
                rule=f"{defn.id}.subscale.{sub.id}",
                text=f"{sub.label} = {how} of items {_ids(sub.items)} = {value}"
                + (" (prorated for unanswered items)" if sub_prorated else ""),
                data={"subscale": sub.id, "value": value, "items": list(sub.items)},
                sources=sub.source,
            )
        )

    assert total is not None  # at least one item is always answered (max_missing < items)
    lookup = _Lookup(total, subscales, values)

    band = None
    for candidate in defn.bands:
        if all(lookup.get(c) is not None and c.holds(lookup.value(c)) for c in candidate.when):
            band = candidate
            reasons.append(
                Reason(
                    rule=f"{defn.id}.band.{band.id}",
                    text=(
                        f"{lookup.describe(band.when)} → band {band.id} ({band.label})"
                        if band.when
                        else f"no earlier band applies → band {band.id} ({band.label})"
                    ),
                    data={"band": band.id, **lookup.data(band.when)},
                    sources=band.source,
                )
            )
            break

    flags: list[str] = []
    for flag in defn.flags:
        unassessed = [c.target for c in flag.when if lookup.get(c) is None]
        if unassessed:
            reasons.append(
                Reason(
                    rule=f"{defn.id}.flag.{flag.id}",
                    text=f"{flag.id} not assessed: {', '.join(unassessed)} unanswered",
                    sources=flag.source,
                )
            )
        elif all(c.holds(lookup.value(c)) for c in flag.when):
            flags.append(flag.id)
            reasons.append(
                Reason(
                    rule=f"{defn.id}.flag.{flag.id}",
                    text=f"{lookup.describe(flag.when)} → flag {flag.id}: {flag.action}",
                    data={"flag": flag.id, **lookup.data(flag.when)},
                    sources=flag.source,
                )
            )

    lo, hi = defn.total_range()
    return Score(
        instrument=defn.id,
        name=defn.short_name,
        total=total,
        range=(tidy(lo, defn.scoring.decimals), tidy(hi, defn.scoring.decimals)),
        band=band.id if band else None,
        band_label=band.label if band else None,
        subscales=subscales,
        flags=tuple(flags),
        missing=missing,
        answered=len(values),
        prorated=prorated,
        reasons=tuple(reasons),
        knowledge_version=knowledge_version,
    )


def _aggregate(
    defn: InstrumentDefinition,
    scored: Mapping[str, float],
    item_ids: Sequence[str],
    *,
    method: str | None = None,
) -> tuple[Number | None, bool, Reason]:
    """Aggregate the scored answers of ``item_ids`` the instrument's way (or ``method``)."""
    method = method or defn.scoring.method
    answered = [k for k in item_ids if k in scored]
    n, a = len(item_ids), len(answered)
    s = sum(scored[k] for k in answered)
    decimals = defn.scoring.decimals
    lo, hi = (tidy(x, decimals) for x in defn.total_range())
    sources = defn.scoring.source
    rule = f"{defn.id}.total"
    total: Number
    if a == 0:
        return None, False, Reason(rule=rule, text="no items answered", sources=sources)
    if method == "mean":
        total = tidy(s / a, decimals)
        text = f"mean of {a} answered item{'s' if a > 1 else ''} = {tidy(s, decimals)}/{a}"
        text += f" = {total} (range {lo}–{hi})"
        return total, False, Reason(rule=rule, text=text, data={"total": total}, sources=sources)
    if method == "percent_of_max":
        denominator = sum(defn.scored_range(defn.item(k))[1] for k in answered)
        total = tidy(s / denominator * 100, decimals)
        maxima = {defn.scored_range(defn.item(k))[1] for k in answered}
        shown = (
            f"({tidy(maxima.pop(), decimals)} × {a} answered)"
            if len(maxima) == 1
            else str(tidy(denominator, decimals))
        )
        text = f"{tidy(s, decimals)} / {shown} × 100 = {total}% (range 0–100)"
        return total, False, Reason(rule=rule, text=text, data={"total": total}, sources=sources)
    if a < n:
        prorated = s * n / a
        text = f"sum of {a} answered item scores = {tidy(s, decimals)}, prorated × {n}/{a}"
        if defn.integral_total():
            # Complete totals are whole numbers and the bands are written on them, so a
            # prorated total is rounded half up to the nearest whole number.
            total = math.floor(prorated + 0.5)
            text += f" = {tidy(prorated, decimals)}, rounded to {total}"
        else:
            total = tidy(prorated, decimals)
            text += f" = {total}"
        return total, True, Reason(rule=rule, text=text, data={"total": total}, sources=sources)
    total = tidy(s, decimals)
    text = f"sum of the {n} item scores = {total} (range {lo}–{hi})"
    return total, False, Reason(rule=rule, text=text, data={"total": total}, sources=sources)


def _missing_reason(defn: InstrumentDefinition, missing: Sequence[str]) -> Reason:
    consequence = {
        "percent_of_max": "each unanswered item is taken out of the denominator",
        "mean": "the mean is taken over the answered items",
        "sum": "the sum is prorated over the answered items",  # and rounded: see _aggregate
    }[defn.scoring.method]
    return Reason(
        rule=f"{defn.id}.missing",
        text=f"item{'s' if len(missing) > 1 else ''} {_ids(missing)} unanswered "
        f"({len(missing)} of at most {defn.scoring.max_missing} allowed); {consequence}",
        data={"missing": list(missing)},
        sources=defn.scoring.source,
    )


def _transform_reasons(defn: InstrumentDefinition, values: Mapping[str, int]) -> list[Reason]:
    """Say which answers were reverse-scored or recoded, and what they became."""
    reasons: list[Reason] = []
    reversed_items = [i for i in defn.items if i.reverse]
    if reversed_items:
        scale = defn.scale_for(reversed_items[0])
        source = _source_of(reversed_items[0], defn)
        reasons.append(
            Reason(
                rule=f"{defn.id}.reverse",
                text=f"items {_ids([i.id for i in reversed_items])} are reverse-scored "
                f"(an answer a counts as {scale.min + scale.max} − a)",
                data={"items": [i.id for i in reversed_items]},
                sources=source.source,
            )
        )
    for item in defn.items:
        if item.recode is not None and item.id in values:
            answer = values[item.id]
            counted = tidy(item.recode[answer], defn.scoring.decimals)
            reasons.append(
                Reason(
                    rule=f"{defn.id}.recode.item{item.id}",
                    text=f"item {item.id} answered {answer} counts as {counted}",
                    data={"item": item.id, "answer": answer, "counts_as": counted},
                    sources=_source_of(item, defn).source,
                )
            )
    return reasons


def _source_of(item: Item, defn: InstrumentDefinition) -> Sourced:
    return item.scoring_source or defn.scoring


class _Lookup:
    """The values conditions test: the total, the subscales and the raw item answers."""

    def __init__(self, total: Number, subscales: Mapping[str, Number], items: Mapping[str, int]):
        self._total = total
        self._subscales = subscales
        self._items = items

    def get(self, c: Condition) -> Number | None:
        kind, _, name = c.on.partition(".")
        if kind == "total":
            return self._total
        if kind == "subscale":
            return self._subscales.get(name)
        return self._items.get(name)

    def value(self, c: Condition) -> Number:
        v = self.get(c)
        assert v is not None
        return v

    def describe(self, conditions: Sequence[Condition]) -> str:
        return ", ".join(f"{c.target} = {self.get(c)} ({c.bounds_text()})" for c in conditions)

    def data(self, conditions: Sequence[Condition]) -> dict[str, Number | None]:
        return {c.on: self.get(c) for c in conditions}
