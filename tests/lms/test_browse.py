"""The browse page (the learning index): series, films and webinars, topic filters, pages, statuses."""

import pytest
from django.test import Client
from django.utils import timezone

from lms.models import CompletionMethod, Progress, Topic
from lms.selectors.browse import BROWSE_PAGE_SIZE
from lms.services.completions import completion_record
from tests.lms import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home_page):
    return factories.learning_index(home_page)


@pytest.fixture
def client(learner):
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def topics():
    return {
        slug: Topic.objects.create(name=name, slug=slug)
        for slug, name in [("homelessness", "Homelessness"), ("trauma", "Trauma"), ("addiction", "Addiction")]
    }


def titles(response) -> list[str]:
    return [entry.page.title for entry in response.context["browse"].entries.object_list]


def tagged(page, *topics):
    page.topics.add(*topics)
    page.save()
    return page


def test_browse_lists_live_series_films_and_webinars(client, index):
    series = factories.series(index, title="Trauma-informed practice")
    factories.module(series)
    factories.module(series)
    factories.film(index, title="Sam's story")
    factories.webinar(index, title="Housing first")
    factories.film(index, title="Draft film", live=False)

    response = client.get(index.url)
    assert titles(response) == ["Trauma-informed practice", "Sam's story", "Housing first"]
    html = response.content.decode()
    assert "3 results" in html
    assert "2 modules" in html
    assert [entry.kind for entry in response.context["browse"].entries.object_list] == [
        "Series",
        "Human library film",
        "Webinar",
    ]


def test_browse_requires_sign_in(index):
    assert Client().get(index.url).status_code == 302


def test_filter_by_topics(client, index, topics):
    tagged(factories.series(index, title="Trauma series"), topics["trauma"])
    tagged(factories.film(index, title="Homeless film"), topics["homelessness"])
    tagged(factories.webinar(index, title="Both webinar"), topics["homelessness"], topics["trauma"])
    factories.film(index, title="Untagged film")

    assert titles(client.get(index.url, {"topic": "trauma"})) == ["Trauma series", "Both webinar"]
    both = client.get(index.url, {"topic": ["trauma", "homelessness"]})
    assert titles(both) == ["Trauma series", "Homeless film", "Both webinar"]
    html = both.content.decode()
    assert 'value="trauma" checked' in html and 'value="homelessness" checked' in html
    assert "Clear filters" in html
    # An unknown topic is ignored rather than hiding everything.
    assert len(titles(client.get(index.url, {"topic": "nonsense"}))) == 4


def test_filter_with_no_matches_says_so(client, index, topics):
    factories.film(index)
    response = client.get(index.url, {"topic": "addiction"})
    html = response.content.decode()
    assert titles(response) == []
    assert "No learning matches the topics you chose." in html
    assert f'href="{index.url}">Clear the filters' in html


def test_empty_index(client, index):
    assert "There is no learning here yet." in client.get(index.url).content.decode()


def test_pagination_keeps_the_filter(client, index, topics):
    for number in range(BROWSE_PAGE_SIZE + 2):
        tagged(factories.film(index, title=f"Film {number:02d}"), topics["trauma"])
    factories.film(index, title="Other")

    first = client.get(index.url, {"topic": "trauma"})
    assert len(titles(first)) == BROWSE_PAGE_SIZE
    html = first.content.decode()
    assert 'href="?topic=trauma&amp;page=2"' in html
    second = client.get(index.url, {"topic": "trauma", "page": "2"})
    assert titles(second) == ["Film 10", "Film 11"]
    assert titles(client.get(index.url, {"topic": "trauma", "page": "99"})) == ["Film 10", "Film 11"]


def test_statuses_on_browse(client, index, learner):
    film = factories.film(index, title="Watched film")
    completion_record(user=learner, item=film, method=CompletionMethod.WATCHED)
    series = factories.series(index, title="Started series")
    module = factories.module(series)
    factories.module(series)
    now = timezone.now()
    Progress.objects.create(
        user=learner, item_id=module.pk, watched_seconds=5, duration=120, position=5, started_at=now, updated_at=now
    )
    factories.webinar(index, title="Not started webinar")

    entries = client.get(index.url).context["browse"].entries.object_list
    assert {entry.page.title: entry.progress.label for entry in entries} == {
        "Started series": "In progress",
        "Watched film": "Completed",
        "Not started webinar": "Not started",
    }


def test_browse_queries_do_not_grow_with_items(client, index, learner, topics, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            series = tagged(factories.series(index), topics["trauma"])
            completion_record(user=learner, item=factories.module(series), method=CompletionMethod.WATCHED)
            tagged(factories.film(index), topics["trauma"])

    add(1)
    client.get(index.url, {"topic": "trauma"})
    with django_assert_max_num_queries(25) as few:
        client.get(index.url, {"topic": "trauma"})
    add(4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(index.url, {"topic": "trauma"})
    assert len(titles(response)) == BROWSE_PAGE_SIZE
