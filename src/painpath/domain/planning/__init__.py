"""Care planning: the staged plan from an assessment (pure)."""

from painpath.domain.planning.plan import (
    PlanningKnowledge,
    build_plan,
    goal_criterion,
    stance_verdict,
)
from painpath.domain.planning.result import (
    Checkpoint,
    ConsideredOption,
    Plan,
    PlannedModality,
    PlannedPhase,
    Referral,
)

__all__ = [
    "Checkpoint",
    "ConsideredOption",
    "Plan",
    "PlannedModality",
    "PlannedPhase",
    "PlanningKnowledge",
    "Referral",
    "build_plan",
    "goal_criterion",
    "stance_verdict",
]
