"""Who is asking: the signed-in user, their role and clinic, and for a patient their own record."""

from __future__ import annotations

from dataclasses import dataclass

from painpath.services.errors import Forbidden

__all__ = ["CLINICAL_ROLES", "STAFF_ROLES", "Principal"]

CLINICAL_ROLES = frozenset(
    {
        "physician",
        "physiatrist",
        "physical_therapist",
        "psychologist",
        "pharmacist",
        "occupational_therapist",
    }
)
STAFF_ROLES = CLINICAL_ROLES | {"clinic_admin"}


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The scope every query runs in: a clinic, and for a patient one patient record."""

    user_id: str
    username: str
    role: str
    clinic_id: str
    patient_id: str | None = None

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def require_clinician(self) -> None:
        """Clinical writes (intakes, plans, sessions, checkpoints, notes) need a clinical role."""
        if not self.is_clinician:
            raise Forbidden("this needs a clinician's role")

    def require_staff(self) -> None:
        if not self.is_staff:
            raise Forbidden("this needs a member of the clinic's staff")

    def require_admin(self) -> None:
        if self.role != "clinic_admin":
            raise Forbidden("this needs the clinic_admin role")
