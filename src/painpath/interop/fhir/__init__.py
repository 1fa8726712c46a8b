"""FHIR R4: instruments as Questionnaires, QuestionnaireResponses scored."""

from painpath.interop.fhir.questionnaire import questionnaire_url, to_questionnaire
from painpath.interop.fhir.response import (
    FhirInputError,
    ResponseResult,
    score_bundle,
    score_response,
)

__all__ = [
    "FhirInputError",
    "ResponseResult",
    "questionnaire_url",
    "score_bundle",
    "score_response",
    "to_questionnaire",
]
