"""Renditions: sizes planned without upscaling, single-pass H.264/AAC fast-start MP4s that re-probe cleanly."""

from __future__ import annotations

import pytest

from media_pipeline import transcode as transcode_module
from media_pipeline.checksums import sha256_file
from media_pipeline.probe import ProbeError, probe
from media_pipeline.transcode import PROFILES, RenditionResult, plan_renditions, transcode, transcode_all
from tests.media_pipeline.clips import Clips, top_level_boxes


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("transcode-clips"))


def sizes(width: int, height: int) -> dict[str, tuple[int, int]]:
    return {plan.name: (plan.width, plan.height) for plan in plan_renditions(width, height)}


class TestPlanRenditions:
    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ((1920, 1080), {"720p": (1280, 720), "360p": (640, 360)}),
            ((3840, 2160), {"720p": (1280, 720), "360p": (640, 360)}),
            ((1280, 720), {"720p": (1280, 720), "360p": (640, 360)}),
            ((640, 480), {"720p": (640, 480), "360p": (480, 360)}),
            ((1080, 1920), {"720p": (720, 1280), "360p": (360, 640)}),
            ((1920, 800), {"720p": (1280, 534), "360p": (640, 266)}),
            ((854, 480), {"720p": (854, 480), "360p": (640, 360)}),
        ],
    )
    def test_fits_each_profile_box(self, source, expected):
        assert sizes(*source) == expected

    @pytest.mark.parametrize("source", [(320, 240), (176, 144), (640, 360)])
    def test_never_upscales_and_always_offers_both_profiles(self, source):
        planned = sizes(*source)

        assert set(planned) == set(PROFILES)
        assert all(w <= source[0] and h <= source[1] for w, h in planned.values())

    @pytest.mark.parametrize("source", [(1919, 1079), (1000, 563), (721, 405), (333, 251)])
    def test_even_sizes_and_aspect_kept(self, source):
        for width, height in sizes(*source).values():
            assert width % 2 == 0 and height % 2 == 0
            assert width / height == pytest.approx(source[0] / source[1], rel=0.02)


def assert_web_ready(result: RenditionResult, *, width: int, height: int, duration: float, audio: bool) -> None:
    """Re-probe the rendition: H.264 (+AAC), planned size, duration kept, index before media (fast start)."""
    reprobed = probe(result.path)
    assert reprobed.container == "mp4"
    assert reprobed.video_codec == "h264"
    assert reprobed.audio_codec == ("aac" if audio else None)
    assert (reprobed.width, reprobed.height) == (result.width, result.height) == (width, height)
    assert reprobed.rotation == 0
    assert reprobed.duration == pytest.approx(duration, abs=0.1)
    assert result.duration == pytest.approx(duration, abs=0.1)
    boxes = top_level_boxes(result.path)
    assert boxes.index("moov") < boxes.index("mdat")
    assert result.bytes == result.path.stat().st_size
    assert result.sha256 == sha256_file(result.path)
    assert result.bitrate > 0


class TestTranscodeAll:
    def test_one_pass_makes_both_renditions(self, clips, tmp_path):
        source = clips.get(seconds=2, width=640, height=360)
        outputs = {"720p": tmp_path / "720p.mp4", "360p": tmp_path / "360p.mp4"}

        results = transcode_all(source, outputs)

        assert set(results) == {"720p", "360p"}
        assert_web_ready(results["720p"], width=640, height=360, duration=2.0, audio=True)
        assert_web_ready(results["360p"], width=640, height=360, duration=2.0, audio=True)
        assert {p.name for p in tmp_path.iterdir()} == {"720p.mp4", "360p.mp4"}  # no .part files left

    def test_downscales_hd_to_each_profile(self, clips, tmp_path):
        source = clips.get(seconds=1, width=1280, height=720)

        results = transcode_all(source, {"720p": tmp_path / "a.mp4", "360p": tmp_path / "b.mp4"})

        assert_web_ready(results["720p"], width=1280, height=720, duration=1.0, audio=True)
        assert_web_ready(results["360p"], width=640, height=360, duration=1.0, audio=True)
        assert results["360p"].bytes < results["720p"].bytes

    def test_small_source_is_not_upscaled(self, clips, tmp_path):
        results = transcode_all(clips.get(), {"720p": tmp_path / "a.mp4", "360p": tmp_path / "b.mp4"})

        assert {(r.width, r.height) for r in results.values()} == {(320, 240)}

    def test_webm_source(self, clips, tmp_path):
        source = clips.get(container="webm", video_codec="vp9", audio_codec="opus")

        result = transcode(source, tmp_path / "out.mp4", "360p")

        assert_web_ready(result, width=320, height=240, duration=1.0, audio=True)

    def test_source_without_sound_gives_renditions_without_sound(self, clips, tmp_path):
        result = transcode(clips.get(with_audio=False), tmp_path / "out.mp4", PROFILES["360p"])

        assert_web_ready(result, width=320, height=240, duration=1.0, audio=False)

    def test_sideways_phone_video_is_turned_upright(self, clips, tmp_path):
        source = clips.get(rotation=-90)  # portrait, recorded sideways

        result = transcode(source, tmp_path / "out.mp4", "720p")

        assert_web_ready(result, width=240, height=320, duration=1.0, audio=True)

    def test_unusable_source_is_refused_before_anything_is_written(self, tmp_path):
        source = tmp_path / "not-a-video.mp4"
        source.write_text("#EXTM3U\nfile:///etc/passwd\n")

        with pytest.raises(ProbeError):
            transcode(source, tmp_path / "out.mp4", "360p")

        assert [p.name for p in tmp_path.iterdir()] == ["not-a-video.mp4"]

    def test_a_crash_leaves_no_file_under_the_final_name(self, clips, tmp_path, monkeypatch):
        def crash(self):
            raise RuntimeError("worker killed")

        monkeypatch.setattr(transcode_module._RenditionWriter, "finish", crash)

        with pytest.raises(RuntimeError):
            transcode_all(clips.get(), {"720p": tmp_path / "a.mp4", "360p": tmp_path / "b.mp4"})

        assert list(tmp_path.iterdir()) == []

    def test_unknown_profile(self, clips, tmp_path):
        with pytest.raises(ValueError, match="1080p"):
            transcode_all(clips.get(), {"1080p": tmp_path / "x.mp4"})
