"""Building answer sets for case tables: 'give me PHQ-9 answers that total 15'."""

from __future__ import annotations

from painpath.domain.instruments import InstrumentDefinition


def answers_for_total(defn: InstrumentDefinition, total: int) -> dict[str, int]:
    """Complete answers whose scored total is exactly ``total`` (sum-scored instruments).

    Every item starts at the answer that scores least; the remainder is then added item by
    item, each time choosing the answer that scores the most without overshooting. Works with
    reverse-scored and recoded items because it reasons in scored values.
    """
    assert defn.scoring.method == "sum"
    answers: dict[str, int] = {}
    remaining = total
    for item in defn.items:
        by_score = {defn.scored_value(item, v): v for v in defn.scale_for(item).allowed}
        low = min(by_score)
        answers[item.id] = by_score[low]
        remaining -= int(low)
    for item in defn.items:
        by_score = {defn.scored_value(item, v): v for v in defn.scale_for(item).allowed}
        low = min(by_score)
        fitting = [s for s in by_score if s - low <= remaining]
        best = max(fitting)
        answers[item.id] = by_score[best]
        remaining -= int(best - low)
    if remaining:
        raise ValueError(f"{defn.id} cannot total {total}")
    return answers
