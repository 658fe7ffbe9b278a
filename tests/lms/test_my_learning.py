"""My learning (/my-learning/): assigned items with due dates, in progress with resume links, completed."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lms.models import Assignment, CompletionMethod, Jobcentre, Progress
from lms.services.completions import completion_record
from tests.lms import factories

pytestmark = pytest.mark.django_db

URL = "/my-learning/"


@pytest.fixture
def index(home_page):
    return factories.learning_index(home_page)


@pytest.fixture
def jobcentres(organisation):
    return list(Jobcentre.objects.filter(is_active=True).select_related("district").order_by("code")[:2])


@pytest.fixture
def staff(make_user, jobcentres):
    return make_user("priya", jobcentre=jobcentres[0], first_name="Priya")


@pytest.fixture
def client(staff):
    client = Client()
    client.force_login(staff)
    return client


def watched(user, item, *, seconds, duration=120.0, position=None):
    now = timezone.now()
    return Progress.objects.create(
        user=user,
        item_id=item.pk,
        ranges=[[0, seconds]],
        watched_seconds=seconds,
        duration=duration,
        position=seconds if position is None else position,
        started_at=now,
        updated_at=now,
    )


def test_my_learning_requires_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my-learning/"


def test_signing_in_lands_on_my_learning(settings):
    assert settings.LOGIN_REDIRECT_URL == "/my-learning/"


def test_empty_states(client, index):
    html = client.get(URL).content.decode()
    assert "Nothing has been assigned to you." in html
    assert "You have not started anything yet." in html
    assert f'<a class="govuk-link" href="{index.url}">Browse learning</a>' in html
    assert "You have not completed anything yet." in html


def test_navigation_has_my_learning_and_browse(client, index):
    html = client.get(URL).content.decode()
    assert 'data-nav="my-learning"' in html and 'aria-current="true"' in html
    assert f'href="{index.url}"' in html and 'data-nav="browse"' in html


def test_assigned_items_with_due_dates_and_status(client, staff, index, jobcentres):
    today = timezone.localdate()
    series = factories.series(index, title="Core series")
    module = factories.module(series)
    film = factories.film(index, title="Assigned film")
    webinar = factories.webinar(index, title="Done webinar")
    other_site_only = factories.film(index, title="Other site's film")
    Assignment.objects.create(item=series, level="national", due_on=today + datetime.timedelta(days=30))
    Assignment.objects.create(item=film, level="site", jobcentre=jobcentres[0], due_on=today - datetime.timedelta(1))
    Assignment.objects.create(item=film, level="national", due_on=today + datetime.timedelta(days=60))  # later
    Assignment.objects.create(item=webinar, level="district", district=jobcentres[0].district, due_on=today)
    Assignment.objects.create(item=other_site_only, level="site", jobcentre=jobcentres[1], due_on=today)
    watched(staff, module, seconds=30)
    completion_record(user=staff, item=webinar, method=CompletionMethod.ATTENDED_LIVE)

    response = client.get(URL)
    rows = response.context["overview"].assigned
    if jobcentres[1].district_id == jobcentres[0].district_id:
        rows = [row for row in rows if row.item.pk != other_site_only.pk]
    assert [(row.item.title, row.due_on, row.tag_label) for row in rows] == [
        ("Assigned film", today - datetime.timedelta(1), "Overdue"),
        ("Done webinar", today, "Completed"),
        ("Core series", today + datetime.timedelta(days=30), "In progress"),
    ]
    html = response.content.decode()
    assert "govuk-tag--red" in html and "You have 1 overdue item." in html
    assert "Other site&#x27;s film" not in html


def test_in_progress_with_resume_links_and_completed_with_dates(client, staff, index):
    series = factories.series(index)
    halfway = factories.module(series, title="Halfway module")
    watched(staff, halfway, seconds=42)
    finished = factories.film(index, title="Finished film")
    watched(staff, finished, seconds=120)
    completion_record(
        user=staff,
        item=finished,
        method=CompletionMethod.WATCHED,
        completed_at=timezone.make_aware(datetime.datetime(2026, 2, 14, 12, 0)),
    )
    opened_only = factories.film(index, title="Opened film")
    watched(staff, opened_only, seconds=0, position=0)

    response = client.get(URL)
    overview = response.context["overview"]
    assert [(row.item.title, row.percent, row.resume_at) for row in overview.in_progress] == [
        ("Halfway module", 35, 42.0)
    ]
    assert [(row.item.title, row.method) for row in overview.completed] == [("Finished film", "Watched")]
    html = response.content.decode()
    assert f'href="{halfway.url}#player">Continue from 0:42' in html
    assert "You have watched 35%." in html
    assert "14 February 2026" in html


def test_my_learning_queries_do_not_grow_with_items(client, staff, index, django_assert_max_num_queries):
    today = timezone.localdate()

    def add(count):
        for _ in range(count):
            series = factories.series(index)
            module = factories.module(series)
            film = factories.film(index)
            Assignment.objects.create(item=series, level="national", due_on=today)
            Assignment.objects.create(item=film, level="national", due_on=today)
            watched(staff, module, seconds=10)
            completion_record(user=staff, item=film, method=CompletionMethod.WATCHED)

    add(1)
    client.get(URL)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    add(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    overview = response.context["overview"]
    assert (len(overview.assigned), len(overview.in_progress), len(overview.completed)) == (12, 6, 6)
