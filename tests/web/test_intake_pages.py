"""The intake wizard, the assessment and the plan pages over real HTTP (no browser): drafts,
validation that keeps what was typed, live questionnaire scores, refusals, red flags first, and
plan revisions with their reasons, diffs and conflicts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from painpath.knowledge import default_knowledge
from painpath.services import intake, patients
from painpath.services.commands import EpisodeInput, PatientInput
from painpath.services.errors import NotFound
from painpath.services.principal import Principal
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.unit_of_work import SqlUnitOfWork
from painpath.web.ui.intake_form import STEPS, field_values, merge, read_step
from tests.web._server import Server, seed, serve, settings_for, today

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "intake"


class Clinic(Server):
    """The served app and a way to call use cases on its database directly."""

    factory: Any = None

    @contextmanager
    def signed_in(self, username: str) -> Iterator[httpx.Client]:
        client = self.client(username)
        try:
            yield client
        finally:
            client.close()


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    """One served clinic for the module; every test opens its own episode."""
    tmp_path = tmp_path_factory.mktemp("intake-pages")
    settings = settings_for(f"sqlite:///{tmp_path / 'painpath.db'}", tmp_path)
    clinics = seed(settings)
    engine = make_engine(settings.database_url)
    try:
        with serve(settings) as url:
            server = Clinic(url, settings, clinics)
            server.factory = make_session_factory(engine)
            yield server
    finally:
        engine.dispose()


def _doctor(server: Clinic, clinic: str = "x") -> Principal:
    doc = server.clinics[clinic].users["doc"]
    return Principal(user_id=doc.id, username=doc.username, role=doc.role, clinic_id=doc.clinic_id)


def _uow(server: Clinic, principal: Principal) -> SqlUnitOfWork:
    return SqlUnitOfWork(server.factory, principal, client="test")


def open_episode(server: Clinic, clinic: str = "x") -> str:
    """A new patient of the clinic with an episode just opened by its physician."""
    doctor = _doctor(server, clinic)
    patient = patients.create_patient(_uow(server, doctor), PatientInput(name="Sam Example"))
    episode = patients.open_episode(
        _uow(server, doctor),
        patient.id,
        EpisodeInput(title="Low back and leg pain", start_date=today()),
    )
    return episode.id


def submit_example(server: Clinic, episode_id: str, name: str) -> None:
    """Submit one of docs/examples/intake through the use case (as the clinic's physician)."""
    data = json.loads((EXAMPLES / name).read_text())
    intake.submit_intake(
        _uow(server, _doctor(server)),
        episode_id,
        data,
        today=today(),
        knowledge=default_knowledge(),
    )


def draft_of(server: Clinic, episode_id: str) -> dict[str, Any] | None:
    record = intake.get_intake_draft(_uow(server, _doctor(server)), episode_id)
    return None if record is None else dict(record.data)


def value_of(page: str, name: str) -> str | None:
    """The value an input named ``name`` shows on the page."""
    m = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*value="([^"]*)"', page)
    return None if m is None else m.group(1)


def checked(page: str, name: str, value: str) -> bool:
    pattern = r'<input[^>]*name="' + re.escape(name) + r'" value="' + re.escape(value) + '"[^>]*>'
    m = re.search(pattern, page)
    return m is not None and " checked" in m.group(0)


def selected(page: str, name: str) -> str | None:
    m = re.search(r'<select[^>]*name="' + re.escape(name) + r'".*?</select>', page, re.S)
    if m is None:
        return None
    chosen = re.search(r'<option value="([^"]*)" selected', m.group(0))
    return None if chosen is None else chosen.group(1)


HISTORY = {
    "step": "history",
    "age": "44",
    "sex": "male",
    "duration_weeks": "14",
    "regions": ["low_back", "buttock", "thigh"],
    "distribution": "regional",
    "aggravating": ["sitting", "flexion"],
    "easing.none": "on",
    "flares_after_minor_stressors": "no",
}


# --- the form and the intake ----------------------------------------------------------------


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_intake_survives_the_wizards_forms_unchanged(example: str) -> None:
    """What each step's form shows for an intake, posted back, is the same intake: the wizard
    can hold every field of the examples, and never turns "not recorded" into "none found"."""
    from starlette.datastructures import FormData

    kb = default_knowledge()
    data = json.loads((EXAMPLES / example).read_text())
    shown = field_values(data)
    form = FormData([(k, x) for k, v in shown.items() for x in (v if isinstance(v, list) else [v])])
    rebuilt: dict[str, Any] = {k: v for k, v in data.items() if k == "patient_ref"}
    for step in STEPS:
        if step.id != "review":
            rebuilt = merge(rebuilt, step.id, read_step(step.id, form, kb), kb)

    def plain(value: Any) -> Any:  # 14.0 == 14; null and prn false are the defaults
        if isinstance(value, dict):
            return {
                k: plain(v)
                for k, v in value.items()
                if v is not None and not (k == "prn" and v is False)
            }
        if isinstance(value, list):
            return [plain(v) for v in value]
        return int(value) if isinstance(value, float) and value.is_integer() else value

    for report in data.get("imaging") or []:
        report.setdefault("findings", [])  # a study without findings is recorded as such
    assert plain(rebuilt) == plain(data)


# --- drafts ---------------------------------------------------------------------------------


def test_a_saved_draft_comes_back_on_the_next_request(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        saved = doc.post(f"/episodes/{episode}/intake", data={**HISTORY, "action": "save"})
        assert saved.status_code == 303
        assert saved.headers["location"].endswith("?step=history&saved=1&check=1")
    assert draft_of(clinic, episode) == {
        "age": 44,
        "sex": "male",
        "duration_weeks": 14,
        "regions": ["low_back", "buttock", "thigh"],
        "distribution": "regional",
        "aggravating": ["sitting", "flexion"],
        "easing": [],
        "flares_after_minor_stressors": False,
    }
    # Another clinician of the clinic, in a new session, finds it as it was typed.
    with clinic.signed_in("pt.x") as pt:
        page = pt.get(f"/episodes/{episode}/intake?step=history").text
    assert value_of(page, "age") == "44"
    assert selected(page, "sex") == "male"
    assert checked(page, "regions", "thigh") and not checked(page, "regions", "knee")
    assert 'name="easing.none" data-none checked' in page  # "nothing eases it", not unknown
    assert selected(page, "flares_after_minor_stressors") == "no"


def test_a_saved_draft_opens_at_the_review_with_what_is_still_missing(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        doc.post(
            f"/episodes/{episode}/intake",
            data={"step": "history", "action": "save", "age": "44", "sex": "male"},
        )
        page = doc.get(f"/episodes/{episode}/intake").text
    assert "Review and submit" in page
    assert "Duration of pain (weeks)</a>: is required" in page
    assert "?step=history&amp;check=1#f-duration_weeks" in page


def test_a_step_with_problems_is_shown_again_with_what_was_typed(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    typed = {**HISTORY, "age": "forty-four", "duration_weeks": "", "action": "next"}
    with clinic.signed_in("doc.x") as doc:
        r = doc.post(f"/episodes/{episode}/intake", data=typed)
    assert r.status_code == 422
    page = r.text
    assert value_of(page, "age") == "forty-four"
    assert "&#34;forty-four&#34; is not a whole number" in page
    assert "Duration of pain (weeks)</a>: is required" in page
    assert 'aria-invalid="true" aria-describedby="f-age-error"' in page
    assert checked(page, "regions", "buttock")
    assert "Saved as a draft" in page
    # Nothing typed was lost: the draft holds the text as typed.
    assert draft_of(clinic, episode)["age"] == "forty-four"  # type: ignore[index]


def test_next_goes_on_when_the_step_is_complete_and_back_returns(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        r = doc.post(f"/episodes/{episode}/intake", data={**HISTORY, "action": "next"})
        assert r.status_code == 303 and r.headers["location"].endswith("?step=irritability")
        r = doc.post(
            f"/episodes/{episode}/intake",
            data={
                "step": "irritability",
                "draft_version": "1",
                "irritability.provoked_by": "minimal",
                "irritability.peak_severity": "8",
                "irritability.settle_hours": "3",
                "action": "back",
            },
        )
        assert r.status_code == 303 and r.headers["location"].endswith("?step=history")
    assert draft_of(clinic, episode)["irritability"] == {  # type: ignore[index]
        "provoked_by": "minimal",
        "peak_severity": 8,
        "settle_hours": 3,
    }


def test_two_clinicians_saving_the_same_draft_version_the_second_is_told(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc, clinic.signed_in("pt.x") as pt:
        first = doc.post(
            f"/episodes/{episode}/intake", data={**HISTORY, "draft_version": "0", "action": "save"}
        )
        assert first.status_code == 303
        second = pt.post(
            f"/episodes/{episode}/intake",
            data={**HISTORY, "age": "45", "draft_version": "0", "action": "save"},
        )
    assert second.status_code == 409
    assert "Someone changed this first" in second.text
    assert value_of(second.text, "age") == "45"  # what the second clinician typed is shown
    assert draft_of(clinic, episode)["age"] == 44  # type: ignore[index]


# --- live scoring ---------------------------------------------------------------------------


def _score(doc: httpx.Client, episode: str, instrument: str, answers: dict[str, str]) -> str:
    r = doc.post(
        f"/episodes/{episode}/intake/score",
        data={"instrument": instrument}
        | {f"questionnaires.{instrument}.{k}": v for k, v in answers.items()},
    )
    assert r.status_code == 200, r.text
    return r.text


def test_the_phq9_is_scored_live_with_its_band_and_the_item_9_safety_flag(
    clinic: Clinic,
) -> None:
    episode = open_episode(clinic)
    # PHQ-9 (docs/instruments.md): the sum of nine items 0-3; 10-14 is "Moderate"; any answer
    # above 0 on item 9 raises the self-harm safety flag whatever the total.
    answers = dict(zip("123456789", ["1", "2", "0", "3", "1", "0", "2", "1", "0"], strict=True))
    with clinic.signed_in("doc.x") as doc:
        moderate = _score(doc, episode, "phq9", answers)
        flagged = _score(doc, episode, "phq9", answers | {"9": "1"})
        partial = _score(doc, episode, "phq9", {"1": "1", "2": "2"})
    assert '<strong class="score-total" data-total>10</strong>' in moderate
    assert "Moderate</span>" in moderate and "data-flag" not in moderate
    assert "data-total>11</strong>" in flagged
    assert "Self-harm thoughts reported (item 9)" in flagged
    assert "2 of 9 answered; still to answer: item 3, 4, 5, 6, 7, 8, 9" in partial
    assert 'id="summary-phq9" hx-swap-oob="true">2/9 answered' in partial


def test_the_peg_is_the_mean_of_its_three_items(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        page = _score(doc, episode, "peg", {"1": "7", "2": "7", "3": "8"})
    assert "data-total>7.33</strong>" in page  # (7 + 7 + 8) / 3
    assert "(range 0–10)" in page


def test_questionnaire_answers_are_scored_on_the_page_without_javascript(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    answers = {f"questionnaires.peg.{i}": v for i, v in (("1", "7"), ("2", "7"), ("3", "8"))}
    with clinic.signed_in("doc.x") as doc:
        doc.post(
            f"/episodes/{episode}/intake",
            data={"step": "questionnaires", "action": "save"} | answers,
        )
        page = doc.get(f"/episodes/{episode}/intake?step=questionnaires").text
    assert draft_of(clinic, episode) == {"questionnaires": {"peg": {"1": 7, "2": 7, "3": 8}}}
    assert "data-total>7.33</strong>" in page
    assert selected(page, "questionnaires.peg.3") == "8"


# --- refusals -------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_saved(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        del doc.headers["X-CSRF-Token"]
        r = doc.post(f"/episodes/{episode}/intake", data={**HISTORY, "action": "save"})
        score = doc.post(f"/episodes/{episode}/intake/score", data={"instrument": "peg"})
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert "Not allowed" in r.text and "CSRF" in r.text
    assert score.status_code == 403
    assert draft_of(clinic, episode) is None


def test_a_form_carrying_its_csrf_token_as_a_field_is_accepted(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        token = doc.headers.pop("X-CSRF-Token")
        r = doc.post(
            f"/episodes/{episode}/intake",
            data={**HISTORY, "action": "save", "csrf_token": token},
        )
    assert r.status_code == 303
    assert draft_of(clinic, episode) is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/intake"),
        ("POST", "/intake"),
        ("POST", "/intake/score"),
        ("GET", "/assessment"),
        ("GET", "/plan"),
        ("POST", "/plan/revise"),
    ],
)
def test_a_patient_gets_the_not_allowed_page(clinic: Clinic, method: str, path: str) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("patient-a.x") as patient:
        r = patient.request(method, f"/episodes/{episode}{path}", data={"instrument": "peg"})
    assert r.status_code == 403
    assert "<h1>Not allowed</h1>" in r.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/intake"),
        ("POST", "/intake"),
        ("POST", "/intake/score"),
        ("GET", "/assessment"),
        ("GET", "/plan"),
        ("POST", "/plan/revise"),
    ],
)
def test_another_clinics_episode_is_not_found(clinic: Clinic, method: str, path: str) -> None:
    episode = open_episode(clinic, "x")
    with clinic.signed_in("doc.y") as other:
        r = other.request(
            method,
            f"/episodes/{episode}{path}",
            data={"instrument": "peg", "step": "history", "action": "save", "age": "50"},
        )
    assert r.status_code == 404
    assert "<h1>Not found</h1>" in r.text
    assert draft_of(clinic, episode) is None


def test_a_path_that_is_not_an_episode_id_is_not_found(clinic: Clinic) -> None:
    with clinic.signed_in("doc.x") as doc:
        r = doc.get("/episodes/not-an-id/intake")
    assert r.status_code == 404 and "<h1>Not found</h1>" in r.text


# --- submitting -----------------------------------------------------------------------------


CAUDA_EQUINA: list[dict[str, Any]] = [
    {
        "step": "history",
        "age": "39",
        "sex": "male",
        "duration_weeks": "3",
        "regions": ["low_back", "buttock", "thigh", "lower_leg"],
        "distribution": "regional",
        "aggravating": ["sitting", "flexion"],
        "easing.none": "on",
        "notes": "New bilateral leg pain, saddle numbness, difficulty starting to pass urine.",
    },
    {
        "step": "irritability",
        "irritability.provoked_by": "minimal",
        "irritability.peak_severity": "9",
        "irritability.settle_hours": "48",
    },
    {"step": "examination", "neuro_signs": ["myotomal_weakness", "dermatomal_sensory_loss"]},
    {
        "step": "red_flags",
        "red_flag_findings": [
            "ces_bilateral_sciatica",
            "ces_saddle_anaesthesia",
            "ces_urinary_disturbance",
        ],
    },
    {"step": "questionnaires", "questionnaires.nprs.1": "9"},
]


def _walk(doc: httpx.Client, episode: str, steps: list[dict[str, Any]]) -> None:
    for form in steps:
        r = doc.post(f"/episodes/{episode}/intake", data={**form, "action": "next"})
        assert r.status_code == 303, (form["step"], r.text[:2000])


def test_an_emergency_red_flag_puts_the_emergency_first_and_blocks_the_plan(
    clinic: Clinic,
) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        _walk(doc, episode, CAUDA_EQUINA)
        r = doc.post(f"/episodes/{episode}/intake", data={"step": "review", "action": "submit"})
        assert r.status_code == 303
        assert r.headers["location"] == f"/episodes/{episode}/assessment"
        assessment = doc.get(r.headers["location"]).text
        plan = doc.get(f"/episodes/{episode}/plan").text
    emergency = assessment.index("Emergency red flag — do not start a care plan")
    assert emergency < assessment.index("Mechanism profile")
    assert emergency < assessment.index("Questionnaire scores")
    assert "What to do now: Emergency department now for same-day spinal assessment" in assessment
    assert "Perianal, perineal or genital sensory loss (saddle anaesthesia)" in assessment
    assert 'data-badge="plan_blocked"' in assessment
    assert "Plan blocked — emergency referral first" in plan
    assert "No phases: the emergency referral comes first" in plan


def test_submission_problems_are_named_on_their_step_and_field(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    goals = {
        "step": "goals",
        "goals[0].activity": "Walk to the shops",
        "goals[0].unit": "minutes",
        "goals[0].baseline": "10",
        "goals[0].target": "10",
    }
    with clinic.signed_in("doc.x") as doc:
        _walk(doc, episode, CAUDA_EQUINA[:1])
        doc.post(f"/episodes/{episode}/intake", data={**goals, "action": "save"})
        r = doc.post(f"/episodes/{episode}/intake", data={"step": "review", "action": "submit"})
        fix = doc.get(f"/episodes/{episode}/intake?step=goals&check=1").text
    assert r.status_code == 422
    assert "Not submitted yet" in r.text
    link = "?step=goals&amp;check=1#f-goals-0-target"
    assert (
        link in r.text and "Goal 1: Target</a>: the target must differ from the baseline" in r.text
    )
    assert 'id="f-goals-0-target-error"><span class="sr-only">Error: </span>the target' in fix
    assert value_of(fix, "goals[0].metric") == "walk_to_the_shops"  # made from the activity
    with pytest.raises(NotFound):
        intake.get_intake(_uow(clinic, _doctor(clinic)), episode)


def test_after_submission_the_intake_is_read_only(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("doc.x") as doc:
        page = doc.get(f"/episodes/{episode}/intake").text
        again = doc.post(f"/episodes/{episode}/intake", data={**HISTORY, "action": "save"})
    main = page.split("<main", 1)[1]
    assert "Intake as submitted" in main and 'method="post"' not in main
    assert "sit through a work meeting" in page
    assert "PHQ-9" in page and "8 · Mild" in page
    assert again.status_code == 303 and again.headers["location"].endswith("/intake")


def test_the_clinic_lead_reads_the_intake_assessment_and_plan_but_cannot_revise(
    clinic: Clinic,
) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("admin.x") as lead:
        pages = {p: lead.get(f"/episodes/{episode}/{p}") for p in ("intake", "assessment", "plan")}
    assert {p: r.status_code for p, r in pages.items()} == {
        "intake": 200,
        "assessment": 200,
        "plan": 200,
    }
    assert "Revise the plan" not in pages["plan"].text
    assert "Revision 1" in pages["plan"].text and "by doc" in pages["plan"].text


def test_the_clinic_lead_sees_a_draft_read_only_and_no_wizard(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        doc.post(f"/episodes/{episode}/intake", data={**HISTORY, "action": "save"})
    with clinic.signed_in("admin.x") as lead:
        page = lead.get(f"/episodes/{episode}/intake").text
        refused = lead.post(f"/episodes/{episode}/intake", data={**HISTORY, "action": "save"})
    assert "Intake not submitted yet" in page and "Only clinicians can complete" in page
    assert "Low back, Buttock, Thigh" in page
    assert 'name="step"' not in page
    assert refused.status_code == 403


def test_the_assessment_puts_imaging_beside_its_prevalence_in_pain_free_people(
    clinic: Clinic,
) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("doc.x") as doc:
        page = doc.get(f"/episodes/{episode}/assessment").text
    assert "Screened at intake: no red flags found." in page
    assert page.index("Red flags") < page.index("Mechanism profile") < page.index("Imaging")
    # Brinjikji 2015 at age 44: disc degeneration in about 73 of 100 people without pain.
    assert "73 in 100" in page
    assert "Disc degeneration shows up on the scans of about 73 in 100 people aged 44" in page
    assert "Nerve root or nerve irritation" in page
    assert "Moderately" not in page.split("Questionnaire scores")[0]  # scores come later


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_intake_shows_its_intake_assessment_and_plan(
    clinic: Clinic, example: str
) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, example)
    with clinic.signed_in("doc.x") as doc:
        pages = {p: doc.get(f"/episodes/{episode}/{p}") for p in ("intake", "assessment", "plan")}
    assert {p: r.status_code for p, r in pages.items()} == dict.fromkeys(pages, 200)
    assert "Red flags" in pages["assessment"].text
    assert "Revision history" in pages["plan"].text


def test_pages_before_any_intake_lead_to_the_wizard(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    with clinic.signed_in("doc.x") as doc:
        assessment = doc.get(f"/episodes/{episode}/assessment").text
        plan = doc.get(f"/episodes/{episode}/plan").text
    for page in (assessment, plan):
        assert f'href="/episodes/{episode}/intake">Start the intake</a>' in page


# --- the plan -------------------------------------------------------------------------------


def _revise(doc: httpx.Client, episode: str, **fields: Any) -> httpx.Response:
    return doc.post(f"/episodes/{episode}/plan/revise", data=fields)


def test_a_revision_records_who_changed_what_and_why(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("doc.x") as doc:
        r = _revise(
            doc,
            episode,
            expected_version="1",
            reason="No relief window after four sessions: settle extended by two weeks",
            **{
                "phase.settle.trial_weeks": "6",
                "phase.settle.add": "acupuncture",
                "phase.settle.remove": "dry_needling",
            },
        )
        assert r.status_code == 303
        assert r.headers["location"].endswith("/plan?revised=2#history")
        page = doc.get(r.headers["location"]).text
    assert "Revision 2 saved." in page
    history = page.split('id="history"', 1)[1]
    assert "No relief window after four sessions: settle extended by two weeks" in history
    assert "by doc (Physician) (you)" in history  # the display name tests/web/_server.py gives
    assert "Settle and establish a response · trial length (weeks)" in history
    assert '<span class="was">4</span> → <span class="now">6</span>' in history
    assert 'added modality: <span class="now">Acupuncture</span>' in history
    assert 'removed modality: <span class="was">Dry needling</span>' in history
    assert "dates moved" in history
    phases = page.split('id="phases-title"', 1)[1].split('id="considered-title"', 1)[0]
    assert "6-week trial" in phases and "added by clinician" in phases
    with clinic.signed_in("pt.x") as pt:
        seen_by_colleague = pt.get(f"/episodes/{episode}/plan").text.split('id="history"', 1)[1]
    assert "· by doc (Physician)</p>" in seen_by_colleague  # a colleague sees who revised it


def test_a_revision_needs_a_reason_and_keeps_what_was_typed(clinic: Clinic) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("doc.x") as doc:
        r = _revise(doc, episode, expected_version="1", reason="", **{"phase.blend.sessions": "9"})
    assert r.status_code == 422
    assert "A reason is required" in r.text
    assert value_of(r.text, "phase.blend.sessions") == "9"


def test_a_plan_revision_stored_through_the_api_in_another_shape_is_still_shown(
    clinic: Clinic,
) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("doc.x") as doc:
        stored = doc.post(
            f"/api/v1/episodes/{episode}/plan/revisions",
            json={"expected_version": 1, "reason": "free-form", "plan": {"phases": ["walk"]}},
        )
        assert stored.status_code == 201, stored.text
        page = doc.get(f"/episodes/{episode}/plan")
    assert page.status_code == 200
    assert "not laid out as Painpath" in page.text and "free-form" in page.text


def test_of_two_revisions_of_the_same_version_the_second_hears_someone_changed_it_first(
    clinic: Clinic,
) -> None:
    episode = open_episode(clinic)
    submit_example(clinic, episode, "02_sciatica_cannot_sit.json")
    with clinic.signed_in("doc.x") as doc, clinic.signed_in("pt.x") as pt:
        first = _revise(doc, episode, expected_version="1", reason="one", clinician_note="A")
        second = _revise(
            pt,
            episode,
            expected_version="1",
            reason="two",
            **{"phase.build_capacity.trial_weeks": "10"},
        )
    assert first.status_code == 303
    assert second.status_code == 409
    assert "Someone changed this first" in second.text
    assert "Reload the newest plan" in second.text
    assert value_of(second.text, "phase.build_capacity.trial_weeks") == "10"
    assert 'name="expected_version" value="2"' in second.text
