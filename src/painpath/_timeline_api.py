"""The public entry points of the timeline engine: signals and checkpoint proposals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from painpath.domain.checkpoints import CheckpointProposal, propose
from painpath.domain.planning import Plan
from painpath.domain.signals import evaluate
from painpath.domain.signals.columns import to_frames
from painpath.domain.signals.report import SignalReport, reports_from_frame
from painpath.domain.signals.timeline import (
    PHASES,
    Timeline,
    TimelineError,
    phase_on,
    read_day,
    read_timeline,
)
from painpath.knowledge import KnowledgeBase, default_knowledge

__all__ = ["proposals_batch", "propose_checkpoint", "read_timelines", "signals", "signals_batch"]


def _today(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()  # the adapter's clock; the engine takes the date as an argument
    try:
        return read_day(value)  # the same rule as every date in a timeline
    except ValueError as exc:
        raise TimelineError([("today", str(exc))]) from None


def _kinds(kb: KnowledgeBase) -> dict[str, str]:
    return {t.id: t.kind for t in kb.treatments.treatments}


def read_timelines(data: object, *, knowledge: KnowledgeBase | None = None) -> list[Timeline]:
    """Validate one timeline (a JSON object) or a list of them; TimelineError names every
    problem by path (``[2].days[3].pain`` inside a list) and nothing is computed."""
    kb = knowledge or default_knowledge()
    kinds = _kinds(kb)
    review = int(kb.checkpoints.ongoing_care_max_review_days.value)
    if isinstance(data, list | tuple):
        if not data:
            raise TimelineError([("(timelines)", "the list holds no timeline")])
        out: list[Timeline] = []
        problems: list[tuple[str, str]] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(data):
            try:
                t = read_timeline(item, kinds=kinds, max_review_days=review, at=f"[{i}]")
            except TimelineError as exc:
                problems.extend(exc.problems)
                continue
            if t.patient_id in seen:
                problems.append(
                    (f"[{i}].patient_id", f"{t.patient_id!r} repeats [{seen[t.patient_id]}]")
                )
            seen.setdefault(t.patient_id, i)
            out.append(t)
        if problems:
            raise TimelineError(problems)
        return out
    return [read_timeline(data, kinds=kinds, max_review_days=review)]


def _one(timeline: object, kb: KnowledgeBase) -> Timeline:
    if isinstance(timeline, list | tuple):
        raise TimelineError(
            [("(timeline)", "give one timeline here; signals_batch takes a list of them")]
        )
    return read_timelines(timeline, knowledge=kb)[0]


def _reports(
    timelines: Sequence[Timeline], today: dt.date, kb: KnowledgeBase
) -> list[SignalReport]:
    frames = to_frames(timelines, _kinds(kb))
    rows = evaluate(frames, kb, today)
    found = reports_from_frame(
        rows,
        patients={t.patient_id: phase_on(t, today) for t in timelines},
        signals=kb.signals,
        checkpoints=kb.checkpoints,
        today=today,
        knowledge_version=kb.version,
    )
    return [found[t.patient_id] for t in timelines]


def signals(
    timeline: Timeline | Mapping[str, object],
    *,
    today: dt.date | str | None = None,
    knowledge: KnowledgeBase | None = None,
) -> SignalReport:
    """Every signal of one patient's timeline as of ``today`` (default: the current date),
    each with its evidence (docs/signals.md). Anything dated after ``today`` is ignored.

    >>> r = signals({"patient_id": "p1", "start": "2026-01-05",
    ...              "days": [{"date": "2026-01-05", "pain": 6}]}, today="2026-01-11")
    >>> r.ids(), r.of("data_gap")[0].value
    (['data_gap'], 1.0)
    """
    kb = knowledge or default_knowledge()
    t = _one(timeline, kb)
    return _reports([t], _today(today), kb)[0]


def signals_batch(
    timelines: Sequence[Timeline | Mapping[str, object]],
    *,
    today: dt.date | str | None = None,
    knowledge: KnowledgeBase | None = None,
) -> list[SignalReport]:
    """The signals of many patients at once, in input order: one evaluation over all of them,
    with exactly the results ``signals`` gives each alone."""
    kb = knowledge or default_knowledge()
    parsed = read_timelines(list(timelines), knowledge=kb)
    return _reports(parsed, _today(today), kb)


def _proposal(
    t: Timeline, report: SignalReport, plan: Plan | None, kb: KnowledgeBase
) -> CheckpointProposal:
    order = tuple(p.id for p in plan.phases) if plan and plan.phases else PHASES
    before = phase_on(t, report.today - dt.timedelta(days=1))
    framed = SignalReport(
        patient_id=report.patient_id,
        today=report.today,
        phase=before,
        signals=report.signals,
        knowledge_version=report.knowledge_version,
    )
    return propose(framed, t.checkpoints, kb.checkpoints, phase_order=order)


def propose_checkpoint(
    timeline: Timeline | Mapping[str, object],
    plan: Plan | None = None,
    *,
    today: dt.date | str | None = None,
    knowledge: KnowledgeBase | None = None,
) -> CheckpointProposal:
    """The checkpoint decision Painpath proposes on ``today`` — continue, adjust, transition,
    refer, ongoing_care or graduate — with its reasons and the signals behind them
    (docs/signals.md, "Checkpoint rules"). ``plan`` gives the phase order to transition along.

    >>> p = propose_checkpoint({"patient_id": "p1", "start": "2026-01-05",
    ...                         "days": [{"date": "2026-01-05", "pain": 6}]}, today="2026-01-11")
    >>> p.decision, [r.rule for r in p.reasons]
    ('continue', ['checkpoint.continue', 'signals.data_gap'])
    """
    kb = knowledge or default_knowledge()
    t = _one(timeline, kb)
    report = _reports([t], _today(today), kb)[0]
    return _proposal(t, report, plan, kb)


def proposals_batch(
    timelines: Sequence[Timeline | Mapping[str, object]],
    *,
    today: dt.date | str | None = None,
    knowledge: KnowledgeBase | None = None,
) -> list[CheckpointProposal]:
    """Proposals for many patients, in input order, from one evaluation (the CLI's list form);
    each is what ``propose_checkpoint`` gives that patient without a plan."""
    kb = knowledge or default_knowledge()
    parsed = read_timelines(list(timelines), knowledge=kb)
    reports = _reports(parsed, _today(today), kb)
    return [_proposal(t, r, None, kb) for t, r in zip(parsed, reports, strict=True)]
