"""What every episode page shows at its top: the patient, the episode, its current signals as
badges and the tabs of the episode's screens.

The badges are the episode's row of the patient list (``clinic.episode_overview``): the same
code makes both, so the list and every episode screen say the same words."""

from __future__ import annotations

from dataclasses import dataclass, field

from painpath.services import checkpoints, clinic, patients
from painpath.services.checkpoints import Evaluation
from painpath.services.clinic import Badge, EpisodeRow, RedFlag
from painpath.services.errors import InvalidInput
from painpath.store.models import Episode, Patient
from painpath.web.security import Caller

__all__ = ["RED_FLAG_BADGES", "TABS", "EpisodeView", "load_episode"]

# (path suffix, label): the screens of one episode, in the order a clinician works through them.
TABS = (
    ("intake", "Intake"),
    ("assessment", "Assessment"),
    ("plan", "Plan"),
    ("progress", "Progress"),
    ("checkpoint", "Checkpoint & notes"),
)

# The badges that put the assessment's red flags before any proposal.
RED_FLAG_BADGES = ("red_flag", "plan_blocked")


@dataclass(frozen=True)
class EpisodeView:
    patient: Patient
    episode: Episode
    evaluation: Evaluation | None
    tab: str
    tabs: list[tuple[str, str, bool]] = field(default_factory=list)
    row: EpisodeRow | None = None  # the episode's row of the patient list (staff only)

    @property
    def has_plan(self) -> bool:
        return self.episode.plan_version > 0

    @property
    def badges(self) -> tuple[Badge, ...]:
        """The episode's badges, exactly as the patient list shows them."""
        return self.row.badges if self.row is not None else ()

    @property
    def phase(self) -> str | None:
        """The phase on today, as the patient list shows it."""
        if self.row is not None:
            return self.row.phase
        return self.evaluation.report.phase if self.evaluation else None

    @property
    def red_flag_badges(self) -> tuple[Badge, ...]:
        """The red-flag and blocked-plan badges (empty when the assessment found none)."""
        return tuple(b for b in self.badges if b.id in RED_FLAG_BADGES)

    @property
    def red_flags(self) -> tuple[RedFlag, ...]:
        """The assessment's red flags, shown while the episode carries a red-flag badge."""
        return self.row.red_flags if self.row is not None and self.red_flag_badges else ()


def _evaluation(caller: Caller, episode: Episode, row: EpisodeRow | None) -> Evaluation | None:
    """The engine's signals and proposal as of today, once the episode has a plan: from the
    run that made the row when it ran (open episodes with an intake), else on its own."""
    if episode.plan_version == 0:
        return None
    if row is not None and row.report is not None and row.checkpoint_proposal is not None:
        return Evaluation(
            episode=episode,
            today=row.report.today,
            report=row.report,
            proposal=row.checkpoint_proposal,
        )
    if row is not None and episode.status == "open" and row.has_intake:
        return None  # the engine could not run: a start after today, or unreadable data
    try:
        return checkpoints.evaluate_episode(
            caller.uow(), episode.id, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
        )
    except InvalidInput:
        return None  # an episode starting after today has nothing to evaluate yet


def load_episode(
    caller: Caller, episode_id: str, tab: str, *, evaluate: bool = True
) -> EpisodeView:
    """The episode (404 outside the caller's clinic), its patient and — with ``evaluate`` —
    its row of the patient list (staff only: badges, phase, proposal) and, once it has a plan,
    the timeline engine's signals and proposal as of today. The engine runs once: the row's
    run gives the evaluation of an open episode; an ended one is evaluated on its own."""
    episode = patients.get_episode(caller.uow(), episode_id)
    patient = patients.get_patient(caller.uow(), episode.patient_id)
    row: EpisodeRow | None = None
    evaluation: Evaluation | None = None
    if evaluate:
        if caller.principal.is_staff:
            try:
                row = clinic.episode_overview(
                    caller.uow(),
                    episode.id,
                    today=caller.ctx.today(),
                    knowledge=caller.ctx.knowledge,
                )
            except InvalidInput:
                row = None
        evaluation = _evaluation(caller, episode, row)
    base = f"/episodes/{episode.id}"
    tabs = [(f"{base}/{suffix}", label, suffix == tab) for suffix, label in TABS]
    return EpisodeView(patient, episode, evaluation, tab, tabs, row)
