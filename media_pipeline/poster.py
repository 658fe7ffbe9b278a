"""Poster frames from videos, and safety checks for images that volunteers upload. No Django import.

``extract_poster`` writes a JPEG of one frame (upright, square pixels, at most ``max_width`` wide) from a
video that ``probe`` accepted; the input is reopened with the pinned demuxer, never auto-detected.

``validate_image`` checks a user-supplied picture *before* it is decoded: only JPEG, PNG and WebP parsers
are allowed to look at it, and its pixel count is read from the header and compared with ``max_pixels``,
so a "decompression bomb" (a tiny file that expands to gigabytes of pixels) is rejected without ever
allocating its pixels. Only then is it fully decoded, which catches truncated and corrupt files.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from media_pipeline.checksums import publish, removing_on_error, sha256_file, temporary_sibling
from media_pipeline.probe import ProbeResult, open_probed, probe_for

ALLOWED_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
JPEG_QUALITY = 85


class PosterError(Exception):
    """No poster could be made. ``reason`` is for the volunteer."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class ImageRejected(Exception):
    """An uploaded image cannot be used. ``reason`` is for the volunteer; ``code`` is a stable slug."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class PosterResult:
    path: Path
    width: int
    height: int
    bytes: int
    sha256: str
    at_seconds: float  # the time of the frame used


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "JPEG" | "PNG" | "WEBP"
    width: int
    height: int
    content_type: str  # from what was verified, not from the upload


def extract_poster(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    at_fraction: float = 0.1,
    max_width: int = 1280,
    probe: ProbeResult | None = None,
) -> PosterResult:
    """Write a JPEG of the frame at ``at_fraction`` of the video's duration to ``dst`` (atomically)."""
    if not 0 <= at_fraction <= 1:
        raise ValueError("at_fraction must be between 0 and 1")
    info = probe_for(src, probe)
    target = info.duration * at_fraction
    frame_image, at = _frame_at(info, target)
    image = _upright(frame_image, info)
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    dst = Path(dst)
    temporary = temporary_sibling(dst)
    with removing_on_error(temporary):
        image.save(temporary, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        publish(temporary, dst)
    return PosterResult(
        path=dst,
        width=image.width,
        height=image.height,
        bytes=dst.stat().st_size,
        sha256=sha256_file(dst),
        at_seconds=at,
    )


def _frame_at(info: ProbeResult, target: float) -> tuple[Image.Image, float]:
    """The first frame at or after ``target`` seconds (or the last frame, if the video ends first)."""
    with open_probed(info) as container:
        stream = container.streams[info.video_stream_index]
        stream.thread_type = "AUTO"
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        try:
            if target > 0:
                # Seek to the keyframe before the target, then decode forward to it.
                container.seek(round((start + target) / stream.time_base), stream=stream, backward=True)
            last = None
            for frame in container.decode(stream):
                last = frame
                if frame.time is None or frame.time - start >= target:
                    break
        except av.FFmpegError as exc:
            raise PosterError("We could not take a picture from the video.", code="poster_decode") from exc
    if last is None:
        raise PosterError("We could not take a picture from the video.", code="poster_empty")
    return last.to_image(), max(0.0, (last.time or start) - start)


def _upright(image: Image.Image, info: ProbeResult) -> Image.Image:
    """Square pixels, then the display rotation (degrees counter-clockwise) applied."""
    if (info.display_width, info.display_height) != (image.width, image.height):
        if info.rotation in (90, 270):
            size = (info.display_height, info.display_width)
        else:
            size = (info.display_width, info.display_height)
        image = image.resize(size, Image.Resampling.LANCZOS)
    if info.rotation:
        image = image.rotate(info.rotation, expand=True)  # PIL rotates counter-clockwise too
    return image


def validate_image(
    path: str | os.PathLike[str], *, max_pixels: int, max_bytes: int = DEFAULT_MAX_IMAGE_BYTES
) -> ImageInfo:
    """Check an uploaded image without trusting it; raise ``ImageRejected`` with a reason otherwise."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ImageRejected("The image file is empty. Upload it again.", code="empty")
    if size > max_bytes:
        raise ImageRejected(
            f"The image is {size / 1024 / 1024:.1f} MB; the limit is {max_bytes / 1024 / 1024:.0f} MB. "
            "Save it at a smaller size and upload it again.",
            code="too_large",
        )
    unusable = "This file is not a picture we can use. Upload a JPEG, PNG or WebP image."
    # Escalate Pillow's own bomb warning (2^28 pixels by default) to an error whatever the caller's filters.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # ``formats`` limits which of Pillow's many parsers may even look at the file.
            with Image.open(path, formats=ALLOWED_IMAGE_FORMATS) as image:
                image_format, (width, height) = image.format, image.size
                # Header only so far: refuse a bomb before any pixel is decoded.
                if width <= 0 or height <= 0:
                    raise ImageRejected(unusable, code="not_image")
                if width * height > max_pixels:
                    raise ImageRejected(
                        f"The image is {width} by {height} pixels, which is too big to use. "
                        "Save it at a smaller size (for example 1920 pixels wide) and upload it again.",
                        code="too_many_pixels",
                    )
                image.load()  # decode every pixel: catches truncated or corrupt files
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(
                "The image is too big to use. Save it at a smaller size and upload it again.",
                code="too_many_pixels",
            ) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            # UnidentifiedImageError is an OSError; truncated data raises OSError; broken chunks SyntaxError.
            raise ImageRejected(unusable, code="not_image") from exc
    return ImageInfo(
        format=image_format,
        width=width,
        height=height,
        content_type=Image.MIME.get(image_format, "application/octet-stream"),
    )
