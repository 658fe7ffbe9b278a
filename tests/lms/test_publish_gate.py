"""The publish gate: a learning item goes live (or is scheduled) only with a ready video captioned in English
with no lint errors – on every route Wagtail publishes by."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry, WorkflowState

from lms.models import ModulePage
from lms.services.publishing import PublishBlocked
from media_pipeline.models import CaptionTrack, VideoStatus
from tests.lms import factories
from tests.lms.authoring import edit_url, messages_of, module_form_data

pytestmark = pytest.mark.django_db

LINT_ERRORS = [
    {"cue": 2, "level": "error", "code": "no-duration", "message": "Cue 2 (00:00:05.000) ends before it starts."},
    {"cue": 4, "level": "error", "code": "after-end", "message": "Cue 4 (00:03:10.000) starts after the video ends."},
    {"cue": 5, "level": "warning", "code": "too-fast", "message": "Cue 5 is read at 25 characters a second."},
    {"cue": 7, "level": "error", "code": "no-duration", "message": "Cue 7 (00:01:00.000) ends before it starts."},
]


@pytest.fixture
def series(home_page):
    return factories.series(factories.learning_index(home_page))


def uncaptioned():
    return factories.ready_video(title="Leaving care", captions=False)


def processing():
    from media_pipeline.models import Video

    return Video.objects.create(title="Leaving care", status=VideoStatus.PROCESSING)


def badly_captioned():
    video = factories.ready_video(title="Leaving care", captions=False)
    CaptionTrack.objects.create(
        video=video, language="en-GB", source_key="k", cue_count=9, lint=LINT_ERRORS, error_count=3
    )
    return video


def draft_module(series, video):
    return factories.module(series, title="Leaving care", video=video, live=False)


# --- revision.publish() from code -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_video", "expected"),
    [
        (uncaptioned, "The video 'Leaving care' has no English captions"),
        (processing, "The video 'Leaving care' is still processing"),
        (badly_captioned, "The English captions of the video 'Leaving care' have 3 errors: Cue 2 (00:00:05.000)"),
    ],
)
def test_revision_publish_refuses_a_video_learners_could_not_watch_with_captions(series, make_video, expected):
    page = draft_module(series, make_video())

    with pytest.raises(PublishBlocked) as refused:
        page.get_latest_revision().publish()

    assert any(problem.startswith(expected) for problem in refused.value.problems), refused.value.problems
    page.refresh_from_db()
    assert not page.live and page.live_revision is None


def test_lint_errors_are_listed_and_warnings_are_not(series):
    page = draft_module(series, badly_captioned())

    with pytest.raises(PublishBlocked) as refused:
        page.get_latest_revision().publish()

    [problem] = refused.value.problems
    assert "Cue 4 (00:03:10.000) starts after the video ends." in problem and "Cue 7" in problem
    assert "25 characters" not in problem


def test_a_captioned_ready_video_publishes(series):
    page = draft_module(series, factories.ready_video())

    page.get_latest_revision().publish()

    page.refresh_from_db()
    assert page.live


def test_a_welsh_track_alone_is_not_enough_and_one_clean_english_track_is(series):
    video = factories.ready_video(title="Leaving care", captions=False)
    CaptionTrack.objects.create(video=video, language="cy", label="Cymraeg", source_key="k1")
    page = draft_module(series, video)
    with pytest.raises(PublishBlocked):
        page.get_latest_revision().publish()

    CaptionTrack.objects.create(video=video, language="en", label="English", source_key="k2")
    page.get_latest_revision().publish()
    page.refresh_from_db()
    assert page.live


def test_a_module_without_a_video_cannot_go_live_but_a_webinar_can(home_page, series):
    module = ModulePage(title="No video yet", summary="Soon.")
    series.add_child(instance=module)
    with pytest.raises(PublishBlocked) as refused:
        module.save_revision().publish()
    assert refused.value.problems == [
        "Choose a video: learners need something to watch before this module page can go live."
    ]

    webinar = factories.webinar(factories.learning_index(home_page), live=False, video=None)
    webinar.get_latest_revision().publish()
    webinar.refresh_from_db()
    assert webinar.live


def test_a_webinar_recording_is_gated_once_it_is_attached(home_page):
    webinar = factories.webinar(factories.learning_index(home_page), live=False, video=uncaptioned())

    with pytest.raises(PublishBlocked):
        webinar.get_latest_revision().publish()


def test_publishing_an_old_revision_is_gated_on_that_revision(series):
    page = draft_module(series, uncaptioned())
    old = page.get_latest_revision()
    page.video = factories.ready_video()
    page.save_revision().publish()

    with pytest.raises(PublishBlocked):
        old.publish()


# --- scheduling -------------------------------------------------------------------------------------------------


def test_scheduling_is_refused_too(series):
    page = draft_module(series, processing())
    page.go_live_at = timezone.now() + datetime.timedelta(days=1)
    revision = page.save_revision()

    with pytest.raises(PublishBlocked):
        revision.publish()

    revision.refresh_from_db()
    assert revision.approved_go_live_at is None


def test_publish_scheduled_skips_a_page_whose_video_broke_after_scheduling_and_publishes_the_rest(series):
    from wagtail.models import Revision

    broken = draft_module(series, factories.ready_video(title="Leaving care"))
    fine = factories.module(series, title="Fine", live=False)
    for page in (broken, fine):
        page.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
        page.save_revision().publish()
        assert page.get_latest_revision().approved_go_live_at is not None
    broken.video.caption_tracks.all().delete()  # say the captions file was replaced by a bad one
    # Five minutes pass.
    past = timezone.now() - datetime.timedelta(minutes=1)
    ModulePage.objects.update(go_live_at=past)
    for revision in Revision.objects.exclude(approved_go_live_at=None):
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save(update_fields=["content", "approved_go_live_at"])

    call_command("publish_scheduled")

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert fine.live
    assert not broken.live
    assert broken.get_latest_revision().approved_go_live_at is None  # not retried every minute
    entry = PageLogEntry.objects.get(page=broken, action="lms.publish_blocked")
    assert "has no English captions" in entry.message


# --- the page editor --------------------------------------------------------------------------------------------


def test_the_publish_button_shows_what_is_missing_and_keeps_what_was_typed(client, editor, series):
    page = draft_module(series, uncaptioned())
    client.force_login(editor)

    response = client.post(
        edit_url(page), module_form_data(title="Leaving care, revised", video=page.video, **{"action-publish": "1"})
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["video"]
    assert errors == [
        "The video 'Leaving care' has no English captions. Add an English captions file (WebVTT or SRT) on the "
        "video's page, then publish again."
    ]
    assert "has no English captions" in response.content.decode()
    assert response.context["form"]["title"].value() == "Leaving care, revised"
    page.refresh_from_db()
    assert not page.live


def test_the_publish_button_publishes_a_ready_captioned_video(client, editor, series):
    page = draft_module(series, uncaptioned())
    client.force_login(editor)

    response = client.post(
        edit_url(page), module_form_data(title="Leaving care", video=factories.ready_video(), **{"action-publish": "1"})
    )

    assert response.status_code == 302, response.context["form"].errors
    page.refresh_from_db()
    assert page.live


def test_scheduling_from_the_editor_is_refused(client, editor, series):
    page = draft_module(series, processing())
    client.force_login(editor)
    go_live = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")

    response = client.post(
        edit_url(page),
        module_form_data(title="Leaving care", video=page.video, go_live_at=go_live, **{"action-publish": "1"}),
    )

    assert response.status_code == 200
    assert "is still processing" in str(response.context["form"].errors["video"])
    assert page.revisions.exclude(approved_go_live_at=None).count() == 0


def test_saving_a_draft_with_an_unready_video_is_fine(client, volunteer, series):
    page = draft_module(series, processing())
    client.force_login(volunteer)

    response = client.post(edit_url(page), module_form_data(title="Leaving care v2", video=page.video))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision().content["title"] == "Leaving care v2"


def test_before_publish_page_hook_backs_up_the_form(rf, editor, series):
    """Even if the form let it through, the edit view's own publish route is refused (the draft is kept)."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from lms.admin.gates import edit_view_publish_refusal

    page = draft_module(series, uncaptioned())
    request = rf.post("/")
    request.user = editor
    request.session = {}
    request._messages = FallbackStorage(request)

    response = edit_view_publish_refusal(request, page)

    assert response.status_code == 302 and response["Location"] == edit_url(page)
    assert any("has no English captions" in str(m) for m in request._messages)


# --- workflow approval ------------------------------------------------------------------------------------------


def submit(page, user):
    page.get_workflow().start(page, user)
    return WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)


def test_approving_in_the_workflow_is_refused_with_the_reason(client, volunteer, editor, series):
    page = draft_module(series, badly_captioned())
    state = submit(page, volunteer)
    client.force_login(editor)

    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{state.current_task_state.pk}/", {"comment": ""}, follow=True
    )

    assert response.redirect_chain[0][0] == f"/admin/learning/pages/{page.pk}/cannot-approve/"
    assert response.redirect_chain[-1][0] == edit_url(page)
    shown = messages_of(response)
    assert any("have 3 errors" in message for message in shown), shown
    state.refresh_from_db()
    page.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.status == "in_progress"
    assert not page.live


def test_approving_from_the_editor_is_refused_on_the_form(client, volunteer, editor, series):
    page = draft_module(series, processing())
    submit(page, volunteer)
    client.force_login(editor)

    response = client.post(
        edit_url(page),
        module_form_data(
            title="Leaving care",
            video=page.video,
            **{"action-workflow-action": "true", "workflow-action-name": "approve", "workflow-action-extra-data": "{}"},
        ),
    )

    assert response.status_code == 200
    assert "is still processing" in str(response.context["form"].errors["video"])
    page.refresh_from_db()
    assert not page.live and page.current_workflow_state is not None


# --- bulk publish and the admin API -------------------------------------------------------------------------------


def test_bulk_publish_refuses_the_whole_batch_and_names_the_pages(client, editor, series):
    fine = factories.module(series, title="Fine", live=False)
    broken = draft_module(series, uncaptioned())
    client.force_login(editor)

    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={fine.pk}&id={broken.pk}&next=/admin/pages/{series.pk}/",
        {"include_descendants": ""},
        follow=True,
    )

    shown = messages_of(response)
    assert any(
        message.startswith("Leaving care: The video 'Leaving care' has no English captions") for message in shown
    )
    fine.refresh_from_db()
    broken.refresh_from_db()
    assert not fine.live and not broken.live


def test_bulk_publish_of_a_series_with_descendants_checks_the_modules(client, editor, home_page):
    series = factories.series(factories.learning_index(home_page), live=False)
    draft_module(series, uncaptioned())
    client.force_login(editor)

    client.post(f"/admin/bulk/wagtailcore/page/publish/?id={series.pk}&next=/admin/", {"include_descendants": "on"})

    series.refresh_from_db()
    assert not series.live


def test_the_admin_api_publish_action_is_gated(client, editor, series):
    page = draft_module(series, uncaptioned())
    client.force_login(editor)

    response = client.post(f"/admin/api/main/pages/{page.pk}/action/publish/", content_type="application/json")

    assert response.status_code == 400
    assert "has no English captions" in response.json()["message"]
    page.refresh_from_db()
    assert not page.live
