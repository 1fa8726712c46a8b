"""Painpath's clinical knowledge: versioned data files, validated at load, with their sources.

>>> kb = load_knowledge()
>>> kb.instrument("phq9").short_name
'PHQ-9'
"""

from painpath.knowledge.base import KnowledgeBase, OverrideRecord, UnknownKeyError
from painpath.knowledge.errors import KnowledgeError, Problem
from painpath.knowledge.loader import OVERRIDES_ENV, default_knowledge, load_knowledge

__all__ = [
    "OVERRIDES_ENV",
    "KnowledgeBase",
    "KnowledgeError",
    "OverrideRecord",
    "Problem",
    "UnknownKeyError",
    "default_knowledge",
    "load_knowledge",
]
