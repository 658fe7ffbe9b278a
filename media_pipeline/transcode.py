"""Transcode a probed video into the web renditions: H.264 + AAC in MP4, "fast start". No Django import.

Contract:

* ``plan_renditions(width, height)`` gives every profile in ``PROFILES`` (so a "720p" and a "360p" rendition
  always exist and playback never has to cope with a missing one), each fitted inside its profile's box
  (1280x720 / 640x360, turned round for portrait video), **never upscaled**, aspect ratio kept, even sizes.
  A small source therefore gets two renditions of its own size; their bitrates still differ, and because
  rate control is quality-based (CRF) with a VBV cap, a small picture costs few bytes.
* ``transcode_all(src, {"720p": path, "360p": path})`` decodes the source **once** and feeds every rendition's
  encoders from the same decoded frames. ``transcode`` is the one-rendition shortcut.
* The input is always probed (or a ``ProbeResult`` passed in) and reopened with the pinned demuxer from
  ``probe.open_probed``; FFmpeg never auto-detects a format here.
* Outputs are written to hidden ``.part`` files next to the destination and renamed into place only when
  every rendition is complete, so a crash never leaves a half file under a final name.
* Sources without sound give renditions without an audio track (no fake silent track).
* Phone video recorded sideways with a rotation flag is turned upright; pixels are made square.
* Failures raise ``TranscodeError`` with a volunteer-facing ``reason``.
* ``on_progress(seconds)``, when given, is called with how many seconds of the source have been encoded, at
  most once every ``progress_interval`` seconds of wall-clock time (a long job uses it to show it is alive).
  An exception it raises stops the transcode, leaving no output files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.filter

from media_pipeline.checksums import publish, removing_on_error, sha256_file, temporary_sibling
from media_pipeline.probe import ProbeResult, decoder_max_pixels, open_probed, probe_for

AUDIO_RATES = (44_100, 48_000)  # kept as recorded if one of these, otherwise resampled to 48 kHz
KEYFRAME_SECONDS = 2  # seeking granularity in the player
MAX_BAD_PACKETS = 50  # a few corrupt packets are skipped, as the ffmpeg tool would; more means a bad file

DAMAGED = (
    "Part of the video could not be read; the file may be damaged. "
    "Export it again as an MP4 (H.264) video and upload that."
)


class TranscodeError(Exception):
    """Transcoding failed. ``reason`` is for the volunteer; ``code`` is a stable slug for code/logs."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Profile:
    """A rendition target. The picture is fitted inside ``box_width`` x ``box_height`` (landscape)."""

    name: str
    box_width: int
    box_height: int
    video_bitrate: int  # bits/s: the VBV cap ("maxrate"); CRF usually stays well below it
    audio_bitrate: int  # bits/s, AAC stereo
    h264_profile: str
    crf: int = 23
    preset: str = "veryfast"


PROFILES: dict[str, Profile] = {
    "720p": Profile("720p", 1280, 720, video_bitrate=2_500_000, audio_bitrate=128_000, h264_profile="high"),
    "360p": Profile("360p", 640, 360, video_bitrate=800_000, audio_bitrate=96_000, h264_profile="main"),
}


@dataclass(frozen=True)
class RenditionPlan:
    profile: Profile
    width: int
    height: int

    @property
    def name(self) -> str:
        return self.profile.name


@dataclass(frozen=True)
class RenditionResult:
    profile: str
    path: Path
    width: int
    height: int
    bitrate: int  # measured average over the whole file, bits/s
    bytes: int
    sha256: str
    duration: float  # seconds, as the MP4 header states it


def plan_renditions(width: int, height: int, *, profiles: Iterable[Profile] = PROFILES.values()) -> list[RenditionPlan]:
    """Output sizes for a source whose *displayed* size is ``width`` x ``height`` (see the module contract)."""
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    plans = []
    for profile in profiles:
        box_w, box_h = (profile.box_width, profile.box_height)
        if height > width:  # portrait: the box turns round too
            box_w, box_h = box_h, box_w
        scale = min(1.0, box_w / width, box_h / height)
        plans.append(RenditionPlan(profile, _even(width * scale), _even(height * scale)))
    return plans


def transcode(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    profile: Profile | str,
    *,
    probe: ProbeResult | None = None,
) -> RenditionResult:
    """Transcode ``src`` to one rendition at ``dst``. Prefer ``transcode_all`` for several (one decode)."""
    name = profile if isinstance(profile, str) else profile.name
    profiles = None if isinstance(profile, str) else {name: profile}
    return transcode_all(src, {name: dst}, probe=probe, profiles=profiles)[name]


def transcode_all(
    src: str | os.PathLike[str],
    outputs: Mapping[str, str | os.PathLike[str]],
    *,
    probe: ProbeResult | None = None,
    profiles: Mapping[str, Profile] | None = None,
    on_progress: Callable[[float], None] | None = None,
    progress_interval: float = 30.0,
) -> dict[str, RenditionResult]:
    """Transcode ``src`` into each ``{profile name: destination path}`` of ``outputs`` in a single pass.

    ``on_progress``: see the module contract."""
    profiles = PROFILES if profiles is None else profiles
    unknown = set(outputs) - set(profiles)
    if unknown or not outputs:
        raise ValueError(f"unknown or no profiles: {sorted(unknown)}; expected some of {sorted(profiles)}")
    info = probe_for(src, probe)
    plans = {
        plan.name: plan
        for plan in plan_renditions(info.display_width, info.display_height, profiles=profiles.values())
        if plan.name in outputs
    }
    temporaries = {name: temporary_sibling(outputs[name]) for name in plans}
    with removing_on_error(*temporaries.values()):
        progress = _Progress(on_progress, progress_interval) if on_progress else None
        _encode(info, [(plans[name], temporaries[name]) for name in plans], progress)
        for name, temporary in temporaries.items():
            publish(temporary, outputs[name])
    return {name: _describe(plans[name], Path(outputs[name])) for name in plans}


# -- the single pass -------------------------------------------------------------------------------------


class _Progress:
    """Calls ``callback(seconds encoded)`` at most once every ``interval`` seconds (monotonic clock)."""

    def __init__(self, callback: Callable[[float], None], interval: float) -> None:
        self.callback = callback
        self.interval = interval
        self.last = time.monotonic()

    def frame(self, frame: av.VideoFrame) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self.callback(float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else 0.0)


def _encode(info: ProbeResult, targets: list[tuple[RenditionPlan, Path]], progress: _Progress | None) -> None:
    writers: list[_RenditionWriter] = []
    try:
        with open_probed(info) as source:
            video_in = source.streams[info.video_stream_index]
            audio_in = source.streams[info.audio_stream_index] if info.audio_stream_index is not None else None
            # Decode with frame + slice threads: decoding is the one step every rendition shares.
            video_in.thread_type = "AUTO"
            video_in.codec_context.options = {"max_pixels": str(decoder_max_pixels(info.width, info.height))}
            rate = _audio_rate(audio_in)
            for plan, path in targets:
                writers.append(_RenditionWriter(plan, path, video_in, audio_in is not None, rate))
            origin = _origin(video_in, audio_in)
            video = _VideoFeed(video_in, origin, _Rotator(video_in, info.rotation) if info.rotation else None)
            audio = _AudioFeed(rate, origin) if audio_in is not None else None

            bad_packets = 0
            for packet in source.demux([s for s in (video_in, audio_in) if s is not None]):
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    bad_packets += 1
                    if bad_packets > MAX_BAD_PACKETS:
                        raise TranscodeError(DAMAGED, code="damaged") from None
                    continue
                for frame in frames:
                    if isinstance(frame, av.VideoFrame):
                        _send_video(video.feed(frame), writers)
                        if progress is not None:
                            progress.frame(frame)
                    elif audio is not None:
                        _send_audio(audio.convert(frame), writers)
            _send_video(video.flush(), writers)
            if audio is not None:
                _send_audio(audio.convert(None), writers)
            if not video.frames:
                raise TranscodeError(DAMAGED, code="no_frames")
            for writer in writers:
                writer.finish()
    except av.FFmpegError as exc:
        raise TranscodeError(
            "We could not convert the video. Export it again as an MP4 (H.264) video and upload that.",
            code="encode_failed",
        ) from exc
    finally:
        for writer in writers:
            writer.close()


def _send_video(frames: list[av.VideoFrame], writers: list[_RenditionWriter]) -> None:
    for frame in frames:
        for writer in writers:
            writer.add_video(frame)


def _send_audio(frames: list[av.AudioFrame], writers: list[_RenditionWriter]) -> None:
    for frame in frames:
        for writer in writers:
            writer.add_audio(frame)


def _origin(video_in: av.VideoStream, audio_in: av.AudioStream | None) -> float:
    """The earliest start time (seconds) of the streams used: outputs start at 0, A/V offset is kept."""
    starts = [
        float(s.start_time * s.time_base)
        for s in (video_in, audio_in)
        if s is not None and s.start_time is not None and s.time_base
    ]
    return min(starts, default=0.0)


def _audio_rate(audio_in: av.AudioStream | None) -> int:
    if audio_in is None:
        return AUDIO_RATES[-1]
    rate = audio_in.codec_context.sample_rate
    return rate if rate in AUDIO_RATES else AUDIO_RATES[-1]


class _VideoFeed:
    """Turns decoded frames upright, shifts them to start at 0 and drops frames whose time doesn't advance.

    Containers sometimes carry duplicate or out-of-order timestamps; an MP4 muxer rejects those.
    """

    def __init__(self, stream: av.VideoStream, origin: float, rotator: _Rotator | None) -> None:
        self.time_base = stream.time_base
        self.offset = round(origin / self.time_base)
        rate = stream.average_rate or stream.guessed_rate or 25
        self.step = max(1, round(1 / (rate * self.time_base)))
        self.rotator = rotator
        self.last: int | None = None
        self.frames = 0

    def feed(self, frame: av.VideoFrame) -> list[av.VideoFrame]:
        upright = self.rotator.apply(frame) if self.rotator else [frame]
        return [f for f in upright if self._accept(f)]

    def flush(self) -> list[av.VideoFrame]:
        return [f for f in self.rotator.flush() if self._accept(f)] if self.rotator else []

    def _accept(self, frame: av.VideoFrame) -> bool:
        previous = -self.step if self.last is None else self.last
        pts = previous + self.step if frame.pts is None else frame.pts - self.offset
        if self.last is None:
            pts = max(pts, 0)
        elif pts <= self.last:
            return False
        frame.pts = self.last = pts
        frame.time_base = self.time_base
        self.frames += 1
        return True


class _AudioFeed:
    """Converts decoded audio to stereo float planar at the output rate, in AAC-sized (1024) frames.

    Timestamps are counted in samples from the first frame's position, so the audio keeps its offset from
    the video but never drifts because of timestamp jitter in the source.
    """

    def __init__(self, rate: int, origin: float) -> None:
        self.rate = rate
        self.origin = origin
        self.resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate, frame_size=1024)
        self.next_pts: int | None = None

    def convert(self, frame: av.AudioFrame | None) -> list[av.AudioFrame]:
        if frame is not None and self.next_pts is None:
            start = float(frame.pts * frame.time_base) - self.origin if frame.pts is not None else 0.0
            self.next_pts = max(0, round(start * self.rate))
        chunks = self.resampler.resample(frame)
        for chunk in chunks:
            chunk.pts = self.next_pts or 0
            chunk.time_base = Fraction(1, self.rate)
            self.next_pts = chunk.pts + chunk.samples
        return chunks


class _Rotator:
    """Turns frames upright according to the display rotation (degrees counter-clockwise)."""

    _FILTERS = {90: [("transpose", "cclock")], 180: [("hflip", ""), ("vflip", "")], 270: [("transpose", "clock")]}

    def __init__(self, stream: av.VideoStream, rotation: int) -> None:
        self.graph = av.filter.Graph()
        node = self.graph.add_buffer(template=stream)
        for name, args in self._FILTERS[rotation]:
            step = self.graph.add(name, args)
            node.link_to(step)
            node = step
        node.link_to(self.graph.add("buffersink"))
        self.graph.configure()

    def apply(self, frame: av.VideoFrame) -> list[av.VideoFrame]:
        self.graph.vpush(frame)
        return self._drain()

    def flush(self) -> list[av.VideoFrame]:
        self.graph.vpush(None)
        return self._drain()

    def _drain(self) -> list[av.VideoFrame]:
        frames = []
        while True:
            try:
                frames.append(self.graph.vpull())
            except (av.BlockingIOError, av.EOFError):
                return frames


class _RenditionWriter:
    """One output file: an H.264 encoder, an optional AAC encoder and the MP4 muxer."""

    def __init__(
        self, plan: RenditionPlan, path: Path, video_in: av.VideoStream, with_audio: bool, audio_rate: int
    ) -> None:
        self.plan = plan
        # "+faststart" moves the index (moov) before the media data so playback starts before download ends.
        self.output = av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"})
        rate = video_in.average_rate or video_in.guessed_rate or Fraction(25)
        gop = max(1, round(float(rate) * KEYFRAME_SECONDS))
        profile = plan.profile
        self.video = self.output.add_stream(
            "libx264",
            rate=rate,
            options={
                "preset": profile.preset,
                "crf": str(profile.crf),
                "maxrate": str(profile.video_bitrate),
                "bufsize": str(2 * profile.video_bitrate),
                "profile": profile.h264_profile,
                # closed GOPs of KEYFRAME_SECONDS, and a minimum so scene cuts can add a few more
                "x264-params": f"keyint={gop}:min-keyint={max(1, gop // 4)}",
            },
        )
        self.video.width, self.video.height, self.video.pix_fmt = plan.width, plan.height, "yuv420p"
        # Keep the source's time base so variable-frame-rate phone video keeps its timing exactly;
        # the frame rate still tells x264's rate control how many frames to expect per second.
        self.video.codec_context.time_base = video_in.time_base
        self.video.codec_context.framerate = rate
        self.audio: av.AudioStream | None = None
        if with_audio:
            self.audio = self.output.add_stream("aac", rate=audio_rate, layout="stereo")
            self.audio.bit_rate = profile.audio_bitrate

    def add_video(self, frame: av.VideoFrame) -> None:
        scaled = frame.reformat(self.plan.width, self.plan.height, format="yuv420p")
        # The libx264 wrapper obeys a frame's picture type; a decoded frame still carries the *source's*
        # I/P/B decision, which would force the source's GOP structure on every rendition.
        scaled.pict_type = av.video.frame.PictureType.NONE
        self.output.mux(self.video.encode(scaled))

    def add_audio(self, frame: av.AudioFrame) -> None:
        assert self.audio is not None
        self.output.mux(self.audio.encode(frame))

    def finish(self) -> None:
        self.output.mux(self.video.encode(None))
        if self.audio is not None:
            self.output.mux(self.audio.encode(None))

    def close(self) -> None:
        self.output.close()


def _describe(plan: RenditionPlan, path: Path) -> RenditionResult:
    # Our own freshly written file, so auto-detection is safe here; only the header is read.
    with av.open(str(path), mode="r", format="mp4") as container:
        duration = (container.duration or 0) / av.time_base
    size = path.stat().st_size
    return RenditionResult(
        profile=plan.name,
        path=path,
        width=plan.width,
        height=plan.height,
        bitrate=round(size * 8 / duration) if duration > 0 else 0,
        bytes=size,
        sha256=sha256_file(path),
        duration=duration,
    )


def _even(value: float) -> int:
    """Nearest even integer ≥ 2 (H.264 4:2:0 needs even dimensions)."""
    return max(2, 2 * round(value / 2))
