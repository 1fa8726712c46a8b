"""How scores, comparisons and instruments look in a terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painpath.domain.instruments import Change, InstrumentDefinition, Score

__all__ = ["change_text", "instrument_table", "render_score"]

_STATUS_STYLE = {
    "improved": "green",
    "worsened": "red",
    "no_meaningful_change": "yellow",
    "not_classifiable": "dim",
}


def render_score(score: Score) -> RenderableType:
    """A score as a small panel: total, band, subscales, flags, then why."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("Total", f"{score.total}  (range {score.range[0]}–{score.range[1]})")
    facts.add_row("Band", score.band_label or "—")
    if score.subscales:
        facts.add_row("Subscales", ", ".join(f"{k} {v}" for k, v in score.subscales.items()))
    flags = Text(", ".join(score.flags) or "none", style="bold red" if score.flags else "")
    facts.add_row("Flags", flags)
    if score.missing:
        facts.add_row("Unanswered", ", ".join(score.missing))
    why = Text("\n".join(f"• {line}" for line in score.explanation), style="dim")
    return Panel(Group(facts, Text(""), why), title=score.name, title_align="left")


def change_text(change: Change) -> Text:
    """A comparison in a few words: '48 → 30 improved (MIC 10 points or 30%)'."""
    words = change.status.replace("_", " ")
    text = Text(f"{change.before} → {change.after}  ")
    text.append(words, style=_STATUS_STYLE[change.status])
    if change.threshold_points is not None and change.threshold_kind is not None:
        threshold = f"{change.threshold_kind.upper()} {change.threshold_points:g}"
        if change.threshold_percent is not None:
            threshold += f" or {change.threshold_percent:g}%"
        text.append(f"  ({threshold}; {', '.join(c.short for c in change.sources)})", style="dim")
    return text


def instrument_table(definitions: list[InstrumentDefinition]) -> Table:
    """The instruments Painpath scores, one row each."""
    table = Table(title="Instruments", title_justify="left", header_style="bold")
    for column in ("id", "instrument", "items", "range", "bands", "flags", "change", "wording"):
        table.add_column(column, overflow="fold")
    for d in definitions:
        lo, hi = d.total_range()
        change = (
            f"{d.change.kind.upper()} {d.change.points:g}"
            + (f" / {d.change.percent:g}%" if d.change.percent else "")
            if d.change
            else "—"
        )
        wording = "shipped" if any(i.text for i in d.items) else "licensed"
        table.add_row(
            d.id,
            d.short_name,
            str(len(d.items)),
            f"{lo:g}–{hi:g}",
            ", ".join(b.id for b in d.bands) or "—",
            ", ".join(f.id for f in d.flags) or "—",
            change,
            wording,
        )
    return table
