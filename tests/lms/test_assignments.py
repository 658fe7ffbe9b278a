"""Assignments: editors and national reporting set and remove them; other managers cannot; learners see them."""

import datetime

import pytest
from django.utils import timezone

from lms import roles
from lms.models import Assignment
from lms.selectors.assignments import assignments_for_staff
from tests.lms import factories
from tests.lms.report_scenario import DISTRICT, GROUP, NATIONAL, SITE, Org, manager, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture
def film(home_page):
    return factories.film(factories.learning_index(home_page), title="Dee's story")


def due_fields(days: int = 30) -> dict:
    due = timezone.localdate() + datetime.timedelta(days=days)
    return {"due_day": due.day, "due_month": due.month, "due_year": due.year}


@pytest.mark.parametrize("who", ["editor", "national"])
def test_editors_and_national_reporting_assign_learning(client, org, film, editor, who):
    user = editor if who == "editor" else manager("national", roles.NATIONAL_REPORTING, (NATIONAL, None))
    client.force_login(user)
    assert client.get("/reports/assignments/new/").status_code == 200

    response = client.post(
        "/reports/assignments/new/",
        {"item": film.pk, "level": "district", "district": org.tyne.pk, "job_role": "dea", **due_fields()},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.item_id, assignment.level, assignment.district, assignment.job_role) == (
        film.pk,
        "district",
        org.tyne,
        "dea",
    )
    assert assignment.created_by == user
    listing = client.get("/reports/assignments/").content.decode()
    assert "Dee&#x27;s story" in listing and "Tyne" in listing

    # Learners in the audience see it on My learning (lms.selectors.assignments); others do not.
    adviser = staff("adviser", org.byker, "dea")
    coach = staff("coach", org.byker, "work_coach")
    assert list(assignments_for_staff(profile=adviser.staff_profile)) == [assignment]
    assert list(assignments_for_staff(profile=coach.staff_profile)) == []

    assert client.get(f"/reports/assignments/{assignment.pk}/delete/").status_code == 200
    assert client.post(f"/reports/assignments/{assignment.pk}/delete/").status_code == 302
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("role", "scope"),
    [(roles.SITE_MANAGER, SITE), (roles.DISTRICT_MANAGER, DISTRICT), (roles.GROUP_MANAGER, GROUP)],
)
def test_other_managers_cannot_assign_or_remove(client, org, film, role, scope):
    unit = {SITE: org.ashby, DISTRICT: org.tyne, GROUP: org.north}[scope]
    client.force_login(manager("boss", role, (scope, unit)))
    existing = Assignment.objects.create(item=film, level="national", due_on=timezone.localdate())
    assert client.get("/reports/assignments/new/").status_code == 403
    data = {"item": film.pk, "level": "national", **due_fields()}
    assert client.post("/reports/assignments/new/", data).status_code == 403
    assert client.post(f"/reports/assignments/{existing.pk}/delete/").status_code == 403
    assert Assignment.objects.count() == 1


def test_learners_cannot_see_assignments_admin(client, org, film):
    client.force_login(staff("learner1", org.ashby))
    assert client.get("/reports/assignments/").status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": "national"}, "Enter the date it must be completed by"),
        ({"level": "national", "due_day": 31, "due_month": 2, "due_year": 2030}, "must be a real date"),
        ({"level": "national", "due_day": 1, "due_month": 1, "due_year": 2020}, "today or in the future"),
        ({"level": "district", **due_fields()}, "Choose a district"),
        ({"level": "site", **due_fields()}, "Choose a jobcentre"),
        ({"item": "", "level": "national", **due_fields()}, "Choose the learning to assign"),
        ({"item": "999999", "level": "national", **due_fields()}, "Choose the learning to assign"),
        ({"due_day": 1, "due_month": 1, "due_year": 2030}, "Choose who must complete it"),
    ],
)
def test_bad_input_is_explained_and_kept(client, org, film, editor, data, message):
    client.force_login(editor)
    data = {"item": film.pk, **data}
    response = client.post("/reports/assignments/new/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and message in text
    assert not Assignment.objects.exists()
    if data.get("due_year"):
        assert f'value="{data["due_year"]}"' in text  # what was typed is kept


def test_navigation_shows_reports_or_assignments(client, org, editor):
    client.force_login(manager("site-boss", roles.SITE_MANAGER, (SITE, org.ashby)))
    assert 'data-nav="reports"' in client.get("/reports/").content.decode()
    client.force_login(editor)
    text = client.get("/reports/assignments/").content.decode()
    assert 'data-nav="assignments"' in text and 'data-nav="reports"' not in text
