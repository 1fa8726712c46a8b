"""Medications: the knowledge, MME from opioid orders, taper schedules and review (pure)."""

from painpath.domain.medications.mme import MmeError, MmeExcluded, MmeItem, MmeResult, calculate_mme
from painpath.domain.medications.orders import OrderLine, Quantity, resolve_order
from painpath.domain.medications.review import MedicationFinding, review
from painpath.domain.medications.taper import (
    TaperError,
    TaperPause,
    TaperPlan,
    TaperStep,
    plan_taper,
)

__all__ = [
    "MedicationFinding",
    "MmeError",
    "MmeExcluded",
    "MmeItem",
    "MmeResult",
    "OrderLine",
    "Quantity",
    "TaperError",
    "TaperPause",
    "TaperPlan",
    "TaperStep",
    "calculate_mme",
    "plan_taper",
    "resolve_order",
    "review",
]
