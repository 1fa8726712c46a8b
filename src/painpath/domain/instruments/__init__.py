"""Validated questionnaires: their definitions, scoring and meaningful change (pure)."""

from painpath.domain.instruments.answers import read_answer, read_answers
from painpath.domain.instruments.change import check_total, compare_totals
from painpath.domain.instruments.errors import ScoringError, UnknownInstrumentError
from painpath.domain.instruments.model import (
    Band,
    ChangeRule,
    Codes,
    Coding,
    Condition,
    Flag,
    InstrumentDefinition,
    Item,
    Licence,
    ResponseOption,
    ResponseScale,
    Scoring,
    Subscale,
)
from painpath.domain.instruments.results import Change, Score
from painpath.domain.instruments.scoring import score_answers

__all__ = [
    "Band",
    "Change",
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
    "Score",
    "Scoring",
    "ScoringError",
    "Subscale",
    "UnknownInstrumentError",
    "check_total",
    "compare_totals",
    "read_answer",
    "read_answers",
    "score_answers",
]
