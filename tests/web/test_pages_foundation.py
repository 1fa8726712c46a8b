"""The browser app's common ground, over real HTTP: signing in with the form, where each role
starts, CSRF on forms, the Content-Security-Policy, error pages, and the vendored files."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from painpath.store._engine import make_engine
from painpath.store.migrate import upgrade
from painpath.web import create_app
from tests.web._server import PASSWORD, Server, free_port, seed, serve, settings_for

VENDOR = Path(__file__).resolve().parents[2] / "src/painpath/web/ui/static/vendor"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("pages")
    settings = settings_for(f"sqlite:///{tmp / 'p.db'}", tmp, login_failures_per_user=3)
    upgrade(make_engine(settings.database_url))
    clinics = seed(settings)
    with serve(settings) as url:
        yield Server(url, settings, clinics)


@contextmanager
def browser(server: Server, username: str | None = None) -> Iterator[httpx.Client]:
    """A cookie-keeping client that signs in through the form, as a browser does."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        if username:
            r = c.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code == 303, r.text
        yield c


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.mark.parametrize(
    ("username", "start"),
    [
        ("doc.x", "/patients"),
        ("pt.x", "/patients"),
        ("admin.x", "/panel"),
        ("patient-a.x", "/me/log"),
    ],
)
def test_each_role_starts_on_its_own_page(server: Server, username: str, start: str) -> None:
    with browser(server, username) as c:
        r = c.get("/")
        assert r.status_code == 303 and r.headers["location"] == start


def test_a_page_asked_for_without_signing_in_leads_to_the_sign_in_form_and_back(
    server: Server,
) -> None:
    with browser(server) as c:
        r = c.get("/?from=x")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=%2F%3Ffrom%3Dx"
        form = c.get(r.headers["location"])
        assert 'name="next" value="/?from=x"' in form.text
        done = c.post(
            "/login", data={"username": "doc.x", "password": PASSWORD, "next": "/?from=x"}
        )
        assert done.headers["location"] == "/?from=x"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_sends_the_browser_to_another_site(server: Server, target: str) -> None:
    with browser(server) as c:
        r = c.post("/login", data={"username": "doc.x", "password": PASSWORD, "next": target})
        assert r.status_code == 303 and r.headers["location"] == "/patients"


def test_a_failed_sign_in_shows_the_form_again_with_the_username_and_sets_no_cookie(
    server: Server,
) -> None:
    with browser(server) as c:
        r = c.post("/login", data={"username": "pt.y", "password": "wrong"})
        assert r.status_code == 401
        assert "do not match" in r.text and 'value="pt.y"' in r.text
        assert "painpath_session" not in r.cookies


def test_repeated_failures_are_throttled_with_a_page_that_says_when_to_try_again(
    server: Server,
) -> None:
    with browser(server) as c:
        codes = [
            c.post("/login", data={"username": "admin.y", "password": "no"}).status_code
            for _ in range(4)
        ]
        assert codes[:3] == [401, 401, 401]
        assert codes[3] == 429
        page = c.post("/login", data={"username": "admin.y", "password": PASSWORD})
        assert page.status_code == 429 and "Try again in about" in page.text


def test_signing_out_needs_the_forms_csrf_token(server: Server) -> None:
    with browser(server, "doc.x") as c:
        assert c.post("/logout", data={}).status_code == 403
        assert c.post("/logout", data={"csrf_token": "not-it"}).status_code == 403
        token = csrf_of(c.get("/patients").text)  # every page of a signed-in user carries it
        r = c.post("/logout", data={"csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.get("/").headers["location"].startswith("/login")


def test_a_form_posted_from_another_site_is_refused(server: Server) -> None:
    with browser(server, "doc.x") as c:
        token = csrf_of(c.get("/patients").text)
        r = c.post(
            "/logout", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert r.status_code == 403


def test_pages_carry_a_content_security_policy_without_inline_script(server: Server) -> None:
    with browser(server) as c:
        r = c.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text and " onclick=" not in r.text


def test_an_unknown_page_is_a_calm_not_found_page(server: Server) -> None:
    with browser(server, "doc.x") as c:
        r = c.get("/episodes/not-an-id/progress")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text and "Traceback" not in r.text


def test_vendored_files_are_served_unchanged_with_their_licences(server: Server) -> None:
    record = (VENDOR / "VENDORED.md").read_text()
    pinned = {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", record, re.M)}
    assert set(pinned) == {
        "htmx/htmx.min.js",
        "chartjs/chart.umd.min.js",
        "chartjs-plugin-annotation/chartjs-plugin-annotation.min.js",
    }
    with httpx.Client(base_url=server.url) as c:
        for name, digest in pinned.items():
            r = c.get(f"/static/vendor/{name}")
            assert r.status_code == 200
            assert hashlib.sha256(r.content).hexdigest() == digest, name
            assert r.headers["cache-control"].startswith("public")
    for folder in ("htmx", "chartjs", "chartjs-plugin-annotation"):
        licences = list((VENDOR / folder).glob("LICENSE*"))
        assert licences and licences[0].stat().st_size > 200, folder


def _boom() -> None:
    raise RuntimeError("a patient's name could be in here: Jane Roe")


def test_an_unexpected_error_is_a_calm_page_for_pages_and_a_problem_for_the_api(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    upgrade(make_engine(settings.database_url))
    app = create_app(settings)
    app.add_api_route("/boom", _boom, methods=["GET"])
    app.add_api_route("/api/v1/boom", _boom, methods=["GET"])
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{config.port}") as c:
            page, api = c.get("/boom"), c.get("/api/v1/boom")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.ctx.engine.dispose()
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in page.text and "Jane Roe" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert api.status_code == 500 and api.json()["detail"] == "internal error; it has been logged"
    assert "Jane Roe" not in caplog.text
