"""Comparing two scores: did the patient change by a meaningful amount?

The threshold is the instrument's published minimal clinically important difference (MCID, or
the MIC/MID its source names) where there is one, and its minimal detectable change (MDC)
otherwise; the result says which. Where a source gives a relative threshold too (NPRS, ODI and
PEG: 30 % of the baseline), an improvement that meets either threshold counts, as the sources
state it (Farrar 2001; Ostelo 2008; CDC 2022). Worsening is judged on the absolute threshold
only: a relative rise from a low baseline (30 % of 2 points) is not a meaningful change.
"""

from __future__ import annotations

import math

from painpath.domain.explain import Reason
from painpath.domain.instruments.answers import show
from painpath.domain.instruments.errors import ScoringError
from painpath.domain.instruments.model import InstrumentDefinition
from painpath.domain.instruments.results import Change, ChangeStatus, Number
from painpath.domain.instruments.scoring import tidy

__all__ = ["check_total", "compare_totals"]

# Scores are rounded to a few decimals; a difference equal to the threshold must count.
_EPSILON = 1e-9


def check_total(defn: InstrumentDefinition, value: object, label: str) -> Number:
    """Accept a total score given directly (not as answers) if it lies in the instrument's range.

    Returns it as the instrument writes totals (rounded to its decimals, whole numbers bare).
    """
    lo, hi = defn.total_range()
    span = f"{tidy(lo, 2)}–{tidy(hi, 2)}"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or (isinstance(value, float) and not math.isfinite(value)):
        raise ScoringError(
            f"{defn.id} {label}: {show(value)} is not a score; give answers or a total in {span}",
            instrument=defn.id,
        )
    # Compared without converting to float, so a huge integer cannot overflow.
    assert isinstance(value, int | float)
    if not lo <= value <= hi:
        raise ScoringError(
            f"{defn.id} {label}: {show(value)} is out of range {span}", instrument=defn.id
        )
    return tidy(value + 0.0, defn.scoring.decimals)  # + 0.0 turns -0.0 into 0


def compare_totals(
    defn: InstrumentDefinition,
    before: Number,
    after: Number,
    *,
    knowledge_version: str | None = None,
) -> Change:
    """Classify the change from ``before`` to ``after`` as improved, worsened or neither.

    Rule ``<instrument>.change``: improvement (after − before, sign-adjusted so that positive
    is better) at least the threshold points, or at least ``percent`` of the baseline where the
    source gives one → improved; a worsening of at least the threshold points → worsened;
    otherwise no meaningful change. Without a published threshold the result is
    ``not_classifiable``, with the reason.
    """
    decimals = defn.scoring.decimals
    difference = tidy(after - before, decimals)
    better_if_lower = defn.direction == "higher_is_worse"
    improvement = -difference if better_if_lower else difference
    rule = defn.change
    direction_words = "lower is better" if better_if_lower else "higher is better"
    moved = f"{before} → {after} (difference {difference:+g}, {direction_words})"
    data: dict[str, object] = {"before": before, "after": after, "difference": difference}
    status: ChangeStatus
    if rule is None:
        status = "not_classifiable"
        reason = Reason(
            rule=f"{defn.id}.change",
            text=f"{moved}; not classifiable: {defn.change_unavailable}",
            data=data,
            sources=defn.source,
        )
    else:
        percent_change = improvement / abs(before) * 100 if before else None
        by_points = improvement >= rule.points - _EPSILON
        by_percent = (
            rule.percent is not None
            and percent_change is not None
            and percent_change >= rule.percent - _EPSILON
        )
        if by_points or by_percent:
            status = "improved"
        elif -improvement >= rule.points - _EPSILON:
            status = "worsened"
        else:
            status = "no_meaningful_change"
        threshold = f"{rule.kind.upper()} {rule.points:g} points"
        if rule.percent is not None:
            threshold += f" or {rule.percent:g}% of the baseline"
            if percent_change is not None:
                moved += f", {percent_change:+.0f}% of the baseline toward better"
        reason = Reason(
            rule=f"{defn.id}.change",
            text=f"{moved}; threshold {threshold} → {status.replace('_', ' ')}",
            data=data | {"threshold_points": rule.points, "threshold_percent": rule.percent},
            sources=rule.source,
        )
    return Change(
        instrument=defn.id,
        before=before,
        after=after,
        difference=difference,
        direction=defn.direction,
        status=status,
        threshold_kind=rule.kind if rule else None,
        threshold_points=rule.points if rule else None,
        threshold_percent=rule.percent if rule else None,
        sources=rule.source if rule else (),
        reasons=(reason,),
        knowledge_version=knowledge_version,
    )
