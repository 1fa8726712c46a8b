"""Questionnaires in the intake wizard: each instrument's items with their answer options (from
the knowledge base), and a score of what has been answered so far — the same scoring the
intake's submission uses (`painpath._api.score`), shown live while answering."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from painpath._api import score
from painpath.domain.instruments import InstrumentDefinition, ScoringError
from painpath.knowledge import KnowledgeBase

__all__ = ["InstrumentView", "ItemView", "ScoreView", "instrument_views", "score_view"]

_WHOLE = re.compile(r"^[+-]?\d+$")

# The order a clinic gives them in, by what they are for; instruments a clinic adds come last.
GROUPS = (
    ("Pain and function", ("nprs", "peg", "odi", "psfs")),
    ("Neuropathic screens", ("dn4", "paindetect", "slanss")),
    ("Risk, fear and sensitisation", ("startback", "pcs", "tsk11", "tsk17", "csi")),
    ("Mood, anxiety and sleep", ("phq2", "phq9", "gad2", "gad7", "isi")),
)


@dataclass(frozen=True)
class ItemView:
    id: str
    name: str  # the form field
    label: str  # the wording, else the topic
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ScoreView:
    """What the score box says: not started, incomplete, an error, or the score."""

    instrument: str
    short_name: str
    status: str  # empty | incomplete | error | scored
    answered: int
    items: int
    total: str = ""
    range: str = ""
    band: str = ""
    flags: tuple[tuple[str, str], ...] = ()
    message: str = ""
    prorated: bool = False

    @property
    def text(self) -> str:
        """The score in one line, for tests and summaries."""
        if self.status != "scored":
            return self.message
        band = f" · {self.band}" if self.band else ""
        return f"{self.total}{band}"


@dataclass(frozen=True)
class InstrumentView:
    id: str
    short_name: str
    name: str
    measures: str
    recall: str
    instructions: str
    licence_note: str
    items: tuple[ItemView, ...]
    score: ScoreView
    group: str


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _options(defn: InstrumentDefinition, item_id: str) -> tuple[tuple[str, str], ...]:
    item = defn.item(item_id)
    scale = defn.scale_for(item)
    named = {o.value: o.label for o in scale.options}
    anchors = {a.value: a.label for a in defn.anchors_for(item)}
    out = []
    for value in scale.allowed:
        words = anchors.get(value) or named.get(value, "")
        text = str(value) if not words or words == str(value) else f"{value} — {words}"
        out.append((str(value), text))
    return tuple(out)


def _answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given: blank or missing items are unanswered; whole numbers as numbers."""
    out: dict[str, Any] = {}
    for item, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str) and _WHOLE.match(value.strip()):
            out[str(item)] = int(value.strip())
        else:
            out[str(item)] = value
    return out


def score_view(
    defn: InstrumentDefinition, raw: Mapping[str, Any], knowledge: KnowledgeBase
) -> ScoreView:
    """Score what has been answered of ``defn``: nothing yet, too few items to score (which
    items are left), an answer the instrument does not take, or total, band and flags."""
    answers = _answers(raw)
    n = len(defn.items)
    base: dict[str, Any] = {
        "instrument": defn.id,
        "short_name": defn.short_name,
        "answered": len(answers),
        "items": n,
    }
    if not answers:
        return ScoreView(status="empty", message="Not given", **base)
    missing = [i.id for i in defn.items if i.id not in answers]
    if len(missing) > defn.scoring.max_missing:
        left = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        return ScoreView(
            status="incomplete",
            message=f"{len(answers)} of {n} answered; still to answer: item {left}",
            **base,
        )
    try:
        result = score(defn.id, answers, knowledge=knowledge)
    except ScoringError as exc:
        return ScoreView(status="error", message=str(exc), **base)
    lo, hi = result.range
    flags = tuple(
        (f.label, f.action) for f in defn.flags if f.id in result.flags
    )  # in the knowledge base's order
    return ScoreView(
        status="scored",
        total=_number(result.total),
        range=f"{_number(lo)}–{_number(hi)}",
        band=result.band_label or "",
        flags=flags,
        prorated=result.prorated,
        message="",
        **base,
    )


def instrument_views(
    knowledge: KnowledgeBase, questionnaires: Mapping[str, Any] | None
) -> list[InstrumentView]:
    """Every instrument of the knowledge base with its items, options and current score."""
    given = questionnaires if isinstance(questionnaires, Mapping) else {}
    group_of = {i: name for name, ids in GROUPS for i in ids}
    order = [i for _, ids in GROUPS for i in ids]
    ranked = sorted(
        knowledge.instruments.values(),
        key=lambda d: (order.index(d.id) if d.id in order else len(order), d.short_name.lower()),
    )
    views = []
    for defn in ranked:
        answers = given.get(defn.id)
        answers = answers if isinstance(answers, Mapping) else {}
        items = tuple(
            ItemView(
                id=item.id,
                name=f"questionnaires.{defn.id}.{item.id}",
                label=item.label,
                options=_options(defn, item.id),
            )
            for item in defn.items
        )
        licence = ""
        if not any(i.text for i in defn.items):
            licence = (
                "Item wording is licensed and not shipped: administer the questionnaire on its "
                "own form and enter the answers by topic."
            )
        views.append(
            InstrumentView(
                id=defn.id,
                short_name=defn.short_name,
                name=defn.name,
                measures=defn.measures,
                recall=defn.recall or "",
                instructions=defn.instructions or "",
                licence_note=licence,
                items=items,
                score=score_view(defn, answers, knowledge),
                group=group_of.get(defn.id, "Other questionnaires"),
            )
        )
    return views
