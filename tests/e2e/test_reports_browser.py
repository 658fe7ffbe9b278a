"""A site manager uses the completion reports in a real browser: filter, drill down, download; axe finds nothing."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lms import roles
from tests.lms.report_scenario import SITE, Scenario, manager

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = os.environ.get("REPORT_SCREENSHOTS")  # a folder, to look at the pages while developing


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_site_manager_filters_drills_down_and_downloads(page, live_server, home_page, sign_in, axe):
    s = Scenario(home_page)
    manager("ashby-manager", roles.SITE_MANAGER, (SITE, s.org.ashby))
    sign_in(page, "ashby-manager", next_path="/reports/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Completion reports")
    expect(page.get_by_role("link", name="Reports")).to_have_attribute("aria-current", "true")
    shot(page, "index-all-required")
    assert axe(page) == []

    page.get_by_label("Learning", exact=True).select_option(label="Dee's story")
    page.get_by_label("Only count staff it is assigned to").check()
    page.get_by_role("button", name="Show report").click()

    expect(page.get_by_test_id("report-title")).to_have_text("Dee's story")
    table = page.get_by_test_id("site-table")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Ashby: nothing from other sites
    expect(table.get_by_role("row").nth(1)).to_contain_text("50%")
    chart = page.get_by_role("img", name="% complete by jobcentre")
    expect(chart).to_be_visible()
    shot(page, "index-film")
    assert axe(page) == []

    # Bad input: "to" before "from" → the error summary, focused, with a link to the field; nothing lost.
    page.locator("#id_from_day").fill("10")
    page.locator("#id_from_month").fill("2")
    page.locator("#id_from_year").fill("2025")
    page.locator("#id_to_day").fill("1")
    page.locator("#id_to_month").fill("2")
    page.locator("#id_to_year").fill("2025")
    page.get_by_role("button", name="Show report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Completed to must be the same as or after completed from")
    expect(page.get_by_label("Learning", exact=True)).to_have_value(str(s.film.pk))
    shot(page, "index-error")
    assert axe(page) == []

    page.locator("#id_to_month").fill("3")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_test_id("site-table")).to_contain_text("Completed between the dates")

    page.get_by_test_id("site-table").get_by_role("link", name="Ashby").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ashby")
    staff_table = page.get_by_test_id("staff-table")
    expect(staff_table.get_by_role("row")).to_have_count(5)
    expect(staff_table).to_contain_text("Alf Atkins")
    expect(staff_table).to_contain_text("Overdue")
    shot(page, "site")
    assert axe(page) == []

    with page.expect_download() as download_info:
        page.get_by_test_id("download-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("completion-report-dees-story-ashby-staff-")
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "Ashby jobcentre" in text  # the scope, written into the file
    assert "Alf Atkins" in text and "Byker" not in text

    page.goto(f"{live_server.url}/reports/heat-map/")
    expect(page.get_by_test_id("heat-map")).to_contain_text("Dee's story")
    shot(page, "heatmap")
    assert axe(page) == []


def test_editor_assigns_learning_with_an_accessible_form(page, live_server, home_page, sign_in, axe, editor):
    s = Scenario(home_page)
    sign_in(page, "editor", next_path="/reports/assignments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assignments")
    assert axe(page) == []

    page.get_by_role("button", name="Assign learning").click()
    page.get_by_role("button", name="Assign").click()  # nothing chosen
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the learning to assign")
    expect(summary).to_contain_text("Enter the date it must be completed by")
    shot(page, "assignment-errors")
    assert axe(page) == []

    page.get_by_label("Learning", exact=True).select_option(label="Dee's story")
    page.get_by_label("A district").check()
    page.get_by_label("District", exact=True).select_option(label="Tyne")
    page.locator("#id_due_day").fill("1")
    page.locator("#id_due_month").fill("1")
    page.locator("#id_due_year").fill("2099")
    page.get_by_role("button", name="Assign").click()

    expect(page.get_by_test_id("assignments")).to_contain_text("Tyne")
    expect(page.get_by_test_id("assignments")).to_contain_text("1 January 2099")
    assert s.film.title in page.get_by_test_id("assignments").inner_text()
    assert axe(page) == []
