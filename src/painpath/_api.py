"""The public entry points: score and compare with the knowledge base this process uses."""

from __future__ import annotations

from collections.abc import Mapping

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
from painpath.knowledge import KnowledgeBase, default_knowledge

__all__ = ["assess", "compare", "imaging_context", "score"]


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
