"""What every episode page shows at its top: the patient, the episode, its current signals as
badges and the tabs of the episode's screens."""

from __future__ import annotations

from dataclasses import dataclass, field

from painpath.services import checkpoints, patients
from painpath.services.checkpoints import Evaluation
from painpath.services.errors import InvalidInput
from painpath.store.models import Episode, Patient
from painpath.web.security import Caller

__all__ = ["TABS", "EpisodeView", "load_episode"]

# (path suffix, label): the screens of one episode, in the order a clinician works through them.
TABS = (
    ("intake", "Intake"),
    ("assessment", "Assessment"),
    ("plan", "Plan"),
    ("progress", "Progress"),
    ("checkpoint", "Checkpoint & notes"),
)


@dataclass(frozen=True)
class EpisodeView:
    patient: Patient
    episode: Episode
    evaluation: Evaluation | None
    tab: str
    tabs: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def has_plan(self) -> bool:
        return self.episode.plan_version > 0


def load_episode(
    caller: Caller, episode_id: str, tab: str, *, evaluate: bool = True
) -> EpisodeView:
    """The episode (404 outside the caller's clinic), its patient and — once it has a plan —
    the timeline engine's signals and proposal as of today (three audited reads)."""
    episode = patients.get_episode(caller.uow(), episode_id)
    patient = patients.get_patient(caller.uow(), episode.patient_id)
    evaluation = None
    if evaluate and episode.plan_version > 0:
        try:
            evaluation = checkpoints.evaluate_episode(
                caller.uow(), episode.id, today=caller.ctx.today(), knowledge=caller.ctx.knowledge
            )
        except InvalidInput:
            evaluation = None  # an episode starting after today has nothing to evaluate yet
    base = f"/episodes/{episode.id}"
    tabs = [(f"{base}/{suffix}", label, suffix == tab) for suffix, label in TABS]
    return EpisodeView(patient, episode, evaluation, tab, tabs)
