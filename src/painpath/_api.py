"""The public entry points: score and compare with the knowledge base this process uses."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence

from painpath.domain.assessment import (
    Assessment,
    ImagingContext,
    Intake,
    IntakeError,
    check_intake,
    read_intake,
)
from painpath.domain.assessment import assess as assess_intake
from painpath.domain.assessment import imaging_context as context_for
from painpath.domain.instruments import (
    Change,
    Score,
    ScoringError,
    check_total,
    compare_totals,
    score_answers,
)
from painpath.domain.instruments.answers import show
from painpath.domain.instruments.results import Number
from painpath.domain.medications import (
    MmeResult,
    TaperError,
    TaperPause,
    TaperPlan,
    calculate_mme,
    plan_taper,
)
from painpath.domain.medications.taper import EARLIEST, LATEST
from painpath.domain.planning import Plan, build_plan
from painpath.interop.medication_list import read_orders
from painpath.knowledge import KnowledgeBase, default_knowledge

__all__ = ["assess", "compare", "imaging_context", "mme", "plan", "score", "taper"]


def score(
    instrument_id: str, answers: Mapping[str, object], *, knowledge: KnowledgeBase | None = None
) -> Score:
    """Score one administration of an instrument.

    ``answers`` maps item numbers ("1"…"n") to whole-number answers; ``None`` or absence means
    unanswered. Raises ScoringError (one line naming the item and allowed range) on bad input.

    >>> s = score("phq9", {"1": 2, "2": 2, "3": 3, "4": 2, "5": 1, "6": 1, "7": 1, "8": 0, "9": 0})
    >>> s.total, s.band, s.flags
    (12, 'moderate', ())
    """
    kb = knowledge or default_knowledge()
    return score_answers(kb.instrument(instrument_id), answers, knowledge_version=kb.version)


def compare(
    instrument_id: str,
    before: Mapping[str, object] | Score | Number,
    after: Mapping[str, object] | Score | Number,
    *,
    knowledge: KnowledgeBase | None = None,
) -> Change:
    """Classify the change between two administrations as improved, worsened or neither.

    ``before`` and ``after`` may each be a set of answers, a Score, or a total. The result names
    the threshold used (MCID where published, MDC otherwise) and its source.

    >>> compare("odi", 48, 30).status
    'improved'
    """
    kb = knowledge or default_knowledge()
    defn = kb.instrument(instrument_id)

    def total(value: object, label: str) -> Number:
        if isinstance(value, Score):
            if value.instrument != defn.id:
                raise ScoringError(
                    f"{defn.id} {label}: a {value.instrument} score cannot be compared "
                    f"with {defn.id}",
                    instrument=defn.id,
                )
            return value.total
        if isinstance(value, Mapping):
            return score_answers(defn, value).total
        return check_total(defn, value, label)

    return compare_totals(
        defn, total(before, "before"), total(after, "after"), knowledge_version=kb.version
    )


def assess(
    intake: Intake | Mapping[str, object], *, knowledge: KnowledgeBase | None = None
) -> Assessment:
    """Assess an intake: red flags, mechanisms, irritability, drivers, psychosocial findings,
    imaging in context. A dict is validated first; IntakeError names every problem by path.

    >>> a = assess({"age": 44, "sex": "male", "duration_weeks": 14, "regions": ["low_back"],
    ...             "distribution": "regional", "aggravating": ["flexion", "sitting"]})
    >>> a.plan_blocked, a.mechanism("nociceptive").status, a.drivers[0].id
    (False, 'likely', 'biomechanical')
    """
    kb = knowledge or default_knowledge()
    if isinstance(intake, Intake):
        check_intake(intake, kb.assessment)
        parsed = intake
    else:
        parsed = read_intake(intake, kb.assessment)
    return assess_intake(parsed, kb.assessment)


def imaging_context(
    age: int, finding: str, *, level: str | None = None, knowledge: KnowledgeBase | None = None
) -> ImagingContext:
    """An imaging finding beside its prevalence in pain-free people of that age (Brinjikji
    2015), with a plain-language sentence. Unknown findings come back ``in_reference: False``.

    >>> c = imaging_context(45, "disc_bulge")
    >>> c.prevalence_pct, c.common
    (55.0, True)
    """
    if isinstance(age, bool) or not isinstance(age, int) or not 16 <= age <= 120:
        raise IntakeError([("age", f"{show(age)}: give a whole number of years in 16–120")])
    if not isinstance(finding, str) or not finding:
        raise IntakeError([("finding", f"{show(finding)}: give a finding id such as disc_bulge")])
    if level is not None and not isinstance(level, str):
        raise IntakeError([("level", f"{show(level)}: give a level such as L4-L5")])
    kb = knowledge or default_knowledge()
    common = kb.assessment_rules.mismatch.common_prevalence_pct.value
    return context_for(kb.imaging, age=age, finding=finding, level=level, common_at_pct=common)


def read_date(value: object, shown: str) -> dt.date | str:
    """A plan or taper date: a date, or YYYY-MM-DD text, within EARLIEST–LATEST; otherwise
    the message that refuses it (``shown`` is how the message quotes the value)."""
    date: dt.date | None = None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):  # 2026-02-30 and the like
            date = dt.date.fromisoformat(value)
    if date is None:
        return f"{shown} is not a date; give YYYY-MM-DD"
    if not EARLIEST <= date <= LATEST:
        return f"{date} is out of range; give a date from {EARLIEST} to {LATEST}"
    return date


def _date(
    value: dt.date | str | None, field: str, error: type[TaperError] | type[IntakeError]
) -> dt.date:
    if value is None:
        return dt.date.today()  # the adapter's clock; the domain takes the date as an argument
    date = read_date(value, show(value))
    if isinstance(date, dt.date):
        return date
    if error is IntakeError:
        raise IntakeError([(field, date)])
    raise TaperError(field, date)


def plan(
    assessment: Assessment | Intake | Mapping[str, object],
    *,
    today: dt.date | str | None = None,
    knowledge: KnowledgeBase | None = None,
) -> Plan:
    """The staged plan for an assessment (or an intake, assessed first), dated from ``today``
    (default: the current date): phases with modalities, checkpoints and exit criteria, the
    options considered and not planned, the medication review, MME and any taper offered.

    >>> p = plan({"age": 44, "sex": "male", "duration_weeks": 14, "regions": ["low_back"],
    ...           "distribution": "regional", "aggravating": ["flexion", "sitting"],
    ...           "red_flag_findings": [],
    ...           "irritability": {"provoked_by": "moderate", "peak_severity": 3,
    ...                            "settle_hours": 1}}, today="2026-01-05")
    >>> p.status, p.entry_phase, p.checkpoints[0].date.isoformat()
    ('plan', 'build_capacity', '2026-01-19')
    """
    kb = knowledge or default_knowledge()
    if not isinstance(assessment, Assessment):
        assessment = assess(assessment, knowledge=kb)
    return build_plan(assessment, _date(today, "today", IntakeError), kb.planning_knowledge)


def mme(requests: object, *, knowledge: KnowledgeBase | None = None) -> MmeResult:
    """Total MME/day (CDC 2022) from parsed JSON: a FHIR R4 MedicationRequest, a Bundle, a list
    of resources, or a simple list of items (``ingredient``, ``dose_mg`` or ``mcg_per_hr``,
    ``doses_per_day``). An order that cannot be read is reported in ``errors`` and the total is
    then a lower bound; OrdersInputError only when the input as a whole is not orders.

    >>> mme([{"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3}]).total_mme_per_day
    45.0
    """
    kb = knowledge or default_knowledge()
    lines, skipped = read_orders(requests, set(kb.opioid_table.products))
    result = calculate_mme(lines, kb.opioid_table, kb.medications)
    return dataclasses.replace(result, skipped_resources=skipped)


def taper(
    mme_per_day: float,
    duration_weeks: float,
    *,
    start: dt.date | str | None = None,
    pauses: Sequence[TaperPause] = (),
    knowledge: KnowledgeBase | None = None,
) -> TaperPlan:
    """A gradual opioid taper (CDC 2022) from ``mme_per_day`` after ``duration_weeks`` of use,
    starting ``start`` (default: today). Raises TaperError naming the field and its range.

    >>> [s.mme_per_day for s in taper(60, 70, start="2026-01-05").steps][:3]
    [54.0, 48.6, 43.7]
    """
    kb = knowledge or default_knowledge()
    first = _date(start, "start", TaperError)
    return plan_taper(mme_per_day, duration_weeks, first, kb.medications.taper, pauses)
