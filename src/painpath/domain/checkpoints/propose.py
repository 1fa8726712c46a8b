"""The honest checkpoint: one proposed decision with its reasons and the signals behind them.

care-model.md §7 and seed 002 "Checkpoints and honest evaluation": continue, adjust within the
programme, transition phase, refer with an overlap period, intentional ongoing care with a
review date, or graduate. Rules are tried in the order of docs/signals.md ("Checkpoint rules");
the first that applies decides and every other that applied is kept as a further reason.
Painpath proposes; the clinician decides, and a different decision is kept with who and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from painpath.domain.care_defaults import CheckpointDefaults
from painpath.domain.signals.report import Signal, SignalReport
from painpath.domain.signals.timeline import PHASES, CheckpointDecision, Decision

__all__ = ["CheckpointProposal", "ProposalReason", "propose"]

_PASSIVE_PHASES = ("settle", "extend_window")


@dataclass(frozen=True)
class ProposalReason:
    """One rule that applied: its id, what it found and the signals it rests on."""

    rule: str
    text: str
    signals: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "signals": list(self.signals)}


@dataclass(frozen=True)
class CheckpointProposal:
    """The decision Painpath proposes on ``today``, and the one a clinician recorded."""

    patient_id: str
    today: dt.date
    decision: Decision
    reasons: tuple[ProposalReason, ...]
    phase: str | None
    signals: tuple[Signal, ...]
    to: str | None = None
    overlap_days: int | None = None
    review_by: dt.date | None = None
    recorded: dict[str, Any] | None = None
    last_checkpoint: dict[str, Any] | None = None
    knowledge_version: str | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """The proposal as JSON (the shape `painpath checkpoint` prints)."""
        return {
            "patient_id": self.patient_id,
            "today": self.today.isoformat(),
            "decision": self.decision,
            "to": self.to,
            "overlap_days": self.overlap_days,
            "review_by": self.review_by.isoformat() if self.review_by else None,
            "reasons": [r.to_dict() for r in self.reasons],
            "phase": self.phase,
            "recorded": self.recorded,
            "last_checkpoint": self.last_checkpoint,
            "knowledge_version": self.knowledge_version,
            "signals": [s.to_dict() for s in self.signals],
        }


def _next(order: Sequence[str], after: str | None) -> str | None:
    if after is not None and after in order:
        i = list(order).index(after)
        return order[i + 1] if i + 1 < len(order) else None
    return None


def _target(order: Sequence[str], wanted: str, current: str | None) -> str:
    """The phase a transition goes to: ``wanted`` when the plan has it, else the plan's next."""
    if wanted in order:
        return wanted
    return _next(order, current) or wanted


def _pct(x: float) -> str:
    return f"{round(100 * x)} %"


def propose(
    report: SignalReport,
    recorded: Sequence[CheckpointDecision],
    defaults: CheckpointDefaults,
    *,
    phase_order: Sequence[str] = PHASES,
) -> CheckpointProposal:
    """Propose one checkpoint decision from a patient's signals (rules checkpoint.*,
    docs/signals.md "Checkpoint rules"; care-model.md §7)."""
    today, phase = report.today, report.phase
    # A decision recorded today answers this checkpoint; the one before it frames it.
    done = [c for c in recorded if c.date < today]
    last = done[-1] if done else None
    answer = next((c for c in recorded if c.date == today), None)
    since = last.date if last else None

    def new(s: Signal) -> bool:
        return since is None or (s.start is not None and s.start > since)

    sig = {i: report.of(i) for i in report.ids()}
    goals = sig.get("goal_progress", [])
    met = {s.goal for s in sig.get("goal_met", [])}
    flares = sig.get("flare", [])
    setbacks = [f for f in flares if f.status == "setback" and new(f)]
    prolonged = [f for f in flares if f.status == "prolonged" and new(f)]
    plateau = sig.get("plateau", [])
    drifting = [s for s in sig.get("care_simply_continuing", []) if s.status == "plateau"]
    overdue = [
        s for s in sig.get("care_simply_continuing", []) if s.status == "ongoing_care_overdue"
    ]
    active_so_far = sum(
        int(s.evidence.data.get("active", 0)) for s in sig.get("passive_active_ratio", [])
    )
    overlap = int(defaults.refer_overlap_days.value)
    review = today + dt.timedelta(days=int(defaults.ongoing_care_max_review_days.value))

    decided: list[tuple[Decision, dict[str, Any], ProposalReason]] = []

    def apply(decision: Decision, reason: ProposalReason, **extra: Any) -> None:
        decided.append((decision, extra, reason))

    if goals and all(g.goal in met for g in goals):
        apply(
            "graduate",
            ProposalReason(
                "checkpoint.graduate",
                "Every goal is met and has held: graduate with a home programme, a flare plan "
                "and follow-up.",
                ("goal_met",),
            ),
        )
    for f in setbacks[:1]:
        apply(
            "adjust",
            ProposalReason(
                "checkpoint.setback",
                f"The flare from {f.start} settled lower (a setback): reassess the load and the "
                "hypothesis, and adjust within the programme.",
                ("flare",),
            ),
        )
    for f in prolonged[:1]:
        apply(
            "adjust",
            ProposalReason(
                "checkpoint.prolonged_flare",
                f"The flare from {f.start} has not settled within 72 h: reassess and adjust "
                "the dose of treatment and activity.",
                ("flare",),
            ),
        )
    # Non-response is a question for the passive phases: whether the system responds at all.
    if "non_responder" in sig and phase in (*_PASSIVE_PHASES, None):
        apply(
            "refer",
            ProposalReason(
                "checkpoint.non_responder",
                "No relief window in the first sessions: the clinical conversation changes. "
                f"Refer for a review of the hypothesis, with {overlap} days of overlap.",
                ("non_responder",),
            ),
            overlap_days=overlap,
        )
    if plateau or drifting:
        used = ("plateau",) + (("care_simply_continuing",) if drifting else ())
        unmet = [g for g in goals if g.goal not in met]
        near = defaults.ongoing_care_progress_percent.value / 100
        if phase in _PASSIVE_PHASES or (phase is None and active_so_far == 0):
            apply(
                "transition",
                ProposalReason(
                    "checkpoint.plateau_passive",
                    "Progress has plateaued on passive care: it has reached what it can do "
                    "alone. Blend in active work alongside it.",
                    used,
                ),
                to=_target(phase_order, "blend", phase),
            )
        elif unmet and all(g.value is not None and g.value >= near for g in unmet):
            apply(
                "ongoing_care",
                ProposalReason(
                    "checkpoint.plateau_near_goal",
                    f"A plateau with every open goal at least {_pct(near)} of the way: make "
                    f"ongoing care an explicit decision, reviewed by {review}.",
                    (*used, "goal_progress"),
                ),
                review_by=review,
            )
        else:
            apply(
                "refer",
                ProposalReason(
                    "checkpoint.plateau",
                    "A plateau: the current approach has reached its ceiling. Refer to more "
                    f"advanced rehabilitation or another provider, with {overlap} days of "
                    "overlap until the hand-off is complete.",
                    used,
                ),
                overlap_days=overlap,
            )
    if phase == "settle" and "response_established" in sig:
        s = sig["response_established"][0]
        apply(
            "transition",
            ProposalReason(
                "checkpoint.response",
                f"A relief window of {s.value:g} day(s) after the {s.session} session: the "
                "system responds. Extend the window.",
                ("response_established",),
            ),
            to=_target(phase_order, "extend_window", phase),
        )
    if "movement_entry_ready" in sig and phase in (*_PASSIVE_PHASES, None):
        s = sig["movement_entry_ready"][0]
        held = f"{s.value:g} days" if s.value is not None else "until the next session"
        apply(
            "transition",
            ProposalReason(
                "checkpoint.movement_entry",
                f"Relief held {held} after the {s.session} session: active work can "
                "enter alongside passive care.",
                ("movement_entry_ready",),
            ),
            to=_target(phase_order, "blend", phase),
        )
    halfway = defaults.capacity_progress_percent.value / 100
    if (
        phase == "blend"
        and goals
        and all(g.value is not None and g.value >= halfway for g in goals)
    ):
        apply(
            "transition",
            ProposalReason(
                "checkpoint.capacity",
                f"Every goal is at least {_pct(halfway)} of the way: build capacity with "
                "active-dominant progressive loading.",
                ("goal_progress",),
            ),
            to=_target(phase_order, "build_capacity", phase),
        )
    if last is not None and last.decision == "ongoing_care":
        apply(
            "ongoing_care",
            ProposalReason(
                "checkpoint.ongoing_care_review",
                f"Ongoing care was chosen on {last.date}; nothing has changed it. Renew it "
                f"explicitly, reviewed by {review}.",
                ("care_simply_continuing",) if overdue else (),
            ),
            review_by=review,
        )
    apply(
        "continue",
        ProposalReason(
            "checkpoint.continue",
            "Care is moving toward the goals with no signal that calls for a change: continue.",
            ("goal_progress",) if goals else (),
        ),
    )

    decision, extra, first = decided[0]
    reasons = [first] + [r for d, _, r in decided[1:] if r.rule != "checkpoint.continue"]
    reasons += _notes(sig, overdue)
    chosen = {
        "to": extra.get("to"),
        "overlap_days": extra.get("overlap_days"),
        "review_by": extra.get("review_by"),
    }
    return CheckpointProposal(
        patient_id=report.patient_id,
        today=today,
        decision=decision,
        reasons=tuple(reasons),
        phase=phase,
        signals=report.signals,
        recorded=_recorded(answer, decision, chosen["to"]),
        last_checkpoint=_recorded(last, None, None),
        knowledge_version=report.knowledge_version,
        **chosen,
    )


def _notes(sig: dict[str, list[Signal]], overdue: list[Signal]) -> list[ProposalReason]:
    """Signals that do not decide but that the clinician should read beside the decision."""
    notes: list[ProposalReason] = []
    for s in overdue[:1]:
        notes.append(
            ProposalReason(
                "signals.care_simply_continuing",
                f"Ongoing care was due for review by {s.start}: this checkpoint is that review.",
                ("care_simply_continuing",),
            )
        )
    settling = [
        f
        for f in sig.get("flare", [])
        if f.status == "settling" and f.evidence.data.get("settled") is not None
    ]
    if settling:
        notes.append(
            ProposalReason(
                "signals.flare",
                f"{len(settling)} flare(s) settled within 72 h: a normal treatment response.",
                ("flare",),
            )
        )
    if "expected_soreness" in sig:
        notes.append(
            ProposalReason(
                "signals.expected_soreness",
                "Post-treatment soreness settled within 48 h: expected; reassure.",
                ("expected_soreness",),
            )
        )
    if "data_gap" in sig:
        notes.append(
            ProposalReason(
                "signals.data_gap",
                "Not enough logs this week to judge: prompt the patient before relying on this.",
                ("data_gap",),
            )
        )
    return notes


def _recorded(
    c: CheckpointDecision | None, decision: str | None, to: str | None
) -> dict[str, Any] | None:
    """A recorded decision; compared with the proposal when it answers this checkpoint."""
    if c is None:
        return None
    out: dict[str, Any] = {
        "date": c.date.isoformat(),
        "decision": c.decision,
        "to": c.to,
        "overlap_days": c.overlap_days,
        "review_by": c.review_by.isoformat() if c.review_by else None,
        "by": c.by,
        "reason": c.reason,
    }
    if decision is not None:
        out["differs"] = c.decision != decision or (decision == "transition" and c.to != to)
    return out
