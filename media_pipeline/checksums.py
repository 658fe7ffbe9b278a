"""File checksums and atomic writes for the media pipeline. No Django import."""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

_CHUNK = 1024 * 1024


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB chunks (constant memory for multi-GB videos)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
