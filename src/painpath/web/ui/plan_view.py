"""Shared pieces of the intake, assessment and plan pages: the episode header's badges (red
flags and a blocked plan, from the assessment; the opioid dose, from the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Badge", "red_flag_badges"]


@dataclass(frozen=True)
class Badge:
    id: str
    label: str
    severity: str
    detail: str = ""


def red_flag_badges(
    assessment: Mapping[str, Any] | None, plan: Mapping[str, Any] | None = None
) -> list[Badge]:
    """Badges for the header: an emergency that blocks the plan, other red flags by urgency,
    a red-flag screen not recorded, and an opioid dose at or above 50 / 90 MME a day."""
    badges: list[Badge] = []
    if assessment:
        flags = [f for f in assessment.get("red_flags") or [] if isinstance(f, Mapping)]
        if assessment.get("plan_blocked"):
            badges.append(
                Badge(
                    "plan_blocked",
                    "Plan blocked: emergency",
                    "danger",
                    str(assessment.get("plan_blocked_reason") or ""),
                )
            )
        elif flags:
            urgency = str(assessment.get("urgency") or "")
            badges.append(
                Badge(
                    "red_flag",
                    f"Red flag ({urgency})" if urgency else "Red flag",
                    "danger" if urgency in {"emergency", "urgent"} else "warning",
                    "; ".join(str(f.get("label")) for f in flags),
                )
            )
        if assessment.get("red_flags_screened") is False:
            badges.append(
                Badge("not_screened", "Red flags not screened", "warning", "No red-flag screen")
            )
    mme = (plan or {}).get("mme")
    if isinstance(mme, Mapping) and isinstance(mme.get("total_mme_per_day"), int | float):
        total = float(mme["total_mme_per_day"])
        if total >= 90:
            badges.append(Badge("mme_90", f"MME {total:g}/day (≥ 90)", "danger"))
        elif total >= 50:
            badges.append(Badge("mme_50", f"MME {total:g}/day (≥ 50)", "warning"))
    return badges
