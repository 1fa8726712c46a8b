"""The one documented error of scoring, with a message a clinician can act on."""

from __future__ import annotations

__all__ = ["ScoringError", "UnknownInstrumentError"]


class ScoringError(ValueError):
    """Answers that cannot be scored. ``str(error)`` is one line naming the item and the allowed
    range, e.g. ``phq9 item 4: 5 is out of range 0–3``."""

    def __init__(self, message: str, *, instrument: str | None = None, item: str | None = None):
        super().__init__(message)
        self.instrument = instrument
        self.item = item


class UnknownInstrumentError(ScoringError):
    """An instrument id the knowledge base does not define."""

    def __init__(self, instrument: str, known: list[str]):
        super().__init__(
            f"unknown instrument {instrument!r}; known instruments: {', '.join(sorted(known))}",
            instrument=instrument,
        )
        self.known = sorted(known)
