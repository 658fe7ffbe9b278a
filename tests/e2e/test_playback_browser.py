"""Chromium plays a rendition through /media/play/… with its caption track showing cues."""

import pytest
from django.urls import reverse

from media_pipeline.services.ingest import CaptionUpload, video_create, video_process
from media_pipeline.synthetic import make_clip

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:01.000\nFirst caption\n\n00:01.000 --> 00:02.900\nSecond caption\n"


def test_rendition_plays_with_captions_showing(page, live_server, sign_in, editor, home_page, tmp_path):
    clip = make_clip(tmp_path / "film.mp4", seconds=3, width=320, height=240, title="Film")
    vtt = tmp_path / "film.vtt"
    vtt.write_text(CAPTIONS)
    video = video_create(
        title="Film", video_path=clip, original_filename="film.mp4", captions=[CaptionUpload(vtt, "film.vtt")]
    )
    video = video_process(video_id=video.pk)
    track = video.caption_tracks.get()

    sign_in(page, "editor")
    page.goto(live_server.url + "/")
    result = page.evaluate(
        """async ([src, captions]) => {
            const video = document.createElement('video');
            video.muted = true;
            video.src = src;
            const track = document.createElement('track');
            Object.assign(track, {kind: 'captions', srclang: 'en', label: 'English', src: captions, default: true});
            video.appendChild(track);
            document.body.appendChild(video);
            await new Promise((resolve, reject) => {
                video.addEventListener('canplay', resolve, {once: true});
                video.addEventListener('error', () => reject(new Error('media error ' + video.error.code)));
            });
            await video.play();
            await new Promise(resolve => {
                const check = () => video.currentTime > 1.2 ? resolve() : setTimeout(check, 50);
                check();
            });
            const textTrack = video.textTracks[0];
            return {
                time: video.currentTime,
                width: video.videoWidth,
                mode: textTrack.mode,
                cues: Array.from(textTrack.cues).map(c => c.text),
                active: Array.from(textTrack.activeCues).map(c => c.text),
            };
        }""",
        [reverse("media:play", args=[video.pk, "720p"]), reverse("media:captions", args=[track.pk])],
    )

    assert result["time"] > 1.2 and result["width"] == 320
    assert result["mode"] == "showing"
    assert result["cues"] == ["First caption", "Second caption"]
    assert result["active"] == ["Second caption"]
