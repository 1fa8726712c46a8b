"""The assessment engine: from an intake to an explained clinical hypothesis (pure)."""

from painpath.domain.assessment.engine import (
    AssessmentKnowledge,
    IntakeError,
    assess,
    build_facts,
    check_intake,
    read_intake,
)
from painpath.domain.assessment.imaging import imaging_context, prevalence_at
from painpath.domain.assessment.intake import Intake
from painpath.domain.assessment.result import Assessment, ImagingContext

__all__ = [
    "Assessment",
    "AssessmentKnowledge",
    "ImagingContext",
    "Intake",
    "IntakeError",
    "assess",
    "build_facts",
    "check_intake",
    "imaging_context",
    "prevalence_at",
    "read_intake",
]
