"""axe-core finds no WCAG 2.2 A/AA violation on any page a learner uses, in the states they see it in."""

import pytest
from playwright.sync_api import expect

from lms.models import Assignment, CompletionMethod
from lms.services.completions import completion_record
from tests.e2e import learning_content

clip_file, learning = learning_content.clip_file, learning_content.learning  # fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_signed_out_pages(page, live_server, home_page, axe):
    page.goto(live_server.url + "/")
    assert axe(page) == []
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to JCP Learning")
    assert axe(page) == []


def test_learner_pages(page, live_server, sign_in, learner, learning, axe):
    from django.utils import timezone

    Assignment.objects.create(item=learning.series, level="national", due_on=timezone.localdate())
    completion_record(user=learner, item=learning.webinar, method=CompletionMethod.WATCHED)
    sign_in(page, "learner", next_path="")

    checked = {}
    checked["my learning"] = axe(page)
    page.goto(live_server.url + learning.index.url)
    checked["browse"] = axe(page)
    page.goto(live_server.url + learning.index.url + "?topic=homelessness")
    checked["browse, filtered"] = axe(page)
    page.goto(live_server.url + learning.index.url + "?topic=nothing-matches-this")
    checked["browse, filtered to nothing"] = axe(page)
    page.goto(live_server.url + learning.series.url)
    checked["series"] = axe(page)

    page.goto(live_server.url + learning.module.url)
    page.locator(".app-transcript__cue").nth(1).click()  # a highlighted transcript line, the video playing
    expect(page.locator(".app-transcript__cue--current")).to_have_count(1)
    page.get_by_label("Search the transcript").fill("jobcentre")
    checked["module, playing, transcript searched"] = axe(page)

    page.goto(live_server.url + learning.film.url)
    checked["film, content notes"] = axe(page)
    page.get_by_role("button", name="Continue to the film").click()
    expect(page.locator("video")).to_have_count(1)
    checked["film, player"] = axe(page)

    page.goto(live_server.url + learning.webinar.url)
    checked["webinar, completed"] = axe(page)
    page.goto(live_server.url + "/my-learning/")
    checked["my learning, with learning in it"] = axe(page)

    assert {name: violations for name, violations in checked.items() if violations} == {}
