"""The clinic lead's accounts page in a real browser: the lead opens it from the menu, a refused
form keeps what was typed but not the password, and a patient registered without a login gets
one and signs in to their daily log."""

from __future__ import annotations

import re
from typing import Any

from tests.web._server import PASSWORD
from tests.web.test_account_pages import new_patient

NEW_PASSWORD = "a-brand-new-passphrase-7"
# "Password" and its required mark, not "Password again".
PASSWORD_LABEL = re.compile(r"^Password\W*$")


def test_the_lead_gives_a_patient_a_login_through_the_form(
    open_page: Any, small_clinic: Any
) -> None:
    sam = new_patient(small_clinic, "Sam Rivera")
    w = open_page(small_clinic.url, "admin.x", PASSWORD)
    page = w.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.wait_for_url("**/accounts")
    assert page.get_by_role("heading", name="Accounts", exact=True).is_visible()
    rows = page.locator("table.account-table tbody tr")
    assert rows.count() == 5  # admin, doc, pt, and the logins of patients A and B

    page.get_by_label("Role").select_option("patient")
    page.get_by_label("Patient", exact=True).select_option(sam)
    page.get_by_label("Username").fill("sam.rivera")
    page.get_by_label(PASSWORD_LABEL).fill("too short")
    page.get_by_label("Password again").fill("too short")
    page.get_by_role("button", name="Add the account").click()
    page.wait_for_load_state("networkidle")
    summary = page.locator("#error-summary")
    assert "Password: must be at least 12 characters" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_label("Username").input_value() == "sam.rivera"
    assert page.get_by_label("Patient", exact=True).input_value() == sam
    assert page.get_by_label(PASSWORD_LABEL).input_value() == ""
    w.shot("accounts-errors")

    page.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add the account").click()
    page.wait_for_url("**/accounts?added=sam.rivera")
    status = page.get_by_role("status").first
    assert "Account sam.rivera added" in status.inner_text()
    row = page.locator('tr[data-username="sam.rivera"]')
    assert "Sam Rivera" in row.inner_text() and "Patient" in row.inner_text()
    w.shot("accounts")
    w.assert_clean(allow_status=(422,))

    patient = open_page(small_clinic.url, "sam.rivera", NEW_PASSWORD, phone=True)
    assert patient.page.url.endswith("/me/log")
    patient.assert_clean()
