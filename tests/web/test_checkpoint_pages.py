"""The checkpoint screen, the progress view and the print views over real HTTP: a decision is
confirmed or overridden with a reason, a stale page gets a friendly conflict, a referral keeps
its overlap, graduation closes the episode, a team note shows exactly what was typed (never as
markup), and patients, other clinics and forged forms are refused.

The episode is built through the use cases, as a clinic would build it: an intake, four weeks of
daily logs with a prolonged pain flare after a session, and sessions with relief windows.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from painpath.knowledge import default_knowledge
from painpath.services import care, intake, patients
from painpath.services.commands import DayInput, EpisodeInput, PatientInput, SessionInput
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.web._server import PASSWORD, Clinic_, seed, serve, settings_for

INTAKE = Path(__file__).resolve().parents[2] / "docs/examples/intake/02_sciatica_cannot_sit.json"
NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)
XSS = ['<script>alert("note")</script>', "<img src=x onerror=alert(1)>"]

# Four weeks of pain (0–10), one per day from the episode's start: a baseline week at 5, relief
# after the sessions of days 7 and 14, a flare at 7 from day 19 (after the day-18 session) that
# is still up on day 22 (beyond 72 h) and settles on day 23, then back to 5.
PAIN = [5, 5, 6, 5, 5, 4, 5, 5, 3, 3, 5, 5, 5, 5, 5, 3, 5, 5, 5, 7, 7, 7, 7, 6, 5, 5, 5, 5]
# day → (treatments, relief reported by the patient)
SESSIONS = {
    7: (["dry_needling", "manual_therapy"], None),
    14: (["dry_needling", "manual_therapy"], 1),
    18: (["dry_needling", "manual_therapy"], None),
    25: (["graded_exercise", "manual_therapy"], None),
}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone().date()


def clinician_of(clinic: Clinic_, short: str = "doc") -> Principal:
    user = clinic.users[short]
    return Principal(
        user_id=user.id, username=user.username, role=user.role, clinic_id=user.clinic_id
    )


def build_flare_episode(
    settings: Settings,
    clinic: Clinic_,
    patient_id: str | None = None,
    *,
    name: str = "Sam Rivera",
    on: dt.date | None = None,
) -> str:
    """An episode of four weeks ending ``on`` (today) with the intake of example 02 (three
    goals), a daily log for every day, four sessions — relief windows after the first two, a
    prolonged pain flare after the third — and so a proposal to adjust. Without ``patient_id``
    a new patient called ``name`` is created. Returns the episode's id."""
    day0 = (on or today()) - dt.timedelta(days=len(PAIN) - 1)
    doc = clinician_of(clinic)
    kb = default_knowledge()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory, doc, client="test")

    if patient_id is None:
        patient_id = patients.create_patient(
            uow(), PatientInput(name=name, birth_date=dt.date(1981, 5, 14), mrn="MRN-2041")
        ).id
    end = day0 + dt.timedelta(days=len(PAIN) - 1)
    episode = patients.open_episode(
        uow(),
        patient_id,
        EpisodeInput(title="Low back and left leg pain", start_date=day0),
    )
    intake.submit_intake(
        uow(),
        episode.id,
        json.loads(INTAKE.read_text()),
        today=end,
        knowledge=kb,
    )
    for i, pain in enumerate(PAIN):
        day = day0 + dt.timedelta(days=i)
        flaring = pain >= 7
        care.log_day(
            uow(),
            episode.patient_id,
            day,
            DayInput(
                pain=pain,
                steps=3800 if flaring else 5200 + 60 * i,
                sitting_min=10 if flaring else 15 + i // 3,
                sleep_h=5.0 if flaring else 6.5,
                goals={
                    "g1": 10 if flaring else 12 + i // 4,
                    "g2": 8 if flaring else 11 + i // 5,
                    "g3": 10 if flaring else 12 + i // 6,
                },
            ),
            today=end,
        )
    for i, (names, relief) in SESSIONS.items():
        care.record_session(
            uow(),
            episode.id,
            SessionInput.model_validate(
                {
                    "date": day0 + dt.timedelta(days=i),
                    "modalities": [{"name": n} for n in names],
                    "relief_window_days": relief,
                    "soreness_expected": True,
                }
            ),
            today=end,
            knowledge=kb,
        )
    engine.dispose()
    return episode.id


# --- the served clinic --------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    url: str
    settings: Settings
    clinics: dict[str, Clinic_]

    @contextmanager
    def signed_in(self, username: str = "doc.x") -> Iterator[httpx.Client]:
        """A browser-like client signed in through the sign-in form (session cookie only: forms
        carry the CSRF token themselves)."""
        with httpx.Client(base_url=self.url, timeout=60, limits=NO_KEEPALIVE) as client:
            r = client.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code == 303, r.text
            yield client

    @contextmanager
    def api_session(self, username: str) -> Iterator[tuple[httpx.Client, str]]:
        """A client signed in through the JSON sign-in, and its session's CSRF token."""
        with httpx.Client(base_url=self.url, timeout=60, limits=NO_KEEPALIVE) as client:
            r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            yield client, r.json()["csrf_token"]

    def episode(self, name: str = "Sam Rivera", clinic: str = "x") -> str:
        return build_flare_episode(self.settings, self.clinics[clinic], name=name)


@pytest.fixture(scope="module")
def episode_a(site: Site) -> str:
    """Patient A of clinic X (who has an account) with the flare episode."""
    return build_flare_episode(site.settings, site.clinics["x"], site.clinics["x"].patients["a"].id)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("checkpoint-pages")
    settings = settings_for(f"sqlite:///{folder / 'painpath.db'}", folder)
    clinics = seed(settings)
    with serve(settings) as url:
        yield Site(url, settings, clinics)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def post_form(
    client: httpx.Client, episode: str, action: str, data: dict[str, str], *, csrf: bool = True
) -> httpx.Response:
    """Post one of the checkpoint screen's forms as the browser would, with the page's
    CSRF token and the episode version it showed."""
    page = client.get(f"/episodes/{episode}/checkpoint").text
    fields = dict(data)
    if csrf:
        fields["csrf_token"] = csrf_of(page)
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    if version and "expected_version" not in fields:
        fields["expected_version"] = version.group(1)
    return client.post(f"/episodes/{episode}{action}", data=fields)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert found, f"no error shown next to {field}"
    return html.unescape(found.group(1))


# --- the checkpoint screen ----------------------------------------------------------------------


def test_the_checkpoint_screen_shows_the_proposal_with_its_reasons_and_their_data(
    site: Site,
) -> None:
    episode = site.episode("Ada Proposal")
    with site.signed_in() as doc:
        page = doc.get(f"/episodes/{episode}/checkpoint")
    assert page.status_code == 200
    text = page.text
    assert 'data-proposal="adjust"' in text
    assert "checkpoint.prolonged_flare" in text  # the rule that decided
    assert "has not settled within 72 h" in text  # its words
    assert "Flare of pain" in text and "Prolonged: reassess" in text  # the signal behind it
    assert "<dt>baseline</dt><dd>5</dd>" in text  # and the data behind that
    assert 'name="expected_version" value="1"' in text
    for label in ("Decision", "Reason", "Refer to", "Overlap period (days)", "Team note"):
        assert f">{label}<" in text or f">{label} <" in text


def test_confirming_the_proposal_stores_it_as_the_days_decision(site: Site) -> None:
    episode = site.episode("Ben Confirm")
    with site.signed_in() as doc:
        r = post_form(doc, episode, "/checkpoint/decide", {"form": "confirm", "decision": "adjust"})
        assert r.status_code == 303
        assert r.headers["location"] == f"/episodes/{episode}/checkpoint?done=decided"
        stored = doc.get(f"/api/v1/episodes/{episode}/checkpoints").json()["items"]
        page = doc.get(r.headers["location"]).text
    assert [(c["decision"], c["proposed"], c["reason"]) for c in stored] == [
        ("adjust", "adjust", None)
    ]
    assert stored[0]["decided_by"] == site.clinics["x"].users["doc"].id
    assert "The decision is recorded." in page
    assert "Today’s decision is recorded" in page
    # Named as the history names them: display name and role, not the username.
    assert re.search(
        r"Today’s decision is recorded: <strong>Adjust</strong>\s*by doc \(you\), Physician", page
    )
    assert "Confirm proposal" not in page  # one decision per day: the forms are gone


def test_an_override_without_a_reason_is_refused_next_to_the_field_keeping_the_choice(
    site: Site,
) -> None:
    episode = site.episode("Cas Override")
    with site.signed_in() as doc:
        r = post_form(
            doc,
            episode,
            "/checkpoint/decide",
            {"form": "override", "decision": "continue", "reason": "", "review_by": ""},
        )
        stored = doc.get(f"/api/v1/episodes/{episode}/checkpoints").json()["total"]
    assert r.status_code == 422
    assert field_error(r.text, "reason") == "Painpath proposed adjust; an override needs a reason"
    assert 'id="error-summary"' in r.text and 'href="#f-reason">Reason</a>' in r.text
    assert '<option value="continue" selected>' in r.text  # the choice is kept
    assert stored == 0


def test_an_override_with_a_reason_is_kept_as_an_override(site: Site) -> None:
    episode = site.episode("Dee Override")
    reason = "Flare followed a long drive, not the session; load is fine"
    with site.signed_in() as doc:
        r = post_form(
            doc,
            episode,
            "/checkpoint/decide",
            {"form": "override", "decision": "continue", "reason": reason},
        )
        assert r.status_code == 303
        page = doc.get(f"/episodes/{episode}/checkpoint").text
        stored = doc.get(f"/api/v1/episodes/{episode}/checkpoints").json()["items"]
    assert [(c["decision"], c["proposed"], c["reason"]) for c in stored] == [
        ("continue", "adjust", reason)
    ]
    assert "Override" in page and reason in page


def test_a_transition_needs_the_phase_it_moves_to(site: Site) -> None:
    episode = site.episode("Eve Transition")
    with site.signed_in() as doc:
        r = post_form(
            doc,
            episode,
            "/checkpoint/decide",
            {"form": "override", "decision": "transition", "to": "", "reason": "responds"},
        )
    assert r.status_code == 422
    assert field_error(r.text, "to") == "choose the phase a transition moves to"
    assert "responds</textarea>" in r.text


def test_a_decision_on_a_stale_page_gets_a_friendly_conflict_and_nothing_is_stored(
    site: Site,
) -> None:
    episode = site.episode("Fay Stale")
    with site.signed_in() as doc, site.signed_in("pt.x") as pt:
        stale = doc.get(f"/episodes/{episode}/checkpoint").text  # version 1 on the screen
        first = post_form(
            pt, episode, "/checkpoint/decide", {"form": "confirm", "decision": "adjust"}
        )
        assert first.status_code == 303
        r = doc.post(
            f"/episodes/{episode}/checkpoint/decide",
            data={
                "csrf_token": csrf_of(stale),
                "form": "override",
                "decision": "continue",
                "reason": "my reason, typed on the old page",
                "expected_version": "1",
            },
        )
        stored = doc.get(f"/api/v1/episodes/{episode}/checkpoints").json()["items"]
    assert r.status_code == 409
    assert "Someone recorded a decision on this episode while you had this page open" in r.text
    assert "my reason, typed on the old page" in r.text  # shown to copy: nothing typed is lost
    assert [c["decision"] for c in stored] == ["adjust"]


def test_a_referral_keeps_its_overlap_and_its_letter_prints(site: Site) -> None:
    episode = site.episode("Gus Referral")
    with site.signed_in() as doc:
        r = post_form(
            doc,
            episode,
            "/checkpoint/refer",
            {
                "refer_to": "Spinal surgery clinic, Dr Lee",
                "refer_reason": "Leg pain persists with nerve signs: a surgical opinion",
                "refer_overlap_days": "21",
            },
        )
        assert r.status_code == 303
        referrals = doc.get(f"/api/v1/episodes/{episode}/referrals").json()["items"]
        decisions = doc.get(f"/api/v1/episodes/{episode}/checkpoints").json()["items"]
        page = doc.get(f"/episodes/{episode}/checkpoint").text
        latest = doc.get(f"/episodes/{episode}/print/referral")
        letter = doc.get(latest.headers["location"])
    assert [(x["to_service"], x["overlap_days"]) for x in referrals] == [
        ("Spinal surgery clinic, Dr Lee", 21)
    ]
    assert [(c["decision"], c["overlap_days"]) for c in decisions] == [("refer", 21)]
    assert "21 days, to" in page
    assert latest.status_code == 303
    assert latest.headers["location"] == f"/episodes/{episode}/print/referral/{referrals[0]['id']}"
    assert letter.status_code == 200
    assert "Spinal surgery clinic, Dr Lee" in letter.text
    assert "<strong>21 days</strong>" in letter.text
    assert "Leg pain persists with nerve signs" in letter.text
    assert "data-print" in letter.text
    assert "doc<br>Physician" in letter.text  # signed with the display name, not the username


def test_a_referral_needs_whom_and_why_and_an_overlap_in_range(site: Site) -> None:
    episode = site.episode("Hal Referral")
    with site.signed_in() as doc:
        r = post_form(
            doc,
            episode,
            "/checkpoint/refer",
            {"refer_to": "", "refer_reason": "", "refer_overlap_days": "400"},
        )
    assert r.status_code == 422
    assert field_error(r.text, "refer_to") == "Who to refer to is required"
    assert field_error(r.text, "refer_reason") == "The question is required"
    assert field_error(r.text, "refer_overlap_days") == "must be a whole number from 0 to 180"
    assert 'value="400"' in r.text


def test_graduating_closes_the_episode(site: Site) -> None:
    episode = site.episode("Ivy Graduate")
    with site.signed_in() as doc:
        page = doc.get(f"/episodes/{episode}/checkpoint").text
        assert 'data-confirm="Graduate Ivy Graduate? This closes the episode."' in page
        r = post_form(
            doc,
            episode,
            "/checkpoint/graduate",
            {"graduate_reason": "Goals within reach; home programme and flare plan agreed"},
        )
        assert r.status_code == 303
        stored = doc.get(f"/api/v1/episodes/{episode}").json()
        after = doc.get(r.headers["location"]).text
        session = doc.post(
            f"/episodes/{episode}/sessions",
            data={
                "csrf_token": csrf_of(after),
                "date": today().isoformat(),
                "modalities": "massage",
            },
        )
    assert (stored["status"], stored["ended_on"]) == ("graduated", today().isoformat())
    assert "The patient has graduated: the episode is closed." in after
    assert "Graduate patient" not in after
    assert session.status_code == 422  # no more sessions in a closed episode


def test_a_team_note_shows_a_stored_script_as_text(site: Site) -> None:
    episode = site.episode("Jo Notes")
    with site.signed_in("pt.x") as pt:
        r = post_form(pt, episode, "/notes", {"hypothesis": "irritability", "body": "Sits 20 min"})
        assert r.status_code == 303
    with site.signed_in() as doc:
        for payload in XSS:
            r = post_form(
                doc, episode, "/notes", {"hypothesis": "mechanism.neuropathic", "body": payload}
            )
            assert r.status_code == 303
        page = doc.get(f"/episodes/{episode}/checkpoint").text
    assert "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "Mechanism: Neuropathic (likely)" in page  # the part of the hypothesis it is about
    # Authors by their display name and role (tests/web/_server.py names them "doc", "pt").
    assert "doc (you), Physician" in page
    assert "pt, Physical therapist" in page  # a colleague's note names its author


def test_a_note_needs_a_part_of_the_hypothesis_and_words(site: Site) -> None:
    episode = site.episode("Kit Notes")
    with site.signed_in() as doc:
        r = post_form(doc, episode, "/notes", {"hypothesis": "mechanism.made_up", "body": " "})
    assert r.status_code == 422
    assert field_error(r.text, "hypothesis").startswith("must be one of: hypothesis,")
    assert field_error(r.text, "body") == "The note is required"


def test_the_clinic_lead_reads_the_checkpoint_but_decides_nothing(site: Site) -> None:
    episode = site.episode("Lou Lead")
    with site.signed_in("admin.x") as lead:
        page = lead.get(f"/episodes/{episode}/checkpoint")
        r = post_form(
            lead, episode, "/checkpoint/decide", {"form": "confirm", "decision": "adjust"}
        )
    assert page.status_code == 200
    assert "recorded by clinicians" in page.text and "Confirm proposal" not in page.text
    assert r.status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/checkpoint", "/progress", "/print/report", "/print/referral"],
)
def test_a_patient_cannot_open_the_staff_screens_of_their_own_episode(
    site: Site, episode_a: str, path: str
) -> None:
    episode = episode_a
    with site.signed_in("patient-a.x") as patient:
        r = patient.get(f"/episodes/{episode}{path}")
    assert r.status_code == 403
    assert "Not allowed" in r.text and "text/html" in r.headers["content-type"]


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/checkpoint/decide", {"form": "confirm", "decision": "adjust", "expected_version": "1"}),
        ("/notes", {"hypothesis": "hypothesis", "body": "hello"}),
        ("/sessions", {"date": "2026-01-01", "modalities": "massage"}),
    ],
)
def test_a_patient_cannot_post_the_staff_forms(
    site: Site, episode_a: str, path: str, form: dict[str, str]
) -> None:
    episode = episode_a
    with site.api_session("patient-a.x") as (patient, token):
        r = patient.post(f"/episodes/{episode}{path}", data={**form, "csrf_token": token})
    assert r.status_code == 403
    assert "this needs" in r.text  # refused for the role (the CSRF token was right)


@pytest.mark.parametrize(
    "path",
    ["/checkpoint", "/progress", "/print/report", "/print/referral", "/notes"],
)
def test_another_clinics_episode_is_not_found(site: Site, episode_a: str, path: str) -> None:
    episode = episode_a
    with site.signed_in("doc.y") as other:
        r = other.get(f"/episodes/{episode}{path}")
    assert r.status_code == 404
    assert "Not found" in r.text


def test_another_clinic_cannot_decide_on_the_episode(site: Site, episode_a: str) -> None:
    episode = episode_a
    with site.api_session("doc.y") as (other, token):
        r = other.post(
            f"/episodes/{episode}/checkpoint/decide",
            data={
                "csrf_token": token,
                "form": "confirm",
                "decision": "adjust",
                "expected_version": "1",
            },
        )
    assert r.status_code == 404


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    episode = site.episode("May Forged")
    with site.signed_in() as doc:
        r = post_form(
            doc,
            episode,
            "/checkpoint/decide",
            {"form": "confirm", "decision": "adjust"},
            csrf=False,
        )
        note = post_form(
            doc, episode, "/notes", {"hypothesis": "hypothesis", "body": "x"}, csrf=False
        )
        stored = doc.get(f"/api/v1/episodes/{episode}/checkpoints").json()["total"]
    assert (r.status_code, note.status_code) == (403, 403)
    assert "CSRF" in r.text
    assert stored == 0


def test_a_path_that_is_not_a_record_id_is_not_found(site: Site, episode_a: str) -> None:
    with site.signed_in() as doc:
        r = doc.get("/episodes/not-an-id/checkpoint")
        letter = doc.get(f"/episodes/{episode_a}/print/referral/{'0' * 32}")
    assert r.status_code == 404 and letter.status_code == 404


def test_the_notes_address_leads_to_the_notes_panel(site: Site, episode_a: str) -> None:
    episode = episode_a
    with site.signed_in() as doc:
        r = doc.get(f"/episodes/{episode}/notes")
    assert r.status_code == 303
    assert r.headers["location"] == f"/episodes/{episode}/checkpoint#team-notes"


def test_an_episode_before_its_intake_has_its_screens_but_no_proposal(site: Site) -> None:
    clinic = site.clinics["x"]
    engine = make_engine(site.settings.database_url)
    uow = SqlUnitOfWork(make_session_factory(engine), clinician_of(clinic), client="test")
    episode = patients.open_episode(
        uow,
        clinic.patients["b"].id,
        EpisodeInput(title="Neck ache", start_date=today() - dt.timedelta(days=3)),
    ).id
    engine.dispose()
    with site.signed_in("admin.x") as lead:
        pages = {p: lead.get(f"/episodes/{episode}{p}") for p in ("/checkpoint", "/progress")}
        report = lead.get(f"/episodes/{episode}/print/report")
    assert {p: r.status_code for p, r in pages.items()} == {"/checkpoint": 200, "/progress": 200}
    assert "No proposal yet" in pages["/checkpoint"].text
    assert pages["/progress"].text.count("<canvas") == 4  # pain, steps, sitting, sleep
    assert report.status_code == 200 and "No goals yet" in report.text


# --- the progress view and sessions ---------------------------------------------------------------


def test_the_progress_view_draws_a_chart_per_goal_and_for_pain_steps_sitting_and_sleep(
    site: Site,
    episode_a: str,
) -> None:
    episode = episode_a
    with site.signed_in() as doc:
        r = doc.get(f"/episodes/{episode}/progress")
    assert r.status_code == 200
    page = r.text
    keys = re.findall(r'<canvas id="chart-([a-z0-9-]+)" data-chart=', page)
    assert keys == ["goal-g1", "goal-g2", "goal-g3", "pain", "steps", "sitting", "sleep"]
    data = json.loads(
        re.search(
            r'<script type="application/json" id="progress-data">(.*?)</script>', page, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    pain = next(c for c in data["charts"] if c["key"] == "pain")
    assert pain["values"] == PAIN
    assert [b["status"] for b in pain["boxes"] if b["kind"] == "flare"] == ["prolonged"]
    assert [b["label"] for b in pain["boxes"] if b["kind"] == "relief"][:2] == [
        "Relief 2 d",
        "Relief 1 d",
    ]
    assert [ln["kind"] for ln in pain["lines"]] == ["baseline"]
    goal = next(c for c in data["charts"] if c["key"] == "goal-g1")
    assert [(ln["kind"], ln["y"]) for ln in goal["lines"]] == [("baseline", 10), ("target", 30)]
    assert [(s["x"], s["kind"]) for s in data["sessions"]] == [
        (7, "passive"),
        (14, "passive"),
        (18, "passive"),
        (25, "mixed"),
    ]
    assert page.count("<summary>Data table</summary>") == 7
    assert "Flare of pain from" in page  # a signal's evidence in words
    assert "<script>" not in page.replace('<script type="application/json"', "")


def test_a_session_is_recorded_from_the_form(site: Site) -> None:
    episode = site.episode("Ned Sessions")
    day = today() - dt.timedelta(days=1)
    with site.signed_in() as doc:
        token = csrf_of(doc.get(f"/episodes/{episode}/progress").text)
        r = doc.post(
            f"/episodes/{episode}/sessions",
            data={
                "csrf_token": token,
                "date": day.isoformat(),
                "modalities": ["graded_exercise", "pain_education"],
                "relief_window_days": "2",
                "soreness_expected": "no",
                "note": "walked the stairs no_kind",
            },
        )
        assert r.status_code == 303
        stored = doc.get(f"/api/v1/episodes/{episode}/sessions").json()["items"]
        page = doc.get(r.headers["location"]).text
    new = [s for s in stored if s["day"] == day.isoformat()]
    assert [(s["modalities"], s["relief_window_days"], s["soreness_expected"]) for s in new] == [
        ([{"name": "graded_exercise"}, {"name": "pain_education"}], 2, False)
    ]
    assert "is recorded" in page and "walked the stairs no_kind" in page


def test_a_refused_session_comes_back_with_what_was_typed(site: Site) -> None:
    episode = site.episode("Ola Sessions")
    with site.signed_in() as doc:
        token = csrf_of(doc.get(f"/episodes/{episode}/progress").text)
        empty = doc.post(
            f"/episodes/{episode}/sessions",
            data={"csrf_token": token, "date": today().isoformat(), "relief_window_days": "3"},
        )
        no_kind = doc.post(
            f"/episodes/{episode}/sessions",
            data={
                "csrf_token": token,
                "date": (today() - dt.timedelta(days=3)).isoformat(),
                "modalities": "massage",
                "other_name": "cupping",
            },
        )
    assert empty.status_code == 422
    assert field_error(empty.text, "modalities") == (
        "choose at least one treatment given in the session"
    )
    assert 'value="3"' in empty.text
    assert no_kind.status_code == 422
    assert field_error(no_kind.text, "other_kind") == "choose the kind of this treatment"
    assert 'value="massage" checked' in no_kind.text and 'value="cupping"' in no_kind.text


def test_a_second_session_on_the_same_day_is_refused(site: Site) -> None:
    episode = site.episode("Pat Sessions")
    with site.signed_in() as doc:
        token = csrf_of(doc.get(f"/episodes/{episode}/progress").text)
        r = doc.post(
            f"/episodes/{episode}/sessions",
            data={
                "csrf_token": token,
                "date": (today() - dt.timedelta(days=2)).isoformat(),  # the fourth session
                "modalities": "massage",
            },
        )
    assert r.status_code == 422
    assert field_error(r.text, "date").startswith("a session is already recorded on")


def test_the_printed_report_has_goals_sessions_signals_and_next_steps(
    site: Site, episode_a: str
) -> None:
    episode = episode_a
    with site.signed_in() as doc:
        r = doc.get(f"/episodes/{episode}/print/report")
    assert r.status_code == 200
    page = r.text
    assert "Progress report" in page and "print.css" in page and "data-print" in page
    assert re.search(r"Sit through a work meeting.*?<td class=\"num\">10</td>", page, re.S)
    assert "<strong>Sessions:</strong> 4" in page
    assert "took longer than 72 hours to settle" in page
    assert "Next steps" in page and "If a flare has not settled after 72 hours" in page
    # The next review is the date the patient list shows for this episode.
    with site.signed_in() as doc:
        listed = doc.get("/patients").text
    row = re.search(rf'data-episode="{episode}".*?</tr>', listed, re.S)
    assert row is not None
    shown = re.search(r"Next review: ([^.<]+)\.", page)
    assert shown is not None and shown.group(1).strip() in row.group(0)
