"""The patient's own pages over real HTTP: the daily log (today and the 6 days before, each
editable), its validation (each problem names the field and its range, nothing is stored,
everything typed comes back), and "My progress". The pages show the signed-in patient's own
record only; clinicians get the 403 page; a form without the session's CSRF token is refused.

One server over SQLite serves the module; each test logs its own days.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from painpath.knowledge import default_knowledge
from painpath.services import care, intake, patients
from painpath.services.commands import DayInput, EpisodeInput
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import Goal
from painpath.store.unit_of_work import SqlUnitOfWork
from painpath.web.ui.me_progress import goal_progress, stages
from tests.web._server import PASSWORD, Clinic_, seed, serve, settings_for

INTAKES = Path(__file__).resolve().parents[2] / "docs/examples/intake"
SCIATICA = INTAKES / "02_sciatica_cannot_sit.json"
NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def start_care(
    settings: Settings,
    clinic: Clinic_,
    patient: str,
    *,
    intake_file: Path | None = SCIATICA,
    today: dt.date,
    started_days_ago: int = 20,
) -> str:
    """Open an episode for ``patient`` of ``clinic`` and submit an example intake as the
    clinic's physician (so the patient has goals and a plan; ``intake_file=None``: the episode
    only); the episode's id."""
    doc = clinic.users["doc"]
    clinician = Principal(
        user_id=doc.id, username=doc.username, role=doc.role, clinic_id=doc.clinic_id
    )
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        episode = patients.open_episode(
            SqlUnitOfWork(factory, clinician, client="test"),
            clinic.patients[patient].id,
            EpisodeInput(
                title="Back and leg pain",
                start_date=today - dt.timedelta(days=started_days_ago),
            ),
        )
        if intake_file is None:
            return episode.id
        intake.submit_intake(
            SqlUnitOfWork(factory, clinician, client="test"),
            episode.id,
            json.loads(intake_file.read_text()),
            today=today,
            knowledge=default_knowledge(),
        )
        return episode.id
    finally:
        engine.dispose()


def log_as_clinician(
    settings: Settings, clinic: Clinic_, patient: str, day: dt.date, data: DayInput
) -> None:
    doc = clinic.users["doc"]
    clinician = Principal(
        user_id=doc.id, username=doc.username, role=doc.role, clinic_id=doc.clinic_id
    )
    engine = make_engine(settings.database_url)
    try:
        care.log_day(
            SqlUnitOfWork(make_session_factory(engine), clinician, client="test"),
            clinic.patients[patient].id,
            day,
            data,
            today=day,
        )
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Clinic:
    url: str
    settings: Settings
    clinics: dict[str, Clinic_]
    today: dt.date

    def browser(self, username: str | None = "patient-a.x") -> httpx.Client:
        """A client that signs in through the sign-in form, as a browser does (cookie only)."""
        client = httpx.Client(base_url=self.url, timeout=60, limits=NO_KEEPALIVE)
        if username:
            r = client.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code == 303, r.text
        return client

    def api(self, username: str = "doc.x") -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=60, limits=NO_KEEPALIVE)
        r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    def patient_id(self, key: str = "a", clinic: str = "x") -> str:
        return self.clinics[clinic].patients[key].id

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def stored(self, day: dt.date, patient: str = "a") -> dict[str, Any] | None:
        """The day as the clinic's API returns it (None when it was never logged)."""
        with closing(self.api()) as doc:
            r = doc.get(
                f"/api/v1/patients/{self.patient_id(patient)}/logs",
                params={"since": day.isoformat(), "until": day.isoformat()},
            )
            assert r.status_code == 200, r.text
            items: list[dict[str, Any]] = r.json()["items"]
            return items[0] if items else None


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    folder = tmp_path_factory.mktemp("patient-pages")
    settings = settings_for(f"sqlite:///{folder / 'painpath.db'}", folder)
    clinics = seed(settings)
    today = dt.datetime.now(dt.UTC).astimezone().date()
    start_care(settings, clinics["x"], "a", today=today)
    # Patient B of the same clinic: other goals, and a day whose words must never reach A.
    start_care(
        settings,
        clinics["x"],
        "b",
        today=today,
        intake_file=INTAKES / "07_retired_teacher_knee_oa.json",
    )
    log_as_clinician(
        settings,
        clinics["x"],
        "b",
        today - dt.timedelta(days=1),
        DayInput(pain=9, steps=12345, event="B-ONLY-EVENT tripped on the stairs"),
    )
    # Patient B of clinic Y: an episode whose intake is not done yet (no goals, no plan).
    start_care(settings, clinics["y"], "b", today=today, intake_file=None)
    with serve(settings) as url:
        yield Clinic(url, settings, clinics, today)


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with the session's CSRF token"
    return found.group(1)


def text_of(page: httpx.Response) -> str:
    """The page's visible words, roughly: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def post_day(client: httpx.Client, day: dt.date | str, token: str, **fields: str) -> httpx.Response:
    data = {"csrf_token": token, **{k.replace("__", "."): v for k, v in fields.items()}}
    return client.post(f"/me/log/{day}", data=data)


def words(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%b}"


# --- logging and editing ----------------------------------------------------------------------


def test_a_patient_logs_today_and_six_days_back_then_corrects_a_day(clinic: Clinic) -> None:
    with closing(clinic.browser()) as me:
        page = me.get("/me/log")
        assert page.status_code == 200
        assert "How was today?" in page.text
        token = csrf_of(page)

        r = post_day(
            me, clinic.today, token, pain="3", steps="4,200", sitting_min="20", goals__g1="15"
        )
        assert r.status_code == 303
        assert r.headers["location"] == f"/me/log?saved={clinic.today}"
        after = me.get(r.headers["location"])
        assert f"Saved {words(clinic.today)}." in text_of(after)

        oldest = clinic.day(6)
        r = post_day(me, oldest, token, pain="4", sleep_h="6.5", event="long drive")
        assert r.status_code == 303
        assert clinic.stored(oldest) is not None
        first = clinic.stored(oldest)
        assert first is not None
        assert (first["pain"], first["sleep_h"], first["event"]) == (4, 6.5, "long drive")

        edit = me.get(f"/me/log/{oldest}")
        assert f"Edit {words(oldest)}" in text_of(edit)
        assert re.search(r'id="f-pain-4" name="pain" value="4" checked', edit.text)
        assert 'value="6.5"' in edit.text and 'value="long drive"' in edit.text

        r = post_day(me, oldest, token, pain="2", sleep_h="7", event="")
        assert r.status_code == 303
        updated = clinic.stored(oldest)
        assert updated is not None and updated["id"] == first["id"]  # the same day, corrected
        assert (updated["pain"], updated["sleep_h"], updated["event"]) == (2, 7.0, None)

    today = clinic.stored(clinic.today)
    assert today is not None
    assert (today["pain"], today["steps"], today["sitting_min"]) == (3, 4200, 20)
    assert today["goals"] == {"g1": 15.0}


def test_the_log_page_lists_the_last_seven_days_with_a_link_to_each(clinic: Clinic) -> None:
    with closing(clinic.browser()) as me:
        page = me.get("/me/log")
    for days_ago in range(7):
        assert f'href="/me/log/{clinic.day(days_ago)}"' in page.text
    assert f'href="/me/log/{clinic.day(7)}"' not in page.text
    shown = text_of(page)
    assert "Your last 7 days" in shown
    assert "Sit through a work meeting (minutes)" in shown  # the goals of the open episode


def test_a_day_seven_days_back_is_refused_with_the_days_that_can_be_logged(clinic: Clinic) -> None:
    too_old = clinic.day(7)
    with closing(clinic.browser()) as me:
        token = csrf_of(me.get("/me/log"))
        r = post_day(me, too_old, token, pain="5")
        assert r.status_code == 422
        shown = text_of(r)
        assert "You can log today and the 6 days before it" in shown
        assert f"({words(clinic.day(6))} to {words(clinic.today)})" in shown
        assert "Nothing was saved." in shown

        assert me.get(f"/me/log/{too_old}").status_code == 404
        assert "You can log today" in text_of(me.get(f"/me/log/{too_old}"))
        tomorrow = clinic.day(-1)
        assert post_day(me, tomorrow, token, pain="5").status_code == 422
        assert post_day(me, "2026-02-30", token, pain="5").status_code == 422
        assert me.get("/me/log/not-a-day").status_code == 404
    assert clinic.stored(too_old) is None
    assert clinic.stored(tomorrow) is None


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("pain", "11", "Pain must be a whole number from 0 to 10"),
        ("pain", "²", "Pain must be a whole number from 0 to 10"),
        ("steps", "-1", "Steps must be a whole number from 0 to 200,000"),
        ("steps", "lots", "Steps must be a whole number from 0 to 200,000"),
        ("sitting_min", "12.5", "Longest sitting must be a whole number from 0 to 1,440 minutes"),
        ("sleep_h", "seven", "Sleep must be a number from 0 to 24 hours"),
        ("sleep_h", "6,5", "Sleep must be a number from 0 to 24 hours"),  # never read as 65
        (
            "goals.g1",
            "7,5",
            "Sit through a work meeting must be a number from 0 to 1,000,000 minutes",
        ),
        ("goals.g2", "-3", "Walk must be a number from 0 to 1,000,000 minutes"),
    ],
)
def test_a_bad_value_names_its_field_and_range_and_nothing_is_stored(
    clinic: Clinic, field: str, typed: str, message: str
) -> None:
    day = clinic.day(3)
    with closing(clinic.browser()) as me:
        token = csrf_of(me.get("/me/log"))
        kept = {"steps": "5000", "note": "typed <b>before</b> the mistake", field: typed}
        r = me.post(f"/me/log/{day}", data={"csrf_token": token, **kept})
    assert r.status_code == 422
    shown = text_of(r)
    assert "Please check 1 answer" in shown
    assert shown.count(message) == 2  # in the summary and next to the field
    fid = "f-" + field.replace(".", "-")
    if field != "pain":
        assert f'id="{fid}" name="{field}"' in r.text
        assert re.search(rf'id="{fid}"[^>]*value="{re.escape(typed)}"', r.text, flags=re.S)
    assert "typed &lt;b&gt;before&lt;/b&gt; the mistake</textarea>" in r.text
    assert clinic.stored(day) is None


def test_several_bad_values_are_all_named_at_once(clinic: Clinic) -> None:
    with closing(clinic.browser()) as me:
        token = csrf_of(me.get("/me/log"))
        r = post_day(me, clinic.day(3), token, pain="11", steps="-1", sleep_h="abc")
    assert r.status_code == 422
    shown = text_of(r)
    assert "Please check 3 answers" in shown
    for message in (
        "Pain must be a whole number from 0 to 10",
        "Steps must be a whole number from 0 to 200,000",
        "Sleep must be a number from 0 to 24 hours",
    ):
        assert message in shown
    assert clinic.stored(clinic.day(3)) is None


def test_an_empty_form_asks_for_an_answer_instead_of_saving_an_empty_day(clinic: Clinic) -> None:
    with closing(clinic.browser()) as me:
        token = csrf_of(me.get("/me/log"))
        r = post_day(me, clinic.day(3), token, pain="", steps=" ")
    assert r.status_code == 422
    assert "Please answer at least one question before saving" in text_of(r)
    assert clinic.stored(clinic.day(3)) is None


def test_a_form_without_the_csrf_token_is_refused_and_nothing_is_stored(clinic: Clinic) -> None:
    day = clinic.day(4)
    with closing(clinic.browser()) as me:
        assert me.post(f"/me/log/{day}", data={"pain": "5"}).status_code == 403
        assert post_day(me, day, "not-the-token", pain="5").status_code == 403
    assert clinic.stored(day) is None


def test_editing_keeps_the_function_score_a_clinician_entered(clinic: Clinic) -> None:
    day = clinic.day(5)
    log_as_clinician(clinic.settings, clinic.clinics["x"], "a", day, DayInput(pain=5, function=6.0))
    with closing(clinic.browser()) as me:
        token = csrf_of(me.get(f"/me/log/{day}"))
        assert post_day(me, day, token, pain="4").status_code == 303
    stored = clinic.stored(day)
    assert stored is not None
    assert (stored["pain"], stored["function"]) == (4, 6.0)


# --- who may open the pages -------------------------------------------------------------------


@pytest.mark.parametrize("username", ["doc.x", "pt.x", "admin.x"])
@pytest.mark.parametrize("path", ["/me/log", f"/me/log/{dt.date.today()}", "/me/progress"])
def test_staff_get_the_not_allowed_page_on_the_patients_pages(
    clinic: Clinic, username: str, path: str
) -> None:
    with closing(clinic.browser(username)) as staff:
        r = staff.get(path)
    assert r.status_code == 403
    assert "Not allowed" in text_of(r)
    assert "How was today?" not in r.text


def audit_trail(clinic: Clinic, patient: str | None = None) -> list[dict[str, Any]]:
    """The clinic's newest audit events (read by its admin), for one patient if given."""
    with closing(clinic.api("admin.x")) as admin:
        params: dict[str, Any] = {"limit": 200}
        if patient:
            params["patient_id"] = clinic.patient_id(patient)
        r = admin.get("/api/v1/audit-events", params=params)
        assert r.status_code == 200, r.text
        events: list[dict[str, Any]] = r.json()["items"]
        return events


def test_a_clinician_refused_by_the_page_is_audited(clinic: Clinic) -> None:
    def refusals() -> list[str]:
        return [
            e["outcome"]
            for e in audit_trail(clinic)
            if e["action"] == "GET /me/progress" and e["actor"] == "pt.x"
        ]

    before = refusals()
    with closing(clinic.browser("pt.x")) as pt:
        assert pt.get("/me/progress").status_code == 403
    assert refusals() == ["denied", *before]


def test_a_refused_form_is_audited_against_the_patient(clinic: Clinic) -> None:
    def refusals() -> list[dict[str, Any]]:
        return [
            e
            for e in audit_trail(clinic, "a")
            if e["action"] == "POST /me/log/{day}" and e["outcome"] == "invalid"
        ]

    before = len(refusals())
    with closing(clinic.browser()) as me:
        token = csrf_of(me.get("/me/log"))
        assert post_day(me, clinic.day(3), token, steps="-5").status_code == 422
        assert post_day(me, clinic.day(9), token, steps="5").status_code == 422
    after = refusals()
    assert len(after) == before + 2
    assert {(e["record_type"], e["actor"]) for e in after} == {("daily_log", "patient-a.x")}


def test_a_clinician_cannot_log_a_day_through_the_patients_page(clinic: Clinic) -> None:
    day = clinic.day(2)
    with closing(clinic.api("doc.x")) as doc:  # signed in, with the session's CSRF header
        assert doc.post(f"/me/log/{day}", data={"pain": "7"}).status_code == 403
    assert clinic.stored(day) is None


def test_signed_out_visitors_are_sent_to_sign_in(clinic: Clinic) -> None:
    with closing(clinic.browser(None)) as visitor:
        r = visitor.get("/me/progress")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fme%2Fprogress"


def test_a_patient_sees_only_their_own_record_on_every_page(clinic: Clinic) -> None:
    b_day = clinic.day(1)
    with closing(clinic.browser("patient-a.x")) as a:
        pages = [a.get("/me/log"), a.get(f"/me/log/{b_day}"), a.get("/me/progress")]
    for page in pages:
        assert page.status_code == 200
        assert "B-ONLY-EVENT" not in page.text
        assert "12,345" not in page.text and "12345" not in page.text
        assert "Garden without lying down after" not in text_of(page)  # patient B's goal
    with closing(clinic.browser("patient-b.x")) as b:
        mine = text_of(b.get("/me/log"))
        progress = text_of(b.get("/me/progress"))
    assert "B-ONLY-EVENT" in mine
    assert "Sit through a work meeting" not in mine + progress  # patient A's goals


# --- my progress --------------------------------------------------------------------------------


def test_my_progress_tells_each_goal_in_plain_words(clinic: Clinic) -> None:
    with closing(clinic.browser("patient-b.x")) as b:
        token = csrf_of(b.get("/me/log"))
        r = b.get("/me/log")
        keys = re.findall(r'<label for="f-goals-(g\d)">', r.text)
        assert keys, "patient B's goals are on the log form"
        key = keys[0]
        assert post_day(b, clinic.today, token, **{f"goals__{key}": "12"}).status_code == 303
        page = b.get("/me/progress")
    assert page.status_code == 200
    shown = text_of(page)
    assert "Latest: 12" in shown and "(today)" in shown
    assert "You started at" in shown and "your goal is" in shown
    assert re.search(r'<progress max="100" value="\d+"', page.text)
    assert "Where you are in your plan" in shown and "What comes next" in shown
    assert "24 to 48 hours" in shown and "three days (72 hours)" in shown
    assert "Call the clinic if" in shown
    # A finding the prevalence table does not cover is left for the clinician to explain.
    assert "Your clinician will go through this finding with you." in shown


def test_my_progress_shows_the_scan_findings_beside_how_common_they_are(clinic: Clinic) -> None:
    with closing(clinic.browser("patient-a.x")) as a:
        page = a.get("/me/progress")
    shown = text_of(page)
    assert "Your scan results, in context" in shown
    assert "Disc degeneration" in shown
    assert "73 in 100 people aged 44 without back pain" in shown
    assert "shows up on the scans of about 73 in 100 people aged 44" in shown
    assert '<meter min="0" max="100" value="73"' in page.text


def test_my_progress_is_friendly_before_there_is_an_episode(clinic: Clinic) -> None:
    with closing(clinic.browser("patient-a.y")) as newcomer:
        progress = newcomer.get("/me/progress")
        log = newcomer.get("/me/log")
    assert progress.status_code == 200
    assert "Your plan is on its way" in text_of(progress)
    assert log.status_code == 200
    assert "Your goal activities" not in text_of(log)  # no goals yet, only the daily measures


def test_my_progress_is_friendly_before_the_plan_is_made(clinic: Clinic) -> None:
    with closing(clinic.browser("patient-b.y")) as waiting:
        page = waiting.get("/me/progress")
    assert page.status_code == 200
    shown = text_of(page)
    assert "Your goals will appear here once your care team has written them down" in shown
    assert "Your care team is still putting your plan together" in shown
    assert "Soreness and flares" in shown  # what to expect is there from the start
    assert "Your scan results" not in shown


# --- the words, without a server ----------------------------------------------------------------


def goal(**kw: Any) -> Goal:
    values = {
        "key": "g1",
        "activity": "wake at night",
        "metric": "night_wakings",
        "unit": "times",
        "baseline": 4.0,
        "target": 1.0,
        "direction": "decrease",
    }
    return Goal(**{**values, **kw})


def test_a_goal_that_should_fall_counts_progress_as_it_falls() -> None:
    today = dt.date(2026, 11, 26)
    halfway = goal_progress(goal(), (2.5, dt.date(2026, 11, 24)), today)
    assert (halfway.percent, halfway.met) == (50, False)
    assert halfway.now == "Latest: 2.5 times (Tuesday 24 Nov)."
    assert halfway.story == "You started at 4 times; your goal is 1 times."
    worse = goal_progress(goal(), (6.0, today), today)
    assert worse.percent == 0
    assert worse.encouragement.startswith("Not past your starting point yet.")
    met = goal_progress(goal(), (1.0, today), today)
    assert (met.percent, met.met) == (100, True)
    assert met.now == "Latest: 1 times (today)."


def test_the_current_stage_follows_the_plans_dates() -> None:
    plan = {
        "phases": [
            {"id": "extend_window", "start": "2026-11-01", "end": "2026-12-01"},
            {"id": "blend", "start": "2026-12-01", "end": "2027-01-01"},
            {"id": "graduate", "start": "2027-01-01", "end": "2027-02-01"},
        ],
        "checkpoints": [{"date": "2026-11-15"}, {"date": "2026-12-10"}],
    }
    early = stages(plan, dt.date(2026, 10, 1), "extend_window")
    assert early.current is not None and early.current.id == "extend_window"
    middle = stages(plan, dt.date(2026, 12, 5), "extend_window")
    assert middle.current is not None and middle.current.number == 2
    assert middle.following is not None and middle.following.id == "graduate"
    assert middle.next_check == dt.date(2026, 12, 10)
    late = stages(plan, dt.date(2027, 6, 1), "extend_window")
    assert late.current is not None and late.current.id == "graduate"
    assert late.following is None and late.next_check is None
    assert not stages({"phases": []}, dt.date(2026, 12, 5), None).in_place
