"""Recording attendance (lms.views.attendance, lms.services.attendance): a Teams report for a webinar attended
live, and a group screening. Nothing is recorded before the manager confirms; scope is enforced on every step."""

import datetime
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms import roles
from lms.attendance import Attendee
from lms.models import Completion, CompletionMethod, ManagerScope, SiteItemRollup
from lms.selectors.attendance import Unmatched, attendance_match
from lms.selectors.scope import report_scope_for
from lms.services.attendance import attendance_record
from lms.services.completions import completion_record
from lms.services.staff import staff_profile_move
from tests.lms import factories
from tests.lms.attendance_files import legacy_report, teams_report
from tests.lms.report_scenario import DISTRICT, SITE, Org, manager, staff

pytestmark = pytest.mark.django_db


class World:
    """Ashby and Byker (Tyne district) and Erith (Kent); a past webinar whose live attendance counts, a film."""

    def __init__(self, home_page):
        self.org = Org()
        index = factories.learning_index(home_page)
        starts = timezone.now() - datetime.timedelta(days=2)
        self.webinar = factories.webinar(index, title="Housing first", starts_at=starts, duration_minutes=60)
        self.film = factories.film(index, title="Dee's story")
        self.ada = staff("ada", self.org.ashby, first_name="Ada", last_name="Ashworth", email="Ada.Ashworth@dwp.gov.uk")
        self.alf = staff("alf", self.org.ashby, first_name="Alf", last_name="Atkins", email="alf.atkins@dwp.gov.uk")
        self.bea = staff("bea", self.org.byker, first_name="Bea", last_name="Bell", email="bea.bell@dwp.gov.uk")
        self.eve = staff("eve", self.org.erith, first_name="Eve", last_name="Evans", email="eve.evans@dwp.gov.uk")
        self.gone = staff("gone", self.org.ashby, first_name="Gil", last_name="Gone", email="gil@dwp.gov.uk")
        self.gone.is_active = False
        self.gone.save()
        self.nojob = staff("nojob", None, first_name="Nia", last_name="Nobody", email="nia@dwp.gov.uk")
        self.ashby_manager = manager("ashby-manager", roles.SITE_MANAGER, (SITE, self.org.ashby))
        self.tyne_manager = manager("tyne-manager", roles.DISTRICT_MANAGER, (DISTRICT, self.org.tyne))
        self.learner = staff("learner", self.org.ashby, email="learner@dwp.gov.uk")

    def report(self) -> bytes:
        return teams_report(
            [
                ("Ashby Manager", "manager@dwp.gov.uk"),
                ("Ada Ashworth", "ADA.ASHWORTH@dwp.gov.uk "),
                ("Alf Atkins", "", "Alf.Atkins@dwp.gov.uk"),
                ("Bea Bell", "bea.bell@dwp.gov.uk"),
                ("Eve Evans", "eve.evans@dwp.gov.uk"),
                ("Gil Gone", "gil@dwp.gov.uk"),
                ("Nia Nobody", "nia@dwp.gov.uk"),
                ("Phone caller", ""),
            ]
        )


@pytest.fixture
def w(home_page):
    return World(home_page)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, webinar, data: bytes, name: str = "meetingAttendanceReport(Housing first).csv"):
    return client.post(
        "/reports/attendance/teams-report/",
        {"webinar": str(webinar.pk), "report": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def completions(item) -> dict[str, tuple]:
    rows = Completion.objects.filter(item_id=item.pk).select_related("user", "recorded_by", "jobcentre")
    return {c.user.username: (c.method, c.recorded_by.username if c.recorded_by else None) for c in rows}


# -- a Teams report ---------------------------------------------------------------------------------------------


def test_upload_shows_who_matches_and_why_others_do_not_and_records_nothing(w):
    client = signed_in(w.ashby_manager)
    response = upload(client, w.webinar, w.report())
    assert response.status_code == 302
    check = client.get(response["Location"])
    assert check.status_code == 200

    matching = check.context["matching"]
    assert [row.staff.name for row in matching.matched] == ["Ada Ashworth", "Alf Atkins"]  # Alf by his UPN
    assert {row.staff.jobcentre for row in matching.matched} == {"Ashby"}
    reasons = {row.attendee.name: row.reason for row in matching.unmatched}
    assert reasons == {
        "Ashby Manager": Unmatched.NO_ACCOUNT,
        "Bea Bell": Unmatched.OUT_OF_SCOPE,  # Byker: same district, another site
        "Eve Evans": Unmatched.OUT_OF_SCOPE,
        "Gil Gone": Unmatched.INACTIVE,
        "Nia Nobody": Unmatched.NO_STAFF_RECORD,
        "Phone caller": Unmatched.NO_EMAIL,
    }
    html = check.content.decode()
    assert "They work outside the area you manage" in html
    assert "Byker" not in html and "Erith" not in html  # out-of-scope staff's sites are not revealed
    assert check.context["counts"] == {"total": 8, "to_record": 2, "already": 0, "unmatched": 6}
    assert Completion.objects.filter(item_id=w.webinar.pk).count() == 0


def test_confirming_records_attended_live_once_with_the_manager_and_an_audit_event(w, caplog):
    completion_record(user=w.alf, item=w.webinar, method=CompletionMethod.WATCHED)
    client = signed_in(w.tyne_manager)
    check_url = upload(client, w.webinar, w.report())["Location"]
    page = client.get(check_url)
    assert [row.staff.name for row in page.context["matching"].to_record] == ["Ada Ashworth", "Bea Bell"]
    rows = [str(row.index) for row in page.context["matching"].to_record]

    with caplog.at_level(logging.INFO, logger="jcp.audit"):
        done = client.post(check_url, {"row": rows})
    assert done.status_code == 302 and done["Location"] == check_url

    assert completions(w.webinar) == {
        "ada": (CompletionMethod.ATTENDED_LIVE, "tyne-manager"),
        "bea": (CompletionMethod.ATTENDED_LIVE, "tyne-manager"),
        "alf": (CompletionMethod.WATCHED, None),  # his first completion is kept
    }
    ada = Completion.objects.get(user=w.ada, item_id=w.webinar.pk)
    assert ada.completed_at == w.webinar.ends_at and ada.jobcentre == w.org.ashby
    assert SiteItemRollup.objects.get(jobcentre=w.org.byker, item_id=w.webinar.pk).completed == 1
    (event,) = [r.audit for r in caplog.records if getattr(r, "audit", {}).get("event") == "attendance.recorded"]
    assert event["user_id"] == w.tyne_manager.pk and event["source"] == "teams_report"
    assert sorted(event["recorded"]) == sorted([w.ada.pk, w.bea.pk]) and event["refused"] == []

    result = client.get(check_url)
    assert result.context["recorded"] == ["Ada Ashworth", "Bea Bell"]
    assert "2 people completed Housing first" in result.content.decode()


def test_the_manager_can_leave_someone_out(w):
    client = signed_in(w.ashby_manager)
    check_url = upload(client, w.webinar, w.report())["Location"]
    ada_row = next(r for r in client.get(check_url).context["matching"].to_record if r.staff.name == "Ada Ashworth")
    client.post(check_url, {"row": [str(ada_row.index)]})
    assert completions(w.webinar) == {"ada": (CompletionMethod.ATTENDED_LIVE, "ashby-manager")}


def test_uploading_the_same_report_again_records_nothing_new(w):
    client = signed_in(w.ashby_manager)
    first = upload(client, w.webinar, w.report())["Location"]
    rows = [str(row.index) for row in client.get(first).context["matching"].to_record]
    client.post(first, {"row": rows})
    recorded = list(Completion.objects.filter(item_id=w.webinar.pk).values_list("pk", "completed_at"))
    assert len(recorded) == 2

    client.post(first, {"row": rows})  # the same confirmation sent twice (double click, back button)
    second = upload(client, w.webinar, w.report())["Location"]
    page = client.get(second)
    assert page.context["matching"].to_record == ()
    assert [row.staff.completed for row in page.context["matching"].matched] == ["Attended live", "Attended live"]
    assert "There is nobody new to record from this report." in page.content.decode()
    client.post(second, {"row": rows})
    assert list(Completion.objects.filter(item_id=w.webinar.pk).values_list("pk", "completed_at")) == recorded


def test_forged_rows_and_fields_on_confirm_record_nobody_outside_the_report_match(w):
    client = signed_in(w.ashby_manager)
    check_url = upload(client, w.webinar, w.report())["Location"]
    matching = client.get(check_url).context["matching"]
    outside = [str(row.index) for row in matching.unmatched]  # Bea, Eve, … are rows of this report, but not Ashby's
    forged = {"row": [*outside, "99", "-1", "x"], "email": "eve.evans@dwp.gov.uk", "user": str(w.eve.pk)}

    response = client.post(check_url, forged)

    assert response.status_code == 200
    assert "Select at least one person to record" in response.content.decode()
    assert Completion.objects.filter(item_id=w.webinar.pk).count() == 0


def test_scope_is_checked_again_on_confirm(w):
    client = signed_in(w.tyne_manager)
    check_url = upload(client, w.webinar, w.report())["Location"]
    rows = [str(row.index) for row in client.get(check_url).context["matching"].to_record]
    staff_profile_move(profile=w.bea.staff_profile, jobcentre=w.org.erith)  # Bea moves to Kent meanwhile

    client.post(check_url, {"row": rows})
    assert set(completions(w.webinar)) == {"ada", "alf"}

    ManagerScope.objects.filter(user=w.tyne_manager).delete()
    assert client.get(check_url).status_code == 403


def test_another_manager_cannot_confirm_someone_elses_upload(w):
    check_url = upload(signed_in(w.ashby_manager), w.webinar, w.report())["Location"]
    other = signed_in(w.tyne_manager)
    assert other.get(check_url).status_code == 404
    assert other.post(check_url, {"row": ["1", "2"]}).status_code == 404
    assert Completion.objects.count() == 0


def test_an_older_single_table_report_works_too(w):
    client = signed_in(w.ashby_manager)
    data = legacy_report([("Ada Ashworth", "ada.ashworth@dwp.gov.uk"), ("Alf Atkins", "alf.atkins@dwp.gov.uk")])
    check_url = upload(client, w.webinar, data)["Location"]
    rows = [str(row.index) for row in client.get(check_url).context["matching"].to_record]
    client.post(check_url, {"row": rows})
    assert set(completions(w.webinar)) == {"ada", "alf"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
        ("Full Name\tUser Action\tTimestamp\r\nAda\tJoined\t9:58\r\n".encode("utf-16"), "no Email column"),
        (teams_report([]), "list of participants in this file is empty"),
        (b"Name,Email\n" + b"x" * (2 * 1024 * 1024), "at most 2 MB"),
    ],
    ids=["empty", "xlsx", "no email column", "nobody", "too big"],
)
def test_a_bad_file_is_refused_with_a_message_and_audited(w, data, message, caplog):
    client = signed_in(w.ashby_manager)
    with caplog.at_level(logging.INFO, logger="jcp.audit"):
        response = upload(client, w.webinar, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.content.decode().count("govuk-error-summary__list") == 1
    assert any(getattr(r, "audit", {}).get("event") == "attendance.upload_rejected" for r in caplog.records)


def test_a_webinar_whose_live_attendance_does_not_count_is_refused(w):
    w.webinar.attendance_completes = False
    w.webinar.save()
    response = upload(signed_in(w.ashby_manager), w.webinar, w.report())
    assert response.status_code == 200
    assert "Attending “Housing first” live does not count as completing it" in response.content.decode()


def test_a_webinar_in_the_future_is_refused(w, home_page):
    future = factories.webinar(
        factories.learning_index(home_page), title="Next month", starts_at=timezone.now() + datetime.timedelta(days=30)
    )
    response = upload(signed_in(w.ashby_manager), future, w.report())
    assert "“Next month” has not happened yet" in response.content.decode()
    assert Completion.objects.count() == 0


def test_a_webinar_changed_after_upload_is_refused_on_confirm(w):
    client = signed_in(w.ashby_manager)
    check_url = upload(client, w.webinar, w.report())["Location"]
    rows = [str(row.index) for row in client.get(check_url).context["matching"].to_record]
    w.webinar.attendance_completes = False
    w.webinar.save()
    response = client.post(check_url, {"row": rows})
    assert "does not count as completing it" in response.content.decode()
    assert Completion.objects.count() == 0


def test_a_film_cannot_be_attended_live(w):
    response = upload(signed_in(w.ashby_manager), w.film, w.report())
    assert "Choose a webinar from the list" in response.content.decode()


# -- a group screening ------------------------------------------------------------------------------------------


def screening_query(item, day: datetime.date, site) -> dict:
    return {
        "item": str(item.pk),
        "on_day": str(day.day),
        "on_month": str(day.month),
        "on_year": str(day.year),
        "site": str(site.pk),
    }


def test_a_group_screening_lists_the_sites_staff_then_records_after_confirmation(w, caplog):
    client = signed_in(w.tyne_manager)
    day = timezone.localdate() - datetime.timedelta(days=1)
    query = screening_query(w.film, day, w.org.ashby)
    page = client.get("/reports/attendance/group-screening/", query)
    assert [member.name for member in page.context["to_tick"]] == ["Ada Ashworth", "Alf Atkins", "learner"]
    assert page.context["form"].fields["site"].choices[1:] == [
        (str(w.org.ashby.pk), "Ashby"),
        (str(w.org.byker.pk), "Byker"),
        (str(w.org.cullercoats.pk), "Cullercoats (closed)"),
    ]

    response = client.post(
        "/reports/attendance/group-screening/", {**query, "attendee": [str(w.ada.pk), str(w.alf.pk)]}
    )
    assert response.status_code == 302
    assert Completion.objects.count() == 0  # not before the manager confirms
    check = client.get(response["Location"])
    assert [member.name for member in check.context["to_record"]] == ["Ada Ashworth", "Alf Atkins"]

    with caplog.at_level(logging.INFO, logger="jcp.audit"):
        client.post(response["Location"])
    assert completions(w.film) == {
        "ada": (CompletionMethod.GROUP_SCREENING, "tyne-manager"),
        "alf": (CompletionMethod.GROUP_SCREENING, "tyne-manager"),
    }
    expected = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
    assert Completion.objects.get(user=w.ada, item_id=w.film.pk).completed_at == expected
    assert any(getattr(r, "audit", {}).get("source") == "group_screening" for r in caplog.records)

    again = client.get("/reports/attendance/group-screening/", query)  # they are now listed as done
    assert [member.name for member in again.context["done"]] == ["Ada Ashworth", "Alf Atkins"]


def test_a_forged_user_id_from_another_site_is_refused_and_nothing_is_recorded(w, caplog):
    client = signed_in(w.ashby_manager)
    query = screening_query(w.film, timezone.localdate(), w.org.ashby)
    with caplog.at_level(logging.INFO, logger="jcp.audit"):
        response = client.post(
            "/reports/attendance/group-screening/", {**query, "attendee": [str(w.ada.pk), str(w.bea.pk)]}
        )
    assert response.status_code == 403
    assert Completion.objects.count() == 0
    events = [r.audit for r in caplog.records if getattr(r, "audit", {}).get("event") == "attendance.out_of_scope"]
    assert events and events[0]["user_ids"] == [w.bea.pk]


def test_a_site_outside_the_scope_cannot_be_chosen(w):
    client = signed_in(w.ashby_manager)
    response = client.get(
        "/reports/attendance/group-screening/", screening_query(w.film, timezone.localdate(), w.org.erith)
    )
    assert response.context["staff"] is None
    html = response.content.decode()
    assert "Choose a jobcentre from the list" in html and "Eve Evans" not in html


def test_the_service_records_only_staff_in_scope(w):
    scope = report_scope_for(user=w.ashby_manager)
    outcome = attendance_record(
        recorded_by=w.ashby_manager,
        scope=scope,
        item=w.film,
        method=CompletionMethod.GROUP_SCREENING,
        user_ids=[w.ada.pk, w.eve.pk, w.gone.pk, w.nojob.pk, w.ada.pk],
        on=timezone.localdate(),
        source="test",
    )
    assert outcome.recorded == (w.ada.pk,)
    assert outcome.refused == (w.eve.pk, w.gone.pk, w.nojob.pk)
    assert set(completions(w.film)) == {"ada"}


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "must be today or in the past"), (-5, "must be on or after")],
    ids=["in the future", "before the webinar"],
)
def test_screening_dates_are_checked(w, home_page, days, message):
    w.webinar.video = factories.ready_video(title="Recording")
    w.webinar.save()
    client = signed_in(w.ashby_manager)
    day = timezone.localdate() + datetime.timedelta(days=days)
    response = client.get("/reports/attendance/group-screening/", screening_query(w.webinar, day, w.org.ashby))
    assert message in response.content.decode()
    assert response.context["staff"] is None


def test_a_webinar_without_a_recording_cannot_be_screened(w, home_page):
    response = signed_in(w.ashby_manager).get("/reports/attendance/group-screening/")
    offered = {title for _, options in response.context["form"].fields["item"].choices[1:] for _, title in options}
    assert offered == {"Dee's story"}  # the webinar has no video yet


def test_nobody_ticked_is_an_error(w):
    client = signed_in(w.ashby_manager)
    query = screening_query(w.film, timezone.localdate(), w.org.ashby)
    response = client.post("/reports/attendance/group-screening/", query)
    assert "Select everyone who was at the team meeting" in response.content.decode()


# -- who may do it ----------------------------------------------------------------------------------------------


def test_a_learner_is_refused_everywhere(w):
    client = signed_in(w.learner)
    for url in ("/reports/attendance/", "/reports/attendance/teams-report/", "/reports/attendance/group-screening/"):
        assert client.get(url).status_code == 403, url
    assert upload(client, w.webinar, w.report()).status_code == 403
    query = screening_query(w.film, timezone.localdate(), w.org.ashby)
    assert (
        client.post("/reports/attendance/group-screening/", {**query, "attendee": [str(w.ada.pk)]}).status_code == 403
    )
    assert Completion.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_sign_in(w):
    response = Client().get("/reports/attendance/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_manager_without_a_scope_is_refused(w):
    client = signed_in(manager("nowhere", roles.SITE_MANAGER))
    assert client.get("/reports/attendance/").status_code == 403


def test_the_webinar_page_offers_managers_the_upload(w):
    html = signed_in(w.ashby_manager).get(w.webinar.url).content.decode()
    assert f'href="/reports/attendance/teams-report/?webinar={w.webinar.pk}"' in html
    assert "Record who attended live" not in signed_in(w.learner).get(w.webinar.url).content.decode()


def test_matching_takes_the_same_queries_however_long_the_report(w):
    scope = report_scope_for(user=w.tyne_manager)
    few = [Attendee(name="Ada", email="ada.ashworth@dwp.gov.uk")]
    many = [Attendee(name=f"P{n}", email=f"p{n}@dwp.gov.uk") for n in range(200)] + few
    with CaptureQueriesContext(connection) as small:
        attendance_match(scope=scope, item_id=w.webinar.pk, attendees=few)
    with CaptureQueriesContext(connection) as large:
        result = attendance_match(scope=scope, item_id=w.webinar.pk, attendees=many)
    assert len(large) == len(small) <= 4
    assert len(result.matched) == 1 and len(result.unmatched) == 200


def test_the_reports_page_links_to_record_attendance(w):
    html = signed_in(w.ashby_manager).get("/reports/").content.decode()
    assert 'href="/reports/attendance/"' in html
