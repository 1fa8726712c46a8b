"""What changed between two revisions of a plan, in words a clinician reads.

Phases, modalities and other lists of things with an ``id`` are matched by id (so a modality
added to a phase reads "added: Acupuncture", not a shifted list); the many dates a changed trial
length moves are summed up in one line; lists of text say which entries came and went.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "describe_changes"]

_DATE_KEYS = {"start", "end", "date", "window_end", "rehab_by"}
_KEY_LABELS = {
    "trial_weeks": "trial length (weeks)",
    "sessions": "sessions",
    "session_minutes": "session length (minutes)",
    "modalities": "modalities",
    "also_suitable": "also suitable",
    "exit_criteria": "exit criteria",
    "clinician_note": "clinician's note",
    "entry_phase": "entry phase",
    "status": "status",
    "checkpoints": "checkpoints",
    "considered_not_planned": "considered, not planned",
    "phases": "phases",
    "reassess_days": "reassess after (days)",
}
_SINGULAR = {
    "phases": "phase",
    "modalities": "modality",
    "considered_not_planned": "option considered",
    "referrals": "referral",
}


@dataclass(frozen=True)
class Change:
    """One change: where (e.g. "Settle and establish a response · trial length (weeks)"),
    what it was and what it is now; ``kind`` is changed, added, removed or moved."""

    where: str
    before: str
    after: str
    kind: str


def _label(key: str) -> str:
    return _KEY_LABELS.get(key, key.replace("_", " "))


def _short(value: Any, limit: int = 160) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):
        return str(value.get("label") or value.get("text") or value.get("id") or "(details)")
    if isinstance(value, list):
        text = "; ".join(_short(v, 60) for v in value) or "none"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _keyed(items: list[Any]) -> bool:
    return all(isinstance(i, Mapping) and isinstance(i.get("id"), str) for i in items)


def _name(item: Mapping[str, Any]) -> str:
    return str(item.get("label") or item.get("id"))


class _Walk:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.dates = 0

    def walk(self, old: Any, new: Any, where: list[str], key: str = "") -> None:
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            for k in [*old.keys(), *(k for k in new if k not in old)]:
                if k not in new:
                    self._add([*where, _label(k)], _short(old[k]), "", "removed")
                elif k not in old:
                    self._add([*where, _label(k)], "", _short(new[k]), "added")
                else:
                    self.walk(old[k], new[k], [*where, _label(k)], k)
            return
        if isinstance(old, list) and isinstance(new, list):
            self._lists(old, new, where, key)
            return
        if old == new:
            return
        if key in _DATE_KEYS:
            self.dates += 1
            return
        self._add(where, _short(old), _short(new), "changed")

    def _lists(self, old: list[Any], new: list[Any], where: list[str], key: str) -> None:
        if old == new:
            return
        if _keyed(old) and _keyed(new):
            before = {i["id"]: i for i in old}
            after = {i["id"]: i for i in new}
            parent = where[:-1] if where else []
            what = _SINGULAR.get(key, "entry")
            for item_id, item in before.items():
                if item_id not in after:
                    self._add(parent, _name(item), "", f"removed {what}")
            for item_id, item in after.items():
                if item_id not in before:
                    self._add(parent, "", _name(item), f"added {what}")
            for item_id, item in before.items():
                if item_id in after:
                    self.walk(item, after[item_id], [*parent, _name(item)])
            return
        if all(isinstance(i, str) for i in [*old, *new]):
            gone = [i for i in old if i not in new]
            came = [i for i in new if i not in old]
            for text in gone:
                self._add(where, _short(text), "", "removed")
            for text in came:
                self._add(where, "", _short(text), "added")
            if not gone and not came:
                self._add(where, "", "", "reordered")
            return
        if key == "checkpoints":
            moved = sum(1 for a, b in zip(old, new, strict=False) if a != b)
            self._add(
                where,
                f"{len(old)} checkpoints",
                f"{len(new)} checkpoints" + (f", {moved} rescheduled" if moved else ""),
                "changed",
            )
            return
        self._add(where, _short(old), _short(new), "changed")

    def _add(self, where: list[str], before: str, after: str, kind: str) -> None:
        text = " · ".join(w for w in where if w) or "plan"
        self.changes.append(Change(text[:1].upper() + text[1:], before, after, kind))


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """The changes from ``old`` to ``new`` (both plan documents), in document order; the dates
    a change moved are one summary line at the end."""
    w = _Walk()
    w.walk(old, new, [])
    if w.dates:
        w.changes.append(
            Change("Dates", "", f"{w.dates} {'date' if w.dates == 1 else 'dates'} moved", "moved")
        )
    return w.changes
