"""Playback URLs check permission, then redirect to a short-lived S3 URL or stream with Range support."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from media_pipeline.models import Video, VideoStatus
from media_pipeline.services.ingest import CaptionUpload, video_create, video_process
from media_pipeline.synthetic import make_clip

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_video(tmp_path) -> Video:
    clip = make_clip(tmp_path / "film.mp4", seconds=2, width=320, height=240, title="Film")
    vtt = tmp_path / "film.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.500\n<b>Hello</b> &amp; welcome <script>x</script>\n")
    video = video_create(
        title="Film", video_path=clip, original_filename="film.mp4", captions=[CaptionUpload(vtt, "film.vtt")]
    )
    return video_process(video_id=video.pk)


def play_url(video, profile="720p"):
    return reverse("media:play", args=[video.pk, profile])


def test_signed_out_people_are_sent_to_sign_in(client, ready_video):
    response = client.get(play_url(ready_video))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_learner_cannot_play_a_video_no_live_page_uses(client, learner, ready_video):
    client.force_login(learner)

    assert client.get(play_url(ready_video)).status_code == 403
    assert client.get(reverse("media:poster", args=[ready_video.pk])).status_code == 403
    track = ready_video.caption_tracks.get()
    assert client.get(reverse("media:captions", args=[track.pk])).status_code == 403


def test_authors_get_a_short_lived_presigned_s3_url(client, editor, s3_server, s3_bucket, tmp_path):
    clip = make_clip(tmp_path / "film.mp4", seconds=2, width=320, height=240)
    video = video_process(video_id=video_create(title="Film", video_path=clip, original_filename="f.mp4").pk)
    client.force_login(editor)

    response = client.get(play_url(video))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}" == s3_server.endpoint_url
    query = parse_qs(target.query)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    media = requests.get(response["Location"], timeout=10)
    assert media.status_code == 200 and media.headers["Content-Type"] == "video/mp4"
    assert len(media.content) == video.renditions.get(profile="720p").bytes
    # Without the signature the private bucket refuses.
    unsigned = f"{s3_server.endpoint_url}/{s3_bucket}/{video.renditions.get(profile='720p').key}"
    assert requests.get(unsigned, timeout=10).status_code == 403


def test_local_storage_streams_with_range_support(client, editor, ready_video):
    client.force_login(editor)
    rendition = ready_video.renditions.get(profile="360p")

    whole = client.get(play_url(ready_video, "360p"))
    part = client.get(play_url(ready_video, "360p"), HTTP_RANGE="bytes=100-199")
    tail = client.get(play_url(ready_video, "360p"), HTTP_RANGE="bytes=-50")
    beyond = client.get(play_url(ready_video, "360p"), HTTP_RANGE=f"bytes={rendition.bytes}-")

    body = b"".join(whole.streaming_content)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and len(body) == rendition.bytes
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{rendition.bytes}"
    assert b"".join(part.streaming_content) == body[100:200]
    assert b"".join(tail.streaming_content) == body[-50:]
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{rendition.bytes}"


def test_captions_are_served_same_origin_as_text_vtt(client, editor, ready_video):
    client.force_login(editor)
    track = ready_video.caption_tracks.get()

    response = client.get(reverse("media:captions", args=[track.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.decode().startswith("WEBVTT")


def test_a_video_that_is_not_ready_does_not_play(client, editor, tmp_path):
    clip = make_clip(tmp_path / "film.mp4", seconds=1, width=320, height=240)
    video = video_create(title="Film", video_path=clip, original_filename="f.mp4")
    client.force_login(editor)

    assert Video.objects.get(pk=video.pk).status == VideoStatus.UPLOADED
    assert client.get(play_url(video)).status_code == 404


def test_unknown_profile_or_video_is_404(client, editor, ready_video):
    import uuid

    client.force_login(editor)

    assert client.get(play_url(ready_video, "4k")).status_code == 404
    assert client.get(reverse("media:play", args=[uuid.uuid4(), "720p"])).status_code == 404


def test_media_is_never_given_a_public_url(client, editor, ready_video, settings):
    """No route serves the storage directly: the only way to a file is through the checked views."""
    client.force_login(editor)
    rendition = ready_video.renditions.first()
    storage_url = f"{settings.MEDIA_URL}{rendition.key}"

    assert client.get(storage_url).status_code == 404
    assert client.get(play_url(ready_video, rendition.profile)).status_code == 200
