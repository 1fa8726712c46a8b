"""Who is in the demo clinics: staff of every role and the patients, each with the story their
data tell. Pure data; `painpath.demo.clinic` turns it into database rows.

Every patient with a timeline replays one file of the scenario library (docs/scenarios/), with
an example intake (docs/examples/intake/) as their first visit. Names are invented.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CLINICS",
    "ClinicSpec",
    "PatientSpec",
    "StaffSpec",
    "TeamNoteSpec",
    "goal_wording",
    "username_of",
]

Then = Literal["adjust", "refer", "graduate"]


@dataclass(frozen=True)
class StaffSpec:
    role: str
    handle: str  # the username is "<handle>.<clinic short name>"
    name: str
    look_at: str


@dataclass(frozen=True)
class TeamNoteSpec:
    role: str  # who writes it (a clinical role of the same clinic)
    hypothesis: str
    body: str


@dataclass(frozen=True)
class PatientSpec:
    """One demo patient.

    ``scenario``: the number of a docs/scenarios file whose timeline the patient lives (None: an
    intake only, or no intake either). ``intake``: the number of a docs/examples/intake file
    (None: a new referral still waiting for the intake). ``days_ago``: the scenario's
    ``about.today`` (or the intake's day) falls this many days before the demo's today.
    ``then``: a decision recorded on that day after the scenario's own checkpoints.
    """

    name: str
    sex: Literal["female", "male"]
    age: int
    title: str
    story: str
    look_at: str
    intake: str | None
    scenario: str | None = None
    days_ago: int = 0
    goal_activities: tuple[str, ...] = ()
    medications: tuple[dict[str, Any], ...] | None = None
    then: Then | None = None
    then_reason: str | None = None
    refer_to: str | None = None
    overlap_days: int | None = None
    featured: bool = False
    notes: tuple[TeamNoteSpec, ...] = ()


@dataclass(frozen=True)
class ClinicSpec:
    name: str
    short: str
    staff: tuple[StaffSpec, ...]
    patients: tuple[PatientSpec, ...] = field(default_factory=tuple)


def username_of(name: str) -> str:
    """``Lucía Fernández`` → ``lucia.fernandez``; ``Margaret O'Neill`` → ``margaret.oneill``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = ["".join(c for c in part.lower() if c.isalnum()) for part in plain.split()]
    return ".".join(p for p in parts if p)


# What each scenario goal metric means to a patient: (activity, unit).
_GOALS = {
    "minutes_walked": ("walk", "minutes"),
    "sitting_min": ("sit", "minutes"),
    "desk_minutes": ("work at the desk", "minutes"),
    "minutes_working_arms_up": ("work with the arms raised", "minutes"),
    "standing_min": ("stand", "minutes"),
    "sleep_h": ("sleep through the night", "hours"),
    "morning_stiffness_min": ("get going in the morning", "minutes"),
}


def goal_wording(metric: str) -> tuple[str, str]:
    """The activity and unit an intake records for a timeline goal's metric."""
    return _GOALS.get(metric, (metric.replace("_", " "), "units"))


def _staff(names: dict[str, str]) -> tuple[StaffSpec, ...]:
    looks = {
        "physician": (
            "physician",
            "the patient list with its signal badges; the red flags and opioid (MME) badges",
        ),
        "physiatrist": (
            "physiatrist",
            "checkpoint proposals: confirm, or override with a reason; injections and referrals",
        ),
        "physical_therapist": (
            "physio",
            "progress charts: flares, relief windows after sessions, plateaus; record sessions",
        ),
        "psychologist": (
            "psychologist",
            "psychosocial drivers in the assessments; team notes on the hypothesis",
        ),
        "pharmacist": ("pharmacist", "medication reviews and MME in the plans; the taper notes"),
        "occupational_therapist": ("ot", "functional goals and their progress; print views"),
        "clinic_admin": (
            "lead",
            "the clinic-lead panel: patients per signal, graduation rate and median time, "
            "MME at intake vs now, care simply continuing",
        ),
    }
    return tuple(
        StaffSpec(role=role, handle=looks[role][0], name=names[role], look_at=looks[role][1])
        for role in looks
    )


_SETBACK_REASON = (
    "Pain has settled at a new baseline two points higher since he went back to full shifts: "
    "step the programme back to the last load he tolerated and review in a week."
)

NORTHSIDE = ClinicSpec(
    name="Northside Pain Clinic",
    short="northside",
    staff=_staff(
        {
            "physician": "Dr Amara Okafor",
            "physiatrist": "Dr Henrik Larsen",
            "physical_therapist": "Sam Rivera",
            "psychologist": "Dr Naomi Adeyemi",
            "pharmacist": "Li Wei",
            "occupational_therapist": "Maria Costa",
            "clinic_admin": "Jordan Ellis",
        },
    ),
    patients=(
        PatientSpec(
            "Tomasz Kowalczyk",
            "male",
            46,
            "Chronic low back pain",
            "accountant building capacity; walking and sitting rising steadily",
            "steady progress toward two goals; a checkpoint due",
            intake="09",
            scenario="01",
            goal_activities=("walk at lunchtime", "sit at the desk"),
        ),
        PatientSpec(
            "Priya Raman",
            "female",
            44,
            "Neck and upper back pain",
            "office worker sore for a day after her first needling, back to usual at 48 hours",
            "expected post-treatment soreness, not a flare",
            intake="01",
            scenario="02",
        ),
        PatientSpec(
            "Margaret O'Neill",
            "female",
            63,
            "Hip osteoarthritis",
            "dug her vegetable patch; a flare that began yesterday",
            "a flare too early to call (settling, still open)",
            intake="07",
            scenario="03",
        ),
        PatientSpec(
            "Aisha Bello",
            "female",
            52,
            "Chronic low back pain",
            "flare after step-ups were added, settled in 60 hours",
            "a flare that settled within 72 hours",
            intake="09",
            scenario="04",
        ),
        PatientSpec(
            "Lucía Fernández",
            "female",
            38,
            "Lumbar radicular pain",
            "pain 4 → 7 after a wider needling session, still up at 96 hours",
            "a prolonged flare: Painpath proposes adjust",
            intake="02",
            scenario="05",
            goal_activities=("sit through a meeting",),
            featured=True,
        ),
        PatientSpec(
            "Darnell Brooks",
            "male",
            47,
            "Mechanical low back pain",
            "warehouse picker back on full shifts; pain settled two points higher; oxycodone",
            "a setback (new, higher baseline); MME 60",
            intake="06",
            scenario="06",
            medications=({"name": "oxycodone", "dose_mg": 20, "doses_per_day": 2, "weeks": 30},),
            featured=True,
            notes=(
                TeamNoteSpec(
                    "pharmacist",
                    "medications.opioid",
                    "Oxycodone 40 mg a day (60 MME/day) for 30 weeks: naloxone offered. "
                    "Suggest a slow taper once the setback has settled.",
                ),
            ),
        ),
        PatientSpec(
            "Ingrid Solberg",
            "female",
            67,
            "Knee osteoarthritis",
            "on her feet all day at her daughter's wedding; walking down for five days",
            "a flare in a goal (walking) without a pain flare",
            intake="07",
            scenario="07",
        ),
        PatientSpec(
            "Kenji Watanabe",
            "male",
            58,
            "Low back pain with poor sleep",
            "settle phase; first relief window after the third needling session",
            "response established: Painpath proposes extending the window",
            intake="02",
            scenario="08",
        ),
        PatientSpec(
            "Chloé Martin",
            "female",
            35,
            "Neck pain and headaches",
            "graphic designer whose relief windows grew from one day to a week",
            "movement-entry ready: Painpath proposes the blend phase",
            intake="01",
            scenario="09",
            goal_activities=("design at the desk",),
            featured=True,
        ),
        PatientSpec(
            "Nomvula Dlamini",
            "female",
            29,
            "Thoracic and neck pain",
            "nurse on night shifts who reported a week of relief herself",
            "a patient-reported relief window; movement-entry ready",
            intake="04",
            scenario="10",
        ),
        PatientSpec(
            "Rosa Delgado",
            "female",
            49,
            "Widespread pain",
            "four needling sessions without a single day of relief",
            "a non-responder: Painpath proposes referral",
            intake="05",
            scenario="11",
            featured=True,
            notes=(
                TeamNoteSpec(
                    "psychologist",
                    "nociplastic",
                    "No relief after four sessions, poor sleep and high catastrophising: "
                    "a nociplastic picture. Suggest CBT for insomnia and pain education "
                    "before more needling.",
                ),
            ),
        ),
        PatientSpec(
            "Fatima Haddad",
            "female",
            55,
            "Neck and shoulder pain",
            "hairdresser with two good days after every passive session, goal flat for weeks",
            "a plateau on passive care: Painpath proposes the blend phase",
            intake="04",
            scenario="12",
            goal_activities=("cut hair with the arms raised",),
        ),
        PatientSpec(
            "Mikael Lindqvist",
            "male",
            42,
            "Chronic low back pain",
            "carpenter whose standing tolerance has sat at 40 % for four weeks",
            "a plateau in active rehab: Painpath proposes referral",
            intake="06",
            scenario="13",
            goal_activities=("stand at the workbench",),
        ),
        PatientSpec(
            "Dorothy Achebe",
            "female",
            70,
            "Knee osteoarthritis",
            "sleeps seven hours again; walking flat at four fifths of her goal",
            "a goal met and held beside a plateau near the goals: ongoing care",
            intake="07",
            scenario="14",
        ),
        PatientSpec(
            "Frank Murphy",
            "male",
            66,
            "Chronic low back pain",
            "retired postman on weekly massage for two months, walking stuck; oxycodone",
            "care simply continuing; MME 90",
            intake="09",
            scenario="17",
            medications=(
                {"name": "oxycodone", "dose_mg": 30, "doses_per_day": 2, "weeks": 60},
                {"name": "paracetamol", "dose_mg": 1000, "doses_per_day": 3},
            ),
            featured=True,
            notes=(
                TeamNoteSpec(
                    "pharmacist",
                    "medications.opioid",
                    "Oxycodone 60 mg a day (90 MME/day) for over a year alongside passive care "
                    "only: discuss a taper with the physician and offer naloxone.",
                ),
            ),
        ),
        PatientSpec(
            "Jamal Carter",
            "male",
            45,
            "Mechanical low back pain",
            "self-employed plumber who logged only twice in the last week",
            "a data gap: no level to judge the goal by",
            intake="06",
            scenario="23",
        ),
        PatientSpec(
            "Mei Lin",
            "female",
            38,
            "Chronic neck pain",
            "office worker with both goals met and held for two weeks",
            "goals met and held: Painpath proposes graduation",
            intake="01",
            scenario="19",
            goal_activities=("sit through a 90-minute meeting", "walk at lunch"),
        ),
        PatientSpec(
            "Oskar Nowak",
            "male",
            39,
            "New bilateral leg pain with saddle numbness",
            "new bilateral sciatica, saddle numbness and difficulty passing urine",
            "an emergency red flag: the plan is blocked (emergency department now)",
            intake="08",
            featured=True,
        ),
        PatientSpec(
            "Hana Kobayashi",
            "female",
            34,
            "Achilles pain",
            "runner seen today: intake and first plan, nothing logged yet",
            "an intake and plan with no daily logs yet",
            intake="03",
        ),
        PatientSpec(
            "Samuel Osei",
            "male",
            57,
            "Referral: chronic low back pain",
            "new referral from his GP, waiting for the first visit",
            "an episode with no intake yet (start the intake wizard)",
            intake=None,
            days_ago=2,
        ),
        PatientSpec(
            "Elena Petrova",
            "female",
            38,
            "Chronic neck pain",
            "met and held both goals; graduated twelve days ago",
            "a graduated episode",
            intake="01",
            scenario="19",
            days_ago=12,
            goal_activities=("sit through a 90-minute meeting", "walk at lunch"),
            then="graduate",
            then_reason="Both goals met and held for two weeks; home programme to keep them.",
        ),
        PatientSpec(
            "Grace Mwangi",
            "female",
            41,
            "Chronic neck pain",
            "met and held both goals; graduated seven weeks ago",
            "a graduated episode",
            intake="01",
            scenario="19",
            days_ago=47,
            goal_activities=("sit through a 90-minute meeting", "walk at lunch"),
            then="graduate",
            then_reason="Both goals met and held for two weeks; discharged to self-management.",
        ),
        PatientSpec(
            "Arjun Mehta",
            "male",
            42,
            "Chronic low back pain",
            "standing tolerance flat through four strengthening sessions; referred on today",
            "a referral with a 21-day overlap",
            intake="06",
            scenario="13",
            goal_activities=("stand at the workbench",),
            then="refer",
            then_reason="Flat for four weeks in active rehab: the interdisciplinary programme "
            "can add graded work exposure; we keep seeing him through the hand-over.",
            refer_to="Interdisciplinary pain-management programme",
            overlap_days=21,
        ),
        PatientSpec(
            "Beatriz Santos",
            "female",
            38,
            "Lumbar radicular pain",
            "flare still up at 96 hours; the physio confirmed the proposal to adjust today",
            "an adjust decision confirming the proposal",
            intake="02",
            scenario="05",
            goal_activities=("sit through a meeting",),
            then="adjust",
            then_reason="Smaller treated area and lighter needling; flare plan reviewed with her.",
        ),
    ),
)

RIVERSIDE = ClinicSpec(
    name="Riverside Pain Clinic",
    short="riverside",
    staff=_staff(
        {
            "physician": "Dr Rahul Desai",
            "physiatrist": "Dr Elise Moreau",
            "physical_therapist": "Tyrone Jackson",
            "psychologist": "Dr Hannah Weiss",
            "pharmacist": "Ayumi Sato",
            "occupational_therapist": "Pedro Alvarez",
            "clinic_admin": "Morgan Blake",
        },
    ),
    patients=(
        PatientSpec(
            "Connor Walsh",
            "male",
            42,
            "Chronic low back pain",
            "carpenter whose flat month is explained by his mother's hospital stay (logged)",
            "a flat stretch explained by logged events: no plateau",
            intake="06",
            scenario="15",
            goal_activities=("stand at the workbench",),
        ),
        PatientSpec(
            "Diego Morales",
            "male",
            42,
            "Chronic low back pain",
            "carpenter with a two-day flare after fitting a staircase",
            "a settling flare inside a flat stretch: no plateau",
            intake="06",
            scenario="16",
            goal_activities=("stand at the workbench",),
        ),
        PatientSpec(
            "Harold Jenkins",
            "male",
            66,
            "Chronic low back pain",
            "retired postman on weekly massage for two months, walking stuck; morphine",
            "care simply continuing; MME 100",
            intake="09",
            scenario="17",
            medications=({"name": "morphine", "dose_mg": 50, "doses_per_day": 2, "weeks": 80},),
            featured=True,
            notes=(
                TeamNoteSpec(
                    "pharmacist",
                    "medications.opioid",
                    "Morphine 100 mg a day (100 MME/day) for 80 weeks with passive care only: "
                    "taper discussion due; naloxone offered.",
                ),
            ),
        ),
        PatientSpec(
            "Walter Nguyen",
            "male",
            74,
            "Lumbar spinal stenosis",
            "intentional ongoing care whose review date came and went",
            "ongoing care overdue for review: care simply continuing",
            intake="02",
            scenario="18",
        ),
        PatientSpec(
            "Sofia Rossi",
            "female",
            38,
            "Chronic neck pain",
            "office worker with both goals met and held for two weeks",
            "goals met and held: Painpath proposes graduation",
            intake="01",
            scenario="19",
            goal_activities=("sit through a 90-minute meeting", "walk at lunch"),
            featured=True,
        ),
        PatientSpec(
            "Amara Nwosu",
            "female",
            44,
            "Chronic Achilles pain",
            "reached her walking goal ten days ago",
            "a goal at target for only ten days: not yet met",
            intake="03",
            scenario="20",
        ),
        PatientSpec(
            "Noah Fischer",
            "male",
            39,
            "Chronic low back pain",
            "blend phase, walking and sitting both past halfway",
            "past halfway: Painpath proposes building capacity",
            intake="09",
            scenario="21",
        ),
        PatientSpec(
            "Leila Farahani",
            "female",
            57,
            "Hip osteoarthritis",
            "morning stiffness down from 60 to under 30 minutes; frosty mornings pushed it up",
            "a decrease goal with a two-day stiffness flare",
            intake="07",
            scenario="22",
            featured=True,
        ),
        PatientSpec(
            "Owen Price",
            "male",
            45,
            "Mechanical low back pain",
            "self-employed plumber who logged only twice in the last week",
            "a data gap: no level to judge the goal by",
            intake="06",
            scenario="23",
            featured=True,
        ),
        PatientSpec(
            "Julia Novak",
            "female",
            36,
            "Neck pain and headaches",
            "teacher seen weekly; sixteen days since the last checkpoint",
            "a checkpoint due by days",
            intake="01",
            scenario="24",
            goal_activities=("mark at the desk",),
        ),
        PatientSpec(
            "Kwame Asante",
            "male",
            33,
            "Low back pain",
            "delivery driver on twice-weekly sessions before going back to work",
            "a checkpoint due by sessions",
            intake="09",
            scenario="25",
        ),
        PatientSpec(
            "Rajesh Iyer",
            "male",
            52,
            "L5 radicular pain",
            "epidural injection at the last checkpoint; review due at 14-21 days",
            "a checkpoint due after an injection; an adjust decision in the history",
            intake="02",
            scenario="26",
        ),
        PatientSpec(
            "Marco Bianchi",
            "male",
            41,
            "Chronic low back pain",
            "bus mechanic moved from needling to strengthening over three months",
            "the passive share of care falling 1.0 → 0.5 → 0.2; three phase transitions",
            intake="09",
            scenario="27",
            featured=True,
        ),
        PatientSpec(
            "Étienne Dubois",
            "male",
            48,
            "Chronic low back pain",
            "chef stuck at two of four hours standing; the physio overrode the proposed referral",
            "an override with a reason (adjust instead of refer); MME 80",
            intake="06",
            scenario="28",
            goal_activities=("stand through a dinner service",),
            medications=({"name": "tramadol", "dose_mg": 100, "doses_per_day": 4, "weeks": 26},),
            featured=True,
            notes=(
                TeamNoteSpec(
                    "occupational_therapist",
                    "psychosocial.work",
                    "Service needs four hours on his feet: trial a perching stool at the pass "
                    "and split prep into two blocks.",
                ),
            ),
        ),
        PatientSpec(
            "Yasmin Khalil",
            "female",
            44,
            "Neck and upper back pain",
            "sore for a day after her first needling, back to usual at 48 hours",
            "expected post-treatment soreness, not a flare",
            intake="01",
            scenario="02",
        ),
        PatientSpec(
            "Zoe Papadopoulos",
            "female",
            35,
            "Neck pain and headaches",
            "relief windows grew from one day to a week",
            "movement-entry ready: Painpath proposes the blend phase",
            intake="01",
            scenario="09",
            goal_activities=("design at the desk",),
        ),
        PatientSpec(
            "Carmen Ruiz",
            "female",
            49,
            "Widespread pain",
            "no relief after four needling sessions; referred for a medical review today",
            "a non-responder, referred with a 14-day overlap",
            intake="05",
            scenario="11",
            then="refer",
            then_reason="No relief window after four sessions: review the mechanism "
            "hypothesis (nociplastic) before more passive care.",
            refer_to="Pain medicine physician review",
            overlap_days=14,
            notes=(
                TeamNoteSpec(
                    "psychologist",
                    "nociplastic",
                    "Widespread pain, unrefreshing sleep, flares after minor stressors: "
                    "offer pain reprocessing and sleep work alongside the medical review.",
                ),
            ),
        ),
        PatientSpec(
            "Helen Whitaker",
            "female",
            63,
            "Thoracic pain, constant and worse at night",
            "breast cancer eight years ago; night pain and 5 kg lost without trying",
            "an urgent red flag (possible spinal malignancy): the plan waits for the referral",
            intake="12",
        ),
        PatientSpec(
            "Olga Ivanova",
            "female",
            50,
            "Low back pain after a failed active programme",
            "flared on an early active programme; oxycodone; intake yesterday",
            "an intake only: urgent same-day risk review, MME 60",
            intake="10",
            days_ago=1,
        ),
        PatientSpec(
            "Ama Boateng",
            "female",
            29,
            "Referral: neck and shoulder pain",
            "new referral, waiting for the first visit",
            "an episode with no intake yet",
            intake=None,
        ),
        PatientSpec(
            "Nadia Rahman",
            "female",
            38,
            "Chronic neck pain",
            "met and held both goals; graduated five days ago",
            "a graduated episode",
            intake="01",
            scenario="19",
            days_ago=5,
            goal_activities=("sit through a 90-minute meeting", "walk at lunch"),
            then="graduate",
            then_reason="Both goals met and held for two weeks; home programme to keep them.",
        ),
        PatientSpec(
            "Lucy Tran",
            "female",
            40,
            "Chronic neck pain",
            "met and held both goals; graduated a month ago",
            "a graduated episode",
            intake="01",
            scenario="19",
            days_ago=33,
            goal_activities=("sit through a 90-minute meeting", "walk at lunch"),
            then="graduate",
            then_reason="Both goals met and held for two weeks; discharged to self-management.",
        ),
        PatientSpec(
            "Ruth Goldberg",
            "female",
            70,
            "Knee osteoarthritis",
            "sleep goal met, walking flat near its target; chose to graduate over ongoing care",
            "a graduation that overrides the proposal (ongoing care), with the reason",
            intake="07",
            scenario="14",
            days_ago=21,
            then="graduate",
            then_reason="Sleeps seven hours and walks 48 of her 60 minutes; she is content and "
            "prefers her home programme to monthly visits. Open door if it slips.",
        ),
        PatientSpec(
            "Viktor Horvath",
            "male",
            47,
            "Mechanical low back pain",
            "back on full shifts; pain settled two points higher; adjusted today",
            "a setback, with the proposed adjust confirmed",
            intake="06",
            scenario="06",
            then="adjust",
            then_reason=_SETBACK_REASON,
        ),
    ),
)

CLINICS: tuple[ClinicSpec, ...] = (NORTHSIDE, RIVERSIDE)
