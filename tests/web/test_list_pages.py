"""The patient list, the new-patient form, the patient and episode addresses and the clinic
panel, over real HTTP against a served app and a real database (no browser).

`build_clinic` makes a clinic with realistic episodes (the engine's worked scenarios in
docs/scenarios, moved so that their "today" is today, on top of example intakes) through the
services; the browser tests use it too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from painpath.knowledge import KnowledgeBase, default_knowledge
from painpath.services import care, checkpoints, intake, patients
from painpath.services.commands import (
    DayInput,
    EpisodeInput,
    GraduateInput,
    PatientInput,
    SessionInput,
)
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import User
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.web._server import PASSWORD, Server, seed, serve, settings_for, today

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "docs" / "scenarios"
INTAKES = ROOT / "docs" / "examples" / "intake"


# --- building a clinic through the services --------------------------------------------------


def _principal(user: User) -> Principal:
    return Principal(
        user_id=user.id, username=user.username, role=user.role, clinic_id=user.clinic_id
    )


@dataclass
class Builder:
    """Patients and episodes made by one clinician through the use cases, as of ``today``."""

    settings: Settings
    clinician: User
    today: dt.date
    knowledge: KnowledgeBase = field(default_factory=default_knowledge)
    episodes: dict[str, str] = field(default_factory=dict)  # patient name → episode id
    patients: dict[str, str] = field(default_factory=dict)  # patient name → patient id

    def __post_init__(self) -> None:
        self._engine = make_engine(self.settings.database_url)
        self._factory = make_session_factory(self._engine)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory, _principal(self.clinician), client="test")

    def close(self) -> None:
        self._engine.dispose()

    def patient(self, name: str, *, title: str, start: dt.date) -> tuple[str, str]:
        p = patients.create_patient(self.uow(), PatientInput(name=name, sex="female"))
        e = patients.open_episode(self.uow(), p.id, EpisodeInput(title=title, start_date=start))
        self.patients[name], self.episodes[name] = p.id, e.id
        return p.id, e.id

    def episode(
        self,
        name: str,
        *,
        scenario: str | None = None,
        intake_file: str = "02_sciatica_cannot_sit.json",
        start_days_ago: int = 20,
        change_intake: Callable[[dict[str, Any]], None] | None = None,
    ) -> str:
        """A patient with an episode and a submitted intake; with ``scenario``, the scenario's
        goals replace the intake's and its days and sessions are logged, moved in time so
        that the scenario's "today" is today."""
        timeline: dict[str, Any] = {}
        shift = dt.timedelta(0)
        start = self.today - dt.timedelta(days=start_days_ago)
        if scenario:
            timeline = json.loads((SCENARIOS / scenario).read_text(encoding="utf-8"))
            shift = self.today - dt.date.fromisoformat(timeline["about"]["today"])
            start = dt.date.fromisoformat(timeline["start"]) + shift
        patient_id, episode_id = self.patient(name, title=f"Episode of {name}", start=start)
        data = json.loads((INTAKES / intake_file).read_text(encoding="utf-8"))
        keys: dict[str, str] = {}
        if timeline:
            data["goals"] = [
                {
                    "activity": g.get("label") or g["id"].replace("_", " "),
                    "metric": g["metric"],
                    "unit": g.get("unit") or "minutes",
                    "baseline": g["baseline"],
                    "target": g["target"],
                }
                for g in timeline["goals"]
            ]
            keys = {g["id"]: f"g{n}" for n, g in enumerate(timeline["goals"], start=1)}
        if change_intake:
            change_intake(data)
        intake.submit_intake(
            self.uow(), episode_id, data, today=self.today, knowledge=self.knowledge
        )
        for day in timeline.get("days", []):
            values = {
                k: day[k]
                for k in ("pain", "steps", "sitting_min", "sleep_h", "function", "event", "note")
                if day.get(k) is not None
            }
            values["goals"] = {keys[k]: v for k, v in (day.get("goals") or {}).items()}
            when = dt.date.fromisoformat(day["date"]) + shift
            if when > self.today:  # a scenario may go on after its "today"
                continue
            care.log_day(self.uow(), patient_id, when, DayInput(**values), today=self.today)
        for s in timeline.get("sessions", []):
            when = dt.date.fromisoformat(s["date"]) + shift
            if when > self.today:
                continue
            care.record_session(
                self.uow(),
                episode_id,
                SessionInput(
                    date=when,
                    modalities=s["modalities"],
                    relief_window_days=s.get("relief_window_days"),
                    soreness_expected=s.get("soreness_expected"),
                ),
                today=self.today,
                knowledge=self.knowledge,
            )
        return episode_id

    def graduate(self, name: str, reason: str = "Goals met and held") -> None:
        episode = patients.get_episode(self.uow(), self.episodes[name])
        checkpoints.graduate(
            self.uow(),
            episode.id,
            GraduateInput(date=self.today, reason=reason, expected_version=episode.version),
            today=self.today,
            knowledge=self.knowledge,
        )


def _opioid(mg_twice_daily: float) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["medications"] = [
            {
                "name": f"OxyContin {mg_twice_daily:g} mg twice daily",
                "rxnorm": "1049565",
                "dose_mg": mg_twice_daily,
                "doses_per_day": 2,
                "weeks": 70,
            }
        ]

    return change


# (patient name, scenario, intake, change to the intake): each shows one kind of badge.
CLINIC_X = (
    ("Alma Prolonged", "05_flare_still_up_at_96_hours.json", None, None),
    ("Bea Setback", "06_flare_settles_lower_setback.json", None, None),
    ("Cal Plateau", "13_plateau_in_active_rehab.json", None, None),
    ("Dora Continuing", "17_care_simply_continuing.json", None, None),
    ("Eli Sparse", "23_sparse_logging_data_gap.json", None, None),
    ("Fay Improving", "21_blend_past_halfway.json", None, _opioid(20)),
    ("Gus Nonresponder", "11_no_relief_window_by_session_four.json", None, _opioid(40)),
    ("Hana Graduated", "19_goals_met_and_held_graduate.json", None, None),
    ("Kit Ready", "09_relief_window_grows_to_a_week.json", None, None),
    ("Lou Settling", "03_flare_too_early_to_tell.json", None, None),
    ("Mo Nearly", "14_plateau_near_the_goals.json", None, None),
)


def build_clinic(server: Server) -> dict[str, Builder]:
    """Clinic X: the episodes of CLINIC_X (one graduated), a red-flag intake and a patient
    with no intake yet; clinic Y: one patient of its own. Returns the builders by clinic."""
    now = today()
    x = Builder(server.settings, server.clinics["x"].users["doc"], now)
    for name, scenario, intake_file, change in CLINIC_X:
        x.episode(
            name,
            scenario=scenario,
            intake_file=intake_file or "02_sciatica_cannot_sit.json",
            change_intake=change,
        )
    x.graduate("Hana Graduated")
    x.episode("Ivo Redflag", intake_file="08_cauda_equina.json", start_days_ago=1)
    x.patient("Jo Newcomer", title="Neck pain after a fall", start=now)
    y = Builder(server.settings, server.clinics["y"].users["doc"], now)
    y.episode("Yara Elsewhere", scenario="13_plateau_in_active_rehab.json")
    x.close()
    y.close()
    return {"x": x, "y": y}


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, Builder]]]:
    """One served app over SQLite with two clinics and realistic episodes in X (read-mostly:
    the tests that write make patients of their own)."""
    tmp = tmp_path_factory.mktemp("list-pages")
    settings = settings_for(f"sqlite:///{tmp / 'painpath.db'}", tmp)
    clinics = seed(settings)
    with serve(settings) as url:
        server = Server(url, settings, clinics)
        yield server, build_clinic(server)


@contextmanager
def browser_client(server: Server, username: str) -> Iterator[httpx.Client]:
    """Signed in through the sign-in form, as a browser is (a session cookie, no CSRF header)."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 303, r.text
        yield c


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def names_in_table(page: str) -> list[str]:
    """The patient names of the list's rows, in order ([] when there is no table)."""
    if 'class="patient-table"' not in page:
        return []
    body = page.split('class="patient-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row" class="patient-name"><a href="[^"]+">([^<]+)</a>', body)


def badge_ids_of_row(page: str, name: str) -> set[str]:
    row = next(r for r in page.split("<tr ") if f">{name}</a>" in r)
    return set(re.findall(r'data-badge="([a-z_0-9]+)"', row))


def main_of(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.fixture(scope="module")
def doc(clinic: tuple[Server, dict[str, Builder]]) -> Iterator[httpx.Client]:
    with browser_client(clinic[0], "doc.x") as c:
        yield c


@pytest.fixture(scope="module")
def lead(clinic: tuple[Server, dict[str, Builder]]) -> Iterator[httpx.Client]:
    with browser_client(clinic[0], "admin.x") as c:
        yield c


# --- the patient list ------------------------------------------------------------------------


def test_the_list_shows_the_clinics_patients_in_care_with_their_signals_as_badges(
    doc: httpx.Client,
) -> None:
    r = doc.get("/patients")
    assert r.status_code == 200
    page = r.text
    names = names_in_table(page)
    assert names == sorted(names, key=str.casefold)
    assert len(names) == 12
    assert "Hana Graduated" not in names  # graduated: not in care now
    expected = {
        "Alma Prolonged": {"flare_prolonged", "checkpoint_due"},
        "Bea Setback": {"setback"},
        "Cal Plateau": {"plateau"},
        "Dora Continuing": {"care_simply_continuing", "plateau"},
        "Eli Sparse": {"data_gap"},
        "Fay Improving": {"mme_50"},
        "Gus Nonresponder": {"mme_90", "non_responder"},
        "Ivo Redflag": {"red_flag", "plan_blocked"},
        "Jo Newcomer": {"intake_needed"},
        "Kit Ready": {"movement_entry_ready"},
        "Lou Settling": {"flare"},
        "Mo Nearly": {"goal_met"},
    }
    for name, badges in expected.items():
        assert badges <= badge_ids_of_row(page, name), name
    # Badges say it in words and carry their evidence as a title.
    assert re.search(r'title="[^"]{10,}" data-badge="flare_prolonged">Prolonged flare<', page)
    assert re.search(r'data-badge="mme_90">MME ≥ 90<', page)
    # Each row leads to its episode.
    assert re.search(r'<tr data-href="/episodes/[0-9a-f]{32}"', page)
    # Twelve in care; below the list the graduated patient and two seeded without an episode.
    assert re.search(r'id="patient-count">\s*15 patients', page)


def test_patients_of_another_clinic_never_appear(
    clinic: tuple[Server, dict[str, Builder]], doc: httpx.Client
) -> None:
    for address in ("/patients", "/patients?status=all", "/patients?q=Yara", "/panel"):
        page = doc.get(address).text
        assert "Yara Elsewhere" not in page, address
    other = clinic[1]["y"]
    assert doc.get(f"/patients/{other.patients['Yara Elsewhere']}").status_code == 404
    assert doc.get(f"/episodes/{other.episodes['Yara Elsewhere']}").status_code == 404
    with browser_client(clinic[0], "doc.y") as doc_y:
        page = doc_y.get("/patients").text
        assert names_in_table(page) == ["Yara Elsewhere"]
        assert "Alma Prolonged" not in page


@pytest.mark.parametrize("address", ["/patients", "/panel", "/patients/new"])
def test_a_patient_account_gets_the_not_allowed_page(
    clinic: tuple[Server, dict[str, Builder]], address: str
) -> None:
    with browser_client(clinic[0], "patient-a.x") as c:
        r = c.get(address)
    assert r.status_code == 403
    assert "text/html" in r.headers["content-type"]
    assert "Not allowed" in r.text
    assert "Alma Prolonged" not in r.text


def test_sorting_by_each_column_in_both_directions(doc: httpx.Client) -> None:
    by_name = names_in_table(doc.get("/patients?sort=name").text)
    assert by_name == sorted(by_name, key=str.casefold)
    assert names_in_table(doc.get("/patients?sort=name&dir=desc").text) == by_name[::-1]

    urgent = names_in_table(doc.get("/patients?sort=badges").text)  # most urgent first
    assert urgent[0] == "Ivo Redflag"  # an emergency red flag and a blocked plan
    assert urgent[1] == "Gus Nonresponder"  # MME ≥ 90, then two warnings
    assert urgent[-1] == "Jo Newcomer"  # only "intake needed"
    calm = names_in_table(doc.get("/patients?sort=badges&dir=asc").text)
    assert calm[0] == "Jo Newcomer" and calm[-1] == "Ivo Redflag"

    # Episodes without a phase (no plan yet) come last in either direction.
    phase_up = names_in_table(doc.get("/patients?sort=phase&dir=asc").text)
    phase_down = names_in_table(doc.get("/patients?sort=phase&dir=desc").text)
    assert phase_up[-2:] == phase_down[-2:] == ["Ivo Redflag", "Jo Newcomer"]

    soonest = names_in_table(doc.get("/patients?sort=next_checkpoint").text)
    assert soonest[0] == "Dora Continuing"  # the longest overdue
    assert soonest[-1] == "Jo Newcomer"  # no checkpoint until there is a plan
    latest = names_in_table(doc.get("/patients?sort=next_checkpoint&dir=desc").text)
    assert latest[0] == "Ivo Redflag" and latest[-1] == "Jo Newcomer"


def test_the_column_headers_link_to_their_sort_and_say_which_is_sorted(doc: httpx.Client) -> None:
    page = doc.get("/patients?sort=phase").text
    assert re.search(
        r'<th scope="col" aria-sort="ascending">\s*'
        r'<a class="sort" href="/patients\?sort=phase&amp;dir=desc" data-sort="phase">',
        page,
    )
    assert 'href="/patients?sort=next_checkpoint" data-sort="next_checkpoint"' in page
    assert 'href="/patients" data-sort="name"' in page  # the default sort has the plain address
    assert page.count("aria-sort=") == 1
    assert 'aria-sort="descending"' in doc.get("/patients?sort=badges").text


@pytest.mark.parametrize(
    "query",
    [
        "sort=age",
        "sort=name%27%3B--&dir=sideways",
        "dir=up",
        "status=deleted",
        "badge=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=" + "x" * 5000,
        "q=%00",
        "sort=&dir=&badge=&status=&q=",
        "sort=name&sort=phase",
    ],
)
def test_a_bad_sort_or_filter_value_falls_back_to_the_default_not_an_error(
    doc: httpx.Client, query: str
) -> None:
    r = doc.get(f"/patients?{query}")
    assert r.status_code == 200
    assert "<script>alert" not in r.text


def test_an_unknown_value_shows_the_default_list(doc: httpx.Client) -> None:
    default = names_in_table(doc.get("/patients").text)
    odd = doc.get("/patients?sort=age&dir=sideways&status=x&badge=y").text
    assert names_in_table(odd) == default
    assert 'aria-sort="ascending"' in odd and 'data-sort="name"' in odd


def test_filtering_by_badge_by_name_and_by_status(doc: httpx.Client) -> None:
    plateau = names_in_table(doc.get("/patients?badge=plateau").text)
    assert plateau == ["Cal Plateau", "Dora Continuing", "Gus Nonresponder", "Mo Nearly"]
    assert names_in_table(doc.get("/patients?badge=setback").text) == ["Bea Setback"]
    assert names_in_table(doc.get("/patients?q=ALMA").text) == ["Alma Prolonged"]
    assert names_in_table(doc.get("/patients?q=o&badge=mme_90").text) == ["Gus Nonresponder"]
    assert (
        names_in_table(doc.get("/patients?badge=plateau&sort=name&dir=desc").text)
        == (plateau[::-1])
    )
    everyone = names_in_table(doc.get("/patients?status=all").text)
    assert "Hana Graduated" in everyone
    assert "Hana Graduated" not in names_in_table(doc.get("/patients?status=open").text)


def test_an_empty_filter_says_so_in_words(
    clinic: tuple[Server, dict[str, Builder]], doc: httpx.Client
) -> None:
    page = doc.get("/patients?badge=data_error").text
    assert names_in_table(page) == []
    assert "No patient&#39;s data has an error." in page
    assert "No patient&#39;s name matches “Zebedee”." in doc.get("/patients?q=Zebedee").text
    with browser_client(clinic[0], "doc.y") as doc_y:
        assert "No patient has a setback." in doc_y.get("/patients?badge=setback").text


def test_the_count_says_how_many_patients_are_shown(doc: httpx.Client) -> None:
    page = doc.get("/patients?badge=plateau").text
    assert re.search(r"Showing 4 of 15 patients\s*with <strong>Plateau</strong>", page)


def test_the_filter_chips_count_each_badge_and_keep_the_other_filters(doc: httpx.Client) -> None:
    page = doc.get("/patients?sort=phase&q=a").text
    chip = re.search(
        r'<a class="chip" href="([^"]+)" data-badge="plateau">Plateau '
        r'<span class="chip-count">(\d+)</span>',
        page,
    )
    assert chip is not None
    assert chip.group(1) == "/patients?q=a&amp;badge=plateau&amp;sort=phase"
    assert chip.group(2) == "3"  # Cal, Dora and Mo have an "a" in their names; Gus has not


def test_patients_without_an_episode_in_care_are_named_below_the_list(
    clinic: tuple[Server, dict[str, Builder]], doc: httpx.Client
) -> None:
    page = doc.get("/patients").text
    section = page.split('id="not-in-care"', 1)[1]
    hana = clinic[1]["x"].patients["Hana Graduated"]
    assert f'href="/patients/{hana}">Hana Graduated</a>' in section
    assert "Patient A of X" in section  # seeded without any episode
    assert 'id="not-in-care"' not in doc.get("/patients?badge=plateau").text


# --- a patient's and an episode's addresses ---------------------------------------------------


def test_a_patient_in_care_goes_to_their_episode_which_goes_to_the_right_screen(
    clinic: tuple[Server, dict[str, Builder]], doc: httpx.Client
) -> None:
    x = clinic[1]["x"]
    r = doc.get(f"/patients/{x.patients['Alma Prolonged']}")
    assert r.status_code == 303
    assert r.headers["location"] == f"/episodes/{x.episodes['Alma Prolonged']}"
    r = doc.get(f"/episodes/{x.episodes['Alma Prolonged']}")
    assert (r.status_code, r.headers["location"]) == (
        303,
        f"/episodes/{x.episodes['Alma Prolonged']}/progress",
    )
    r = doc.get(f"/episodes/{x.episodes['Jo Newcomer']}")  # no plan yet
    assert (r.status_code, r.headers["location"]) == (
        303,
        f"/episodes/{x.episodes['Jo Newcomer']}/intake",
    )


def test_a_bad_or_unknown_id_is_the_not_found_page(doc: httpx.Client) -> None:
    for address in ("/patients/nope", "/episodes/" + "0" * 32, "/patients/" + "f" * 32):
        r = doc.get(address)
        assert r.status_code == 404, address
        assert "Not found" in r.text


def test_a_patient_without_an_open_episode_shows_their_episodes_and_opens_a_new_one(
    clinic: tuple[Server, dict[str, Builder]], doc: httpx.Client
) -> None:
    hana = clinic[1]["x"].patients["Hana Graduated"]
    r = doc.get(f"/patients/{hana}")
    assert r.status_code == 200
    assert "Episode of Hana Graduated" in r.text
    assert "Graduated" in r.text
    token = csrf_of(r.text)
    refused = doc.post(
        f"/patients/{hana}/episodes",
        data={"csrf_token": token, "title": "", "start_date": "2020-13-40"},
    )
    assert refused.status_code == 422
    assert "What brings them is required" in refused.text
    assert 'value="2020-13-40"' in refused.text
    assert (
        doc.post(
            f"/patients/{hana}/episodes", data={"title": "Knee pain", "start_date": "2026-01-01"}
        ).status_code
        == 403
    )  # no CSRF token
    made = doc.post(
        f"/patients/{hana}/episodes",
        data={"csrf_token": token, "title": "Knee pain", "start_date": today().isoformat()},
    )
    assert made.status_code == 303
    assert re.fullmatch(r"/episodes/[0-9a-f]{32}/intake", made.headers["location"])
    assert doc.get(f"/patients/{hana}").status_code == 303  # in care again


def test_the_clinic_lead_sees_the_list_and_a_patient_page_but_cannot_open_episodes(
    clinic: tuple[Server, dict[str, Builder]], lead: httpx.Client
) -> None:
    page = lead.get("/patients").text
    assert "Alma Prolonged" in page
    assert "New patient" not in main_of(page)
    pb = clinic[0].clinics["x"].patients["b"].id
    r = lead.get(f"/patients/{pb}")
    assert r.status_code == 200
    assert "Open a new episode" not in r.text
    refused = lead.post(
        f"/patients/{pb}/episodes",
        data={"csrf_token": csrf_of(r.text), "title": "x", "start_date": "2026-01-01"},
    )
    assert refused.status_code == 403
    assert lead.get("/patients/new").status_code == 403


# --- a new patient ---------------------------------------------------------------------------


def test_the_new_patient_form_refuses_a_post_without_the_csrf_token(doc: httpx.Client) -> None:
    data = {"name": "Nadia Nocsrf", "title": "Back pain", "start_date": today().isoformat()}
    r = doc.post("/patients/new", data=data)
    assert r.status_code == 403
    assert "Not allowed" in r.text
    r = doc.post("/patients/new", data={**data, "csrf_token": "not-the-token"})
    assert r.status_code == 403
    assert "Nadia" not in main_of(doc.get("/patients").text)


def test_bad_answers_show_the_form_again_with_messages_and_everything_typed(
    doc: httpx.Client,
) -> None:
    token = csrf_of(doc.get("/patients/new").text)
    typed = {
        "csrf_token": token,
        "name": "Olga <b>Typed</b>",
        "birth_date": "1980-02-30",
        "sex": "martian",
        "mrn": "MRN-77",
        "title": "",
        "start_date": today().isoformat(),
    }
    r = doc.post("/patients/new", data=typed)
    assert r.status_code == 422
    page = r.text
    assert 'id="error-summary"' in page
    assert 'value="Olga &lt;b&gt;Typed&lt;/b&gt;"' in page  # kept, and as text
    assert 'value="1980-02-30"' in page and 'value="MRN-77"' in page
    assert f'value="{today().isoformat()}"' in page
    assert re.search(r'id="birth_date-error">must be a date', page)
    assert re.search(r'id="sex-error">must be one of', page)
    assert re.search(r'id="title-error">What brings them is required', page)
    assert "Olga" not in main_of(doc.get("/patients").text)  # nothing was stored


def test_a_start_of_care_before_birth_is_refused(doc: httpx.Client) -> None:
    token = csrf_of(doc.get("/patients/new").text)
    r = doc.post(
        "/patients/new",
        data={
            "csrf_token": token,
            "name": "Pia Early",
            "birth_date": "2001-05-01",
            "title": "Wrist pain",
            "start_date": "2000-01-01",
        },
    )
    assert r.status_code == 422
    assert re.search(r'id="start_date-error">must not be before the date of birth', r.text)


def test_a_new_patient_and_their_first_episode_lead_to_the_intake(
    clinic: tuple[Server, dict[str, Builder]], doc: httpx.Client
) -> None:
    token = csrf_of(doc.get("/patients/new").text)
    r = doc.post(
        "/patients/new",
        data={
            "csrf_token": token,
            "name": "Quinn Created",
            "birth_date": "1975-06-01",
            "sex": "male",
            "mrn": "Q-1",
            "title": "Low back pain",
            "start_date": today().isoformat(),
        },
    )
    assert r.status_code == 303
    found = re.fullmatch(r"/episodes/([0-9a-f]{32})/intake", r.headers["location"])
    assert found
    with closing(clinic[0].client("doc.x")) as api:
        episode = api.get(f"/api/v1/episodes/{found.group(1)}").json()
        assert episode["title"] == "Low back pain" and episode["status"] == "open"
        patient = api.get(f"/api/v1/patients/{episode['patient_id']}").json()
    assert (patient["name"], patient["sex"], patient["mrn"]) == ("Quinn Created", "male", "Q-1")
    page = doc.get("/patients?q=Quinn").text
    assert names_in_table(page) == ["Quinn Created"]
    assert "intake_needed" in badge_ids_of_row(page, "Quinn Created")


# --- the clinic panel ------------------------------------------------------------------------


def _details(page: str, signal: str) -> str:
    return page.split(f'id="signal-{signal}"', 1)[1].split("</details>", 1)[0]


def test_the_panel_counts_each_signal_and_lists_who(lead: httpx.Client) -> None:
    r = lead.get("/panel")
    assert r.status_code == 200
    page = r.text
    plateau = _details(page, "plateau")
    assert re.search(
        r'<span class="signal-count">4</span> <span class="signal-label">Plateau<', plateau
    )
    for name in ("Cal Plateau", "Dora Continuing", "Gus Nonresponder", "Mo Nearly"):
        assert f">{name}</a>" in plateau
    assert ">Bea Setback</a>" in _details(page, "setback")
    assert re.search(r'<span class="signal-count">10</span>', _details(page, "checkpoint_due"))
    # Nobody has a data error: named among the signals with no one today.
    assert 'id="signal-data_error"' not in page
    assert re.search(r"None today: [^<]*Data error", page)


def test_the_panel_opens_the_signal_named_in_the_address(lead: httpx.Client) -> None:
    page = lead.get("/panel?signal=plateau").text
    assert re.search(r'id="signal-plateau" data-signal="plateau" open>', page)
    assert not re.search(r'id="signal-setback" data-signal="setback" open>', page)
    assert lead.get("/panel?signal=%3Cb%3E").status_code == 200


def test_the_panel_shows_graduation_meaningful_change_and_opioids(lead: httpx.Client) -> None:
    page = lead.get("/panel").text
    grad = page.split('id="stat-graduation"', 1)[1].split("</div>", 1)[0]
    assert "100 %" in grad and "1 of 1 ended episode ended in graduation" in grad
    median = page.split('id="stat-median"', 1)[1].split("</div>", 1)[0]
    assert re.search(r'class="stat">\d+ <span class="stat-unit">days', median)
    meaningful = page.split('id="stat-meaningful"', 1)[1].split("</div>", 1)[0]
    assert "(n = 10)" in meaningful and "8 of 10 episodes" in meaningful
    # Oxycodone 2 × 20 mg and 2 × 40 mg a day, 1.5 MME per mg: 60 + 120.
    assert re.search(r'id="mme-intake-total">180<', page)
    assert re.search(r'id="mme-now-total">180<', page)
    table = page.split('id="mme-table"', 1)[1].split("</table>", 1)[0]
    assert table.index(">Gus Nonresponder</a>") < table.index(">Fay Improving</a>")
    assert page.count("How it is counted") == 6
    csc = page.split('id="care-simply-continuing"', 1)[1]
    assert "Care simply continuing (1)" in csc and ">Dora Continuing</a>" in csc
