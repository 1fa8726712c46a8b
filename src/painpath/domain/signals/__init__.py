"""The timeline engine: signals over daily logs, sessions, goals and checkpoint decisions."""

from painpath.domain.signals.engine import (
    COLUMNS,
    SIGNAL_IDS,
    SIGNAL_SCHEMA,
    CareDefaults,
    evaluate,
)
from painpath.domain.signals.frames import TimelineFrames

__all__ = [
    "COLUMNS",
    "SIGNAL_IDS",
    "SIGNAL_SCHEMA",
    "CareDefaults",
    "TimelineFrames",
    "evaluate",
]
