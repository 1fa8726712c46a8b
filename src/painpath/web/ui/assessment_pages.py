"""Pages: the assessment of an episode, red flags first.

What the assessment engine decided at intake, in the order a clinician reads it: red flags (an
emergency blocks the plan and says where to send the patient), the mechanism profile with the
evidence for each mechanism, irritability, the ranked drivers, psychosocial findings, the
questionnaire scores with their bands, and each imaging finding beside its prevalence in
pain-free people of the same age, in the patient's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import Response

from painpath.knowledge import KnowledgeBase
from painpath.services import intake
from painpath.services.errors import NotFound
from painpath.web.security import STAFF, CallerDep
from painpath.web.ui._episode import load_episode
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.render import render

__all__ = ["router"]

router = PageRouter()

EpisodeId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

MECHANISM_LABELS = {
    "nociceptive": "Nociceptive",
    "neuropathic": "Neuropathic",
    "nociplastic": "Nociplastic",
}
# How each status reads, and the badge it wears (colour is never the only signal: words too).
STATUS = {
    "likely": ("Likely", "info"),
    "probable": ("Probable", "info"),
    "possible": ("Possible", "warning"),
    "unlikely": ("Unlikely", "neutral"),
    "not_met": ("Criteria not met", "neutral"),
    "not_assessed": ("Not assessed", "neutral"),
    "present": ("Present", "warning"),
    "absent": ("Absent", "neutral"),
    "high": ("High", "danger"),
    "moderate": ("Moderate", "warning"),
    "low": ("Low", "good"),
}
URGENCY = {
    "emergency": ("Emergency — now", "danger"),
    "urgent": ("Urgent — same day or within days", "danger"),
    "soon": ("Soon — within weeks, alongside care", "warning"),
}


def _status(value: object) -> tuple[str, str]:
    text = str(value or "not_assessed")
    return STATUS.get(text, (text.replace("_", " ").capitalize(), "neutral"))


def _scores(data: Mapping[str, Any], kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Each questionnaire's score with the words of its band and flags."""
    rows = []
    for instrument, s in (data.get("questionnaires") or {}).items():
        if not isinstance(s, Mapping):
            continue
        defn = kb.instruments.get(instrument)
        bands = {b.id: b.label for b in defn.bands} if defn else {}
        flags = {f.id: f for f in defn.flags} if defn else {}
        lo, hi = defn.total_range() if defn else (None, None)
        rows.append(
            {
                "id": instrument,
                "name": defn.short_name if defn else instrument,
                "measures": defn.measures if defn else "",
                "total": s.get("total"),
                "range": f"{lo:g}–{hi:g}" if defn else "",
                "band": bands.get(s.get("band") or "", s.get("band") or ""),
                "flags": [
                    (flags[f].label, flags[f].action) if f in flags else (f, "")
                    for f in s.get("flags") or []
                ],
            }
        )
    return rows


def _emergency(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """What to do now, when an emergency flag blocks the plan."""
    if not data.get("plan_blocked"):
        return None
    flags = [f for f in data.get("red_flags") or [] if isinstance(f, Mapping)]
    emergency = [f for f in flags if f.get("urgency") == "emergency"] or flags
    referrals = list(dict.fromkeys(str(f.get("referral")) for f in emergency if f.get("referral")))
    return {
        "reason": data.get("plan_blocked_reason") or "",
        "referrals": referrals,
        "flags": [str(f.get("label")) for f in emergency],
    }


@router.page("GET", "/episodes/{episode_id}/assessment", access=STAFF)
def assessment_page(request: Request, caller: CallerDep, episode_id: EpisodeId) -> Response:
    """The assessment made at intake (or, before the intake, a way to it)."""
    view = load_episode(caller, episode_id, "assessment")
    kb = caller.ctx.knowledge
    try:
        record = intake.get_assessment(caller.uow(), episode_id)
    except NotFound:
        draft = intake.get_intake_draft(caller.uow(), episode_id)
        return render(
            request,
            "assessment/none.html",
            view=view,
            has_draft=draft is not None,
            can_edit=caller.principal.is_clinician,
        )
    data: Mapping[str, Any] = record.data if isinstance(record.data, Mapping) else {}
    mechanisms = [
        {
            **m,
            "name": MECHANISM_LABELS.get(str(m.get("id")), str(m.get("id"))),
            "status_text": _status(m.get("status"))[0],
            "tone": _status(m.get("status"))[1],
        }
        for m in data.get("mechanisms") or []
        if isinstance(m, Mapping)
    ]
    irritability = data.get("irritability") or {}
    pattern = data.get("central_sensitisation_pattern") or {}
    flags = [
        {
            **f,
            "urgency_text": URGENCY.get(str(f.get("urgency")), (str(f.get("urgency")), "info"))[0],
            "tone": URGENCY.get(str(f.get("urgency")), ("", "info"))[1],
        }
        for f in data.get("red_flags") or []
        if isinstance(f, Mapping)
    ]
    return render(
        request,
        "assessment/view.html",
        view=view,
        a=data,
        assessed_on=record.created_at,
        emergency=_emergency(data),
        urgency_text=URGENCY.get(str(data.get("urgency")), ("", ""))[0].lower(),
        flags=flags,
        mechanisms=mechanisms,
        irritability=irritability,
        irritability_status=_status(irritability.get("grade")),
        component_status={k: _status(v) for k, v in (irritability.get("components") or {}).items()},
        pattern=pattern,
        pattern_status=_status(pattern.get("status")),
        scores=_scores(data, kb),
        instrument_names={k: d.short_name for k, d in kb.instruments.items()},
        imaging_reported=not any(
            str(m).startswith("imaging not reported") for m in data.get("missing") or []
        ),
    )
