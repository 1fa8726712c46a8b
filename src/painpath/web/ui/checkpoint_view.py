"""What the checkpoint screen shows besides its forms: the proposal's reasons with the signals
and data behind each, the parts of the hypothesis a team note can speak to, the history of
decisions and referrals, and the notes with who wrote them and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from painpath.domain.checkpoints import CheckpointProposal
from painpath.domain.signals.report import Signal
from painpath.services import admin
from painpath.store.models import CheckpointRecord, Referral, TeamNote
from painpath.web.security import Caller
from painpath.web.ui.progress_signals import SignalItem, goal_names, signal_item
from painpath.web.ui.render import ROLE_LABELS

__all__ = [
    "DECISIONS",
    "HistoryRow",
    "NoteRow",
    "ReasonView",
    "ReferralRow",
    "author_name",
    "history_rows",
    "hypothesis_parts",
    "local_time",
    "note_rows",
    "people",
    "reason_views",
    "referral_rows",
]

# Decisions recorded with the decide form; refer and graduate have their own flows (a referral
# names its receiver and overlap; graduation closes the episode).
DECISIONS = ("continue", "adjust", "transition", "ongoing_care")

# Which flares a rule rests on: the reason names the flare of that status.
_FLARE_OF_RULE = {
    "checkpoint.setback": "setback",
    "checkpoint.prolonged_flare": "prolonged",
    "signals.flare": "settling",
}


@dataclass(frozen=True)
class Evidence:
    """One signal behind a reason, with its words and its numbers."""

    item: SignalItem
    data: list[tuple[str, str]]
    parameters: list[tuple[str, str]]


@dataclass(frozen=True)
class ReasonView:
    rule: str
    text: str
    evidence: list[Evidence] = field(default_factory=list)
    deciding: bool = False


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%-d %b %Y")
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value) or "—"
    if isinstance(value, Mapping):
        return "; ".join(f"{_key(k)} {_show(v)}" for k, v in value.items())
    return str(value)


def _key(name: str) -> str:
    return str(name).replace("_", " ")


def _pairs(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(_key(k), _show(v)) for k, v in values.items()]


def reason_views(proposal: CheckpointProposal, goals: Iterable[Any] = ()) -> list[ReasonView]:
    """Each reason of the proposal with the signals it rests on (their evidence in words, the
    data that triggered them and the numbers the rule used). The first reason decided."""
    names = goal_names(goals)
    out: list[ReasonView] = []
    for i, reason in enumerate(proposal.reasons):
        chosen: list[Signal] = []
        for signal_id in reason.signals:
            found = [s for s in proposal.signals if s.id == signal_id]
            if signal_id == "flare" and reason.rule in _FLARE_OF_RULE:
                found = [s for s in found if s.status == _FLARE_OF_RULE[reason.rule]]
            chosen.extend(found)
        evidence = [
            Evidence(
                signal_item(s, names),
                _pairs(s.evidence.data),
                _pairs(s.evidence.parameters),
            )
            for s in chosen
        ]
        out.append(ReasonView(reason.rule, reason.text, evidence, deciding=i == 0))
    return out


def hypothesis_parts(assessment: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The parts of the episode's hypothesis a team note can be tied to: (code, label). The
    codes are what NoteInput.hypothesis stores (``mechanism.nociplastic``, ``irritability``)."""
    parts: list[tuple[str, str]] = [("hypothesis", "The hypothesis as a whole")]
    data = assessment or {}
    for m in data.get("mechanisms") or []:
        mid = str(m.get("id", ""))
        if mid:
            status = m.get("status")
            parts.append(
                (
                    f"mechanism.{mid}",
                    f"Mechanism: {mid.capitalize()}"
                    + (f" ({str(status).replace('_', ' ')})" if status else ""),
                )
            )
    irritability = (data.get("irritability") or {}).get("grade")
    parts.append(("irritability", "Irritability" + (f" ({irritability})" if irritability else "")))
    for d in data.get("drivers") or []:
        if d.get("id"):
            parts.append((f"driver.{d['id']}", f"Driver: {d.get('label') or _key(d['id'])}"))
    for p in data.get("psychosocial") or []:
        if p.get("id"):
            parts.append(
                (f"psychosocial.{p['id']}", f"Psychosocial: {p.get('label') or _key(p['id'])}")
            )
    if data.get("imaging"):
        parts.append(("imaging", "Imaging findings"))
    parts.append(("plan", "The plan and its phases"))
    seen: set[str] = set()
    unique = []
    for code, label in parts:
        code = code.lower()
        if code not in seen:
            seen.add(code)
            unique.append((code, label))
    return unique


def people(caller: Caller) -> dict[str, tuple[str, str]]:
    """Who is who among the authors of records: user id → (display name, role label), for
    every member of the clinic's staff (admin.staff_directory). A caller who is not staff
    (never, on the pages that use this) knows only themselves."""
    p = caller.principal
    if not p.is_staff:
        return {p.user_id: (p.username, ROLE_LABELS.get(p.role, p.role))}
    return {
        user_id: (s.display_name, ROLE_LABELS.get(s.role, s.role))
        for user_id, s in admin.staff_directory(caller.uow()).items()
    }


def author_name(user_id: str, known: Mapping[str, tuple[str, str]], me: str) -> str:
    """An author in one phrase: "Display name (Role label)", with "(you)" for the caller;
    an id the directory does not know is "another member of staff"."""
    if user_id not in known:
        return "another member of staff"
    name, role = known[user_id]
    label = f"{name} ({role})" if role else name
    return f"{label} (you)" if user_id == me else label


def _who(user_id: str, known: Mapping[str, tuple[str, str]], me: str) -> tuple[str, str]:
    if user_id in known:
        name, role = known[user_id]
        return (f"{name} (you)" if user_id == me else name), role
    return "Another member of staff", ""


def local_time(value: dt.datetime | None) -> str:
    """A stored time (UTC; SQLite returns it without its zone) in the clinic's local time."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().strftime("%-d %b %Y, %H:%M")


@dataclass(frozen=True)
class HistoryRow:
    day: dt.date
    proposed: str
    decision: str
    to_phase: str | None
    overlap_days: int | None
    review_by: dt.date | None
    reason: str | None
    by: str
    role: str
    overridden: bool
    at: str


def history_rows(
    records: Sequence[CheckpointRecord], known: Mapping[str, tuple[str, str]], me: str
) -> list[HistoryRow]:
    """Past decisions, newest first; an override is a decision other than the proposal."""
    rows = []
    for r in sorted(records, key=lambda r: (r.day, r.created_at), reverse=True):
        by, role = _who(r.decided_by, known, me)
        rows.append(
            HistoryRow(
                r.day,
                r.proposed,
                r.decision,
                r.to_phase,
                r.overlap_days,
                r.review_by,
                r.reason,
                by,
                role,
                r.decision != r.proposed,
                local_time(r.created_at),
            )
        )
    return rows


@dataclass(frozen=True)
class ReferralRow:
    id: str
    day: dt.date
    to_service: str
    reason: str
    overlap_days: int
    overlap_until: dt.date
    by: str
    role: str


def referral_rows(
    referrals: Sequence[Referral], known: Mapping[str, tuple[str, str]], me: str
) -> list[ReferralRow]:
    """Referrals, newest first, with the last day of their overlap period."""
    rows = []
    for r in sorted(referrals, key=lambda r: (r.day, r.created_at), reverse=True):
        by, role = _who(r.created_by, known, me)
        rows.append(
            ReferralRow(
                r.id,
                r.day,
                r.to_service,
                r.reason,
                r.overlap_days,
                r.day + dt.timedelta(days=r.overlap_days),
                by,
                role,
            )
        )
    return rows


@dataclass(frozen=True)
class NoteRow:
    id: str
    part: str
    part_label: str
    body: str
    by: str
    role: str
    at: str


def note_rows(
    notes: Sequence[TeamNote],
    parts: Sequence[tuple[str, str]],
    known: Mapping[str, tuple[str, str]],
    me: str,
) -> list[NoteRow]:
    """Team notes, newest first, each with the part of the hypothesis it speaks to."""
    labels = dict(parts)
    rows = []
    for n in notes:
        by, role = _who(n.author_id, known, me)
        rows.append(
            NoteRow(
                n.id,
                n.hypothesis,
                labels.get(n.hypothesis, _key(n.hypothesis).replace(".", ": ").capitalize()),
                n.body,
                by,
                role,
                local_time(n.created_at),
            )
        )
    return rows
