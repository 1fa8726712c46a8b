"""The patient's screens on a phone (390 × 844): a week of daily logs whose pain makes a flare
(four days at 3, then three at 6), correcting a day, and "My progress" in plain words. Nothing
is wider than the screen and every control is at least 44 px tall."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.web._server import PASSWORD
from tests.web.test_patient_pages import start_care

PHONE_WIDTH = 390
# Pain for today − 6 … today: a baseline of 3, then three days at 6 (≥ baseline + 2: a flare).
WEEK_PAIN = [3, 3, 3, 3, 6, 6, 6]


def words(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%b}"


def clinic_today() -> dt.date:
    """The served app's "today" (the server's local date; the test server runs in-process)."""
    return dt.datetime.now(dt.UTC).astimezone().date()


def assert_fits_the_phone(w: Any) -> None:
    width = w.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{w.page.url} scrolls sideways: {width}px wide"


def small_targets(w: Any) -> list[str]:
    """Controls in the page's main part (and its header) smaller than 44 px tall."""
    found: list[str] = w.page.evaluate(
        """() => [...document.querySelectorAll(
              'main button, main a.button, main .scale label, main summary, main input:not([type=radio]):not([type=hidden]), header a, header button')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.height < 44)
            .map(([e, r]) => `${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${Math.round(r.height)}px`)"""
    )
    return found


REFUSED_FORM = (
    "console error: Failed to load resource: the server responded with a status of 422 "
    "(Unprocessable Entity)"
)


def patient_on_a_phone(open_page: Any, url: str) -> Any:
    """Patient A of clinic X signed in through the form on a phone.

    The sign-in page (not one of these screens) has no icon, so Chromium asks for
    /favicon.ico and reports the 404 in the console (reported; the test of the sign-in page
    catches it): that one problem, and only it, is taken off the list here."""
    w = open_page(url, phone=True)
    icons: list[str] = []
    w.page.on(
        "console",
        lambda m: (
            icons.append(m.text) if m.location.get("url", "").endswith("/favicon.ico") else None
        ),
    )
    sign_in(w, "patient-a.x", PASSWORD)
    for text in icons:
        w.problems.remove(f"console error: {text}")
    return w


@pytest.fixture
def patient_in_care(small_clinic: Any) -> Any:
    start_care(small_clinic.settings, small_clinic.clinics["x"], "a", today=clinic_today())
    return small_clinic


def log_day(w: Any, day: dt.date, today: dt.date, *, pain: int, steps: int, sitting: int) -> None:
    """Fill in one day as a patient does on a phone, and save it."""
    page = w.page
    if day == today:
        w.go("/me/log")
    else:
        page.get_by_role("link", name=f"Add {words(day)}").click()
        page.wait_for_load_state("networkidle")
    page.get_by_role("group", name="Pain").get_by_label(str(pain), exact=True).check()
    page.get_by_label("Steps").fill(str(steps))
    page.get_by_label("Longest sitting (minutes)").fill(str(sitting))
    page.get_by_label("Sleep (hours)").fill("6.5")
    page.get_by_label("Sit through a work meeting (minutes)").fill(str(sitting))
    page.get_by_label("Walk (minutes)").fill("15")
    if pain > 3:
        page.get_by_label("Something happened").fill("helped a friend move house")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/me/log?saved=*")
    assert page.get_by_role("status").inner_text() == f"Saved {words(day)}."


def test_a_patient_logs_a_week_on_a_phone_and_corrects_a_day(
    open_page: Any, patient_in_care: Any
) -> None:
    today = clinic_today()
    w = patient_on_a_phone(open_page, patient_in_care.url)
    assert w.page.url.endswith("/me/log")  # a patient starts at today's log
    assert_fits_the_phone(w)
    assert small_targets(w) == []

    for days_ago, pain in zip(range(6, -1, -1), WEEK_PAIN, strict=True):
        day = today - dt.timedelta(days=days_ago)
        log_day(w, day, today, pain=pain, steps=3000 + 100 * days_ago, sitting=10 + days_ago)

    week = w.page.locator(".week-list li")
    assert week.count() == 7
    assert w.page.get_by_role("link", name="Add", exact=False).count() == 0
    assert "Pain 6/10" in week.first.inner_text()  # today, first
    assert_fits_the_phone(w)
    w.shot("patient-log-phone")

    # Correct a day: its stored values are on the form.
    day = today - dt.timedelta(days=4)
    w.page.get_by_role("link", name=f"Edit {words(day)}").click()
    w.page.wait_for_load_state("networkidle")
    assert w.page.get_by_role("heading", level=1).inner_text() == f"Edit {words(day)}"
    assert w.page.get_by_role("radio", name="3", exact=True).is_checked()
    assert w.page.get_by_label("Steps").input_value() == "3400"
    w.page.get_by_label("Steps").fill("5200")
    assert_fits_the_phone(w)
    assert small_targets(w) == []
    w.shot("patient-log-edit")
    w.page.get_by_role("button", name="Save").click()
    w.page.wait_for_url("**/me/log?saved=*")
    assert "5,200 steps" in w.page.locator(".week-list li").nth(4).inner_text()

    # A mistake: the field says what it allows, and what was typed stays.
    w.page.get_by_label("Steps").fill("-20")
    w.page.get_by_role("button", name="Save").click()
    w.page.wait_for_load_state("networkidle")
    assert w.page.get_by_role("alert").first.inner_text().startswith("Please check 1 answer")
    assert w.page.get_by_label("Steps").input_value() == "-20"
    assert w.page.evaluate("document.activeElement.id") == "error-summary"
    assert_fits_the_phone(w)
    w.shot("patient-log-errors", full_page=False)
    # Chromium reports the refused form's 422 answer in the console: expected here, once.
    w.problems.remove(REFUSED_FORM)
    w.assert_clean()


def test_my_progress_on_a_phone_tells_the_goals_in_plain_words(
    open_page: Any, patient_in_care: Any
) -> None:
    today = clinic_today()
    w = patient_on_a_phone(open_page, patient_in_care.url)
    log_day(w, today, today, pain=3, steps=4000, sitting=20)
    w.page.get_by_role("link", name="My progress").click()
    w.page.wait_for_url("**/me/progress")
    goal = w.page.locator("#goal-g1")
    assert goal.get_by_role("heading").inner_text() == "Sit through a work meeting"
    assert "Latest: 20 minutes (today). You started at 10 minutes; your goal is 30 minutes." in (
        goal.inner_text()
    )
    assert goal.get_by_role("progressbar").get_attribute("value") == "50"
    assert "about 50% of the way" in goal.inner_text()
    assert "Nothing logged for this goal yet." in w.page.locator("#goal-g3").inner_text()
    main = w.page.locator("main").inner_text()
    assert "Stage 1 of 5" in main
    assert "Call the clinic if" in main
    assert "73 in 100 people aged 44 without back pain" in main
    w.page.get_by_text("All the stages of your plan").click()
    assert w.page.get_by_text("You are here").is_visible()
    assert_fits_the_phone(w)
    assert small_targets(w) == []
    w.shot("patient-progress")
    w.assert_clean()
