"""probe(): what it reports for usable videos, and the reasons it gives for everything else."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from media_pipeline.checksums import sha256_file
from media_pipeline.probe import (
    INCOMPLETE,
    ProbeError,
    ProbeLimits,
    ProbeResult,
    human_duration,
    open_probed,
    probe,
)
from media_pipeline.synthetic import make_clip
from tests.media_pipeline.clips import (
    FFCONCAT_SCRIPT,
    HLS_PLAYLIST,
    Clips,
    truncated_copy,
    write_audio_only_mp4,
    write_png,
)

ACCEPTED_FORMATS = "Upload an MP4, MOV, WebM or MKV video."


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("probe-clips"))


def rejection(path: Path, limits: ProbeLimits | None = None) -> ProbeError:
    with pytest.raises(ProbeError) as caught:
        probe(path, limits=limits)
    return caught.value


class TestAcceptedVideos:
    @pytest.mark.parametrize(
        ("container", "video_codec", "audio_codec"),
        [
            ("mp4", "h264", "aac"),
            ("mov", "h264", "aac"),
            ("webm", "vp9", "opus"),
            ("mkv", "h264", "aac"),
        ],
    )
    def test_reports_container_codecs_size_and_timing(self, clips, container, video_codec, audio_codec):
        path = clips.get(
            seconds=2, width=320, height=240, container=container, video_codec=video_codec, audio_codec=audio_codec
        )

        result = probe(path)

        assert isinstance(result, ProbeResult)
        assert result.container == container
        assert (result.video_codec, result.audio_codec) == (video_codec, audio_codec)
        assert (result.width, result.height) == (320, 240)
        assert (result.display_width, result.display_height) == (320, 240)
        assert result.duration == pytest.approx(2.0, abs=0.05)
        assert result.fps == pytest.approx(25.0)
        assert result.size_bytes == path.stat().st_size
        assert result.bitrate > 0
        assert result.rotation == 0
        assert result.has_audio

    @pytest.mark.parametrize(
        ("container", "video_codec", "audio_codec"),
        [("mkv", "hevc", "mp3"), ("mkv", "vp8", "vorbis"), ("mkv", "av1", "flac"), ("mov", "mpeg4", "pcm_s16le")],
    )
    def test_other_allowed_codecs(self, clips, container, video_codec, audio_codec):
        path = clips.get(container=container, video_codec=video_codec, audio_codec=audio_codec)

        result = probe(path)

        assert (result.video_codec, result.audio_codec) == (video_codec, audio_codec)

    def test_video_without_sound(self, clips):
        result = probe(clips.get(with_audio=False))

        assert result.audio_codec is None
        assert not result.has_audio
        assert result.audio_stream_index is None

    @pytest.mark.parametrize(("flag", "rotation"), [(90, 90), (-90, 270), (180, 180)])
    def test_phone_rotation_is_reported_and_display_size_turned(self, clips, flag, rotation):
        result = probe(clips.get(rotation=flag))

        assert result.rotation == rotation
        expected = (240, 320) if rotation in (90, 270) else (320, 240)
        assert (result.display_width, result.display_height) == expected

    def test_webm_recorded_live_without_a_duration_is_measured(self, clips):
        path = clips.get(
            seconds=2, container="webm", video_codec="vp9", audio_codec="opus", muxer_options={"live": "1"}
        )

        result = probe(path)

        assert result.duration == pytest.approx(2.0, abs=0.1)

    def test_portrait_video_within_the_limits_turned_round(self, clips):
        result = probe(clips.get(width=240, height=320), limits=ProbeLimits(max_width=320, max_height=240))

        assert (result.width, result.height) == (240, 320)

    def test_reopening_a_probed_file_uses_the_same_demuxer(self, clips):
        result = probe(clips.get())

        with open_probed(result) as container:
            assert container.streams.video[0].codec_context.width == 320


class TestNotAVideo:
    def test_text_file_named_mp4(self, tmp_path):
        path = tmp_path / "notes.mp4"
        path.write_text("Meeting notes: remember to upload the video.\n")

        error = rejection(path)

        assert error.code == "not_video"
        assert error.reason == f"This file is not a video we can use. {ACCEPTED_FORMATS}"

    def test_png_picture(self, tmp_path):
        error = rejection(write_png(tmp_path / "picture.mp4"))

        assert error.code == "not_video"
        assert "picture, not a video" in error.reason
        assert ACCEPTED_FORMATS in error.reason

    def test_heic_photo_is_not_taken_for_a_mov(self, tmp_path):
        path = tmp_path / "photo.mov"
        path.write_bytes(struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"heic", 0, b"mif1", b"heic") + bytes(64))

        error = rejection(path)

        assert error.code == "not_video"
        assert "photo" in error.reason

    def test_hls_playlist_pointing_at_a_local_file_never_reaches_ffmpeg(self, tmp_path):
        path = tmp_path / "video.mp4"
        path.write_bytes(HLS_PLAYLIST)

        error = rejection(path)

        assert error.code == "not_video"
        assert "playlist" in error.reason
        assert "passwd" not in error.reason

    def test_ffconcat_script(self, tmp_path):
        path = tmp_path / "video.mkv"
        path.write_bytes(FFCONCAT_SCRIPT)

        error = rejection(path)

        assert error.code == "not_video"
        assert "playlist or a list of other files" in error.reason

    def test_matroska_header_with_a_foreign_doctype(self, tmp_path):
        # EBML header whose DocType is "xyz": EBML magic, size 6, DocType element (0x4282) of length 3.
        path = tmp_path / "odd.mkv"
        path.write_bytes(b"\x1a\x45\xdf\xa3\x86\x42\x82\x83xyz" + bytes(64))

        assert rejection(path).code == "not_video"

    def test_playlist_disguised_behind_an_mp4_header(self, tmp_path):
        # A real ftyp box, then an HLS playlist: the sniff passes but the box walk and pinned demuxer don't.
        path = tmp_path / "sneaky.mp4"
        path.write_bytes(struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 0) + HLS_PLAYLIST)

        assert rejection(path).code in {"incomplete", "damaged"}

    def test_matroska_magic_then_garbage(self, tmp_path):
        path = tmp_path / "garbage.webm"
        path.write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 200)

        assert rejection(path).code == "damaged"

    def test_sound_without_picture(self, tmp_path):
        error = rejection(write_audio_only_mp4(tmp_path / "voice.mp4"))

        assert error.code == "no_video"
        assert error.reason == "This file has sound but no picture. Upload a video file."

    def test_video_codec_not_on_the_allow_list(self, clips):
        error = rejection(clips.get(container="mkv", video_codec="mjpeg", audio_codec="aac"))

        assert error.code == "video_codec"
        assert "MJPEG" in error.reason
        assert "Export it as an MP4 (H.264) video" in error.reason

    def test_empty_file(self, tmp_path):
        path = tmp_path / "empty.mp4"
        path.touch()

        assert rejection(path).code == "empty"

    def test_a_directory_or_device_is_not_a_file(self, tmp_path):
        assert rejection(tmp_path).code == "not_video"
        assert rejection(Path("/dev/zero")).code == "not_video"

    def test_missing_file(self, tmp_path):
        assert rejection(tmp_path / "gone.mp4").code == "missing"


class TestIncompleteUploads:
    @pytest.mark.parametrize("container", ["mp4", "mov", "mkv", "webm"])
    @pytest.mark.parametrize("fraction", [0.5, 0.97])
    def test_cut_short(self, clips, tmp_path, container, fraction):
        codecs = {"video_codec": "vp9", "audio_codec": "opus"} if container == "webm" else {}
        source = clips.get(container=container, **codecs)

        error = rejection(truncated_copy(source, tmp_path / f"cut.{container}", fraction))

        assert error.code == "incomplete"
        assert error.reason == INCOMPLETE

    def test_fast_start_mp4_cut_inside_the_media_data(self, clips, tmp_path):
        # The index (moov) comes first and survives the cut; only the box sizes show the file is short.
        source = clips.get(muxer_options={"movflags": "+faststart"})

        error = rejection(truncated_copy(source, tmp_path / "cut.mp4", 0.8))

        assert error.code == "incomplete"


class TestLimits:
    def test_file_too_big(self, clips):
        error = rejection(clips.get(), ProbeLimits(max_bytes=2048))

        assert error.code == "too_large"
        assert "the limit is 2 KB" in error.reason

    def test_video_too_long(self, clips):
        error = rejection(clips.get(seconds=2), ProbeLimits(max_duration=1.5))

        assert error.code == "too_long"
        assert error.reason == (
            "The video is 2 seconds long; the limit is 1 second. Split it into shorter videos and upload each one."
        )

    def test_resolution_too_high(self, clips):
        error = rejection(clips.get(), ProbeLimits(max_width=160, max_height=120))

        assert error.code == "resolution"
        assert error.reason.startswith("The video is 320 by 240 pixels; the largest we accept is 160 by 120.")

    def test_defaults(self):
        limits = ProbeLimits()

        assert (limits.max_bytes, limits.max_duration) == (4 * 1024**3, 3 * 3600)
        assert (limits.max_width, limits.max_height) == (3840, 2160)


@pytest.mark.parametrize(
    ("seconds", "precise", "words"),
    [
        (3 * 3600 + 20 * 60 + 12, False, "3 hours 20 minutes"),
        (3 * 3600, False, "3 hours"),
        (3 * 3600 + 30, False, "3 hours"),
        (3 * 3600 + 30, True, "3 hours 30 seconds"),
        (3600 + 60, False, "1 hour 1 minute"),
        (45 * 60 + 5.9, False, "45 minutes 5 seconds"),
        (0.4, False, "0 seconds"),
    ],
)
def test_human_duration(seconds, precise, words):
    assert human_duration(seconds, precise=precise) == words


@pytest.mark.parametrize("container", ["mp4", "webm"])
def test_synthetic_clips_are_deterministic(tmp_path, container):
    # seed_demo relies on this: re-running it must not change a demo video's bytes (or its checksum).
    codecs = {"video_codec": "vp9", "audio_codec": "opus"} if container == "webm" else {}
    first, second = (
        make_clip(tmp_path / f"{name}.{container}", seconds=1, width=320, height=240, title="Demo", **codecs)
        for name in ("first", "second")
    )

    assert sha256_file(first) == sha256_file(second)
    assert probe(first).duration == pytest.approx(1.0, abs=0.05)
