"""Who may call each route of the JSON API: the specification the access tests check the app
against (reliability-security.md items 2-4; issue 6, "Accounts, tenancy, audit").

Written by hand from the issue, the backend brief and what each use case is for; never generated
from the app, so a route whose declared policy drifts, or a new route nobody declared here, fails.

Reading a row:

- ``policy``: the roles that may call the route at all (``POLICY_ROLES``). Anyone else who is
  signed in gets 403; anyone not signed in gets 401 (public routes excepted).
- ``record``: what the record id in the path names (``patient`` or ``episode``), or None for a
  route without one. A caller whose role is allowed still gets 404 — exactly as for a missing
  id — for a record outside their scope: staff reach the records of their own clinic only; a
  patient reaches only their own record and what hangs off it.
- ``patient_own``: whether a patient may reach their OWN record through the route. Patients read
  their record, episodes, logs, assessment, plan, goals and sessions, and write their own daily
  logs (typed or imported); the clinical working material — intake, plan revisions, signals,
  checkpoints, referrals, team notes — is for staff only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "API",
    "CLINICAL_ROLES",
    "PAGES",
    "POLICY_ROLES",
    "PUBLIC_MOUNTS",
    "ROLES",
    "ROUTES",
    "STAFF_ROLES",
    "Route",
    "by_key",
    "pages_by_key",
]

API = "/api/v1"

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
ROLES = STAFF_ROLES | {"patient"}

# The roles each policy lets through (None: anyone, signed in or not).
POLICY_ROLES: dict[str, frozenset[str] | None] = {
    "public": None,
    "signed_in": ROLES,
    "staff": STAFF_ROLES,
    "clinician": CLINICAL_ROLES,
    "patient_or_clinician": CLINICAL_ROLES | {"patient"},
    "admin": frozenset({"clinic_admin"}),
}

Policy = Literal["public", "signed_in", "staff", "clinician", "patient_or_clinician", "admin"]
Record = Literal["patient", "episode"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    policy: Policy
    record: Record | None = None
    patient_own: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _r(
    method: str,
    path: str,
    policy: Policy,
    record: Record | None = None,
    *,
    patient_own: bool = False,
) -> Route:
    return Route(method, API + path, policy, record, patient_own)


_P = "/patients/{patient_id}"
_E = "/episodes/{episode_id}"

ROUTES: tuple[Route, ...] = (
    # Signing in and out.
    _r("POST", "/auth/login", "public"),
    _r("POST", "/auth/logout", "signed_in"),
    _r("GET", "/auth/me", "signed_in"),
    # Patients: staff register them; everyone signed in lists them (a patient sees only self).
    _r("GET", "/patients", "signed_in"),
    _r("POST", "/patients", "staff"),
    _r("GET", _P, "signed_in", "patient", patient_own=True),
    _r("GET", _P + "/episodes", "signed_in", "patient", patient_own=True),
    _r("POST", _P + "/episodes", "clinician", "patient"),
    # Daily logs: written by the patient or a clinician, read by the patient and the staff.
    _r("PUT", _P + "/logs/{date}", "patient_or_clinician", "patient", patient_own=True),
    _r("GET", _P + "/logs", "signed_in", "patient", patient_own=True),
    _r("POST", _P + "/logs/import", "patient_or_clinician", "patient", patient_own=True),
    # An episode and what the patient may see of it.
    _r("GET", _E, "signed_in", "episode", patient_own=True),
    _r("GET", _E + "/assessment", "signed_in", "episode", patient_own=True),
    _r("GET", _E + "/plan", "signed_in", "episode", patient_own=True),
    _r("GET", _E + "/goals", "signed_in", "episode", patient_own=True),
    _r("GET", _E + "/sessions", "signed_in", "episode", patient_own=True),
    # Clinical working material: staff read it, clinicians write it, patients get 403.
    _r("POST", _E + "/intake", "clinician", "episode"),
    _r("GET", _E + "/intake", "staff", "episode"),
    _r("GET", _E + "/plan/revisions", "staff", "episode"),
    _r("POST", _E + "/plan/revisions", "clinician", "episode"),
    _r("POST", _E + "/sessions", "clinician", "episode"),
    _r("GET", _E + "/signals", "staff", "episode"),
    _r("POST", _E + "/checkpoints", "clinician", "episode"),
    _r("GET", _E + "/checkpoints", "staff", "episode"),
    _r("POST", _E + "/referrals", "clinician", "episode"),
    _r("GET", _E + "/referrals", "staff", "episode"),
    _r("POST", _E + "/graduate", "clinician", "episode"),
    _r("POST", _E + "/notes", "clinician", "episode"),
    _r("GET", _E + "/notes", "staff", "episode"),
    # The clinic, its accounts and its audit trail.
    _r("GET", "/clinic", "staff"),
    _r("GET", "/users", "admin"),
    _r("POST", "/users", "admin"),
    _r("GET", "/audit-events", "admin"),
)


def by_key() -> dict[tuple[str, str], Route]:
    """The table by (method, path template)."""
    table = {r.key: r for r in ROUTES}
    assert len(table) == len(ROUTES), "a (method, path) appears twice in the policy table"
    return table


# --- the browser app's pages ------------------------------------------------------------------
# The same policies guard the pages (issue 7). Patients reach only the /me pages (their own log
# and progress, refused to everyone else by the page itself) and sign-in; the clinic lead
# (clinic_admin) reads the clinic's lists, screens and panel but writes no clinical record.


def _page(
    method: str,
    path: str,
    policy: Policy,
    record: Record | None = None,
    *,
    patient_own: bool = False,
) -> Route:
    return Route(method, path, policy, record, patient_own)


# Served without a policy on purpose: our CSS/JS and the vendored libraries (no patient data).
PUBLIC_MOUNTS = frozenset({"/static"})

PAGES: tuple[Route, ...] = (
    _page("GET", "/login", "public"),
    _page("POST", "/login", "public"),
    _page("POST", "/logout", "signed_in"),
    _page("GET", "/", "signed_in"),
    # The clinic's lists and the clinic-lead panel: staff read them, clinicians add patients.
    _page("GET", "/patients", "staff"),
    _page("GET", "/patients/new", "clinician"),
    _page("POST", "/patients/new", "clinician"),
    _page("GET", "/patients/{patient_id}", "staff", "patient"),
    _page("POST", "/patients/{patient_id}/episodes", "clinician", "patient"),
    _page("GET", "/episodes/{episode_id}", "staff", "episode"),
    _page("GET", "/panel", "staff"),
    # An episode's screens: staff read them, clinicians write; patients never reach them.
    # The intake wizard is for clinicians; the clinic lead reads the draft or intake read-only.
    _page("GET", _E + "/intake", "staff", "episode"),
    _page("POST", _E + "/intake", "clinician", "episode"),
    _page("POST", _E + "/intake/score", "clinician", "episode"),
    _page("GET", _E + "/assessment", "staff", "episode"),
    _page("GET", _E + "/plan", "staff", "episode"),
    _page("POST", _E + "/plan/revise", "clinician", "episode"),
    _page("GET", _E + "/progress", "staff", "episode"),
    _page("POST", _E + "/sessions", "clinician", "episode"),
    _page("GET", _E + "/checkpoint", "staff", "episode"),
    _page("POST", _E + "/checkpoint/decide", "clinician", "episode"),
    _page("POST", _E + "/checkpoint/refer", "clinician", "episode"),
    _page("POST", _E + "/checkpoint/graduate", "clinician", "episode"),
    _page("GET", _E + "/notes", "staff", "episode"),
    _page("POST", _E + "/notes", "clinician", "episode"),
    _page("GET", _E + "/print/report", "staff", "episode"),
    _page("GET", _E + "/print/referral", "staff", "episode"),
    _page("GET", _E + "/print/referral/{referral_id}", "staff", "episode"),
    # The patient's own pages: the policy admits clinicians too, the page refuses anyone but a
    # patient (403, audited) — a patient's log is theirs to write in the browser.
    _page("GET", "/me/log", "patient_or_clinician"),
    _page("GET", "/me/log/{day}", "patient_or_clinician"),
    _page("POST", "/me/log/{day}", "patient_or_clinician"),
    _page("GET", "/me/progress", "patient_or_clinician"),
    # The clinic's accounts: the clinic lead alone lists them and adds staff and patient logins.
    _page("GET", "/accounts", "admin"),
    _page("POST", "/accounts", "admin"),
)


def pages_by_key() -> dict[tuple[str, str], Route]:
    """The pages by (method, path template)."""
    table = {r.key: r for r in PAGES}
    assert len(table) == len(PAGES), "a (method, path) appears twice in the pages table"
    return table
