"""The GOV.UK shell in a real browser: styles load, sign-in works by keyboard, axe finds nothing."""

import re

import pytest
from playwright.sync_api import expect

# serialized_rollback keeps what the data migrations made (roles, Wagtail's root page) between browser tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_home_and_sign_in_pages_are_styled_and_accessible(page, live_server, home_page, axe):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(home_page.title)
    # GOV.UK Frontend's stylesheet and JavaScript loaded from the npm package (no console errors, fonts set).
    heading_font = page.get_by_role("heading", level=1).evaluate("el => getComputedStyle(el).fontFamily")
    assert "GDS Transport" in heading_font
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert axe(page) == []

    page.get_by_role("link", name="Sign in to start learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to JCP Learning")
    assert axe(page) == []


def test_sign_in_and_out_by_keyboard_alone(page, live_server, learner, home_page):
    page.goto(live_server.url + "/accounts/login/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"

    page.get_by_label("Username").focus()
    page.keyboard.type("learner")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Signed in as learner")).to_be_visible()
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_wrong_password_moves_focus_to_the_error_summary(page, live_server, learner, axe):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("learner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(re.compile("enter a correct username and password", re.I))
    assert axe(page) == []


def test_error_page_is_accessible(page, live_server, home_page, axe):
    response = page.goto(live_server.url + "/nowhere/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert axe(page) == []
