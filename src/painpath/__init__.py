"""Painpath: a root-cause model of chronic musculoskeletal pain care.

The public Python API. Everything not listed in ``__all__`` is internal and may change.
"""

from painpath._api import assess, compare, imaging_context, score
from painpath._version import __version__
from painpath.domain.assessment import Assessment, ImagingContext, Intake, IntakeError
from painpath.domain.instruments import Change, Score, ScoringError, UnknownInstrumentError
from painpath.knowledge import KnowledgeBase, KnowledgeError, default_knowledge, load_knowledge

__all__ = [
    "Assessment",
    "Change",
    "ImagingContext",
    "Intake",
    "IntakeError",
    "KnowledgeBase",
    "KnowledgeError",
    "Score",
    "ScoringError",
    "UnknownInstrumentError",
    "__version__",
    "assess",
    "compare",
    "default_knowledge",
    "imaging_context",
    "load_knowledge",
    "score",
]
