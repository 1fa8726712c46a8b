"""Who may open every page, walked from the hand-written pages table (tests/web/policy_table.py)
over real HTTP: the role each policy lets through, the patient's own pages refused to everyone
else, another clinic's records answering exactly like missing ones, and every form refused
without its CSRF token. A patient can never open another patient's page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from painpath.knowledge import default_knowledge
from painpath.services import checkpoints
from painpath.services.commands import ReferralInput
from painpath.store._engine import make_engine, make_session_factory
from painpath.store.models import AuditEvent
from painpath.store.unit_of_work import SqlUnitOfWork
from tests.web._server import PASSWORD, seed, serve, settings_for, today
from tests.web.policy_table import PAGES, Route
from tests.web.test_checkpoint_pages import build_flare_episode, clinician_of

CALLERS = ("doc.x", "admin.x", "patient-a.x", "patient-b.x", "doc.y")


@dataclass(frozen=True)
class Site:
    url: str
    ids: dict[str, str]  # what each path parameter names: clinic x's patient A and their episode
    database_url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("page-access")
    settings = settings_for(f"sqlite:///{tmp / 'p.db'}", tmp)
    clinics = seed(settings)
    x = clinics["x"]
    episode = build_flare_episode(settings, x, x.patients["a"].id)
    build_flare_episode(settings, clinics["y"], clinics["y"].patients["a"].id)
    factory = make_session_factory(make_engine(settings.database_url))
    referral = checkpoints.refer(
        SqlUnitOfWork(factory, clinician_of(x), client="test"),
        episode,
        ReferralInput(
            date=today(),
            to_service="Pain psychology",
            reason="Fear of movement holds the plan back",
            overlap_days=14,
            expected_version=1,
        ),
        today=today(),
        knowledge=default_knowledge(),
    )
    with serve(settings) as url:
        yield Site(
            url,
            {
                "patient_id": x.patients["a"].id,
                "episode_id": episode,
                "referral_id": referral.id,
                "day": today().isoformat(),
            },
            settings.database_url,
        )


@contextmanager
def signed_in(site: Site, username: str) -> Iterator[tuple[httpx.Client, str]]:
    """A browser-like client signed in through the form, and its session's CSRF token."""
    with httpx.Client(base_url=site.url, timeout=30) as c:
        r = c.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 303, r.text
        home = c.get(r.headers["location"])
        found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
        assert found, f"{username}'s start page has no CSRF field"
        yield c, found.group(1)


def path_of(route: Route, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], route.path)


def expected_get(route: Route, username: str) -> str:
    """'ok' (2xx/3xx), 'forbidden' (403 page) or 'missing' (404 page) for a GET by ``username``."""
    patient = username.startswith("patient-")
    staff_roles = {"doc": "clinician", "admin": "lead"}
    role = "patient" if patient else staff_roles[username.split(".")[0]]
    other_clinic = username.endswith(".y")
    if route.policy == "public" or route.policy == "signed_in":
        return "ok"
    if route.path.startswith("/me/"):
        # The patient's own pages: for patients only (the page refuses everyone else).
        return "ok" if patient else "forbidden"
    if patient:
        return "forbidden"
    if route.policy == "admin" and role != "lead":
        return "forbidden"
    if route.policy == "clinician" and role == "lead":
        return "forbidden"
    if route.record is not None and other_clinic:
        return "missing"
    return "ok"


def _outcome(status: int) -> str:
    return {403: "forbidden", 404: "missing"}.get(status, "ok" if status < 400 else str(status))


GETS = [r for r in PAGES if r.method == "GET"]
POSTS = [r for r in PAGES if r.method == "POST" and r.policy != "public"]


@pytest.mark.parametrize("username", CALLERS)
def test_every_page_answers_each_role_as_its_policy_says(site: Site, username: str) -> None:
    with signed_in(site, username) as (c, _):
        wrong = []
        for route in GETS:
            got = c.get(path_of(route, site.ids))
            want = expected_get(route, username)
            if _outcome(got.status_code) != want:
                wrong.append(f"{route}: {got.status_code}, expected {want}")
            if got.status_code >= 400:
                assert got.headers["content-type"].startswith("text/html"), route
                assert "Traceback" not in got.text
    assert wrong == []


def test_a_patient_cannot_open_another_patients_pages(site: Site) -> None:
    with signed_in(site, "patient-b.x") as (c, _):
        for route in GETS:
            if route.record is None:
                continue
            r = c.get(path_of(route, site.ids))
            assert r.status_code == 403, route
            assert "Sam Rivera" not in r.text and site.ids["patient_id"] not in r.text


def test_another_clinics_record_answers_exactly_like_a_missing_one(site: Site) -> None:
    missing = {k: "0" * 32 if k.endswith("_id") else v for k, v in site.ids.items()}
    with signed_in(site, "doc.y") as (c, _):
        for route in GETS:
            if route.record is None:
                continue
            theirs, nobodys = c.get(path_of(route, site.ids)), c.get(path_of(route, missing))
            assert (theirs.status_code, nobodys.status_code) == (404, 404), route
            title = re.compile(r"<h1>(.*?)</h1>", re.S)
            assert title.findall(theirs.text) == title.findall(nobodys.text), route


@pytest.mark.parametrize("route", POSTS, ids=str)
def test_every_form_is_refused_without_its_csrf_token(site: Site, route: Route) -> None:
    username = "patient-a.x" if route.path.startswith("/me/") else "doc.x"
    with signed_in(site, username) as (c, _):
        r = c.post(path_of(route, site.ids), data={"anything": "1"})
        assert r.status_code == 403, route
        assert "CSRF" in r.text


@pytest.mark.parametrize("route", [r for r in POSTS if r.record], ids=str)
def test_no_form_reaches_another_clinics_record(site: Site, route: Route) -> None:
    with signed_in(site, "doc.y") as (c, token):
        r = c.post(path_of(route, site.ids), data={"csrf_token": token})
        assert r.status_code == 404, route


@pytest.mark.parametrize("route", [r for r in POSTS if r.record], ids=str)
def test_a_patient_posts_no_clinical_form(site: Site, route: Route) -> None:
    with signed_in(site, "patient-a.x") as (c, token):
        r = c.post(path_of(route, site.ids), data={"csrf_token": token})
        assert r.status_code == 403, route


def audit_events(site: Site) -> list[AuditEvent]:
    engine = make_engine(site.database_url)
    try:
        with make_session_factory(engine)() as db:
            return list(db.scalars(select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)))
    finally:
        engine.dispose()


# The intake wizard is left out: every step it posts is saved as a draft (a use case, audited
# itself), and its live scoring only reads.
CLINICAL_FORMS = [
    r
    for r in POSTS
    if r.record == "episode" and r.policy == "clinician" and "/intake" not in r.path
]


@pytest.mark.parametrize("route", CLINICAL_FORMS, ids=str)
def test_a_form_the_page_refuses_is_audited_once_against_the_patient(
    site: Site, route: Route
) -> None:
    with signed_in(site, "doc.x") as (c, token):
        before = len(audit_events(site))
        r = c.post(path_of(route, site.ids), data={"csrf_token": token, "form": "override"})
        assert r.status_code == 422, route
        assert "Traceback" not in r.text
    new = audit_events(site)[before:]
    refusals = [e for e in new if e.outcome == "invalid"]
    assert [(e.action, e.patient_id) for e in refusals] == [
        (f"POST {route.path}", site.ids["patient_id"])
    ], [(e.action, e.outcome) for e in new]
