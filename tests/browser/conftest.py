"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium — never a
downloaded browser) against a real Painpath server over a real database.

Without Chromium these tests skip with the apt-get line; in CI (CI=true) that is a failure.
Screenshots of every main screen go to ``test-output/screenshots/`` (PAINPATH_TEST_OUTPUT).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "Chromium is not installed; as root run: apt-get install -y chromium"
ROOT = Path(__file__).resolve().parents[2]
# The flags matter on machines without internet: without them Chromium keeps calling out.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def output_dir() -> Path:
    """Where screenshots go (kept after the run, to look at)."""
    base = Path(os.environ.get("PAINPATH_TEST_OUTPUT", ROOT / "test-output"))
    target = base / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page and everything that went wrong in it: console errors (a Content-Security-Policy
    violation is one), uncaught script errors, and failed requests."""

    page: Any
    base_url: str
    problems: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        """Open ``path`` and wait until the page and its scripts have settled."""
        return self.page.goto(self.base_url + path, wait_until="networkidle")

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """A screenshot of the page as it is, into the test output directory."""
        path = output_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_clean(self, *, allow_status: tuple[int, ...] = ()) -> None:
        """No console error, script error or failed request — except the browser's own report of
        a page answered with one of ``allow_status`` (a form refused with 422 on purpose)."""
        allowed = tuple(f"status of {code} " for code in allow_status)
        left = [
            p
            for p in self.problems
            if not (
                p.startswith("console error: Failed to load resource")
                and allowed
                and any(a in p for a in allowed)
            )
        ]
        assert left == [], "\n".join(left)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Watched]]:
    """``open_page(base_url, username=None, password=..., phone=False)``: a fresh browser
    context (its own cookies), signed in through the sign-in form when given a username."""
    contexts: list[Any] = []

    def make(
        base_url: str,
        username: str | None = None,
        password: str = "",
        *,
        phone: bool = False,
    ) -> Watched:
        options: dict[str, Any] = {"base_url": base_url}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        else:
            options.update(viewport={"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page, base_url)
        page.on(
            "console",
            lambda m: (
                watched.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: watched.problems.append(f"page error: {e}"))
        page.on(
            "requestfailed",
            lambda r: watched.problems.append(f"request failed: {r.url} {r.failure}"),
        )
        if username:
            sign_in(watched, username, password)
        return watched

    yield make
    for context in contexts:
        context.close()


def sign_in(w: Watched, username: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    w.go("/login")
    w.page.get_by_label("Username").fill(username)
    w.page.get_by_label("Password").fill(password)
    w.page.get_by_role("button", name="Sign in").click()
    w.page.wait_for_load_state("networkidle")
    assert "/login" not in w.page.url, f"sign-in as {username} failed: {w.page.url}"


@pytest.fixture
def small_clinic(tmp_path: Path) -> Iterator[Any]:
    """A served app over a fresh SQLite file holding two small clinics (tests/web/_server.py:
    ``doc.x``, ``pt.x``, ``admin.x``, ``patient-a.x``, ``patient-b.x`` and the same for y)."""
    from tests.web._server import Server, seed, serve, settings_for

    settings = settings_for(f"sqlite:///{tmp_path / 'painpath.db'}", tmp_path)
    clinics = seed(settings)
    with serve(settings) as url:
        yield Server(url, settings, clinics)
