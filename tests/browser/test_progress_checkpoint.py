"""The progress view, the checkpoint screen and the print views in a real browser: the charts are
drawn by Chart.js with their marks, a clinician overrides the proposal with a reason, a stored
script in a team note stays text, graduation asks first, and the printed pages are plain paper.

The episode (tests/web/test_checkpoint_pages.py): four weeks of logs with a prolonged pain flare
after the third session, relief windows after the first two, and so a proposal to adjust.
"""

from __future__ import annotations

from typing import Any

from tests.web._server import PASSWORD
from tests.web.test_checkpoint_pages import XSS, build_flare_episode

CHARTS = 7  # three goals (example intake 02), pain, steps, sitting, sleep
A4 = {"width": 794, "height": 1123}  # CSS pixels at 96 dpi
REFUSED = (
    "console error: Failed to load resource: the server responded with a status of 422 "
    "(Unprocessable Entity)"
)


def clinician(open_page: Any, clinic: Any, username: str = "doc.x") -> Any:
    """A clinician's browser, signed in through the sign-in form."""
    return open_page(clinic.url, username, PASSWORD)


def episode_of(clinic: Any, name: str) -> str:
    return build_flare_episode(clinic.settings, clinic.clinics["x"], name=name)


def test_the_progress_view_draws_every_chart_with_sessions_flares_relief_and_levels(
    open_page: Any, small_clinic: Any
) -> None:
    episode = episode_of(small_clinic, "Rosa Charts")
    w = clinician(open_page, small_clinic)
    w.go(f"/episodes/{episode}/progress")
    page = w.page
    assert page.locator("canvas[data-chart]").count() == CHARTS
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
              const chart = window.Chart.getChart(c);
              if (!chart) return null;
              const notes = Object.values(chart.options.plugins.annotation.annotations);
              return {key: c.dataset.chart, kinds: notes.map(a => a.type), width: c.width};
           })"""
    )
    assert all(d is not None and d["width"] > 0 for d in drawn), drawn
    assert page.evaluate("() => !!window.Chart.registry.plugins.get('annotation')")
    pain = next(d for d in drawn if d["key"] == "pain")
    # a box per flare, relief window and soreness; a line per session and for the baseline
    assert pain["kinds"].count("box") >= 3 and pain["kinds"].count("line") == 5
    w.shot("progress")
    page.get_by_role("heading", name="Pain").first.scroll_into_view_if_needed()
    details = page.locator("figure", has=page.get_by_role("heading", name="Pain (0–10)"))
    details.locator("summary", has_text="Data table").click()
    assert details.get_by_role("row").count() > 20
    assert "Flare (prolonged: reassess)" in details.locator("table").inner_text()
    assert page.get_by_text("Flare of pain from").count() == 1
    w.assert_clean()


def test_a_clinician_overrides_the_proposal_with_a_reason(
    open_page: Any, small_clinic: Any
) -> None:
    episode = episode_of(small_clinic, "Omar Override")
    w = clinician(open_page, small_clinic)
    w.go(f"/episodes/{episode}/checkpoint")
    page = w.page
    assert page.locator("[data-proposal]").inner_text().startswith("Adjust")
    w.shot("checkpoint")
    page.get_by_label("Decision").select_option("continue")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")
    # refused: the reason is required for an override, said next to the field; nothing lost
    assert page.locator("#reason-error").inner_text() == (
        "Painpath proposed adjust; an override needs a reason"
    )
    assert page.get_by_label("Decision").input_value() == "continue"
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    # Chromium logs the refused form's own status (422, as the page intends) as a console error.
    w.problems.remove(REFUSED)
    page.get_by_label("Reason", exact=True).fill("The flare followed a long drive, not the session")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("status").inner_text() == "The decision is recorded."
    history = page.locator("table.history").inner_text()
    assert "Override" in history and "followed a long drive" in history
    w.shot("checkpoint-decided")
    w.assert_clean()


def test_a_team_note_with_a_script_shows_as_text_and_runs_nothing(
    open_page: Any, small_clinic: Any
) -> None:
    episode = episode_of(small_clinic, "Nia Notes")
    w = clinician(open_page, small_clinic)
    dialogs: list[str] = []
    w.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    w.go(f"/episodes/{episode}/checkpoint")
    page = w.page
    for payload in XSS:
        page.get_by_label("Part of the hypothesis").select_option("mechanism.neuropathic")
        page.get_by_label("Team note").fill(payload)
        page.get_by_role("button", name="Add note").click()
        page.wait_for_load_state("networkidle")
    bodies = page.locator(".note-body").all_inner_texts()
    assert bodies == list(reversed(XSS))  # newest first, exactly as typed
    assert page.locator(".note img").count() == 0
    assert dialogs == []
    page.locator("#team-notes").scroll_into_view_if_needed()
    w.shot("checkpoint-notes")
    w.assert_clean()


def test_graduating_asks_first_and_then_closes_the_episode(
    open_page: Any, small_clinic: Any
) -> None:
    episode = episode_of(small_clinic, "Gil Graduate")
    w = clinician(open_page, small_clinic)
    answers = iter([False, True])
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    w.page.on("dialog", answer)
    w.go(f"/episodes/{episode}/checkpoint")
    page = w.page
    page.get_by_label("Graduation summary").fill("Goals within reach; home programme agreed")
    page.get_by_role("button", name="Graduate patient").click()  # dismissed: nothing happens
    assert "/checkpoint?done" not in page.url
    page.get_by_role("button", name="Graduate patient").click()  # accepted
    page.wait_for_url("**/checkpoint?done=graduated")
    assert asked == ["Graduate Gil Graduate? This closes the episode."] * 2
    assert "The episode is graduated" in page.locator("#decide").inner_text()
    w.assert_clean()


def test_the_print_views_are_plain_paper(open_page: Any, small_clinic: Any) -> None:
    episode = episode_of(small_clinic, "Pia Print")
    w = clinician(open_page, small_clinic)
    w.go(f"/episodes/{episode}/checkpoint")
    page = w.page
    page.get_by_label("Refer to").fill("Spinal surgery clinic, Dr Lee")
    page.get_by_label("Referral question").fill(
        "Leg pain with nerve signs persists after four sessions: a surgical opinion, please."
    )
    page.get_by_label("Overlap period (days)").fill("21")
    page.get_by_role("button", name="Record referral").click()
    page.wait_for_load_state("networkidle")
    assert "The referral is recorded" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Print progress report").click()
    page.wait_for_load_state("networkidle")
    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="Progress report").is_visible()
    for hidden in (".topbar", ".print-toolbar", ".footer"):
        assert not page.locator(hidden).is_visible(), hidden
    colours = page.evaluate(
        "() => [getComputedStyle(document.body).backgroundColor, "
        "getComputedStyle(document.querySelector('h1')).color]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
    w.shot("print-report")

    page.emulate_media(media="screen")
    w.go(f"/episodes/{episode}/checkpoint")
    page.get_by_role("link", name="Print letter to Spinal surgery clinic, Dr Lee").click()
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    letter = page.locator("article").inner_text()
    assert "To: Spinal surgery clinic, Dr Lee" in letter
    assert "21 days" in letter and "surgical opinion" in letter
    assert not page.locator(".topbar").is_visible()
    w.shot("print-referral")

    page.emulate_media(media="screen")
    assert page.get_by_role("button", name="Print").is_visible()
    w.assert_clean()
