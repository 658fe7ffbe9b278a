"""Topics, content notes and contributors in the admin: editors manage them, volunteers see and choose them."""

import datetime

import pytest
from django.utils import timezone

from lms.models import Contributor, Topic
from tests.lms import factories

pytestmark = pytest.mark.django_db

CONTRIBUTORS = "/admin/snippets/lms/contributor/"


def contributor_data(**overrides):
    data = {
        "name": "Jo Bloggs",
        "credit_preference": "first_name",
        "organisation": "Shelter",
        "consent_scope": "Filmed story for DWP staff training, three years.",
        "consent_given_on": "2026-01-10",
        "consent_review_on": "2027-01-10",
    }
    data.update(overrides)
    return data


def test_the_learning_content_menu_lists_the_three_snippets(client, editor):
    client.force_login(editor)

    html = client.get("/admin/").content.decode()

    assert "Learning content" in html
    for path in ("/admin/snippets/lms/topic/", "/admin/snippets/lms/contentnote/", CONTRIBUTORS):
        assert client.get(path).status_code == 200


def test_an_editor_records_a_contributor_and_is_noted_as_recording_their_consent(client, editor):
    client.force_login(editor)

    response = client.post(f"{CONTRIBUTORS}add/", contributor_data())

    assert response.status_code == 302
    jo = Contributor.objects.get(name="Jo Bloggs")
    assert jo.consent_recorded_by == editor and jo.status == "active"


def test_the_contributor_list_shows_credit_consent_and_review_date(client, editor):
    factories.contributor(name="Due Soon", consent_review_on=timezone.localdate() + datetime.timedelta(days=3))
    factories.contributor(name="Anon Person", credit_preference="anonymous")
    client.force_login(editor)

    html = client.get(CONTRIBUTORS).content.decode()

    for text in ("Credited as", "Consent", "Review consent by", "Due in 3 days", "Anonymous", "Active"):
        assert text in html, text
    assert "Withdraw consent" in html


def test_the_contributor_list_filters_by_status_and_searches(client, editor):
    factories.contributor(name="Kept Person")
    gone = factories.contributor(name="Gone Person")
    Contributor.objects.filter(pk=gone.pk).update(status="withdrawn")
    client.force_login(editor)

    withdrawn = client.get(f"{CONTRIBUTORS}?status=withdrawn").content.decode()
    searched = client.get(f"{CONTRIBUTORS}?q=kept").content.decode()

    assert "Gone Person" in withdrawn and "Kept Person" not in withdrawn
    assert "Kept Person" in searched and "Gone Person" not in searched


def test_empty_contributor_list_says_what_to_do(client, editor):
    client.force_login(editor)

    html = client.get(CONTRIBUTORS).content.decode()

    assert "add one" in html.lower() or "no contributors" in html.lower()


def test_volunteers_see_and_choose_but_do_not_manage(client, volunteer):
    jo = factories.contributor(name="Jo Bloggs")
    topic = Topic.objects.create(name="Homelessness", slug="homelessness")
    client.force_login(volunteer)

    assert client.get(CONTRIBUTORS).status_code == 200
    assert "Jo Bloggs" in client.get("/admin/snippets/choose/lms/contributor/").json()["html"]
    # No recording or changing consent, no new topics.
    for response in (
        client.get(f"{CONTRIBUTORS}add/"),
        client.post(f"{CONTRIBUTORS}add/", contributor_data(name="Forged")),
        client.post(f"{CONTRIBUTORS}edit/{jo.pk}/", contributor_data(name="Renamed")),
        client.post("/admin/snippets/lms/topic/add/", {"name": "New", "slug": "new"}),
        client.post(f"/admin/snippets/lms/topic/delete/{topic.pk}/"),
    ):
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"] == "/admin/"
    assert not Contributor.objects.filter(name__in=["Forged", "Renamed"]).exists()
    assert Topic.objects.filter(pk=topic.pk).exists() and not Topic.objects.filter(slug="new").exists()


def test_volunteers_do_not_see_reports_or_manage_users(client, volunteer):
    client.force_login(volunteer)

    for path in ("/admin/users/", "/admin/groups/", "/admin/learning/consent-reviews/"):
        response = client.get(path)
        assert response.status_code in (302, 403), path
    assert "Consent reviews due" not in client.get("/admin/").content.decode()
