"""Painpath: a root-cause model of chronic musculoskeletal pain care.

The public Python API. Everything not listed in ``__all__`` is internal and may change.
"""

from painpath._api import assess, compare, imaging_context, mme, plan, score, taper
from painpath._timeline_api import propose_checkpoint, signals, signals_batch
from painpath._version import __version__
from painpath.domain.assessment import Assessment, ImagingContext, Intake, IntakeError
from painpath.domain.checkpoints import CheckpointProposal
from painpath.domain.instruments import Change, Score, ScoringError, UnknownInstrumentError
from painpath.domain.medications import MmeResult, TaperError, TaperPause, TaperPlan
from painpath.domain.planning import Plan
from painpath.domain.signals.report import Signal, SignalReport
from painpath.domain.signals.timeline import Timeline, TimelineError
from painpath.interop.medication_list import OrdersInputError
from painpath.knowledge import KnowledgeBase, KnowledgeError, default_knowledge, load_knowledge

__all__ = [
    "Assessment",
    "Change",
    "CheckpointProposal",
    "ImagingContext",
    "Intake",
    "IntakeError",
    "KnowledgeBase",
    "KnowledgeError",
    "MmeResult",
    "OrdersInputError",
    "Plan",
    "Score",
    "ScoringError",
    "Signal",
    "SignalReport",
    "TaperError",
    "TaperPause",
    "TaperPlan",
    "Timeline",
    "TimelineError",
    "UnknownInstrumentError",
    "__version__",
    "assess",
    "compare",
    "default_knowledge",
    "imaging_context",
    "load_knowledge",
    "mme",
    "plan",
    "propose_checkpoint",
    "score",
    "signals",
    "signals_batch",
    "taper",
]
