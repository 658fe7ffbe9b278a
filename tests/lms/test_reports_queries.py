"""The number of database queries a report page or download makes does not grow with sites, staff or items."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms import roles
from lms.models import Assignment, CompletionMethod, District, Jobcentre, JobRole
from lms.services.completions import completion_record
from tests.lms import factories
from tests.lms.report_scenario import NATIONAL, Org, manager, staff, start

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


def grow(*, org: Org, index, district: District, sites: int, items: int, people_per_site: int) -> None:
    """Add sites (to ``district``), items, staff, completions, progress and assignments."""
    new_items = [factories.film(index) for _ in range(items)]
    for _ in range(sites):
        jobcentre = Jobcentre.objects.create(code=f"Q{next(_names)}", name=f"Site {next(_names)}", district=district)
        for person in range(people_per_site):
            user = staff(f"u{next(_names)}", jobcentre, JobRole.values[person % len(JobRole.values)])
            completion_record(user=user, item=new_items[person % len(new_items)], method=CompletionMethod.WATCHED)
            start(user, new_items[(person + 1) % len(new_items)])
    due = timezone.localdate() - datetime.timedelta(days=1)
    Assignment.objects.create(item=new_items[0], level="district", district=district, due_on=due)
    Assignment.objects.create(item=new_items[-1], level="national", job_role=JobRole.WORK_COACH, due_on=due)


def urls(item, district, jobcentre) -> list[str]:
    dates = "&from_day=1&from_month=1&from_year=2020&to_day=1&to_month=1&to_year=2030"
    return [
        f"/reports/?item={item.pk}",
        f"/reports/?item={item.pk}&assigned=on&job_role=work_coach{dates}",
        "/reports/",
        f"/reports/?district={district.pk}&format=csv",
        f"/reports/?item={item.pk}&format=xlsx",
        f"/reports/sites/{jobcentre.pk}/?item={item.pk}",
        f"/reports/sites/{jobcentre.pk}/",
        f"/reports/sites/{jobcentre.pk}/?format=csv",
        f"/reports/heat-map/?district={district.pk}",
        f"/reports/heat-map/?district={district.pk}&assigned=on&format=csv",
    ]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def test_queries_stay_constant_as_sites_staff_and_items_grow(client, home_page, django_assert_num_queries):
    org = Org()
    index = factories.learning_index(home_page)
    grow(org=org, index=index, district=org.tyne, sites=2, items=2, people_per_site=3)
    user = manager("national", roles.NATIONAL_REPORTING, (NATIONAL, None))
    client.force_login(user)
    item = factories.film(index, title="Measured")
    jobcentre = Jobcentre.objects.filter(district=org.tyne).order_by("pk").last()
    pages = urls(item, org.tyne, jobcentre)
    for url in pages:  # warm caches that are per process (content types, the site root)
        count_queries(client, url)
    small = [count_queries(client, url) for url in pages]

    grow(org=org, index=index, district=org.tyne, sites=6, items=5, people_per_site=9)
    grow(org=org, index=index, district=org.kent, sites=4, items=3, people_per_site=4)
    for url, expected in zip(pages, small, strict=True):
        with django_assert_num_queries(expected):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
    # and the report did grow: the 4 open sites of Org (the closed one has nobody) and the 12 added
    assert len(client.get(pages[0]).context["report"].sites) == 4 + 2 + 6 + 4
