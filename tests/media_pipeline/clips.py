"""Test helpers for the media pipeline: cached synthetic clips and hostile or odd files made on the fly."""

from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from PIL import Image

from media_pipeline.synthetic import SAMPLE_RATE, make_clip


class Clips:
    """Makes each distinct synthetic clip once per test module (they are deterministic, so this is safe)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._made: dict[str, Path] = {}

    def get(self, *, seconds: float = 1, width: int = 320, height: int = 240, **options: Any) -> Path:
        key = repr(sorted({"seconds": seconds, "width": width, "height": height, **options}.items()))
        if key not in self._made:
            extension = {"mkv": "mkv", "webm": "webm", "mov": "mov"}.get(options.get("container", "mp4"), "mp4")
            path = self.directory / f"clip{len(self._made)}.{extension}"
            self._made[key] = make_clip(path, seconds=seconds, width=width, height=height, **options)
        return self._made[key]


def top_level_boxes(path: Path) -> list[str]:
    """The types of an ISO-BMFF file's top-level boxes, in file order."""
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        offset += size or len(data)
    return boxes


def truncated_copy(source: Path, target: Path, fraction: float) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def write_audio_only_mp4(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 with an AAC track and no picture (what a voice memo looks like)."""
    with av.open(str(path), mode="w", format="mp4") as output:
        stream = output.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
        samples = 1024
        for index in range(round(seconds * SAMPLE_RATE / samples)):
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=samples)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.rate, frame.pts, frame.time_base = SAMPLE_RATE, index * samples, Fraction(1, SAMPLE_RATE)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return path


def write_png(path: Path, width: int = 64, height: int = 48, mode: str = "RGB") -> Path:
    Image.new(mode, (width, height), "white").save(path, format="PNG")
    return path


def write_png_bomb(path: Path, width: int, height: int) -> Path:
    """A valid 1-bit greyscale PNG of ``width`` x ``height`` black pixels, written without ever holding them.

    At zlib level 1, 30000 x 30000 (900 million pixels) is a file of about 0.5 MB, made in 0.2 s.
    """
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(1)  # fastest; still ~2000:1 on zeros
    chunks = [compressor.compress(row * min(1000, height - start)) for start in range(0, height, 1000)]
    idat = b"".join(chunks) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


HLS_PLAYLIST = (
    b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
)
FFCONCAT_SCRIPT = b"ffconcat version 1.0\nfile '/etc/passwd'\nfile 'http://example.invalid/video.mp4'\n"
