"""Pages: the clinic lead's panel — how many patients are in each signal (and who), how care
ends, meaningful change on function, opioid doses at intake and now, and care that is simply
continuing. Every number comes from `services.clinic.clinic_panel` (docs/clinic-panel.md)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from painpath.services import clinic
from painpath.web.security import STAFF, CallerDep
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.render import render

__all__ = ["router"]

router = PageRouter()


@router.page("GET", "/panel", access=STAFF)
def panel_page(request: Request, caller: CallerDep, signal: str | None = None) -> Response:
    """The clinic panel as of today (one run of the timeline engine over the clinic's open
    episodes). ``?signal=<badge id>`` opens that signal's list of patients; anything else is
    ignored."""
    knowledge = caller.ctx.knowledge
    panel = clinic.clinic_panel(caller.uow(), today=caller.ctx.today(), knowledge=knowledge)
    chosen = signal if signal in clinic.BADGE_IDS else ""
    return render(
        request,
        "panel/panel.html",
        panel=panel,
        chosen=chosen,
        counted=[c for c in panel.signal_counts if c.count],
        uncounted=[c for c in panel.signal_counts if not c.count],
        level_min_days=int(knowledge.signals.baseline.min_days.value),
        level_window_days=int(knowledge.signals.baseline.window_days.value),
        meaningful_share=float(knowledge.signals.goal.meaningful_share_percent.value),
        csc_sessions=int(knowledge.signals.care_simply_continuing.sessions_after_plateau.value),
        mme_caution=float(knowledge.medications.mme.caution_at.value),
        mme_high=float(knowledge.medications.mme.taper_now_at.value),
    )
