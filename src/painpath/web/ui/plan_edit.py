"""The edits a clinician makes to a plan in the browser, applied to the plan document.

Per phase: its trial length (the phase's end and everything after it move with it: later
phases, their checkpoints and the phase-end checkpoint; interval checkpoints that would now fall
after the phase's end are dropped), its number of sessions, modalities removed and one added
from the treatment catalogue. For the plan: a clinician's note. The result is the whole new
document that `services.plans.revise_plan` stores as the next revision.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from painpath.knowledge import KnowledgeBase
from painpath.web.ui.forms import FormReader

__all__ = ["MAX_MODALITIES", "apply_edits", "phase_field", "treatment_options"]

MAX_MODALITIES = 12
MAX_TRIAL_WEEKS = 52
MAX_SESSIONS = 60


def phase_field(phase_id: str, name: str) -> str:
    """The form field of one phase's value: ``phase.settle.trial_weeks``."""
    return f"phase.{phase_id}.{name}"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _shift(value: Any, days: int) -> Any:
    day = _date(value)
    return (day + dt.timedelta(days=days)).isoformat() if day and days else value


def _added(kb: KnowledgeBase, treatment_id: str, who: str) -> dict[str, Any] | None:
    for t in kb.treatments.treatments:
        if t.id == treatment_id:
            return {
                "id": t.id,
                "label": t.label,
                "kind": t.kind,
                "role": "added",
                "targets": list(t.targets),
                "evidence": t.evidence,
                "stances": [],
                "trial_weeks": t.trial_weeks,
                "reassess_days": t.reassess_days,
                "telehealth": t.telehealth,
                "home": t.home,
                "why": {
                    "rule": "clinician.added",
                    "text": f"Added by {who}",
                    "data": {},
                    "sources": [],
                },
                "alternatives": [],
                "notes": [],
                "date": None,
                "rehab_by": None,
            }
    return None


def treatment_options(
    kb: KnowledgeBase, phase: Mapping[str, Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Treatments that could be added to ``phase``: those the catalogue puts in this phase,
    then the others (neither list holds what the phase already has)."""
    present = {m.get("id") for m in phase.get("modalities") or [] if isinstance(m, Mapping)}
    suits: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for t in sorted(kb.treatments.treatments, key=lambda t: t.label.lower()):
        if t.id in present:
            continue
        (suits if phase.get("id") in t.phases else others).append((t.id, t.label))
    return suits, others


def apply_edits(
    plan: Mapping[str, Any], reader: FormReader, kb: KnowledgeBase, *, who: str
) -> dict[str, Any]:
    """The plan with the form's edits applied; problems are left in ``reader.errors``."""
    new: dict[str, Any] = copy.deepcopy(dict(plan))
    phases = [p for p in new.get("phases") or [] if isinstance(p, dict)]
    moved = 0  # days every later date moves by
    ends: dict[str, tuple[int, Any, Any]] = {}  # phase → (shift before it, old end, new end)
    for phase in phases:
        pid = str(phase.get("id"))
        before, old_end = moved, phase.get("end")
        phase["start"] = _shift(phase.get("start"), moved)
        phase["end"] = _shift(phase.get("end"), moved)
        weeks = reader.integer(
            phase_field(pid, "trial_weeks"), 1, MAX_TRIAL_WEEKS, label="Trial length"
        )
        if weeks is not None and weeks != phase.get("trial_weeks"):
            start = _date(phase.get("start"))
            if start is not None and isinstance(phase.get("trial_weeks"), int):
                new_end = start + dt.timedelta(weeks=weeks)
                moved += (new_end - (_date(phase.get("end")) or new_end)).days
                phase["end"] = new_end.isoformat()
            phase["trial_weeks"] = weeks
        sessions = reader.integer(phase_field(pid, "sessions"), 0, MAX_SESSIONS, label="Sessions")
        if sessions is not None:
            phase["sessions"] = sessions
        ends[pid] = (before, old_end, phase.get("end"))

        removed = set(reader.raw_all(phase_field(pid, "remove")))
        modalities = [
            m
            for m in phase.get("modalities") or []
            if not (isinstance(m, Mapping) and m.get("id") in removed)
        ]
        add = reader.raw(phase_field(pid, "add"))
        if add:
            present = {m.get("id") for m in modalities if isinstance(m, Mapping)}
            entry = _added(kb, add, who)
            if entry is None:
                reader.errors.append((phase_field(pid, "add"), "choose a treatment from the list"))
            elif add not in present:
                modalities.append(entry)
                suitable = phase.get("also_suitable")
                if isinstance(suitable, list) and entry["label"] in suitable:
                    phase["also_suitable"] = [s for s in suitable if s != entry["label"]]
        if len(modalities) > MAX_MODALITIES:
            reader.errors.append(
                (phase_field(pid, "add"), f"a phase holds at most {MAX_MODALITIES} modalities")
            )
        phase["modalities"] = modalities

    if moved or any(b for b, _, _ in ends.values()):
        new["checkpoints"] = _move_checkpoints(new.get("checkpoints") or [], ends)

    note = reader.text("clinician_note", limit=4000)
    if note is not None:
        new["clinician_note"] = note
    elif "clinician_note" in new and reader.raw("clinician_note") == "":
        new.pop("clinician_note")
    return new


def _move_checkpoints(
    checkpoints: list[Any], ends: Mapping[str, tuple[int, Any, Any]]
) -> list[Any]:
    """Checkpoints follow their phase: its end checkpoint to the new end, the others by the
    shift before the phase; an interval checkpoint past the new end is dropped."""
    out = []
    for cp in checkpoints:
        if not isinstance(cp, dict) or cp.get("phase") not in ends:
            out.append(cp)
            continue
        before, old_end, new_end = ends[str(cp["phase"])]
        cp = dict(cp)
        if cp.get("date") == old_end:
            delta = ((_date(new_end) or dt.date.min) - (_date(old_end) or dt.date.min)).days
            cp["date"] = new_end
            cp["window_end"] = _shift(cp.get("window_end"), delta)
        else:
            cp["date"] = _shift(cp.get("date"), before)
            cp["window_end"] = _shift(cp.get("window_end"), before)
            day, end = _date(cp.get("date")), _date(new_end)
            if cp.get("kind") == "interval" and day and end and day >= end:
                continue
        out.append(cp)
    return out
