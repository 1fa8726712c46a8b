"""An intake in words, step by step: what the review step and the submitted intake show.

"Not recorded" and "none found" are never confused: a list left out says *not recorded*, an
empty list *none found*, and a red-flag screen left out says NOT SCREENED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from painpath.knowledge import KnowledgeBase
from painpath.web.ui.intake_form import (
    MEDICATIONS,
    STEPS,
    TREATMENTS,
    Field,
    Step,
    code_label,
)
from painpath.web.ui.intake_scoring import score_view

__all__ = ["SummaryRow", "SummarySection", "summarise"]

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class SummaryRow:
    label: str
    text: str
    tone: str = ""  # "", "danger", "warning", "muted"


@dataclass(frozen=True)
class SummarySection:
    step: Step
    number: int
    rows: tuple[SummaryRow, ...]


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field_text(f: Field, value: Any) -> SummaryRow:
    if f.kind == "multi":
        if value is None:
            return SummaryRow(f.label, NOT_RECORDED, "muted")
        if value == []:
            return SummaryRow(f.label, "None found")
        if isinstance(value, list):
            return SummaryRow(f.label, ", ".join(code_label(v) for v in value))
    if value is None:
        return SummaryRow(f.label, NOT_RECORDED, "muted")
    if f.kind == "tribool" and isinstance(value, bool):
        return SummaryRow(f.label, "Yes" if value else "No")
    if f.kind == "choice":
        return SummaryRow(f.label, dict(f.options).get(str(value)) or code_label(value))
    return SummaryRow(f.label, _num(value))


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def _rows_of(data: Mapping[str, Any], key: str, none_text: str) -> list[Mapping[str, Any]] | str:
    value = data.get(key)
    if value is None:
        return NOT_RECORDED
    if value == []:
        return none_text
    if not isinstance(value, list):
        return str(value)
    return [r for r in value if isinstance(r, Mapping)]


def _medication(m: Mapping[str, Any]) -> str:
    parts = []
    if m.get("dose_mg") is not None:
        parts.append(f"{_num(m['dose_mg'])} mg")
    if m.get("mcg_per_hr") is not None:
        parts.append(f"{_num(m['mcg_per_hr'])} mcg/hour patch")
    if m.get("doses_per_day") is not None:
        parts.append(f"× {_num(m['doses_per_day'])} a day")
    if m.get("prn") is True:
        parts.append("as needed")
    if m.get("weeks") is not None:
        parts.append(f"for {_num(m['weeks'])} weeks")
    return " ".join(parts) or "dose not recorded"


def _treatment(t: Mapping[str, Any]) -> str:
    parts = [code_label(t.get("kind", "?")), f"response: {code_label(t.get('response', '?'))}"]
    if t.get("weeks") is not None:
        parts.append(f"{_num(t['weeks'])} weeks")
    if t.get("relief_days") is not None:
        parts.append(f"relief {_num(t['relief_days'])} days")
    if t.get("flared") is True:
        parts.append("provoked a flare")
    return ", ".join(parts)


def _imaging(r: Mapping[str, Any], kb: KnowledgeBase) -> tuple[str, str]:
    labels = {row.id: row.label for row in kb.imaging.findings}
    region = code_label(r.get("region", "?")).lower()
    title = f"{code_label(r.get('modality', '?'))} of the {region}"
    findings = [f for f in r.get("findings") or [] if isinstance(f, Mapping)]
    if not findings:
        return title, "Unremarkable (no findings)"
    shown = []
    for f in findings:
        name = labels.get(str(f.get("finding")), code_label(f.get("finding", "?")))
        level = f" ({f['level']})" if f.get("level") else ""
        note = f" — {f['note']}" if f.get("note") else ""
        shown.append(f"{name}{level}{note}")
    return title, "; ".join(shown)


def summarise(data: Mapping[str, Any], kb: KnowledgeBase) -> list[SummarySection]:
    """Each step of the intake with what it records, in words."""
    sections = []
    flag_labels = {f.id: f.label for f in kb.red_flags.flags}
    for number, step in enumerate(STEPS, start=1):
        rows: list[SummaryRow] = []
        if step.fields:
            rows = [_field_text(f, _get(data, f.name)) for f in step.fields]
        elif step.id == "red_flags":
            flags = data.get("red_flag_findings")
            if flags is None:
                rows = [SummaryRow("Red-flag screen", "NOT SCREENED", "warning")]
            elif flags == []:
                rows = [SummaryRow("Red-flag screen", "Screened: none found")]
            else:
                rows = [
                    SummaryRow("Red flag", flag_labels.get(str(f), str(f)), "danger")
                    for f in (flags if isinstance(flags, list) else [flags])
                ]
        elif step.id == "questionnaires":
            given = data.get("questionnaires")
            given = given if isinstance(given, Mapping) else {}
            for instrument, answers in given.items():
                defn = kb.instruments.get(instrument)
                if defn is None or not isinstance(answers, Mapping):
                    rows.append(SummaryRow(str(instrument), "Not a known questionnaire", "danger"))
                    continue
                view = score_view(defn, answers, kb)
                tone = "danger" if view.flags or view.status == "error" else ""
                text = view.text + "".join(f" · {label}" for label, _ in view.flags)
                rows.append(SummaryRow(defn.short_name, text, tone))
            if not rows:
                rows = [SummaryRow("Questionnaires", "None given", "muted")]
        elif step.id == "imaging":
            reports = _rows_of(data, "imaging", "No imaging done")
            if isinstance(reports, str):
                rows = [SummaryRow("Imaging", "Not known" if reports == NOT_RECORDED else reports)]
            else:
                rows = [SummaryRow(*_imaging(r, kb)) for r in reports]
        elif step.id in {"treatments", "medications"}:
            group = TREATMENTS if step.id == "treatments" else MEDICATIONS
            none = "None tried" if step.id == "treatments" else "None"
            found = _rows_of(data, group.key, none)
            if isinstance(found, str):
                rows = [SummaryRow(step.title, found, "muted" if found == NOT_RECORDED else "")]
            else:
                describe = _treatment if step.id == "treatments" else _medication
                rows = [SummaryRow(str(r.get("name", "?")), describe(r)) for r in found]
        elif step.id == "goals":
            goals = data.get("goals")
            if isinstance(goals, list) and goals:
                for n, g in enumerate(goals, start=1):
                    if not isinstance(g, Mapping):
                        continue
                    unit = g.get("unit", "")
                    rows.append(
                        SummaryRow(
                            f"Goal {n}: {g.get('activity', '?')}",
                            f"from {_num(g.get('baseline', '?'))} to "
                            f"{_num(g.get('target', '?'))} {unit}".strip(),
                        )
                    )
            else:
                rows = [SummaryRow("Goals", "No goals recorded", "warning")]
        elif step.id == "review":
            continue
        sections.append(SummarySection(step, number, tuple(rows)))
    return sections
