"""Rules as data over named facts: a test a knowledge file can write and a clinician can read.

A *fact* is a named value the engine knows about a patient: ``intake.distribution``,
``q.phq9.total``, ``q.tsk17.flags``, ``q.startback.item.5``, ``derived.mismatch``. A FactTest
compares one fact with a bound or a set; a rule holds when all its ``when`` tests hold and, if
it has ``when_any``, at least one of those. A fact that is missing makes a test *unknown*
(None), never silently false: the engine reports what it could not assess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["FactTest", "Facts", "describe_tests", "holds_all"]

Facts = Mapping[str, Any]


class FactTest(BaseModel):
    """One comparison of a named fact.

    >>> FactTest(fact="q.phq9.total", gte=10).check({"q.phq9.total": 12})
    True
    >>> FactTest(fact="intake.distribution", in_=["widespread"]).check({}) is None
    True
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, populate_by_name=True
    )

    fact: str = Field(pattern=r"^(intake|q|derived)\.[a-z0-9_.]+$")
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    contains: str | None = Field(default=None, description="the fact is a list holding this")
    any_of: tuple[str, ...] | None = Field(default=None, description="the list holds any of these")
    at_least: int = Field(default=1, ge=1, le=50, description="with any_of: how many of them")
    none_of: tuple[str, ...] | None = Field(default=None, description="the list holds none")
    is_: bool | None = Field(default=None, alias="is")
    nonempty: bool | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> FactTest:
        numeric = any(b is not None for b in (self.gte, self.gt, self.lte, self.lt))
        kinds = [numeric, self.in_ is not None, self.contains is not None, self.any_of is not None]
        kinds += [self.none_of is not None]
        kinds += [self.is_ is not None, self.nonempty is not None]
        if sum(kinds) != 1:
            raise ValueError("a fact test uses one kind of comparison: bounds, in, contains, "
                             "any_of, none_of, is or nonempty")  # fmt: skip
        return self

    def check(self, facts: Facts) -> bool | None:
        """True or False, or None when the fact is not known."""
        value = facts.get(self.fact)
        if value is None:
            return None
        if self.is_ is not None:
            return bool(value) is self.is_
        if self.nonempty is not None:
            return (len(value) > 0) is self.nonempty
        if self.contains is not None:
            return self.contains in value
        if self.any_of is not None:
            return sum(1 for v in self.any_of if v in value) >= self.at_least
        if self.none_of is not None:
            return not any(v in value for v in self.none_of)
        if self.in_ is not None:
            return str(value) in self.in_
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return (
            (self.gte is None or value >= self.gte)
            and (self.gt is None or value > self.gt)
            and (self.lte is None or value <= self.lte)
            and (self.lt is None or value < self.lt)
        )

    def describe(self) -> str:
        """The test in words, e.g. 'q.phq9.total ≥ 10'."""
        if self.is_ is not None:
            return f"{self.fact} is {'true' if self.is_ else 'false'}"
        if self.nonempty is not None:
            return f"{self.fact} is {'not ' if self.nonempty else ''}empty"
        if self.contains is not None:
            return f"{self.fact} includes {self.contains}"
        if self.any_of is not None:
            many = "any" if self.at_least == 1 else f"at least {self.at_least}"
            return f"{self.fact} includes {many} of {', '.join(self.any_of)}"
        if self.none_of is not None:
            return f"{self.fact} includes none of {', '.join(self.none_of)}"
        if self.in_ is not None:
            return f"{self.fact} is {' or '.join(self.in_)}"
        bounds = [
            f"{sym} {b:g}"
            for sym, b in (("≥", self.gte), (">", self.gt), ("≤", self.lte), ("<", self.lt))
            if b is not None
        ]
        return f"{self.fact} {' and '.join(bounds)}"


def holds_all(
    when: Sequence[FactTest], when_any: Sequence[FactTest], facts: Facts
) -> tuple[bool | None, list[str]]:
    """Whether a rule holds (None if a missing fact leaves it open) and the facts it lacked."""
    results = [t.check(facts) for t in when]
    missing = [t.fact for t, r in zip(when, results, strict=True) if r is None]
    if any(r is False for r in results):
        return False, missing
    if when_any:
        any_results = [t.check(facts) for t in when_any]
        if any(r is True for r in any_results):
            return (None if missing else True), missing
        missing += [t.fact for t, r in zip(when_any, any_results, strict=True) if r is None]
        return (None if missing else False), missing
    return (None if missing else True), missing


def describe_tests(when: Sequence[FactTest], when_any: Sequence[FactTest] = ()) -> str:
    """A rule's tests in words."""
    text = " and ".join(t.describe() for t in when)
    if when_any:
        alternatives = " or ".join(t.describe() for t in when_any)
        text = f"{text} and ({alternatives})" if text else alternatives
    return text
