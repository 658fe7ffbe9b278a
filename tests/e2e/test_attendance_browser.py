"""A site manager records attendance in a real browser: a Teams report (upload → check → confirm) from the webinar
page, and a group screening. axe finds nothing on any step; nothing is recorded before confirming."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lms import roles
from lms.models import Completion, CompletionMethod
from tests.lms import factories
from tests.lms.attendance_files import teams_report
from tests.lms.report_scenario import SITE, Org, manager, staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = os.environ.get("ATTENDANCE_SCREENSHOTS")  # a folder, to look at the pages while developing


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def world(home_page):
    org = Org()
    index = factories.learning_index(home_page)
    webinar = factories.webinar(
        index, title="Housing first", starts_at=timezone.now() - datetime.timedelta(days=1), duration_minutes=60
    )
    film = factories.film(index, title="Dee's story")
    people = {
        "ada": staff("ada", org.ashby, first_name="Ada", last_name="Ashworth", email="ada.ashworth@dwp.gov.uk"),
        "alf": staff("alf", org.ashby, first_name="Alf", last_name="Atkins", email="alf.atkins@dwp.gov.uk"),
        "eve": staff("eve", org.erith, first_name="Eve", last_name="Evans", email="eve.evans@dwp.gov.uk"),
    }
    manager("ashby-manager", roles.SITE_MANAGER, (SITE, org.ashby))
    return {"org": org, "webinar": webinar, "film": film, **people}


def test_upload_a_teams_report_check_and_confirm(page, live_server, world, sign_in, axe, tmp_path):
    report = tmp_path / "meetingAttendanceReport(Housing first).csv"
    report.write_bytes(
        teams_report(
            [
                ("Ada Ashworth", "ada.ashworth@dwp.gov.uk"),
                ("Alf Atkins", "alf.atkins@dwp.gov.uk"),
                ("Eve Evans", "eve.evans@dwp.gov.uk"),
                ("Phone caller", ""),
            ]
        )
    )
    webinar = world["webinar"]
    sign_in(page, "ashby-manager", next_path=webinar.url)
    page.get_by_role("link", name="Record who attended live").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a Teams attendance report")
    expect(page.get_by_label("Webinar")).to_have_value(str(webinar.pk))
    assert axe(page) == []

    # No file: the error summary, focused, linking to the file input; the chosen webinar is kept.
    page.get_by_role("button", name="Check the report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the attendance report file")
    expect(page.get_by_label("Webinar")).to_have_value(str(webinar.pk))
    shot(page, "upload-error")
    assert axe(page) == []

    page.get_by_label("Teams attendance report").set_input_files(str(report))
    page.get_by_role("button", name="Check the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check who attended Housing first")
    matched = page.get_by_test_id("matched")
    expect(matched.get_by_role("row")).to_have_count(3)  # header, Ada, Alf
    expect(page.get_by_test_id("unmatched")).to_contain_text("They work outside the area you manage")
    expect(page.get_by_test_id("unmatched")).to_contain_text("The report has no email address for them")
    shot(page, "check")
    assert axe(page) == []
    assert Completion.objects.count() == 0  # nothing until the manager confirms

    page.get_by_label("Record Alf Atkins").uncheck()
    page.get_by_role("button", name="Record attendance").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Attendance recorded")
    expect(page.get_by_test_id("recorded-count")).to_have_text("1 person completed Housing first")
    shot(page, "done")
    assert axe(page) == []
    ada = Completion.objects.get(item_id=webinar.pk)
    assert (ada.user.username, ada.method, ada.recorded_by.username) == (
        "ada",
        CompletionMethod.ATTENDED_LIVE,
        "ashby-manager",
    )


def test_record_a_group_screening(page, live_server, world, sign_in, axe):
    sign_in(page, "ashby-manager", next_path="/reports/attendance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance")
    assert axe(page) == []
    page.get_by_role("link", name="Record a group screening").click()

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("What was shown").select_option(label="Dee's story")
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    expect(page.get_by_label("Jobcentre")).to_have_value(str(world["org"].ashby.pk))  # their only site
    page.get_by_role("button", name="Show staff").click()

    attendees = page.get_by_test_id("attendees")
    expect(attendees.get_by_role("checkbox")).to_have_count(2)
    expect(page.get_by_text("Eve Evans")).to_have_count(0)
    shot(page, "screening")
    assert axe(page) == []

    page.get_by_role("button", name="Continue").click()  # nobody ticked
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select everyone who was at the team meeting")
    assert axe(page) == []

    page.get_by_label("Ada Ashworth").check()
    page.get_by_label("Alf Atkins").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you record")
    expect(page.get_by_test_id("to-record")).to_contain_text("Ada Ashworth")
    shot(page, "screening-check")
    assert axe(page) == []
    assert Completion.objects.count() == 0

    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_test_id("recorded-count")).to_have_text("2 people completed Dee's story")
    methods = set(Completion.objects.filter(item_id=world["film"].pk).values_list("method", flat=True))
    assert methods == {CompletionMethod.GROUP_SCREENING}
