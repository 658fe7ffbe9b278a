"""A volunteer uploads a video with captions through the real admin form, in a real browser, under the strict CSP.

The task queue is the dummy backend here, so the upload stays "waiting" until the test runs the pipeline itself:
the page then has to notice the change on its own (it polls the status endpoint) – nobody reloads it.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from lms import roles
from media_pipeline.models import Video, VideoStatus
from media_pipeline.services.ingest import video_process
from media_pipeline.synthetic import make_clip

# serialized_rollback keeps what the data migrations made (roles, Wagtail's root page) between browser tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CAPTIONS = (
    "WEBVTT\n\n"
    "00:00.000 --> 00:01.500\nWelcome to this short film about working together with people.\n\n"
    "00:05.000 --> 00:06.000\nThis cue starts after the end.\n"
)


@pytest.fixture
def volunteer_author(make_user):
    user = make_user("vera", roles.VOLUNTEER)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="media_pipeline", codename__in=["add_video", "change_video"])
    )
    return user


@pytest.fixture
def queued_tasks(settings):
    """Enqueued tasks wait (nothing runs them) until the test calls the pipeline itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def slow_upload(page, bytes_per_second: int) -> None:
    """Throttle the browser's uploads, so the progress bar has something to show."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": bytes_per_second},
    )


def test_volunteer_uploads_a_video_sees_progress_then_ready_without_reloading(
    page, live_server, sign_in, volunteer_author, queued_tasks, tmp_path
):
    clip = make_clip(tmp_path / "working-together.mp4", seconds=2, width=320, height=240, title="Working together")
    captions = tmp_path / "working-together.vtt"
    captions.write_text(CAPTIONS, encoding="utf-8")
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    sign_in(page, "vera", next_path="/admin/videos/")
    page.get_by_role("link", name="Upload a video").first.click()
    expect(page).to_have_title(re.compile(r"^Upload a video"))

    page.get_by_label("Title").fill("Working together")
    page.get_by_label("Video file").set_input_files(str(clip))
    page.locator("input[name='captions-0-file']").set_input_files(str(captions))
    expect(page.locator("select[name='captions-0-language']")).to_have_value("en-GB")
    # "Add another caption file" is there with JavaScript, and adds a second, empty set of fields.
    page.get_by_role("button", name="Add another caption file").click()
    expect(page.locator("input[name='captions-1-file']")).to_be_visible()
    expect(page.locator("input[name='captions-TOTAL_FORMS']")).to_have_value("2")

    slow_upload(page, bytes_per_second=max(8_000, clip.stat().st_size // 3))
    page.get_by_role("button", name="Upload video").click()

    progress = page.locator("[data-upload-progress]")
    expect(progress).to_be_visible()
    page.wait_for_function(
        "() => { const f = document.querySelector('[data-video-upload-form]');"
        " const p = f && Number(f.dataset.uploadPercent); return p > 0 && p < 100 }"
    )
    expect(page.locator("[data-upload-progress-text]")).to_have_text(re.compile(r"^\d{1,3}%$"))

    page.wait_for_url(re.compile(r"/admin/videos/edit/[0-9a-f-]+/$"))
    video = Video.objects.get()
    assert video.title == "Working together" and video.status == VideoStatus.UPLOADED
    expect(page.get_by_text("is uploaded and is being processed")).to_be_visible()
    status = page.locator("[data-video-status-tag]")
    expect(status).to_contain_text("Uploaded – waiting to be processed")
    expect(page.locator("[data-video-refresh]")).to_be_hidden()  # JavaScript is watching, no need to refresh
    page.evaluate("window.jcpNotReloaded = true")

    video_process(video_id=video.pk)  # what the worker would do

    expect(status).to_contain_text("Ready", timeout=15_000)
    assert page.evaluate("window.jcpNotReloaded") is True
    expect(page.locator("[data-video-announce]")).to_have_text("Status: Ready")

    report = page.locator("[data-caption-report='en-GB-captions']")
    expect(report).to_contain_text("1 error, 5 warnings")
    expect(report.locator("tr[data-lint-level='error']")).to_have_count(1)
    expect(report.locator("tr[data-lint-level='warning']")).to_have_count(5)
    expect(report).to_contain_text("starts after the video ends")

    preview = page.locator("video[data-video-preview]")
    expect(preview).to_be_visible()
    expect(preview.locator("track[default]")).to_have_attribute("srclang", "en-GB")
    # The preview really plays: the browser reads the rendition's duration through the playback URL.
    page.wait_for_function(
        "() => { const v = document.querySelector('video[data-video-preview]'); return v && v.duration > 1.5 }"
    )
    assert not [error for error in console_errors if "Content Security Policy" in error]


def test_an_upload_with_errors_keeps_the_title_and_shows_what_to_do(
    page, live_server, sign_in, volunteer_author, queued_tasks, tmp_path
):
    not_a_video = tmp_path / "notes.avi"
    not_a_video.write_bytes(b"meeting notes")

    sign_in(page, "vera", next_path="/admin/videos/new/")
    page.get_by_label("Title").fill("My first film")
    page.get_by_label("Video file").set_input_files(str(not_a_video))
    page.get_by_role("button", name="Upload video").click()

    expect(page.get_by_text("Choose an MP4, MOV, WebM or MKV video file.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("My first film")
    assert not Video.objects.exists()
    # The swapped-in form is enhanced again: it still uploads with the script.
    expect(page.get_by_role("button", name="Add another caption file")).to_be_visible()
