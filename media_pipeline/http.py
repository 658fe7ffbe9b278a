"""Serving a local media file with HTTP Range support (browsers seek in video with Range requests)."""

import os
from pathlib import Path

from django.http import FileResponse, HttpResponse

_CHUNK = 64 * 1024


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=` range as (first, last) inclusive, or None when absent/unsupported; raises ValueError when
    the range cannot be satisfied."""
    if not header.startswith("bytes=") or "," in header:
        return None
    first_text, _, last_text = header[6:].strip().partition("-")
    if not first_text:  # suffix range: the last N bytes
        length = int(last_text)
        if length <= 0:
            raise ValueError
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise ValueError
    return first, min(last, size - 1)


class _RangeFile:
    """Iterates over bytes first..last of a file, then closes it."""

    def __init__(self, path: Path, first: int, last: int):
        self.handle = open(path, "rb")  # noqa: SIM115 - closed by close(), which the response calls
        self.handle.seek(first)
        self.remaining = last - first + 1

    def __iter__(self):
        while self.remaining > 0:
            chunk = self.handle.read(min(_CHUNK, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk

    def close(self):
        self.handle.close()


def ranged_file_response(request, path: Path, *, content_type: str) -> HttpResponse:
    size = os.path.getsize(path)
    try:
        byte_range = _parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if byte_range is None:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    else:
        first, last = byte_range
        response = FileResponse(_RangeFile(path, first, last), content_type=content_type, status=206)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response
