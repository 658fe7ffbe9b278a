"""The co-production journey in a real browser: a volunteer drafts a module choosing a ready video through the
video chooser and submits it for review; an editor approves it; a learner then watches it live."""

import re

import pytest
from playwright.sync_api import expect

from lms import roles
from lms.models import ModulePage
from media_pipeline.models import Video, VideoStatus
from tests.lms import factories

# serialized_rollback keeps what the data migrations made (roles, the workflow, Wagtail's root page).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scene(home_page, make_user):
    index = factories.learning_index(home_page)
    series = factories.series(index, title="Working together")
    video = factories.ready_video(title="Trauma at the desk")
    Video.objects.create(title="Still processing", status=VideoStatus.PROCESSING)
    make_user("vera", roles.VOLUNTEER)
    make_user("edna", roles.EDITOR)
    make_user("lee")
    return {"series": series, "video": video}


@pytest.fixture
def second_page(new_page):
    return new_page()


def test_volunteer_drafts_and_submits_editor_approves_learner_watches(page, second_page, live_server, sign_in, scene):
    series, video = scene["series"], scene["video"]

    # The volunteer drafts a module under the series.
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "vera", next_path=f"/admin/pages/add/lms/modulepage/{series.pk}/")
    expect(page.get_by_role("heading", name=re.compile("module page", re.I)).first).to_be_visible()
    page.locator("#id_title").fill("Trauma at the work coach's desk")
    page.locator("#id_summary").fill("How trauma shapes a conversation, and what helps.")
    assert page.locator("input[name='completion_threshold']").count() == 0  # editors only

    # …choosing the ready video through the video chooser.
    page.get_by_role("button", name=re.compile("Choose a video", re.I)).click()
    chooser = page.get_by_role("dialog")
    expect(chooser.get_by_text("Trauma at the desk")).to_be_visible()
    chooser.get_by_role("link", name="Trauma at the desk").click()
    expect(page.locator("input[name='video']")).to_have_value(str(video.pk))
    expect(page.get_by_text("Trauma at the desk", exact=True).first).to_be_visible()  # the chosen video's title
    assert errors == []

    # …and submits it for review.
    page.get_by_role("button", name=re.compile("More actions", re.I)).click()
    page.get_by_role("button", name=re.compile("Submit to Co-production review", re.I)).click()
    expect(page.get_by_text(re.compile("submitted for moderation|submitted to", re.I)).first).to_be_visible()
    module = ModulePage.objects.get(slug="trauma-at-the-work-coachs-desk")
    assert not module.live and module.current_workflow_state is not None
    assert module.video_id == video.pk

    # The editor approves it from the page editor.
    sign_in(second_page, "edna", next_path=f"/admin/pages/{module.pk}/edit/")
    second_page.get_by_role("button", name=re.compile("More actions", re.I)).click()
    second_page.get_by_role("button", name="Approve and Publish", exact=True).click()
    second_page.wait_for_url(re.compile(rf"/admin/pages/{series.pk}/$"))  # back in the series' page listing
    expect(second_page.get_by_role("row").filter(has_text="Trauma at the work coach's desk")).to_contain_text(
        re.compile("status: live", re.I)
    )
    module.refresh_from_db()
    assert module.live

    # A learner opens it.
    learner = second_page.context.browser.new_context(locale="en-GB")
    try:
        learner_page = learner.new_page()
        sign_in(learner_page, "lee", next_path=module.url)
        expect(learner_page.get_by_role("heading", name="Trauma at the work coach's desk")).to_be_visible()
        assert learner_page.url.endswith(module.url)
    finally:
        learner.close()
