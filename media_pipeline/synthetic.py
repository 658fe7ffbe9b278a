"""Deterministic synthetic video clips, made with PyAV and Pillow.

Used by the tests (small clips in every container the pipeline accepts) and by ``seed_demo`` (demo videos
with a title card and a tone). No Django import.

Every frame shows the title (if any) on a dark background, a yellow bar moving along the bottom edge and a
running timecode, so encoders have real motion to code. The audio is a 440 Hz sine "beep" for the first
200 ms of every second, in step with a white flash of the bar, which makes audio/video sync easy to check
by eye and ear.

Output is deterministic: the same arguments give the same pictures and samples, and (on the same FFmpeg
build) the same bytes, because the muxers run in bit-exact mode (no random Matroska segment UID, no encoder
version string) and the encoders run single-threaded.
"""

from __future__ import annotations

import array
import math
import os
import textwrap
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import cache
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

# Public codec names (as FFmpeg reports them when probing) -> the encoder that writes them.
VIDEO_ENCODERS: dict[str, str] = {
    "h264": "libx264",
    "hevc": "libx265",
    "vp8": "libvpx",
    "vp9": "libvpx-vp9",
    "av1": "libsvtav1",
    "mpeg4": "mpeg4",
    "mjpeg": "mjpeg",  # not on the probe allow-list; handy for testing a rejection
}
AUDIO_ENCODERS: dict[str, str] = {
    "aac": "aac",
    "opus": "libopus",
    "vorbis": "vorbis",
    "mp3": "libmp3lame",
    "flac": "flac",
    "pcm_s16le": "pcm_s16le",
}
# Container name used by this project -> FFmpeg muxer name.
MUXERS: dict[str, str] = {"mp4": "mp4", "mov": "mov", "webm": "webm", "mkv": "matroska"}

SAMPLE_RATE = 48_000  # Opus only supports 48 kHz; use it everywhere for simplicity.
TONE_HZ = 440
BEEP_SECONDS = 0.2

_BACKGROUND = (11, 12, 12)
_TEXT = (255, 255, 255)
_BAR = (255, 221, 0)
_FLASH = (255, 255, 255)

# Fast, low-effort settings: these clips are fixtures, not deliverables.
_VIDEO_OPTIONS: dict[str, dict[str, str]] = {
    "libx264": {"preset": "veryfast", "threads": "1"},
    "libx265": {"preset": "ultrafast", "x265-params": "log-level=error:pools=1:frame-threads=1"},
    "libvpx": {"deadline": "realtime", "cpu-used": "8", "threads": "1"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "threads": "1", "row-mt": "0"},
    "libsvtav1": {"preset": "12"},
}


def make_clip(
    path: str | os.PathLike[str],
    *,
    seconds: float,
    width: int,
    height: int,
    fps: int = 25,
    with_audio: bool = True,
    title: str | None = None,
    container: str = "mp4",
    video_codec: str = "h264",
    audio_codec: str = "aac",
    rotation: int = 0,
    muxer_options: Mapping[str, str] | None = None,
) -> Path:
    """Write a synthetic clip to ``path`` and return it as a ``Path``.

    ``container`` is one of ``mp4``, ``mov``, ``webm``, ``mkv``; ``video_codec`` / ``audio_codec`` are the
    codec names FFmpeg reports (``h264``, ``vp9``, ``aac``, ``opus`` …; see ``VIDEO_ENCODERS`` and
    ``AUDIO_ENCODERS``). ``rotation`` (degrees counter-clockwise) is written as display-matrix metadata, as
    phones do for portrait video. ``muxer_options`` are passed to the FFmpeg muxer, e.g. ``{"live": "1"}``
    for a WebM written the way a browser's MediaRecorder does (no duration, unknown sizes) or
    ``{"movflags": "+faststart"}``. Width and height must be even (4:2:0 chroma).
    """
    if container not in MUXERS:
        raise ValueError(f"unknown container {container!r}; expected one of {sorted(MUXERS)}")
    if video_codec not in VIDEO_ENCODERS:
        raise ValueError(f"unknown video codec {video_codec!r}; expected one of {sorted(VIDEO_ENCODERS)}")
    if with_audio and audio_codec not in AUDIO_ENCODERS:
        raise ValueError(f"unknown audio codec {audio_codec!r}; expected one of {sorted(AUDIO_ENCODERS)}")
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError("width and height must be positive and even")
    if seconds <= 0 or fps <= 0:
        raise ValueError("seconds and fps must be positive")

    path = Path(path)
    frame_count = max(1, round(seconds * fps))
    options = {"fflags": "+bitexact", **(muxer_options or {})}
    with av.open(str(path), mode="w", format=MUXERS[container], container_options=options) as output:
        video = _add_video_stream(output, VIDEO_ENCODERS[video_codec], width, height, fps)
        if rotation:
            video.set_display_rotation(rotation)
        audio = _add_audio_stream(output, AUDIO_ENCODERS[audio_codec]) if with_audio else None

        # Interleave roughly by time so muxers don't have to buffer a whole stream.
        audio_frames = _tone_frames(frame_count / fps) if audio is not None else iter(())
        next_audio = next(audio_frames, None)
        for index, frame in enumerate(_pictures(width, height, fps, frame_count, title)):
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            output.mux(video.encode(frame))
            while audio is not None and next_audio is not None and next_audio.time <= (index + 1) / fps:
                output.mux(audio.encode(next_audio))
                next_audio = next(audio_frames, None)
        output.mux(video.encode(None))
        if audio is not None:
            while next_audio is not None:
                output.mux(audio.encode(next_audio))
                next_audio = next(audio_frames, None)
            output.mux(audio.encode(None))
    return path


def _add_video_stream(
    output: av.container.OutputContainer, encoder: str, width: int, height: int, fps: int
) -> av.VideoStream:
    stream = output.add_stream(encoder, rate=fps, options=dict(_VIDEO_OPTIONS.get(encoder, {})))
    stream.width = width
    stream.height = height
    # MJPEG wants full-range ("J") 4:2:0; every other encoder here takes plain yuv420p.
    stream.pix_fmt = "yuvj420p" if encoder == "mjpeg" else "yuv420p"
    stream.codec_context.gop_size = 2 * fps
    stream.codec_context.flags |= av.codec.context.Flags.bitexact
    return stream


def _add_audio_stream(output: av.container.OutputContainer, encoder: str) -> av.AudioStream:
    stream = output.add_stream(encoder, rate=SAMPLE_RATE, layout="stereo")
    if encoder in {"aac", "libopus", "vorbis", "libmp3lame"}:
        stream.bit_rate = 96_000
    if encoder == "vorbis":
        stream.codec_context.options = {"strict": "experimental"}
    stream.codec_context.flags |= av.codec.context.Flags.bitexact
    return stream


def _pictures(width: int, height: int, fps: int, count: int, title: str | None) -> Iterator[av.VideoFrame]:
    """Yield ``count`` yuv420p frames: title card + moving bar + timecode.

    Drawn straight into the Y, U and V planes (the card is converted once), which is several times faster
    than drawing RGB and converting every frame.
    """
    card_y, card_u, card_v = _to_video_planes(_title_card(width, height, title))
    bar_yuv, flash_yuv = _video_yuv(_BAR), _video_yuv(_FLASH)
    text_luma = _video_yuv(_TEXT)[0]
    small = _font(max(10, height // 18))
    bar_w, bar_h = max(8, width // 10), max(4, height // 24)
    bar_y = height - 2 * bar_h
    step = max(1, width // (2 * fps))  # crosses the frame in about two seconds
    for index in range(count):
        x = (index * step) % (width + bar_w) - bar_w
        colour = flash_yuv if (index % fps) < BEEP_SECONDS * fps else bar_yuv
        seconds, frame_no = divmod(index, fps)
        luma = card_y.copy()
        draw = ImageDraw.Draw(luma)
        draw.rectangle((x, bar_y, x + bar_w - 1, bar_y + bar_h - 1), fill=colour[0])
        timecode = f"{seconds // 60:02d}:{seconds % 60:02d}.{frame_no:02d}"
        draw.text((bar_h, bar_h), timecode, font=small, fill=text_luma)
        chroma = []
        for plane, value in ((card_u, colour[1]), (card_v, colour[2])):
            plane = plane.copy()
            ImageDraw.Draw(plane).rectangle(
                (x // 2, bar_y // 2, (x + bar_w) // 2 - 1, (bar_y + bar_h) // 2 - 1), fill=value
            )
            chroma.append(plane)
        frame = av.VideoFrame(width, height, "yuv420p")
        for target, image in zip(frame.planes, (luma, *chroma), strict=True):
            _fill_plane(target, image)
        yield frame


def _video_yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """BT.601 limited-range ("TV") Y, Cb, Cr for an RGB colour: what yuv420p video means."""
    r, g, b = rgb
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    cb = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    cr = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return round(y), round(cb), round(cr)


def _to_video_planes(image: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """Full-size Y and half-size Cb/Cr planes, squeezed from Pillow's full (JPEG) range to video range."""
    y, cb, cr = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    luma = y.point([16 + round(v * 219 / 255) for v in range(256)])
    chroma_table = [16 + round(v * 224 / 255) for v in range(256)]
    return luma, cb.resize(half).point(chroma_table), cr.resize(half).point(chroma_table)


def _fill_plane(plane: av.video.plane.VideoPlane, image: Image.Image) -> None:
    data = image.tobytes()
    if plane.line_size != image.width:  # rows are padded for alignment
        padding = bytes(plane.line_size - image.width)
        rows = (data[i : i + image.width] for i in range(0, len(data), image.width))
        data = b"".join(row + padding for row in rows)
    plane.update(data)


def _title_card(width: int, height: int, title: str | None) -> Image.Image:
    image = Image.new("RGB", (width, height), _BACKGROUND)
    if not title:
        return image
    draw = ImageDraw.Draw(image)
    font = _font(max(12, height // 10))
    # Wrap to the frame width, measured with the real font.
    average = max(1.0, draw.textlength("abcdefghijklmnopqrstuvwxyz", font=font) / 26)
    lines = textwrap.wrap(title, width=max(8, int(width * 0.85 / average)))[:4]
    text = "\n".join(lines)
    box = draw.multiline_textbbox((0, 0), text, font=font, align="center")
    x = (width - (box[2] - box[0])) / 2 - box[0]
    y = (height - (box[3] - box[1])) / 2 - box[1] - height // 12
    draw.multiline_text((x, y), text, font=font, fill=_TEXT, align="center")
    return image


@cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError):  # Pillow built without FreeType: fixed-size bitmap font
        return ImageFont.load_default()


@cache
def _tone_seconds() -> bytes:
    """Two seconds of mono float32 samples, each a beep with 5 ms fades (no clicks) then silence.

    Two, so that a frame starting near the end of a second can be sliced without wrapping.
    """
    beep = int(SAMPLE_RATE * BEEP_SECONDS)
    fade = SAMPLE_RATE // 200
    samples = array.array("f", bytes(4 * SAMPLE_RATE))
    for n in range(beep):
        envelope = min(1.0, n / fade, (beep - n) / fade)
        samples[n] = 0.25 * envelope * math.sin(2 * math.pi * TONE_HZ * n / SAMPLE_RATE)
    return samples.tobytes() * 2


def _tone_frames(seconds: float, samples_per_frame: int = 1024) -> Iterator[av.AudioFrame]:
    """Yield stereo ``fltp`` frames covering ``seconds``; the encoder re-blocks them to its frame size."""
    tone = _tone_seconds()
    total = round(seconds * SAMPLE_RATE)
    for start in range(0, total, samples_per_frame):
        count = min(samples_per_frame, total - start)
        offset = start % SAMPLE_RATE
        chunk = tone[4 * offset : 4 * (offset + count)]
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=count)
        for plane in frame.planes:
            plane.update(chunk)
        frame.rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = Fraction(1, SAMPLE_RATE)
        yield frame
