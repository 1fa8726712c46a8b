"""Painpath: a root-cause model of chronic musculoskeletal pain care.

The public Python API. Everything not listed in ``__all__`` is internal and may change.
"""

from painpath._api import compare, score
from painpath._version import __version__
from painpath.domain.instruments import Change, Score, ScoringError, UnknownInstrumentError
from painpath.knowledge import KnowledgeBase, KnowledgeError, default_knowledge, load_knowledge

__all__ = [
    "Change",
    "KnowledgeBase",
    "KnowledgeError",
    "Score",
    "ScoringError",
    "UnknownInstrumentError",
    "__version__",
    "compare",
    "default_knowledge",
    "load_knowledge",
    "score",
]
