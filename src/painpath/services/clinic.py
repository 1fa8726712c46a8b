"""The clinic at a glance: every episode with its current signals as badges (the clinician's
patient list) and the clinic lead's panel — counts per signal, graduation, meaningful change on
function, opioid doses at intake and now. The timeline engine runs once over the whole clinic.
One episode's row (``episode_overview``, the header of every episode screen) is made by the
same code, so a badge reads the same wherever it is shown.

Every number is defined in docs/clinic-panel.md.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from painpath._timeline_api import proposals_batch, read_timelines
from painpath.domain.checkpoints import CheckpointProposal
from painpath.domain.signals.report import Signal, SignalReport
from painpath.domain.signals.timeline import Timeline, TimelineError, phase_on
from painpath.knowledge import KnowledgeBase
from painpath.services._use_case import use_case
from painpath.services.checkpoints import episode_timeline
from painpath.services.intake import DRAFT, SUBMITTED
from painpath.store.models import (
    Assessment,
    Episode,
    Goal,
    IntakeRecord,
    Patient,
    PlanRevision,
)
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "BADGE_IDS",
    "FLARE_CURRENT_DAYS",
    "Badge",
    "EpisodeRow",
    "MmeLine",
    "Panel",
    "RedFlag",
    "SignalCount",
    "badge_label",
    "clinic_overview",
    "clinic_panel",
    "episode_overview",
]

# Every badge a row can carry, in the order the panel counts them.
BADGE_IDS = (
    "red_flag",
    "plan_blocked",
    "red_flags_not_screened",
    "flare_prolonged",
    "setback",
    "flare",
    "non_responder",
    "plateau",
    "care_simply_continuing",
    "movement_entry_ready",
    "checkpoint_due",
    "data_gap",
    "mme_90",
    "mme_50",
    "goal_met",
    "intake_needed",
    "data_error",
)
SEVERITIES = ("danger", "warning", "info", "good")

# A flare is shown while it is going on (no end yet) or ended at most this many days ago.
FLARE_CURRENT_DAYS = 7

_LABELS = {
    "red_flag": "Red flag",
    "plan_blocked": "Plan blocked",
    "red_flags_not_screened": "Red flags not screened",
    "flare_prolonged": "Prolonged flare",
    "setback": "Setback",
    "flare": "Flare (settling)",
    "non_responder": "No relief window",
    "plateau": "Plateau",
    "care_simply_continuing": "Care simply continuing",
    "movement_entry_ready": "Movement-entry ready",
    "checkpoint_due": "Checkpoint due",
    "data_gap": "Data gap",
    "goal_met": "Goal met",
    "intake_needed": "Intake needed",
    "data_error": "Data error",
}
_SEVERITY = {
    "plan_blocked": "danger",
    "red_flags_not_screened": "warning",
    "flare_prolonged": "danger",
    "setback": "warning",
    "flare": "info",
    "non_responder": "warning",
    "plateau": "warning",
    "care_simply_continuing": "warning",
    "movement_entry_ready": "good",
    "checkpoint_due": "info",
    "data_gap": "info",
    "mme_90": "danger",
    "mme_50": "warning",
    "goal_met": "good",
    "intake_needed": "info",
    "data_error": "danger",
}
# Signals shown as a badge of the same id (flares are split by status below).
_SIGNAL_BADGES = (
    "non_responder",
    "plateau",
    "care_simply_continuing",
    "movement_entry_ready",
    "checkpoint_due",
    "data_gap",
    "goal_met",
)
_FLARE_BADGES = {"prolonged": "flare_prolonged", "setback": "setback", "settling": "flare"}


@dataclass(frozen=True)
class Badge:
    """One current signal (or intake finding) of an episode, as the patient list shows it."""

    id: str  # one of BADGE_IDS
    label: str  # short words for the badge: "Prolonged flare", "MME ≥ 90"
    severity: str  # danger | warning | info | good
    detail: str  # the evidence in words


@dataclass(frozen=True)
class RedFlag:
    """One red flag the assessment found at intake, in its own words."""

    id: str
    label: str
    urgency: str  # emergency | urgent | soon
    referral: str  # where to send the patient, and how soon
    evidence: str  # the rule's words


@dataclass(frozen=True)
class EpisodeRow:
    """One episode of the clinic with what the patient list shows of it."""

    patient_id: str
    patient_name: str
    episode_id: str
    episode_title: str
    status: str  # open | graduated | closed
    start_date: dt.date
    ended_on: dt.date | None
    phase: str | None
    next_checkpoint: dt.date | None
    checkpoint_due: bool
    badges: tuple[Badge, ...]
    signal_ids: tuple[str, ...]
    proposal: str | None
    has_intake: bool
    mme_intake: float | None
    mme_now: float | None
    last_log: dt.date | None
    # Added beyond the screens' contract:
    proposal_reason: str | None = None  # the words of the rule that decided the proposal
    has_draft: bool = False  # an intake draft is saved (only while there is no intake)
    on_opioids_intake: bool = False  # the first plan lists an opioid
    on_opioids_now: bool = False  # the current plan lists an opioid
    red_flags: tuple[RedFlag, ...] = ()  # the assessment's red flags (any episode with one)
    # The engine's own output behind the badges and the proposal (None where the engine did
    # not run: no intake, an ended episode, a timeline it cannot read, a start after today);
    # what ``checkpoints.evaluate_episode`` gives for the episode, from the same run.
    report: SignalReport | None = field(default=None, compare=False, repr=False)
    checkpoint_proposal: CheckpointProposal | None = field(default=None, compare=False, repr=False)

    def has(self, badge_id: str) -> bool:
        """Whether the row carries this badge."""
        return any(b.id == badge_id for b in self.badges)


@dataclass(frozen=True)
class SignalCount:
    """How many open episodes carry one badge, and which."""

    id: str
    label: str
    count: int
    rows: tuple[EpisodeRow, ...]


@dataclass(frozen=True)
class MmeLine:
    """One patient's opioid dose in MME/day at intake and now."""

    patient_id: str
    patient_name: str
    episode_id: str
    mme_intake: float | None
    mme_now: float | None


@dataclass(frozen=True)
class Panel:
    """The clinic lead's panel on ``today`` (docs/clinic-panel.md defines every number)."""

    today: dt.date
    open_episodes: int
    signal_counts: tuple[SignalCount, ...]
    graduated: int
    closed_total: int
    graduation_rate: float | None
    median_days_to_graduation: float | None
    meaningful_change_share: float | None
    meaningful_change_n: int
    mme_intake_total: float
    mme_now_total: float
    patients_on_opioids_intake: int
    patients_on_opioids_now: int
    opioid_patients: tuple[MmeLine, ...]
    care_simply_continuing: tuple[EpisodeRow, ...]
    # Added beyond the screens' contract:
    meaningful_change_reached: int = 0  # the numerator of meaningful_change_share

    def count(self, badge_id: str) -> int:
        """The number of open episodes with this badge."""
        return next(c.count for c in self.signal_counts if c.id == badge_id)


# --- reading the clinic ---------------------------------------------------------------------


@dataclass
class _Episode:
    """One episode with what the rows and the panel are computed from."""

    episode: Episode
    patient_name: str
    timeline: dict[str, Any]
    goals: list[Goal]
    assessment: dict[str, Any] | None = None
    has_draft: bool = False
    mme_intake: tuple[bool, float] | None = None
    mme_now: tuple[bool, float] | None = None
    mme_lower_bound: bool = False
    parsed: Timeline | None = None
    problems: tuple[tuple[str, str], ...] = ()
    report: SignalReport | None = None
    proposal: CheckpointProposal | None = None

    @property
    def has_intake(self) -> bool:
        return self.assessment is not None

    @property
    def open(self) -> bool:
        return self.episode.status == "open"


def _mme(data: object) -> tuple[bool, float, bool] | None:
    """(lists an opioid, MME/day, total is a lower bound) from a stored plan; None when the
    plan says nothing usable about opioids (a free-form revision without ``mme``)."""
    if not isinstance(data, Mapping) or "mme" not in data:
        return None
    mme = data["mme"]
    if mme is None:  # the plan found no opioid among the medications
        return False, 0.0, False
    if not isinstance(mme, Mapping):
        return None
    total = mme.get("total_mme_per_day")
    if isinstance(total, bool) or not isinstance(total, int | float) or not math.isfinite(total):
        return None
    return True, float(total), bool(mme.get("total_is_lower_bound"))


def _read(
    uow: SqlUnitOfWork,
    *,
    today: dt.date,
    kb: KnowledgeBase,
    ended: bool,
    episode_id: str | None = None,
) -> list[_Episode]:
    """The clinic's episodes (open ones, and the ended ones too when ``ended``; only the one
    ``episode_id``, open or not, when given), each with its timeline up to ``today``,
    assessment, MME, and — for open episodes with an intake — its signals and proposal from
    ONE run of the timeline engine over all of them."""
    r = uow.records
    if episode_id is not None:
        where = [Episode.id == episode_id]
    else:
        where = [] if ended else [Episode.status == "open"]
    episodes = r.all(Episode, *where, order_by=[Episode.start_date, Episode.id])
    if not episodes:
        return []
    # The same episodes as a subquery (no list of ids: a clinic may have thousands).
    chosen = select(Episode.id).where(Episode.clinic_id == r.principal.clinic_id, *where)
    people = select(Episode.patient_id).where(Episode.id.in_(chosen))
    names = {p.id: p.name for p in r.all(Patient, Patient.id.in_(people))}
    # Which episodes have an intake or a draft: two columns, not every intake's data.
    intakes = uow.db.execute(
        select(IntakeRecord.episode_id, IntakeRecord.status).where(
            IntakeRecord.clinic_id == r.principal.clinic_id, IntakeRecord.episode_id.in_(chosen)
        )
    ).all()
    submitted = {episode_id for episode_id, status in intakes if status == SUBMITTED}
    drafts = {episode_id for episode_id, status in intakes if status == DRAFT}
    assessments = {
        a.episode_id: a.data
        for a in r.all(Assessment, Assessment.episode_id.in_(chosen))
        if a.episode_id in submitted
    }
    # Plans are large: the first and the current revision only; older ones are read for the
    # rare episode whose current revision says nothing about opioids.
    current = (
        select(Episode.plan_version).where(Episode.id == PlanRevision.episode_id).scalar_subquery()
    )
    revisions: dict[str, list[PlanRevision]] = {}
    for rev in r.all(
        PlanRevision,
        PlanRevision.episode_id.in_(chosen),
        or_(PlanRevision.number == 1, PlanRevision.number == current),
        order_by=[PlanRevision.number],
    ):
        revisions.setdefault(rev.episode_id, []).append(rev)
    goals: dict[str, list[Goal]] = {}
    for g in r.all(Goal, Goal.episode_id.in_(chosen), order_by=[Goal.key]):
        goals.setdefault(g.episode_id, []).append(g)

    found: list[_Episode] = []
    for episode in episodes:
        item = _Episode(
            episode=episode,
            patient_name=names.get(episode.patient_id, ""),
            timeline=episode_timeline(uow, episode, until=today),
            goals=goals.get(episode.id, []),
            assessment=assessments.get(episode.id),
            has_draft=episode.id in drafts and episode.id not in submitted,
        )
        revs = revisions.get(episode.id, [])
        first = _mme(revs[0].data) if revs and revs[0].number == 1 else None
        now = _mme(revs[-1].data) if revs else None
        if now is None and len(revs) > 1:
            older = r.all(
                PlanRevision,
                PlanRevision.episode_id == episode.id,
                PlanRevision.number > 1,
                PlanRevision.number < revs[-1].number,
                order_by=[PlanRevision.number.desc()],
            )
            now = next((m for m in (_mme(v.data) for v in older) if m is not None), first)
        item.mme_intake = first[:2] if first else None
        item.mme_now = now[:2] if now else None
        item.mme_lower_bound = bool(now and now[2])
        if episode.start_date <= today:
            try:
                item.parsed = read_timelines(item.timeline, knowledge=kb)[0]
            except TimelineError as exc:
                item.problems = exc.problems
        found.append(item)

    # The engine: one batch over every open episode with an intake.
    batch = [e for e in found if e.open and e.has_intake and e.parsed is not None]
    if batch:
        timelines = [e.parsed for e in batch if e.parsed is not None]
        proposals = proposals_batch(timelines, today=today, knowledge=kb)
        for item, t, p in zip(batch, timelines, proposals, strict=True):
            item.proposal = p
            # The proposal carries the report's signals; the phase is the one on `today`
            # (the proposal frames itself by yesterday's), exactly what signals_batch gives.
            item.report = SignalReport(
                patient_id=p.patient_id,
                today=today,
                phase=phase_on(t, today),
                signals=p.signals,
                knowledge_version=p.knowledge_version,
            )
    return found


# --- one row ----------------------------------------------------------------------------------


def _badge(badge_id: str, detail: str, *, label: str | None = None, severity: str = "") -> Badge:
    return Badge(
        id=badge_id,
        label=label or _LABELS[badge_id],
        severity=severity or _SEVERITY[badge_id],
        detail=detail,
    )


def _red_flag_badges(assessment: Mapping[str, Any]) -> list[Badge]:
    badges = []
    flags = [f for f in assessment.get("red_flags") or [] if isinstance(f, Mapping)]
    if flags:
        urgent = any(f.get("urgency") in ("emergency", "urgent") for f in flags)
        urgency = assessment.get("urgency")
        words = "; ".join(
            f"{f.get('label') or f.get('id')} ({f.get('urgency')}): {f.get('referral')}"
            for f in flags
        )
        badges.append(
            _badge(
                "red_flag",
                words,
                label=f"Red flag: {urgency}" if urgency else None,
                severity="danger" if urgent else "warning",
            )
        )
    if assessment.get("plan_blocked"):
        reason = assessment.get("plan_blocked_reason") or "Red flags come first: no care plan."
        badges.append(_badge("plan_blocked", str(reason)))
    if assessment.get("red_flags_screened") is False:
        badges.append(
            _badge(
                "red_flags_not_screened",
                "No red-flag screen was recorded at intake: screen before starting care. "
                "Not screened is not the same as none found.",
            )
        )
    return badges


def _red_flags(assessment: Mapping[str, Any] | None) -> tuple[RedFlag, ...]:
    """The assessment's red flags as the episode screens list them."""
    found = []
    for f in (assessment or {}).get("red_flags") or []:
        if not isinstance(f, Mapping):
            continue
        evidence = f.get("evidence")
        found.append(
            RedFlag(
                id=str(f.get("id") or ""),
                label=str(f.get("label") or f.get("id") or ""),
                urgency=str(f.get("urgency") or ""),
                referral=str(f.get("referral") or ""),
                evidence=str(evidence.get("text") or "") if isinstance(evidence, Mapping) else "",
            )
        )
    return tuple(found)


def _current_flares(report: SignalReport, today: dt.date) -> list[Signal]:
    return [
        s for s in report.of("flare") if s.end is None or (today - s.end).days <= FLARE_CURRENT_DAYS
    ]


def _signal_badges(report: SignalReport, today: dt.date) -> list[Badge]:
    badges = []
    flares = _current_flares(report, today)
    for status, badge_id in _FLARE_BADGES.items():
        these = sorted(
            (f for f in flares if f.status == status), key=lambda f: f.start or dt.date.min
        )
        if these:
            more = f" ({len(these)} current flares of this kind.)" if len(these) > 1 else ""
            badges.append(_badge(badge_id, these[-1].evidence.text + more))
    for badge_id in _SIGNAL_BADGES:
        found = report.of(badge_id)
        if not found:
            continue
        label = None
        if badge_id == "goal_met":
            goals = len(report.of("goal_progress"))
            label = f"Goal met ({len(found)} of {goals})" if goals > 1 else None
        badges.append(_badge(badge_id, " ".join(s.evidence.text for s in found), label=label))
    return badges


def _mme_badge(item: _Episode, kb: KnowledgeBase) -> Badge | None:
    if item.mme_now is None:
        return None
    _, now = item.mme_now
    rules = kb.medications.mme
    high, caution = float(rules.taper_now_at.value), float(rules.caution_at.value)
    intake = f" ({item.mme_intake[1]:g} at intake)" if item.mme_intake else ""
    lower = " At least: some orders could not be counted." if item.mme_lower_bound else ""
    detail = f"{now:g} MME/day in the current plan{intake}.{lower}"
    if now >= high:
        return _badge("mme_90", detail, label=badge_label("mme_90", kb))
    if now >= caution:
        return _badge("mme_50", detail, label=badge_label("mme_50", kb))
    return None


def _sorted(badges: Iterable[Badge]) -> tuple[Badge, ...]:
    return tuple(
        sorted(badges, key=lambda b: (SEVERITIES.index(b.severity), BADGE_IDS.index(b.id)))
    )


def _next_checkpoint(item: _Episode, kb: KnowledgeBase, today: dt.date) -> dt.date | None:
    """The due date of the checkpoint_due signal when raised; otherwise when it will be due by
    days (docs/signals.md, checkpoint_due): the latest decision (or the start) + interval_days,
    or an ongoing-care decision's review date. Sessions or an intervention may bring it
    forward; the signal then says so."""
    if not item.open or item.report is None:
        return None
    due = [s.start for s in item.report.of("checkpoint_due") if s.start is not None]
    if due:
        return min(due)
    cp = kb.checkpoints
    decided = [c for c in item.timeline["checkpoints"] if c["date"] <= today.isoformat()]
    if not decided:
        return item.episode.start_date + dt.timedelta(days=int(cp.interval_days.value))
    last = decided[-1]
    day = dt.date.fromisoformat(last["date"])
    if last["decision"] == "graduate":
        return None
    if last["decision"] == "ongoing_care":
        if last.get("review_by"):
            return dt.date.fromisoformat(last["review_by"])
        return day + dt.timedelta(days=int(cp.ongoing_care_max_review_days.value))
    return day + dt.timedelta(days=int(cp.interval_days.value))


def _row(item: _Episode, kb: KnowledgeBase, today: dt.date) -> EpisodeRow:
    e = item.episode
    badges: list[Badge] = []
    if item.open:  # an ended episode is listed without badges
        if item.assessment is not None:
            badges += _red_flag_badges(item.assessment)
        if not item.has_intake:
            badges.append(
                _badge(
                    "intake_needed",
                    "No intake has been submitted"
                    + (": a draft is saved." if item.has_draft else "."),
                )
            )
        if item.problems:
            badges.append(
                _badge("data_error", "; ".join(f"{p}: {m}" for p, m in item.problems[:5]))
            )
        if item.report is not None:
            badges += _signal_badges(item.report, today)
        if item.has_intake and (mme := _mme_badge(item, kb)) is not None:
            badges.append(mme)
    report, proposal = item.report, item.proposal
    if report is not None:
        phase = report.phase
    elif item.parsed is not None:
        phase = phase_on(item.parsed, today)
    else:
        phase = e.start_phase
    days = item.timeline["days"]
    return EpisodeRow(
        patient_id=e.patient_id,
        patient_name=item.patient_name,
        episode_id=e.id,
        episode_title=e.title,
        status=e.status,
        start_date=e.start_date,
        ended_on=e.ended_on,
        phase=phase,
        next_checkpoint=_next_checkpoint(item, kb, today),
        checkpoint_due=bool(report and report.of("checkpoint_due")),
        badges=_sorted(badges),
        signal_ids=tuple(report.ids()) if report else (),
        proposal=proposal.decision if proposal else None,
        has_intake=item.has_intake,
        mme_intake=item.mme_intake[1] if item.mme_intake else None,
        mme_now=item.mme_now[1] if item.mme_now else None,
        last_log=dt.date.fromisoformat(days[-1]["date"]) if days else None,
        proposal_reason=proposal.reasons[0].text if proposal and proposal.reasons else None,
        has_draft=item.has_draft,
        on_opioids_intake=bool(item.mme_intake and item.mme_intake[0]),
        on_opioids_now=bool(item.mme_now and item.mme_now[0]),
        red_flags=_red_flags(item.assessment),
        report=report,
        checkpoint_proposal=proposal,
    )


def _order(rows: Iterable[EpisodeRow]) -> list[EpisodeRow]:
    return sorted(rows, key=lambda r: (r.patient_name.casefold(), r.start_date, r.episode_id))


@use_case("clinic.overview")
def clinic_overview(
    uow: SqlUnitOfWork,
    *,
    today: dt.date,
    knowledge: KnowledgeBase,
    include_closed: bool = False,
) -> list[EpisodeRow]:
    """Every open episode of the caller's clinic (with ``include_closed`` the ended ones too),
    by patient name, each with its phase, next checkpoint, proposed decision and its current
    signals as badges (staff only). The signals of all open episodes come from one run of the
    timeline engine; an episode without an intake has none and is marked "Intake needed";
    ended episodes carry no signals."""
    principal = uow.records.principal
    uow.about("clinic", principal.clinic_id)
    principal.require_staff()
    found = _read(uow, today=today, kb=knowledge, ended=include_closed)
    return _order(_row(item, knowledge, today) for item in found)


@use_case("clinic.episode")
def episode_overview(
    uow: SqlUnitOfWork, episode_id: str, *, today: dt.date, knowledge: KnowledgeBase
) -> EpisodeRow:
    """One episode of the caller's clinic as the patient list shows it — its badges, phase,
    next checkpoint and proposed decision, made by exactly the code that makes the list's rows
    (staff only; an ended episode is shown too, without badges). Another clinic's episode is
    missing (NotFound)."""
    uow.about("episode", episode_id)
    principal = uow.records.principal
    principal.require_staff()
    episode = uow.records.get(Episode, episode_id)
    uow.about("episode", episode.id, patient_id=episode.patient_id)
    (item,) = _read(uow, today=today, kb=knowledge, ended=True, episode_id=episode.id)
    return _row(item, knowledge, today)


# --- the panel --------------------------------------------------------------------------------


def _final_level(item: _Episode, goal: Goal, kb: KnowledgeBase) -> float | None:
    """A goal's level at the end of an ended episode: the median of its logged values in the
    week ending on the last day of the episode, none with fewer than the baseline's minimum —
    the engine's level L(g, d) (docs/signals.md, "Definitions")."""
    window = int(kb.signals.baseline.window_days.value)
    need = int(kb.signals.baseline.min_days.value)
    end = item.episode.ended_on
    if end is None:
        return None
    first = (end - dt.timedelta(days=window - 1)).isoformat()
    values = [
        float(d["goals"][goal.key])
        for d in item.timeline["days"]
        if first <= d["date"] <= end.isoformat() and goal.key in (d.get("goals") or {})
    ]
    return statistics.median(values) if len(values) >= need else None


def _levels(item: _Episode, kb: KnowledgeBase) -> dict[str, float | None]:
    """Each goal's current level: the engine's goal_progress for an open episode, the level at
    the end for an ended one."""
    if item.open:
        if item.report is None:
            return {}
        return {
            s.goal: s.evidence.data.get("level") for s in item.report.of("goal_progress") if s.goal
        }
    return {g.key: _final_level(item, g, kb) for g in item.goals}


def _meaningful(item: _Episode, kb: KnowledgeBase) -> bool | None:
    """Whether at least one goal has moved from its intake baseline toward its target by its
    meaningful change (its own, or goal.meaningful_share_percent of the distance); None when
    no goal has a level to judge by."""
    if not item.has_intake or not item.goals:
        return None
    share = float(kb.signals.goal.meaningful_share_percent.value)
    met = {s.goal for s in item.report.of("goal_met")} if item.report else set()
    levels = _levels(item, kb)
    known = False
    for g in item.goals:
        level = levels.get(g.key)
        if g.key in met:
            return True
        if level is None:
            continue
        known = True
        sign = -1.0 if g.direction == "decrease" else 1.0
        moved = (float(level) - g.baseline) * sign
        # In whole percent, as the engine compares shares: 20 % of 10 → 20 is a move of 2.
        needed = (
            g.meaningful_change * 100 if g.meaningful_change else abs(g.target - g.baseline) * share
        )
        if moved * 100 >= needed - 1e-9:
            return True
    return False if known else None


@use_case("clinic.panel")
def clinic_panel(uow: SqlUnitOfWork, *, today: dt.date, knowledge: KnowledgeBase) -> Panel:
    """The clinic lead's panel on ``today`` (staff only): open episodes per signal, graduation
    rate and median days to graduation, the share of episodes with a meaningful change on a
    functional goal, opioid MME at intake and now, and the episodes in care simply continuing.
    One run of the timeline engine over the clinic's open episodes; docs/clinic-panel.md."""
    principal = uow.records.principal
    uow.about("clinic", principal.clinic_id)
    principal.require_staff()
    found = _read(uow, today=today, kb=knowledge, ended=True)
    open_items = [i for i in found if i.open]
    rows = _order(_row(i, knowledge, today) for i in open_items)
    counts = tuple(
        SignalCount(
            id=badge_id,
            label=_panel_label(badge_id, knowledge),
            count=len(these := tuple(r for r in rows if r.has(badge_id))),
            rows=these,
        )
        for badge_id in BADGE_IDS
    )
    ended = [i.episode for i in found if not i.open]
    graduated = [e for e in ended if e.status == "graduated"]
    durations = [(e.ended_on - e.start_date).days for e in graduated if e.ended_on is not None]
    judged = [m for m in (_meaningful(i, knowledge) for i in found) if m is not None]
    with_intake = [r for r in rows if r.has_intake]
    opioid_rows = sorted(
        (r for r in with_intake if r.on_opioids_intake or r.on_opioids_now),
        key=lambda r: (-(r.mme_now or 0.0), -(r.mme_intake or 0.0), r.patient_name.casefold()),
    )
    return Panel(
        today=today,
        open_episodes=len(rows),
        signal_counts=counts,
        graduated=len(graduated),
        closed_total=len(ended),
        graduation_rate=len(graduated) / len(ended) if ended else None,
        median_days_to_graduation=float(statistics.median(durations)) if durations else None,
        meaningful_change_share=sum(judged) / len(judged) if judged else None,
        meaningful_change_n=len(judged),
        meaningful_change_reached=sum(judged),
        mme_intake_total=sum(r.mme_intake or 0.0 for r in with_intake),
        mme_now_total=sum(r.mme_now or 0.0 for r in with_intake),
        patients_on_opioids_intake=sum(r.on_opioids_intake for r in with_intake),
        patients_on_opioids_now=sum(r.on_opioids_now for r in with_intake),
        opioid_patients=tuple(
            MmeLine(
                patient_id=r.patient_id,
                patient_name=r.patient_name,
                episode_id=r.episode_id,
                mme_intake=r.mme_intake,
                mme_now=r.mme_now,
            )
            for r in opioid_rows
        ),
        care_simply_continuing=tuple(r for r in rows if r.has("care_simply_continuing")),
    )


def badge_label(badge_id: str, kb: KnowledgeBase) -> str:
    """A badge's short words as a row shows it (the MME thresholds are the knowledge base's)."""
    rules = kb.medications.mme
    if badge_id == "mme_90":
        return f"MME ≥ {float(rules.taper_now_at.value):g}"
    if badge_id == "mme_50":
        return f"MME ≥ {float(rules.caution_at.value):g}"
    return _LABELS[badge_id]


def _panel_label(badge_id: str, kb: KnowledgeBase) -> str:
    """A count's label; each row carries only the higher MME badge, so the lower count is of
    doses from the caution level up to, not including, the taper-now level."""
    rules = kb.medications.mme
    high, caution = float(rules.taper_now_at.value), float(rules.caution_at.value)
    if badge_id == "mme_90":
        return f"MME ≥ {high:g}"
    if badge_id == "mme_50":
        return f"MME {caution:g} to under {high:g}"
    return _LABELS[badge_id]
