"""The media store unreachable: playback and uploads say so clearly, nothing is lost, and all works once it is back.

The outage is real: moto's S3 server is reached through a TCP relay (the `s3_outage` fixture) that the test cuts.
"""

import datetime
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.models import ModulePage
from media_pipeline.models import Video, VideoStatus
from media_pipeline.services import ingest
from media_pipeline.services.ingest import CaptionUpload, video_create, video_process
from media_pipeline.services.recovery import objects_delete_orphaned
from media_pipeline.synthetic import make_clip
from media_pipeline.views import OUTAGE_CACHE_KEY
from tests.lms import factories
from tests.media_pipeline.test_ingest import bucket_keys, expected_keys

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
UNAVAILABLE = "Videos are not available at the moment"
CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.500\nHello and welcome.\n"


@pytest.fixture(autouse=True)
def _forget_outages(settings):
    settings.MEDIA_OUTAGE_MEMORY_SECONDS = 0  # each request asks the store; one test turns the memory on
    cache.delete(OUTAGE_CACHE_KEY)


@pytest.fixture
def clip(tmp_path):
    return make_clip(tmp_path / "film.mp4", seconds=2, width=320, height=240, title="Film")


@pytest.fixture
def live_video(s3_outage, clip, tmp_path, home_page):
    vtt = tmp_path / "film.vtt"
    vtt.write_bytes(CAPTIONS)
    video = video_create(
        title="Film", video_path=clip, original_filename="film.mp4", captions=[CaptionUpload(vtt, "film.vtt")]
    )
    video = video_process(video_id=video.pk)
    assert video.status == VideoStatus.READY
    index = factories.learning_index(home_page)
    factories.module(index, title="Working together", video=video)
    return video


def media_urls(video) -> dict[str, str]:
    track = video.caption_tracks.get()
    return {
        "720p": reverse("media:play", args=[video.pk, "720p"]),
        "360p": reverse("media:play", args=[video.pk, "360p"]),
        "poster": reverse("media:poster", args=[video.pk]),
        "captions": reverse("media:captions", args=[track.pk]),
    }


def assert_outage_page(response):
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    assert f'<h1 class="govuk-heading-l">{UNAVAILABLE}</h1>' in body
    assert "Try again in a few minutes" in body
    assert "Content-Security-Policy" in response.headers
    for leak in ("Traceback", "botocore", "EndpointConnectionError", "X-Amz", "originals/", "renditions/"):
        assert leak not in body


@pytest.mark.parametrize("what", ["720p", "360p", "poster", "captions"])
def test_playback_during_an_outage_is_a_clear_503_page_and_works_again_after(
    client, learner, live_video, s3_outage, what
):
    client.force_login(learner, backend=MODEL_BACKEND)
    url = media_urls(live_video)[what]
    s3_outage.cut()

    assert_outage_page(client.get(url))

    s3_outage.restore()
    response = client.get(url)
    if what == "captions":
        assert (
            response.status_code == 200
            and response.content == b"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello and welcome.\n"
        )
    else:
        assert response.status_code == 302 and "X-Amz-Signature" in response["Location"]


def test_permission_is_still_checked_first_during_an_outage(client, make_user, live_video, s3_outage):
    other = factories.ready_video(title="Not on any live page")
    s3_outage.cut()

    signed_out = client.get(media_urls(live_video)["720p"])
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/")
    client.force_login(make_user("someone"), backend=MODEL_BACKEND)
    assert client.get(reverse("media:play", args=[other.pk, "720p"])).status_code == 403
    assert client.get(reverse("media:poster", args=["00000000-0000-4000-8000-000000000000"])).status_code == 404


def test_a_missing_object_is_404_not_a_redirect_to_an_error(client, learner, live_video, s3_server, s3_outage):
    client.force_login(learner, backend=MODEL_BACKEND)
    s3_server.client().delete_object(Bucket=s3_outage.bucket, Key=live_video.poster_key)

    assert client.get(media_urls(live_video)["poster"]).status_code == 404


def test_while_the_store_is_down_requests_answer_at_once_without_waiting_for_it(
    client, learner, live_video, s3_outage, settings
):
    settings.MEDIA_OUTAGE_MEMORY_SECONDS = 1
    client.force_login(learner, backend=MODEL_BACKEND)
    url = media_urls(live_video)["720p"]
    s3_outage.cut()
    assert_outage_page(client.get(url))

    s3_outage.restore()
    assert_outage_page(client.get(url))  # remembered: the store was not asked
    time.sleep(1.1)
    assert client.get(url).status_code == 302


def test_the_learning_page_itself_still_opens_during_an_outage(client, learner, live_video, s3_outage):
    client.force_login(learner, backend=MODEL_BACKEND)
    module = ModulePage.objects.get(video=live_video)
    s3_outage.cut()

    response = client.get(module.url)

    assert response.status_code == 200
    assert reverse("media:play", args=[live_video.pk, "720p"]) in response.content.decode()


def test_healthz_is_503_during_the_outage_and_200_after(client, s3_outage):
    s3_outage.cut()
    down = client.get("/healthz")
    assert down.status_code == 503 and down.json() == {"status": "unavailable", "database": True, "storage": False}

    s3_outage.restore()
    assert client.get("/healthz").status_code == 200


# --- Uploads -------------------------------------------------------------------------------------------------------


def upload_data(clip, *, title: str):
    return {
        "title": title,
        "video_file": SimpleUploadedFile("film.mp4", clip.read_bytes(), content_type="video/mp4"),
        "captions-TOTAL_FORMS": "1",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "captions-0-file": SimpleUploadedFile("film.vtt", CAPTIONS, content_type="text/vtt"),
        "captions-0-language": "cy",
        "captions-0-kind": "subtitles",
    }


def assert_upload_refused_and_kept(response, *, title: str):
    body = response.content.decode()
    assert response.status_code == 200
    assert "The media store could not be reached, so the video was not saved." in body
    assert f'value="{title}"' in body
    assert '<option value="cy" selected>' in body and '<option value="subtitles" selected>' in body
    assert not Video.objects.exists()


def test_an_upload_during_an_outage_keeps_the_form_and_creates_nothing(
    client, volunteer, clip, s3_server, s3_outage, django_capture_on_commit_callbacks
):
    client.force_login(volunteer, backend=MODEL_BACKEND)
    s3_outage.cut()

    assert_upload_refused_and_kept(
        client.post(reverse("videos:add"), upload_data(clip, title="Outage film")), title="Outage film"
    )
    assert bucket_keys(s3_server, s3_outage.bucket) == []

    s3_outage.restore()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("videos:add"), upload_data(clip, title="Outage film"))
    video = Video.objects.get()
    assert response.status_code == 302 and video.title == "Outage film"
    assert video.status == VideoStatus.READY and video.caption_tracks.get().language == "cy"
    assert bucket_keys(s3_server, s3_outage.bucket) == expected_keys(video)


def test_an_outage_part_way_through_an_upload_leaves_no_row_and_its_object_is_swept_later(
    client, volunteer, clip, s3_server, s3_outage, monkeypatch
):
    real_put = ingest.object_put

    def store_goes_down_after_the_original(**kwargs):
        if not kwargs["key"].endswith("/source"):
            s3_outage.cut()  # the original is stored; the captions file is not
        return real_put(**kwargs)

    monkeypatch.setattr(ingest, "object_put", store_goes_down_after_the_original)
    client.force_login(volunteer, backend=MODEL_BACKEND)

    assert_upload_refused_and_kept(
        client.post(reverse("videos:add"), upload_data(clip, title="Half film")), title="Half film"
    )

    s3_outage.restore()
    [orphan] = bucket_keys(s3_server, s3_outage.bucket)  # its cleanup could not reach the store either
    assert orphan.startswith("originals/")
    assert objects_delete_orphaned() == []  # too recent: it could be an upload still on its way to its row
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=7)
    assert objects_delete_orphaned(now=later) == [orphan.rsplit("/", 1)[0] + "/"]
    assert bucket_keys(s3_server, s3_outage.bucket) == []


def test_the_orphan_sweep_never_touches_a_video_that_exists(s3_server, s3_outage, live_video):
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=30)

    assert objects_delete_orphaned(now=later) == []
    assert bucket_keys(s3_server, s3_outage.bucket) == expected_keys(live_video)


def test_deleting_a_video_during_an_outage_keeps_it_whole(client, editor, live_video, s3_server, s3_outage):
    client.force_login(editor, backend=MODEL_BACKEND)
    before = bucket_keys(s3_server, s3_outage.bucket)
    s3_outage.cut()

    response = client.post(reverse("videos:delete", args=[live_video.pk]), follow=True)

    assert "The media store could not be reached, so the video was not deleted." in response.content.decode()
    s3_outage.restore()
    assert Video.objects.filter(pk=live_video.pk, status=VideoStatus.READY).exists()
    assert bucket_keys(s3_server, s3_outage.bucket) == before
