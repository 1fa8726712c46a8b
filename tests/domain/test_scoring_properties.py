"""Property-based tests: no input makes scoring raise anything but the documented error, and
valid answers always give a coherent score."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import painpath
from painpath.domain.instruments import InstrumentDefinition
from painpath.knowledge import load_knowledge

KB = load_knowledge()
IDS = sorted(KB.instruments)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def _keys(defn: InstrumentDefinition) -> st.SearchStrategy[object]:
    return st.sampled_from([i.id for i in defn.items]) | st.text(max_size=4) | st.integers(0, 30)


@st.composite
def anything_for(draw: st.DrawFn, defn: InstrumentDefinition) -> object:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(json_values)
    return draw(st.dictionaries(_keys(defn), json_values, max_size=len(defn.items) + 3))


@st.composite
def valid_answers(draw: st.DrawFn, defn: InstrumentDefinition) -> dict[str, int | None]:
    answers: dict[str, int | None] = {
        item.id: draw(st.sampled_from(defn.scale_for(item).allowed)) for item in defn.items
    }
    blanks = draw(
        st.lists(st.sampled_from(list(answers)), max_size=defn.scoring.max_missing, unique=True)
    )
    for key in blanks:
        answers[key] = draw(st.sampled_from([None, "absent"])) and None
        if draw(st.booleans()):
            del answers[key]
    return answers


@pytest.mark.parametrize("instrument", IDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_input_raises_anything_but_a_scoring_error(instrument: str, data: st.DataObject):
    defn = KB.instrument(instrument)
    answers = data.draw(anything_for(defn))
    try:
        s = painpath.score(instrument, answers, knowledge=KB)  # type: ignore[arg-type]
    except painpath.ScoringError as exc:
        message = str(exc)
        assert message and "\n" not in message
        assert message.startswith(instrument)
    else:
        lo, hi = s.range
        assert lo <= s.total <= hi


@pytest.mark.parametrize("instrument", IDS)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_valid_answers_always_score_coherently(instrument: str, data: st.DataObject):
    defn = KB.instrument(instrument)
    answers = data.draw(valid_answers(defn))
    s = painpath.score(instrument, answers, knowledge=KB)
    lo, hi = defn.total_range()
    assert lo - 1e-9 <= s.total <= hi + 1e-9
    assert not (isinstance(s.total, float) and math.isnan(s.total))
    assert (s.band is not None) == bool(defn.bands)  # bands always cover the whole range
    assert set(s.flags) <= {f.id for f in defn.flags}
    assert set(s.subscales) <= {x.id for x in defn.subscales}
    assert len(s.missing) <= defn.scoring.max_missing
    assert s.answered + len(s.missing) == len(defn.items)
    assert any(line.startswith(f"{instrument}.total:") for line in s.explanation)
    assert all("[" in line for line in s.explanation)  # every line cites its source
    # The same answers always give the same score.
    assert painpath.score(instrument, answers, knowledge=KB) == s


@pytest.mark.parametrize("instrument", [i for i in IDS if KB.instrument(i).scoring.method == "sum"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_an_answer_that_scores_higher_always_raises_a_sum(instrument: str, data: st.DataObject):
    defn = KB.instrument(instrument)
    answers = {i.id: data.draw(st.sampled_from(defn.scale_for(i).allowed)) for i in defn.items}
    item = data.draw(st.sampled_from(defn.items))
    now = defn.scored_value(item, answers[item.id])
    higher = [v for v in defn.scale_for(item).allowed if defn.scored_value(item, v) > now]
    if higher:
        raised = answers | {item.id: data.draw(st.sampled_from(higher))}
        before = painpath.score(instrument, answers, knowledge=KB).total
        assert painpath.score(instrument, raised, knowledge=KB).total > before


@pytest.mark.parametrize("instrument", IDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_compare_is_consistent(instrument: str, data: st.DataObject):
    defn = KB.instrument(instrument)
    lo, hi = defn.total_range()
    a = data.draw(st.floats(lo, hi, allow_nan=False))
    b = data.draw(st.floats(lo, hi, allow_nan=False))
    forward = painpath.compare(instrument, a, b, knowledge=KB)
    assert painpath.compare(instrument, a, a, knowledge=KB).status in {
        "no_meaningful_change",
        "not_classifiable",
    }
    if defn.change is None:
        assert forward.status == "not_classifiable"
        return
    backward = painpath.compare(instrument, b, a, knowledge=KB)
    if forward.status == "worsened":
        assert backward.status == "improved"  # worsening by the points threshold, reversed
    if defn.change.percent is None and forward.status == "improved":
        assert backward.status == "worsened"
