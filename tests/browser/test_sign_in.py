"""Signing in and out in a real browser; what a page that is not yours answers."""

from __future__ import annotations

from typing import Any

from tests.web._server import PASSWORD


def test_a_clinician_signs_in_through_the_form_and_out_again(
    open_page: Any, small_clinic: Any
) -> None:
    w = open_page(small_clinic.url)
    w.go("/patients")
    assert "/login" in w.page.url  # sent to sign in, coming back afterwards
    w.shot("sign-in")
    w.page.get_by_label("Username").fill("doc.x")
    w.page.get_by_label("Password").fill(PASSWORD)
    w.page.get_by_role("button", name="Sign in").click()
    w.page.wait_for_url("**/patients")
    w.page.get_by_role("button", name="Sign out").click()
    w.page.wait_for_url("**/login")
    w.go("/patients")
    assert "/login" in w.page.url
    w.assert_clean()


def test_a_wrong_password_keeps_the_username_and_says_so(open_page: Any, small_clinic: Any) -> None:
    w = open_page(small_clinic.url)
    w.go("/login")
    w.page.get_by_label("Username").fill("doc.x")
    w.page.get_by_label("Password").fill("not it")
    w.page.get_by_role("button", name="Sign in").click()
    w.page.wait_for_load_state("networkidle")
    assert w.page.get_by_role("alert").inner_text().startswith("That username and password")
    assert w.page.get_by_label("Username").input_value() == "doc.x"
