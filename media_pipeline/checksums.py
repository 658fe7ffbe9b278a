"""File checksums and atomic writes for the media pipeline. No Django import."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1024 * 1024


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB chunks (constant memory for multi-GB videos)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileDigests:
    """What one read of a file yields: its size, SHA-256 and the CRC32 of each ``part_size``-long part."""

    bytes: int
    sha256: str
    part_size: int
    part_crc32: tuple[int, ...]

    def s3_crc32(self, *, multipart: bool) -> str:
        """The CRC32 S3 reports for these bytes (base64, without the ``-<parts>`` suffix): uploaded in one
        request it is the CRC32 of the whole file; uploaded in parts with the COMPOSITE checksum type, the CRC32
        of the parts' big-endian CRC32s, in order."""
        if not multipart:
            if len(self.part_crc32) != 1:
                raise ValueError("A single-request upload has exactly one part.")
            return _crc32_base64(self.part_crc32[0])
        return _crc32_base64(zlib.crc32(b"".join(crc.to_bytes(4, "big") for crc in self.part_crc32)))


def _crc32_base64(value: int) -> str:
    return base64.b64encode(value.to_bytes(4, "big")).decode()


def file_digests(path: str | os.PathLike[str], *, part_size: int) -> FileDigests:
    """SHA-256 of the whole file and CRC32 of each ``part_size`` part, in one read (an empty file is one empty
    part). Both hash functions release the GIL, so this can run in a thread beside an upload of the same file."""
    if part_size < 1:
        raise ValueError("part_size must be positive.")
    whole = hashlib.sha256()
    crcs: list[int] = []
    buffer = memoryview(bytearray(_CHUNK))
    total = 0
    with open(path, "rb", buffering=0) as handle:
        while True:
            crc, in_part = 0, 0
            while in_part < part_size and (read := handle.readinto(buffer[: min(_CHUNK, part_size - in_part)])):
                chunk = buffer[:read]
                whole.update(chunk)
                crc = zlib.crc32(chunk, crc)
                in_part += read
            if in_part == 0 and crcs:
                break
            crcs.append(crc)
            total += in_part
            if in_part < part_size:
                break
    return FileDigests(bytes=total, sha256=whole.hexdigest(), part_size=part_size, part_crc32=tuple(crcs))


def file_size(path: str | os.PathLike[str]) -> int:
    """Size in bytes, from the filesystem."""
    return os.stat(path).st_size


def temporary_sibling(path: str | os.PathLike[str]) -> Path:
    """A unique hidden name next to ``path`` (same directory, so same filesystem: ``os.replace`` is atomic)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")


def publish(temporary: Path, final: str | os.PathLike[str]) -> None:
    """Flush ``temporary`` to disk and atomically rename it to ``final``.

    A crash before this leaves only a ``.part`` file, never a half-written file under the final name.
    """
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, final)


@contextlib.contextmanager
def removing_on_error(*paths: Path) -> Iterator[None]:
    """Delete ``paths`` (if they exist) when the block raises, then re-raise."""
    try:
        yield
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
