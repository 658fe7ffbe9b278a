"""The ingest pipeline against moto's S3 server over HTTP, as in production."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command

from media_pipeline import keys
from media_pipeline.models import Rendition, Video, VideoStatus
from media_pipeline.probe import probe
from media_pipeline.services import ingest
from media_pipeline.services.erasure import video_erase
from media_pipeline.services.ingest import CaptionUpload, VideoRejected, video_create, video_process
from media_pipeline.synthetic import make_clip

pytestmark = pytest.mark.django_db

CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:01.500\nHello, and welcome.\n"


@pytest.fixture
def clip(tmp_path) -> Path:
    return make_clip(tmp_path / "interview.mp4", seconds=2, width=320, height=240, title="Interview")


@pytest.fixture
def captions(tmp_path) -> CaptionUpload:
    path = tmp_path / "interview.srt"
    path.write_text("1\r\n00:00:00,000 --> 00:00:01,500\r\nHello, and welcome.\r\n", encoding="utf-8")
    return CaptionUpload(path=path, filename="interview.srt")


def bucket_keys(s3_server, bucket) -> list[str]:
    response = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in response.get("Contents", []))


def ingest_now(path, *, title="Interview", captions=()) -> Video:
    video = video_create(title=title, video_path=path, original_filename=Path(path).name, captions=list(captions))
    return video_process(video_id=video.pk)


def expected_keys(video: Video) -> list[str]:
    track_ids = list(video.caption_tracks.values_list("id", flat=True))
    return sorted(
        [
            keys.original_key(video.pk),
            keys.poster_key(video.pk),
            *(keys.rendition_key(video.pk, profile) for profile in ("720p", "360p")),
            *(keys.caption_source_key(video.pk, track) for track in track_ids),
            *(keys.caption_key(video.pk, track) for track in track_ids),
        ]
    )


def test_ingest_makes_verified_renditions_poster_and_captions(s3_server, s3_bucket, clip, captions, tmp_path):
    video = ingest_now(clip, captions=[captions])
    client = s3_server.client()

    assert video.status == VideoStatus.READY, video.failure_reason
    assert video.duration == pytest.approx(2.0, abs=0.1)
    assert bucket_keys(s3_server, s3_bucket) == expected_keys(video)
    for rendition in Rendition.objects.filter(video=video):
        local = tmp_path / f"{rendition.profile}.mp4"
        client.download_file(s3_bucket, rendition.key, str(local))
        assert hashlib.sha256(local.read_bytes()).hexdigest() == rendition.sha256
        assert local.stat().st_size == rendition.bytes
        info = probe(local)
        assert (info.video_codec, info.audio_codec) == ("h264", "aac")
        assert (info.width, info.height) == (rendition.width, rendition.height)
        assert client.head_object(Bucket=s3_bucket, Key=rendition.key)["ContentType"] == "video/mp4"
    assert client.head_object(Bucket=s3_bucket, Key=video.poster_key)["ContentType"] == "image/jpeg"

    track = video.caption_tracks.get()
    assert (track.source_format, track.cue_count, track.error_count) == ("srt", 1, 0)
    stored = client.get_object(Bucket=s3_bucket, Key=track.vtt_key)
    assert stored["ContentType"] == "text/vtt; charset=utf-8"
    assert stored["Body"].read().decode() == "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello, and welcome.\n"


def test_objects_are_private(s3_server, s3_bucket, clip):
    video = ingest_now(clip)
    acl = s3_server.client().get_object_acl(Bucket=s3_bucket, Key=video.renditions.first().key)

    assert all(grant["Grantee"].get("URI") is None for grant in acl["Grants"])  # no AllUsers/AuthenticatedUsers


def test_two_uploads_with_the_same_file_name_both_survive(s3_server, s3_bucket, clip):
    first = ingest_now(clip)
    second = ingest_now(clip)

    assert first.original_key != second.original_key
    assert first.status == second.status == VideoStatus.READY
    assert bucket_keys(s3_server, s3_bucket) == sorted(expected_keys(first) + expected_keys(second))


def _text_as_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("These are my notes, not a video.\n")
    return path


def _truncated(tmp_path):
    whole = make_clip(tmp_path / "whole.mp4", seconds=2, width=320, height=240)
    path = tmp_path / "truncated.mp4"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def _hls_playlist(tmp_path):
    path = tmp_path / "playlist.mp4"
    path.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
    return path


def _concat_playlist(tmp_path):
    path = tmp_path / "concat.mp4"
    path.write_text("ffconcat version 1.0\nfile '/etc/passwd'\n")
    return path


def _pixel_bomb(tmp_path):
    from PIL import Image

    path = tmp_path / "bomb.mp4"
    Image.new("1", (20000, 20000)).save(path, format="PNG")
    return path


@pytest.mark.parametrize(
    ("make_file", "reason"),
    [
        (_text_as_mp4, "not a video we can use"),
        (_truncated, "incomplete"),
        (_hls_playlist, "playlist"),
        (_concat_playlist, "playlist"),
        (_pixel_bomb, "picture"),
    ],
    ids=["text", "truncated", "hls-playlist", "concat-playlist", "pixel-bomb"],
)
def test_bad_files_are_rejected_with_a_reason_and_leave_no_objects(s3_server, s3_bucket, tmp_path, make_file, reason):
    video = ingest_now(make_file(tmp_path))

    assert video.status == VideoStatus.FAILED
    assert reason in video.failure_reason.lower()
    assert bucket_keys(s3_server, s3_bucket) == []
    assert not video.renditions.exists() and not video.caption_tracks.exists()


def test_over_long_video_is_rejected_after_probing(s3_server, s3_bucket, clip, settings):
    settings.MEDIA_MAX_DURATION_SECONDS = 1

    video = ingest_now(clip)

    assert video.status == VideoStatus.FAILED
    assert "limit" in video.failure_reason
    assert bucket_keys(s3_server, s3_bucket) == []


def test_over_size_upload_is_refused_before_storage(s3_server, s3_bucket, clip, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(VideoRejected, match="largest video you can upload"):
        video_create(title="Too big", video_path=clip, original_filename="big.mp4")

    assert not Video.objects.exists()
    assert bucket_keys(s3_server, s3_bucket) == []


def test_storage_outage_mid_ingest_is_retried_and_completes_without_orphans(
    s3_server, s3_outage, clip, captions, monkeypatch
):
    transcode_all = ingest.transcode_all

    def transcode_then_lose_the_network(*args, **kwargs):
        results = transcode_all(*args, **kwargs)
        s3_outage.cut()  # the renditions are made; uploading them now fails
        return results

    monkeypatch.setattr(ingest, "transcode_all", transcode_then_lose_the_network)
    video = video_create(title="Interview", video_path=clip, original_filename="x.mp4", captions=[captions])

    video = video_process(video_id=video.pk)
    assert (video.status, video.attempts, video.failure_reason) == (VideoStatus.UPLOADED, 1, "")

    monkeypatch.setattr(ingest, "transcode_all", transcode_all)
    s3_outage.restore()
    video = video_process(video_id=video.pk)

    assert video.status == VideoStatus.READY and video.attempts == 2
    assert bucket_keys(s3_server, s3_outage.bucket) == expected_keys(video)


def test_outage_schedules_a_delayed_retry_on_the_queue(s3_outage, clip, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    video = video_create(title="Interview", video_path=clip, original_filename="x.mp4")
    s3_outage.cut()

    video_process(video_id=video.pk)

    retry = DBTaskResult.objects.get(args_kwargs__args=[str(video.pk)])
    assert retry.run_after is not None and retry.run_after > video.updated_at


def test_giving_up_after_repeated_outages_says_what_to_do(s3_outage, clip):
    video = video_create(title="Interview", video_path=clip, original_filename="x.mp4")
    s3_outage.cut()
    for _ in range(ingest.MAX_ATTEMPTS):
        video = video_process(video_id=video.pk)

    assert video.status == VideoStatus.FAILED
    assert "Reprocess" in video.failure_reason
    assert video.original_key  # nothing is lost: reprocessing can start again from the original


def test_a_resumed_job_only_redoes_what_is_missing(s3_server, s3_bucket, clip, monkeypatch):
    video = ingest_now(clip)
    kept = Rendition.objects.get(video=video, profile="720p")
    Rendition.objects.filter(video=video, profile="360p").delete()  # as if the job died after one upload
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.UPLOADED)
    made = []
    transcode_all = ingest.transcode_all
    monkeypatch.setattr(
        ingest,
        "transcode_all",
        lambda src, outputs, **kw: made.append(set(outputs)) or transcode_all(src, outputs, **kw),
    )

    video = video_process(video_id=video.pk)

    assert video.status == VideoStatus.READY
    assert made == [{"360p"}]
    assert Rendition.objects.get(video=video, profile="720p").sha256 == kept.sha256
    assert bucket_keys(s3_server, s3_bucket) == expected_keys(video)


def test_unreadable_captions_do_not_fail_the_video_but_are_reported(s3_bucket, clip, tmp_path):
    bad = tmp_path / "captions.vtt"
    bad.write_text("This is not WebVTT\n")

    video = ingest_now(clip, captions=[CaptionUpload(path=bad, filename="captions.vtt")])

    track = video.caption_tracks.get()
    assert video.status == VideoStatus.READY
    assert track.error_count == 1 and track.vtt_key == ""
    assert "WEBVTT" in track.lint[0]["message"]


def test_erasure_deletes_every_object_and_every_version(s3_server, s3_bucket, clip):
    client = s3_server.client()
    client.put_bucket_versioning(Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"})
    video = ingest_now(clip)
    client.put_object(Bucket=s3_bucket, Key=video.poster_key, Body=b"an older poster")  # a second version
    other = ingest_now(clip, title="Someone else's film")

    video_erase(video_id=video.pk)

    versions = client.list_object_versions(Bucket=s3_bucket)
    remaining = {item["Key"] for item in versions.get("Versions", []) + versions.get("DeleteMarkers", [])}
    assert remaining == set(expected_keys(other))
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not Rendition.objects.filter(video_id=video.pk).exists()


def test_ingest_media_command_prints_the_contract(s3_bucket, clip, tmp_path, capsys):
    vtt = tmp_path / "captions.vtt"
    vtt.write_text(CAPTIONS)

    call_command(
        "ingest_media",
        "--title",
        "Interview",
        "--video",
        str(clip),
        "--captions",
        str(vtt),
        "--language",
        "en-GB",
        "--wait",
    )

    import json

    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "ready" and out["errors"] == []
    assert [r["profile"] for r in out["renditions"]] == ["720p", "360p"]
    assert set(out["renditions"][0]) == {"profile", "key", "width", "height", "bytes", "sha256"}
    assert out["captions"] == [{"language": "en-GB", "key": out["captions"][0]["key"], "cues": 1, "lint": []}]
    assert out["poster"].startswith(f"posters/{out['id']}/")


def test_ingest_media_command_fails_for_a_bad_video(s3_bucket, tmp_path, capsys):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a video"):
        call_command("ingest_media", "--title", "Notes", "--video", str(_text_as_mp4(tmp_path)), "--wait")
    assert '"status": "failed"' in capsys.readouterr().out
