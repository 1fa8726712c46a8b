"""What a validated questionnaire is, as data: items, response scales, scoring, bands, flags.

One model describes all seventeen instruments; the scoring engine reads it and holds no
instrument-specific code. Knowledge files (``painpath/knowledge/data/instruments``) are
validated into these models, so every rule below is also a check on what a file may say.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from painpath.domain.explain import Sourced

__all__ = [
    "Anchor",
    "Band",
    "ChangeRule",
    "Codes",
    "Coding",
    "Condition",
    "Flag",
    "InstrumentDefinition",
    "Item",
    "Licence",
    "ResponseOption",
    "ResponseScale",
    "Scoring",
    "Subscale",
]

CodeSystem = Literal["LOINC", "SNOMED CT", "RxNorm"]

CODE_SYSTEM_URIS: dict[str, str] = {
    "LOINC": "http://loinc.org",
    "SNOMED CT": "http://snomed.info/sct",
    "RxNorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
}

# Knowledge is exact: unknown fields, infinities and NaN are refused everywhere.
_FROZEN = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

# A response scale is a questionnaire's, not a measuring instrument's: a few values at most.
MAX_SCALE_SPAN = 100


class Coding(BaseModel):
    """A code in a named code system (LOINC, SNOMED CT, RxNorm)."""

    model_config = _FROZEN

    system: CodeSystem
    code: str = Field(min_length=1)
    display: str | None = None

    @property
    def system_uri(self) -> str:
        """The FHIR URI of the code system."""
        return CODE_SYSTEM_URIS[self.system]


class Codes(Sourced):
    """The instrument's panel and total-score codes; its source covers every code in the file."""

    panel: Coding | None = None
    total: Coding | None = None


class ResponseOption(BaseModel):
    """One labelled answer of a closed scale, e.g. 2 = 'More than half the days'."""

    model_config = _FROZEN

    value: StrictInt
    label: str = Field(min_length=1)
    code: Coding | None = None


class Anchor(BaseModel):
    """A label for one point of a numeric scale, e.g. 0 = 'No pain'."""

    model_config = _FROZEN

    value: StrictInt
    label: str = Field(min_length=1)


class ResponseScale(BaseModel):
    """The answers an item accepts.

    With ``options``, only the listed values are accepted (e.g. painDETECT's radiating-pain item
    accepts 0 or 2); without them every whole number from ``min`` to ``max`` is.
    """

    model_config = _FROZEN

    min: StrictInt
    max: StrictInt
    options: tuple[ResponseOption, ...] = ()
    anchors: tuple[Anchor, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ResponseScale:
        if self.min >= self.max:
            raise ValueError(f"min {self.min} must be below max {self.max}")
        if self.max - self.min > MAX_SCALE_SPAN:
            raise ValueError(f"a response scale spans at most {MAX_SCALE_SPAN} points")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("response options repeat a value")
        if len(values) == 1:
            raise ValueError("a closed scale needs at least two options")
        for v in [*values, *(a.value for a in self.anchors)]:
            if not self.min <= v <= self.max:
                raise ValueError(f"value {v} lies outside {self.min}–{self.max}")
        return self

    def accepts(self, value: int) -> bool:
        """Whether ``value`` is an answer this scale takes."""
        if self.options:
            return any(o.value == value for o in self.options)
        return self.min <= value <= self.max

    @property
    def allowed(self) -> tuple[int, ...]:
        """Every value an answer may take, in ascending order."""
        if self.options:
            return tuple(sorted(o.value for o in self.options))
        return tuple(range(self.min, self.max + 1))

    def describe(self) -> str:
        """The allowed answers as an error message states them: '0–3' or '0 or 2'."""
        if self.options and len(self.options) != self.max - self.min + 1:
            allowed = [str(v) for v in self.allowed]
            return ", ".join(allowed[:-1]) + " or " + allowed[-1]
        return f"{self.min}–{self.max}"


class Item(BaseModel):
    """One question. ``text`` is the published wording, shipped only where the licence allows."""

    model_config = _FROZEN

    id: str = Field(pattern=r"^[1-9][0-9]*$")
    text: str | None = None
    topic: str | None = Field(default=None, description="A short descriptor, not the item wording")
    code: Coding | None = None
    response: ResponseScale | None = Field(
        default=None, description="This item's own scale, when it differs from the instrument's"
    )
    anchors: tuple[Anchor, ...] = Field(
        default=(), description="Labels for points of the scale that belong to this item"
    )
    reverse: bool = False
    recode: dict[int, float] | None = None
    scoring_source: Sourced | None = Field(
        default=None, description="Where a reverse or recode rule comes from"
    )

    @model_validator(mode="after")
    def _one_transform(self) -> Item:
        if self.reverse and self.recode is not None:
            raise ValueError("an item is either reverse-scored or recoded, not both")
        if (self.reverse or self.recode is not None) and self.scoring_source is None:
            raise ValueError("a reverse or recode rule needs scoring_source")
        return self

    @property
    def label(self) -> str:
        """What to show for the item: its wording, else its topic, else its number."""
        return self.text or self.topic or f"Item {self.id}"


class Condition(BaseModel):
    """A test on one value of a score: the total, a subscale or an item answer.

    ``on`` is ``total``, ``subscale.<id>`` or ``item.<id>``; bounds are inclusive (``gte``,
    ``lte``) or strict (``gt``, ``lt``), as the source states them.
    """

    model_config = _FROZEN

    on: str = Field(pattern=r"^(total|subscale\.[a-z0-9_]+|item\.[1-9][0-9]*)$")
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None

    @model_validator(mode="after")
    def _has_bound(self) -> Condition:
        if all(b is None for b in (self.gte, self.gt, self.lte, self.lt)):
            raise ValueError("a condition needs at least one of gte, gt, lte, lt")
        return self

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies every bound."""
        return (
            (self.gte is None or value >= self.gte)
            and (self.gt is None or value > self.gt)
            and (self.lte is None or value <= self.lte)
            and (self.lt is None or value < self.lt)
        )

    def bounds(self) -> Iterator[float]:
        """The threshold values this condition mentions."""
        yield from (b for b in (self.gte, self.gt, self.lte, self.lt) if b is not None)

    def bounds_text(self) -> str:
        """The bounds in words, e.g. '≥ 10 and ≤ 14'."""
        return " and ".join(
            f"{sym} {_num(b)}"
            for sym, b in (("≥", self.gte), (">", self.gt), ("≤", self.lte), ("<", self.lt))
            if b is not None
        )

    @property
    def target(self) -> str:
        """What is tested, in words: 'total', 'subscale psychosocial', 'item 9'."""
        return self.on.replace(".", " ")

    def describe(self) -> str:
        """The condition in words.

        >>> Condition(on="total", gte=10, lte=14).describe()
        'total ≥ 10 and ≤ 14'
        """
        return f"{self.target} {self.bounds_text()}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


class Band(Sourced):
    """A named severity or risk band. Bands are tried in order; the first whose conditions all
    hold applies, and a band with no conditions catches whatever is left."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    when: tuple[Condition, ...] = ()


class Flag(Sourced):
    """A clinically actionable finding raised when all its conditions hold."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    when: tuple[Condition, ...] = Field(min_length=1)
    action: str = Field(description="What the flag asks the clinician to do")


class Subscale(Sourced):
    """A named subset of items, scored the instrument's way (sum or mean)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    items: tuple[str, ...] = Field(min_length=1)
    method: Literal["sum", "mean"] = "sum"

    @field_validator("items")
    @classmethod
    def _each_once(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(items)) != len(items):
            raise ValueError(f"an item is listed twice: {list(items)}")
        return items


class Scoring(Sourced):
    """How the total is computed and how many unanswered items it tolerates.

    ``sum`` adds the scored answers (prorated as sum × items / answered when items may be
    missing); ``mean`` averages the answered items; ``percent_of_max`` divides the sum by the
    most the answered items could score (the Oswestry rule: a missing section takes its 5 points
    out of the denominator).
    """

    method: Literal["sum", "mean", "percent_of_max"]
    max_missing: StrictInt = Field(default=0, ge=0)
    decimals: StrictInt = Field(default=2, ge=0, le=6)


class ChangeRule(Sourced):
    """The smallest change that counts: an MCID (or MIC/MID) where one is published, an MDC
    otherwise. ``percent`` is an alternative relative threshold for improvement."""

    kind: Literal["mcid", "mic", "mid", "mdc"]
    points: float = Field(gt=0)
    percent: float | None = Field(default=None, gt=0, lt=100)


class Licence(Sourced):
    """Who owns the instrument and whether its wording may be redistributed."""

    name: str
    wording_redistributable: bool
    notice: str
    commercial_use: str | None = None
    clinic_licence: str | None = Field(
        default=None,
        description="Set by a clinic's override when it supplies licensed wording it holds",
    )


class InstrumentDefinition(Sourced):
    """A validated questionnaire: everything needed to administer, score and explain it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: StrictInt = Field(ge=1)
    name: str
    short_name: str
    measures: str = Field(description="What the instrument measures")
    recall: str | None = None
    instructions: str | None = None
    direction: Literal["higher_is_worse", "higher_is_better"]
    licence: Licence
    codes: Codes | None = None
    response: ResponseScale
    items: tuple[Item, ...] = Field(min_length=1)
    scoring: Scoring
    subscales: tuple[Subscale, ...] = ()
    bands: tuple[Band, ...] = ()
    flags: tuple[Flag, ...] = ()
    change: ChangeRule | None = None
    change_unavailable: str | None = Field(
        default=None, description="Why no meaningful-change threshold is given"
    )

    @field_validator("items")
    @classmethod
    def _numbered_in_order(cls, items: tuple[Item, ...]) -> tuple[Item, ...]:
        ids = [i.id for i in items]
        expected = [str(n) for n in range(1, len(items) + 1)]
        if ids != expected:
            raise ValueError(f"items must be numbered 1–{len(items)} in order; found {ids}")
        return items

    @model_validator(mode="after")
    def _coherent(self) -> InstrumentDefinition:
        n = len(self.items)
        item_ids = {i.id for i in self.items}
        if self.scoring.max_missing >= n:
            raise ValueError(f"scoring.max_missing {self.scoring.max_missing} leaves no item")
        wording = [i.id for i in self.items if i.text]
        licensed = self.licence.wording_redistributable or self.licence.clinic_licence
        if (wording or self.instructions) and not licensed:
            raise ValueError(
                f"the {self.licence.name} licence does not allow shipping item wording "
                f"(items {', '.join(wording) or 'instructions'}); a clinic that holds a licence "
                "supplies wording in an override and names it in licence.clinic_licence"
            )
        sub_ids = {s.id for s in self.subscales}
        for s in self.subscales:
            if unknown := [i for i in s.items if i not in item_ids]:
                raise ValueError(f"subscale {s.id} names unknown items {unknown}")
        for kind, entries in (("band", self.bands), ("flag", self.flags)):
            ids = [e.id for e in entries]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{kind} ids repeat: {ids}")
            for e in entries:
                for c in e.when:
                    target = c.on.split(".", 1)
                    if target[0] == "subscale" and target[1] not in sub_ids:
                        raise ValueError(f"{kind} {e.id} tests unknown subscale {target[1]}")
                    if target[0] == "item" and target[1] not in item_ids:
                        raise ValueError(f"{kind} {e.id} tests unknown item {target[1]}")
        if self.change is None and not self.change_unavailable:
            raise ValueError("give a change rule or say in change_unavailable why there is none")
        for item in self.items:
            scale = self.scale_for(item)
            for a in item.anchors:
                if not scale.accepts(a.value):
                    raise ValueError(f"item {item.id} anchor {a.value} is not an allowed answer")
            recode = item.recode
            unscored = [] if recode is None else [v for v in scale.allowed if v not in recode]
            if unscored:
                raise ValueError(f"item {item.id} recode has no score for answers {unscored}")
        self._check_band_coverage()
        return self

    def scale_for(self, item: Item) -> ResponseScale:
        """The response scale that applies to ``item``."""
        return item.response or self.response

    def anchors_for(self, item: Item) -> tuple[Anchor, ...]:
        """The scale-point labels to show with ``item``."""
        return item.anchors or self.scale_for(item).anchors

    def item(self, item_id: str) -> Item:
        """The item with this id (ids are '1'…'n')."""
        return self.items[int(item_id) - 1]

    def scored_value(self, item: Item, answer: int) -> float:
        """What an answer contributes to the score after reverse-scoring or recoding."""
        if item.recode is not None:
            return item.recode[answer]
        if item.reverse:
            scale = self.scale_for(item)
            return scale.min + scale.max - answer
        return answer

    def scored_range(self, item: Item) -> tuple[float, float]:
        """The least and most an item can contribute."""
        if item.recode is not None:
            values = [item.recode[v] for v in self.scale_for(item).allowed]
            return min(values), max(values)
        scale = self.scale_for(item)
        return (min(scale.allowed), max(scale.allowed)) if scale.options else (scale.min, scale.max)

    def total_range(self) -> tuple[float, float]:
        """The least and most the total can be."""
        ranges = [self.scored_range(i) for i in self.items]
        if self.scoring.method == "sum":
            return sum(r[0] for r in ranges), sum(r[1] for r in ranges)
        if self.scoring.method == "mean":
            return min(r[0] for r in ranges), max(r[1] for r in ranges)
        return 0.0, 100.0

    def integral_total(self) -> bool:
        """Whether the total is always a whole number: a sum of whole-number item scores.

        A prorated sum of such an instrument is rounded to a whole number too, so bands written
        on whole numbers always apply.
        """
        if self.scoring.method != "sum":
            return False
        return all(
            item.recode is None or all(float(v).is_integer() for v in item.recode.values())
            for item in self.items
        )

    def _check_band_coverage(self) -> None:
        """Refuse bands on the total that leave a gap: every possible total needs a band.

        Only bands that test the total alone are checked here (STarT Back's bands also test a
        subscale, and its last band catches the rest).
        """
        if not self.bands or any(c.on != "total" for b in self.bands for c in b.when):
            return
        lo, hi = self.total_range()
        points = {lo, hi}
        for b in self.bands:
            for c in b.when:
                for t in c.bounds():
                    if self.integral_total():
                        points.update({math.floor(t) - 1, math.floor(t), math.ceil(t) + 1})
                    else:
                        points.update({t - 1e-6, t, t + 1e-6})
        for p in sorted(x for x in points if lo <= x <= hi):
            if not any(all(c.holds(p) for c in b.when) for b in self.bands):
                raise ValueError(f"no band covers a total of {_num(p)}")
