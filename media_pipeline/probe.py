"""Probe an uploaded video file: decide, safely, whether the pipeline may process it.

Contract: ``probe(path, limits=...)`` returns a ``ProbeResult`` for a local, regular file that is an MP4, MOV,
WebM or MKV with at least one allow-listed video stream, within the size, duration and resolution limits,
whose first video frame decodes. Anything else raises ``ProbeError`` whose ``reason`` is a sentence a
volunteer can act on (and whose ``code`` is a stable machine-readable slug). No Django import.

Security, in order:

1. The file size is read from the filesystem, and only regular files are accepted (not devices or FIFOs).
2. The container is sniffed from its first bytes before FFmpeg sees the file. FFmpeg's auto-detection would
   happily open HLS playlists, ffconcat scripts and dozens of other formats, some of which make FFmpeg open
   *other* files or URLs (e.g. an ``.mp4`` that is really an ``#EXTM3U`` playlist pointing at
   ``file:///etc/passwd``). Only the ISO-BMFF (MP4/MOV) and EBML (Matroska/WebM) families pass.
3. The box / element structure is checked against the real file size, which catches an upload that was cut
   short even when the header that FFmpeg needs happens to be intact.
4. FFmpeg then opens the file with the demuxer pinned to the sniffed family (no probing), the ``file``
   protocol only, the demuxer allow-list, MOV external data references off, and only allow-listed decoders
   available to stream-info probing.
5. Streams, codecs, duration and resolution are checked against allow-lists and ``ProbeLimits`` *before*
   any frame is decoded, and the decoder refuses frames above the pixel limit.
6. The first video frame is decoded, so a file that cannot be decoded fails here with a clear reason rather
   than halfway through a transcode.
"""

from __future__ import annotations

import math
import os
import re
import stat
import struct
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import BinaryIO

import av
import av.container

GIB = 1024**3

# FFmpeg demuxers, pinned per sniffed family. ``format=`` takes any one name of a demuxer's name list.
ISO_BMFF_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_DEMUXER = "matroska,webm"

ALLOWED_VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"})
ALLOWED_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "vorbis", "flac"})  # plus plain PCM, see _is_pcm

# Top-level QuickTime atoms that may start a MOV written without an ``ftyp`` box (older cameras/QuickTime).
_QUICKTIME_FIRST_ATOMS = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
# ISO-BMFF major brands of still images (HEIC/AVIF photos share the MP4 box format).
_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis", b"avci"}
)
_PLAIN_PCM = re.compile(r"pcm_(?:[suf](?:8|16|24|32|64)(?:le|be)?|alaw|mulaw)")
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE_ID = 0x4282
_MATROSKA_SEGMENT_ID = 0x18538067
_MAX_TOP_LEVEL_BOXES = 1_000_000  # a long fragmented MP4 has a few thousand; stop walking, don't reject
_FIRST_FRAME_MAX_PACKETS = 500

_ACCEPTED = "Upload an MP4, MOV, WebM or MKV video."
NOT_A_VIDEO = f"This file is not a video we can use. {_ACCEPTED}"
INCOMPLETE = "The file seems to be incomplete (it may not have finished uploading). Upload it again."
DAMAGED = (
    "The video could not be read; the file may be damaged. Export it again as an MP4 (H.264) video and upload that."
)


class ProbeError(Exception):
    """The file cannot be used. ``reason`` is for the volunteer; ``code`` is a stable slug for code/logs."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class ProbeLimits:
    """Caps applied before any decoding. Resolution is checked either way round (portrait or landscape)."""

    max_bytes: int = 4 * GIB
    max_duration: float = 3 * 3600.0
    max_width: int = 3840
    max_height: int = 2160
    max_streams: int = 16


@dataclass(frozen=True)
class ProbeResult:
    """What the pipeline needs to know about a verified video file.

    ``width``/``height`` are the coded frame size; ``rotation`` is the display rotation in degrees
    counter-clockwise (0, 90, 180 or 270, as phones record portrait video); ``display_width`` /
    ``display_height`` are what a viewer sees (square pixels, rotation applied).
    """

    path: Path
    container: str  # "mp4" | "mov" | "webm" | "mkv"
    demuxer: str  # the FFmpeg demuxer the file was opened with; reopen with ``open_probed``
    size_bytes: int
    duration: float  # seconds
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    fps: float | None
    bitrate: int  # bits per second, whole file
    rotation: int
    sample_aspect_ratio: Fraction
    pixel_format: str | None
    video_stream_index: int
    audio_stream_index: int | None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def display_width(self) -> int:
        return self._display_size()[0]

    @property
    def display_height(self) -> int:
        return self._display_size()[1]

    def _display_size(self) -> tuple[int, int]:
        width = round(self.width * self.sample_aspect_ratio) if self.sample_aspect_ratio > 0 else self.width
        return (self.height, width) if self.rotation in (90, 270) else (width, self.height)


@dataclass(frozen=True)
class _Sniffed:
    container: str
    demuxer: str


def probe(path: str | os.PathLike[str], *, limits: ProbeLimits | None = None) -> ProbeResult:
    """Validate ``path`` and describe it; raise ``ProbeError`` with a volunteer-facing reason otherwise."""
    limits = limits or ProbeLimits()
    path = Path(os.path.abspath(path))
    size = _checked_size(path, limits)
    with path.open("rb") as handle:
        sniffed = _sniff(handle, size)
    try:
        container = _open(path, sniffed.demuxer)
    except av.FFmpegError as exc:
        raise ProbeError(DAMAGED, code="unreadable") from exc
    with container:
        return _inspect(container, path, sniffed, size, limits)


def probe_for(src: str | os.PathLike[str], result: ProbeResult | None) -> ProbeResult:
    """``result`` if it describes ``src``, or a fresh ``probe(src)`` when there is none.

    For steps (transcode, poster) that accept an earlier result to avoid probing twice.
    """
    if result is None:
        return probe(src)
    if Path(os.path.abspath(src)) != result.path:
        raise ValueError(f"the probe result is for {result.path}, not {src}")
    return result


def open_probed(result: ProbeResult) -> av.container.InputContainer:
    """Reopen a file that ``probe`` accepted, with the same pinned demuxer and restrictions.

    Transcoding and poster extraction use this so that FFmpeg never auto-detects an input format.
    """
    try:
        container = _open(result.path, result.demuxer)
    except av.FFmpegError as exc:
        raise ProbeError(DAMAGED, code="unreadable") from exc
    if not container.streams.video:  # the file changed since it was probed
        container.close()
        raise ProbeError(DAMAGED, code="unreadable")
    return container


def decoder_max_pixels(width: int, height: int) -> int:
    """A decoder ``max_pixels`` cap for frames of ``width`` x ``height``.

    Decoders check their *coded* size, which codecs pad (to 16 or 64 pixel blocks), hence the margin.
    """
    return (width + 128) * (height + 128)


# -- filesystem and sniffing -----------------------------------------------------------------------------


def _checked_size(path: Path, limits: ProbeLimits) -> int:
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise ProbeError("The file could not be found. Upload it again.", code="missing") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ProbeError(NOT_A_VIDEO, code="not_video")
    if info.st_size == 0:
        raise ProbeError("The file is empty. Upload the video again.", code="empty")
    if info.st_size > limits.max_bytes:
        raise ProbeError(
            f"The file is {_human_bytes(info.st_size)}; the limit is {_human_bytes(limits.max_bytes)}. "
            "Export a smaller or shorter version of the video and upload that.",
            code="too_large",
        )
    return info.st_size


def _sniff(handle: BinaryIO, size: int) -> _Sniffed:
    """Decide the container family from magic bytes, and check its structure against the file size."""
    head = handle.read(4096)
    if head[:4] == _EBML_MAGIC:
        doctype = _check_ebml(handle, size)
        return _Sniffed("webm" if doctype == "webm" else "mkv", MATROSKA_DEMUXER)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_FIRST_ATOMS:
        if head[4:8] == b"ftyp" and head[8:12] in _IMAGE_BRANDS:
            raise ProbeError(f"This file is a photo, not a video. {_ACCEPTED}", code="not_video")
        _check_iso_bmff(handle, size)
        return _Sniffed("mov" if head[4:8] != b"ftyp" or head[8:12] == b"qt  " else "mp4", ISO_BMFF_DEMUXER)
    raise ProbeError(_describe_unaccepted(head), code="not_video")


def _describe_unaccepted(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"#EXTM3U", b"ffconcat version")) or text[:64].lower().startswith(b"<?xml"):
        return f"This file is a playlist or a list of other files, not a video. {_ACCEPTED}"
    images = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
    if head.startswith(images) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return f"This file is a picture, not a video. {_ACCEPTED}"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return f"AVI videos are not accepted. Convert the video to MP4 and upload that. {_ACCEPTED}"
    return NOT_A_VIDEO


def _check_iso_bmff(handle: BinaryIO, size: int) -> None:
    """Walk the top-level boxes: each must fit in the file, and a ``moov`` (the index) must be present.

    An upload cut short usually loses either the end of ``mdat`` or, for files with the index at the end,
    the ``moov`` box itself.
    """
    offset, seen, count = 0, set(), 0
    while offset < size and count < _MAX_TOP_LEVEL_BOXES:
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < 8:
            if b"moov" in seen:
                return  # a few bytes of padding after a complete movie
            raise ProbeError(INCOMPLETE, code="incomplete")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1:
            if len(header) < 16:
                raise ProbeError(INCOMPLETE, code="incomplete")
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:  # "extends to the end of the file"
            box_size = size - offset
        if not all(32 <= c < 127 for c in box_type) or box_size < 8:
            if b"moov" in seen:
                return  # trailing junk after a complete movie; FFmpeg ignores it too
            raise ProbeError(DAMAGED, code="damaged")
        if offset + box_size > size:
            raise ProbeError(INCOMPLETE, code="incomplete")
        seen.add(box_type)
        offset += box_size
        count += 1
    if b"moov" not in seen:
        raise ProbeError(INCOMPLETE, code="incomplete")


def _check_ebml(handle: BinaryIO, size: int) -> str:
    """Read the EBML header's DocType and check that a sized Segment fits in the file."""
    handle.seek(0)
    data = handle.read(min(size, 64 * 1024))
    try:
        _, pos = _ebml_id(data, 0)
        header_size, pos = _ebml_size(data, pos)
        header_end = pos + header_size
        doctype = ""
        while pos < header_end:
            element, pos = _ebml_id(data, pos)
            length, pos = _ebml_size(data, pos)
            if element == _EBML_DOCTYPE_ID:
                doctype = data[pos : pos + length].rstrip(b"\0").decode("ascii")
            pos += length
        if doctype not in ("webm", "matroska"):
            raise ProbeError(NOT_A_VIDEO, code="not_video")
        segment, pos = _ebml_id(data, header_end)
        segment_size, pos = _ebml_size(data, pos)
    except (IndexError, UnicodeDecodeError) as exc:
        raise ProbeError(INCOMPLETE if size < 4096 else DAMAGED, code="damaged") from exc
    if segment != _MATROSKA_SEGMENT_ID:
        raise ProbeError(DAMAGED, code="damaged")
    # A live recording (e.g. a browser's MediaRecorder) writes an "unknown" size; nothing to compare then.
    if segment_size is not None and pos + segment_size > size:
        raise ProbeError(INCOMPLETE, code="incomplete")
    return doctype


def _ebml_vint(data: bytes, pos: int) -> tuple[int, int, int]:
    first = data[pos]
    length = 8 - first.bit_length() + 1
    if length > 8:
        raise IndexError("invalid EBML variable-length integer")
    if len(data) < pos + length:
        raise IndexError("truncated EBML variable-length integer")
    raw = int.from_bytes(data[pos : pos + length], "big")
    return raw, length, pos + length


def _ebml_id(data: bytes, pos: int) -> tuple[int, int]:
    raw, _, end = _ebml_vint(data, pos)
    return raw, end  # element IDs keep their length marker


def _ebml_size(data: bytes, pos: int) -> tuple[int | None, int]:
    raw, length, end = _ebml_vint(data, pos)
    value = raw & ((1 << (7 * length)) - 1)
    return (None if value == (1 << (7 * length)) - 1 else value), end


# -- FFmpeg --------------------------------------------------------------------------------------------


@cache
def _allowed_decoders() -> str:
    """Names of the decoders for allow-listed codecs (e.g. ``libdav1d`` for AV1, ``mp3float`` for MP3)."""
    names = []
    for name in sorted(av.codecs_available):
        try:
            codec = av.Codec(name, "r")
        except (ValueError, av.FFmpegError):
            continue
        if codec.capabilities & (av.codec.codec.Capabilities.hardware | av.codec.codec.Capabilities.hybrid):
            continue  # hardware wrappers (cuvid, qsv, ...): never wanted on a worker
        canonical = codec.canonical_name
        if canonical in ALLOWED_VIDEO_CODECS or canonical in ALLOWED_AUDIO_CODECS or _is_pcm(canonical):
            names.append(codec.name)
    return ",".join(names)


def _open(path: Path, demuxer: str) -> av.container.InputContainer:
    options = {
        "protocol_whitelist": "file",  # no network, no concat:/subfile:/data: tricks
        "format_whitelist": demuxer,
        "codec_whitelist": _allowed_decoders(),  # only for avformat's stream-info probing
    }
    if demuxer == ISO_BMFF_DEMUXER:
        options["enable_drefs"] = "0"  # never follow MOV data references to other files (off by default)
    # An absolute path can't be read as "protocol:..." by FFmpeg, so it is always the file protocol.
    return av.open(str(path), mode="r", format=demuxer.split(",")[0], container_options=options)


def _is_pcm(codec: str) -> bool:
    """Plain PCM only (``pcm_s16le``, ``pcm_f32be``, ``pcm_alaw`` ...): not DVD/Blu-ray/game-console variants,
    whose decoders are rarely exercised and so are needless attack surface."""
    return _PLAIN_PCM.fullmatch(codec) is not None


def _inspect(
    container: av.container.InputContainer, path: Path, sniffed: _Sniffed, size: int, limits: ProbeLimits
) -> ProbeResult:
    if len(container.streams) > limits.max_streams:
        raise ProbeError(
            f"The file has {len(container.streams)} tracks; we accept at most {limits.max_streams}. "
            "Export just the video with its main sound track and upload that.",
            code="too_many_streams",
        )
    video = _main_video_stream(container)
    audio = container.streams.audio[0] if container.streams.audio else None
    if audio is not None:
        audio = _best(container, "audio") or audio
    video_codec = video.codec.canonical_name
    if video_codec not in ALLOWED_VIDEO_CODECS:
        raise ProbeError(
            f"The video is encoded as {video_codec.upper()}, which we cannot use. "
            "Export it as an MP4 (H.264) video and upload that.",
            code="video_codec",
        )
    audio_codec = audio.codec.canonical_name if audio is not None else None
    if audio_codec is not None and not (audio_codec in ALLOWED_AUDIO_CODECS or _is_pcm(audio_codec)):
        raise ProbeError(
            f"The sound is encoded as {audio_codec.upper()}, which we cannot use. "
            "Export the video as an MP4 (H.264 video with AAC sound) and upload that.",
            code="audio_codec",
        )
    width, height = video.codec_context.width, video.codec_context.height
    if width <= 0 or height <= 0:
        raise ProbeError(DAMAGED, code="damaged")
    _check_resolution(width, height, limits)

    duration = _duration(container, video, limits)
    first = _first_frame(container, video, limits)
    sar = video.sample_aspect_ratio or video.codec_context.sample_aspect_ratio
    rate = video.average_rate or video.guessed_rate
    bitrate = container.bit_rate or int(size * 8 / duration)
    return ProbeResult(
        path=path,
        container=sniffed.container,
        demuxer=sniffed.demuxer,
        size_bytes=size,
        duration=duration,
        width=width,
        height=height,
        video_codec=video_codec,
        audio_codec=audio_codec,
        fps=float(rate) if rate else None,
        bitrate=int(bitrate),
        rotation=round((first.rotation or 0) / 90) % 4 * 90,
        sample_aspect_ratio=Fraction(sar) if sar else Fraction(1),
        pixel_format=video.codec_context.pix_fmt,
        video_stream_index=video.index,
        audio_stream_index=audio.index if audio is not None else None,
    )


def _main_video_stream(container: av.container.InputContainer) -> av.VideoStream:
    # Cover art in audio files shows up as a one-picture "video" stream; it is not a video.
    candidates = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if not candidates:
        if container.streams.audio:
            raise ProbeError("This file has sound but no picture. Upload a video file.", code="no_video")
        raise ProbeError(NOT_A_VIDEO, code="no_video")
    best = _best(container, "video")
    return best if best in candidates else candidates[0]


def _best(container: av.container.InputContainer, kind: str) -> av.stream.Stream | None:
    try:
        return container.streams.best(kind)
    except (ValueError, av.FFmpegError):
        return None


def _check_resolution(width: int, height: int, limits: ProbeLimits) -> None:
    long_side, short_side = max(width, height), min(width, height)
    if long_side > max(limits.max_width, limits.max_height) or short_side > min(limits.max_width, limits.max_height):
        raise ProbeError(
            f"The video is {width} by {height} pixels; the largest we accept is "
            f"{limits.max_width} by {limits.max_height}. Export it at a smaller size (for example 1080p) "
            "and upload that.",
            code="resolution",
        )


def _duration(container: av.container.InputContainer, video: av.VideoStream, limits: ProbeLimits) -> float:
    """Duration in seconds from the container, else the video stream, else by reading packet timestamps.

    The last fallback demuxes (no decoding) and stops as soon as the cap is passed; it is needed for
    live-recorded WebM files, which carry no duration in their header.
    """
    seconds: float | None = None
    if container.duration is not None and container.duration > 0:
        seconds = container.duration / av.time_base
    elif video.duration and video.time_base:
        seconds = float(video.duration * video.time_base)
    if seconds is None or not math.isfinite(seconds):
        seconds = _scan_duration(container, video, limits)
    if seconds > limits.max_duration:
        shown, limit = human_duration(seconds), human_duration(limits.max_duration)
        if shown == limit:
            shown = human_duration(seconds, precise=True)
        raise ProbeError(
            f"The video is {shown} long; the limit is {limit}. Split it into shorter videos and upload each one.",
            code="too_long",
        )
    if seconds <= 0:
        raise ProbeError(DAMAGED, code="damaged")
    return seconds


def _scan_duration(container: av.container.InputContainer, video: av.VideoStream, limits: ProbeLimits) -> float:
    start: float | None = None
    end = 0.0
    try:
        for packet in container.demux(video):
            if packet.pts is None or packet.time_base is None:
                continue
            at = float(packet.pts * packet.time_base)
            start = at if start is None else min(start, at)
            end = max(end, at + float((packet.duration or 0) * packet.time_base))
            if end - start > limits.max_duration:
                break
    except av.FFmpegError as exc:
        raise ProbeError(DAMAGED, code="damaged") from exc
    container.seek(0)
    return end - (start or 0.0)


def _first_frame(container: av.container.InputContainer, video: av.VideoStream, limits: ProbeLimits) -> av.VideoFrame:
    # The decoder itself refuses pictures bigger than the cap, in case the bitstream disagrees with the
    # container header about the frame size.
    video.codec_context.options = {"max_pixels": str(decoder_max_pixels(limits.max_width, limits.max_height))}
    try:
        for count, packet in enumerate(container.demux(video)):
            for frame in packet.decode():
                return frame
            if count >= _FIRST_FRAME_MAX_PACKETS:
                break
    except av.FFmpegError as exc:
        raise ProbeError(DAMAGED, code="damaged") from exc
    raise ProbeError(INCOMPLETE, code="incomplete")


# -- wording ---------------------------------------------------------------------------------------------


def _human_bytes(count: int) -> str:
    for unit, scale in (("GB", GIB), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            value = count / scale
            return f"{value:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def human_duration(seconds: float, *, precise: bool = False) -> str:
    """A length for people: "3 hours 20 minutes", "45 minutes 10 seconds", "1 minute".

    Seconds are left out from an hour upwards unless ``precise``.
    """
    total = math.floor(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "hour"), (minutes, "minute")]
    if precise or not hours:
        parts.append((secs, "second"))
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "0 seconds"
