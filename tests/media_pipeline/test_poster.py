"""Poster JPEGs taken from videos, and the checks on images that volunteers upload."""

from __future__ import annotations

import pytest
from PIL import Image

from media_pipeline.checksums import sha256_file
from media_pipeline.poster import ImageRejected, extract_poster, validate_image
from tests.media_pipeline.clips import Clips, write_png, write_png_bomb


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("poster-clips"))


class TestExtractPoster:
    def test_jpeg_of_the_video_size(self, clips, tmp_path):
        source = clips.get(seconds=2, width=640, height=360, title="Welcome")

        result = extract_poster(source, tmp_path / "poster.jpg")

        with Image.open(result.path) as image:
            assert image.format == "JPEG"
            assert image.size == (result.width, result.height) == (640, 360)
        assert result.bytes == result.path.stat().st_size
        assert result.sha256 == sha256_file(result.path)
        assert result.at_seconds == pytest.approx(0.2, abs=0.05)
        assert [p.name for p in tmp_path.iterdir()] == ["poster.jpg"]

    def test_shrunk_to_max_width_keeping_aspect(self, clips, tmp_path):
        result = extract_poster(clips.get(seconds=2, width=640, height=360), tmp_path / "p.jpg", max_width=320)

        assert (result.width, result.height) == (320, 180)

    def test_sideways_phone_video_gives_an_upright_poster(self, clips, tmp_path):
        result = extract_poster(clips.get(rotation=90), tmp_path / "p.jpg")

        assert (result.width, result.height) == (240, 320)

    def test_position_must_be_within_the_video(self, clips, tmp_path):
        with pytest.raises(ValueError, match="at_fraction"):
            extract_poster(clips.get(), tmp_path / "p.jpg", at_fraction=1.5)


class TestValidateImage:
    def test_accepts_png_and_jpeg_and_reports_the_verified_type(self, tmp_path):
        png = validate_image(write_png(tmp_path / "a.png"), max_pixels=10_000)
        jpeg_path = tmp_path / "upload.png"  # the name lies; the content decides
        Image.new("RGB", (40, 30), "navy").save(jpeg_path, format="JPEG")
        jpeg = validate_image(jpeg_path, max_pixels=10_000)

        assert (png.format, png.width, png.height, png.content_type) == ("PNG", 64, 48, "image/png")
        assert (jpeg.format, jpeg.content_type) == ("JPEG", "image/jpeg")

    def test_pixel_bomb_rejected_from_its_header(self, tmp_path):
        bomb = write_png_bomb(tmp_path / "bomb.png", 30_000, 30_000)  # 900 megapixels in ~0.5 MB
        assert bomb.stat().st_size < 1024 * 1024

        with pytest.raises(ImageRejected) as caught:
            validate_image(bomb, max_pixels=40_000_000)

        assert caught.value.code == "too_many_pixels"
        assert "too big" in caught.value.reason

    def test_over_our_pixel_limit_but_under_pillows(self, tmp_path):
        big = write_png_bomb(tmp_path / "big.png", 5_000, 5_000)

        with pytest.raises(ImageRejected) as caught:
            validate_image(big, max_pixels=1_000_000)

        assert caught.value.code == "too_many_pixels"
        assert "5000 by 5000 pixels" in caught.value.reason

    def test_format_outside_the_allow_list(self, tmp_path):
        gif = tmp_path / "a.gif"
        Image.new("P", (10, 10)).save(gif, format="GIF")

        with pytest.raises(ImageRejected) as caught:
            validate_image(gif, max_pixels=10_000)

        assert caught.value.code == "not_image"
        assert "JPEG, PNG or WebP" in caught.value.reason

    def test_truncated_png(self, tmp_path):
        whole = tmp_path / "whole.png"
        Image.effect_noise((200, 200), 64).convert("RGB").save(whole, format="PNG")
        cut = tmp_path / "cut.png"
        cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

        with pytest.raises(ImageRejected) as caught:
            validate_image(cut, max_pixels=1_000_000)

        assert caught.value.code == "not_image"

    def test_text_file_and_empty_file(self, tmp_path):
        text = tmp_path / "notes.png"
        text.write_text("not a picture")
        empty = tmp_path / "empty.png"
        empty.touch()

        with pytest.raises(ImageRejected) as as_text:
            validate_image(text, max_pixels=10_000)
        with pytest.raises(ImageRejected) as as_empty:
            validate_image(empty, max_pixels=10_000)

        assert (as_text.value.code, as_empty.value.code) == ("not_image", "empty")

    def test_file_too_big(self, tmp_path):
        with pytest.raises(ImageRejected) as caught:
            validate_image(write_png(tmp_path / "a.png"), max_pixels=10_000, max_bytes=10)

        assert caught.value.code == "too_large"
