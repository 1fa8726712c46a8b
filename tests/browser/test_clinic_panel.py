"""The clinic lead's panel in a real browser: counts per signal that open to the patients in
them, outcomes with how each is counted, opioid doses, and care simply continuing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web._server import PASSWORD
from tests.web.test_list_pages import build_clinic


@pytest.fixture
def clinic(small_clinic: Any) -> Any:
    build_clinic(small_clinic)
    return small_clinic


def test_the_clinic_lead_sees_the_panel_and_opens_a_signal(open_page: Any, clinic: Any) -> None:
    w = open_page(clinic.url, "admin.x", PASSWORD)
    assert w.page.url.endswith("/panel")  # the lead's start page
    page = w.page
    assert page.get_by_role("heading", name="Clinic panel").is_visible()
    plateau = page.locator("#signal-plateau")
    assert plateau.locator(".signal-count").inner_text() == "4"
    assert not plateau.get_by_role("link", name="Cal Plateau").is_visible()
    plateau.locator("summary").click()
    assert plateau.get_by_role("link", name="Cal Plateau").is_visible()
    assert page.locator("#stat-graduation .stat").inner_text() == "100 %"
    assert page.locator("#mme-intake-total").inner_text() == "180"
    assert page.locator("#care-simply-continuing").get_by_role("link", name="Dora Continuing")
    w.shot("clinic-panel")

    # From a signal to the patient list filtered by it.
    plateau.get_by_role("link", name="These patients on the patient list").click()
    page.wait_for_url(re.compile(r"/patients\?badge=plateau"))
    names = page.locator("table.patient-table tbody th a").all_inner_texts()
    assert names == ["Cal Plateau", "Dora Continuing", "Gus Nonresponder", "Mo Nearly"]
    w.assert_clean()


def test_the_panel_opens_the_signal_named_in_the_address_and_fits_a_phone(
    open_page: Any, clinic: Any
) -> None:
    w = open_page(clinic.url, "admin.x", PASSWORD, phone=True)
    w.go("/panel?signal=flare_prolonged")
    page = w.page
    assert page.locator("#signal-flare_prolonged").get_attribute("open") is not None
    assert page.get_by_role("link", name="Alma Prolonged").first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the panel is wider than the phone's screen"
    w.shot("clinic-panel-phone")
    w.assert_clean()
