"""The consent review report: contributors whose review date has passed or falls in the next 30 days."""

import datetime

import pytest
from django.utils import timezone

from lms.models import Contributor
from lms.selectors.contributors import contributors_consent_review_due
from tests.lms import factories

pytestmark = pytest.mark.django_db

REPORT = "/admin/learning/consent-reviews/"


@pytest.fixture
def people():
    today = timezone.localdate()
    made = {
        "overdue": factories.contributor(name="Olive Overdue", consent_review_on=today - datetime.timedelta(days=40)),
        "today": factories.contributor(name="Tariq Today", consent_review_on=today),
        "soon": factories.contributor(name="Sunita Soon", consent_review_on=today + datetime.timedelta(days=30)),
        "later": factories.contributor(name="Larry Later", consent_review_on=today + datetime.timedelta(days=31)),
        "withdrawn": factories.contributor(
            name="Wendy Withdrawn", consent_review_on=today - datetime.timedelta(days=1)
        ),
    }
    Contributor.objects.filter(pk=made["withdrawn"].pk).update(status="withdrawn")
    return made


def test_the_selector_lists_overdue_and_due_within_30_days_soonest_first(people):
    assert [c.name for c in contributors_consent_review_due()] == ["Olive Overdue", "Tariq Today", "Sunita Soon"]


def test_the_report_shows_only_overdue_and_due_contributors(client, editor, people):
    client.force_login(editor)

    html = client.get(REPORT).content.decode()

    assert "Overdue by 40 days" in html and "Due today" in html and "Due in 30 days" in html
    for name in ("Olive Overdue", "Tariq Today", "Sunita Soon"):
        assert name in html
    assert "Larry Later" not in html and "Wendy Withdrawn" not in html


def test_the_report_is_in_the_reports_menu_for_editors(client, editor):
    client.force_login(editor)

    assert REPORT in client.get("/admin/").content.decode()


def test_the_report_is_for_editors_only(client, volunteer, people):
    client.force_login(volunteer)

    response = client.get(REPORT)

    assert response.status_code in (302, 403)
    assert "Olive Overdue" not in response.content.decode()


def test_an_empty_report_says_there_is_nothing_to_do(client, editor):
    client.force_login(editor)

    assert "Nothing to do" in client.get(REPORT).content.decode()


def test_the_report_exports_to_csv(client, editor, people):
    client.force_login(editor)

    response = client.get(REPORT + "?export=csv")

    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Olive Overdue" in body and "Larry Later" not in body
