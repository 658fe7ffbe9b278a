"""Turning an uploaded caption file's bytes into text without mojibake.

Order of trust: a byte order mark (UTF-8, UTF-16, UTF-32) decides; otherwise strict UTF-8; otherwise, if
the bytes contain no valid multi-byte UTF-8 sequence at all, Windows-1252 (what Notepad and older
subtitle tools save as "ANSI" in the UK). Anything else is refused with a message naming the line, rather
than guessed: a wrong guess shows learners garbled captions.

Browsers decode a .vtt file as UTF-8 whatever it contains (bad bytes become U+FFFD). Accepting
Windows-1252 here is a deliberate kindness: the pipeline re-serialises the captions as UTF-8, so the
learner's browser then sees the right characters.
"""

from __future__ import annotations

import codecs

from .errors import CaptionError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAVE_AS_UTF8 = "Save the file as UTF-8 (in most editors: Save As, encoding UTF-8) and upload it again."


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    sample = data[:200]
    if len(sample) < 4:
        return False
    # ASCII text in UTF-16 has a zero byte in every other position.
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = len(sample) // 2
    return max(zeros_even, zeros_odd) >= half * 0.9 and min(zeros_even, zeros_odd) <= half * 0.1


def decode_caption_bytes(data: bytes) -> str:
    """Decode an uploaded caption file. The BOM, if any, is removed. Raises :class:`CaptionError`."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                line = _line_of(data, len(bom) + error.start) if encoding == "utf-8" else None
                where = f" on line {line}" if line else ""
                name = encoding.upper()
                message = f"The file says it is {name} but has bytes that are not valid {name}{where}."
                raise CaptionError(f"{message} {_SAVE_AS_UTF8}") from None
    if _looks_like_utf16_without_bom(data):
        raise CaptionError(f"The file looks like UTF-16 text without a byte order mark. {_SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    # Valid UTF-8 multi-byte sequences survive ``errors="ignore"``; lone high bytes do not. If any survive,
    # the file is UTF-8 with damage (or mixed encodings), and Windows-1252 would garble those characters.
    if not data.decode("utf-8", errors="ignore").isascii():
        line = _line_of(data, utf8_error.start)
        raise CaptionError(
            f"The file is mostly UTF-8, but line {line} has a byte (0x{data[utf8_error.start]:02X}) that "
            f"is not: it may mix two encodings. {_SAVE_AS_UTF8}"
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = _line_of(data, error.start)
        raise CaptionError(
            f"Line {line} has a byte (0x{data[error.start]:02X}) that is neither UTF-8 nor Windows-1252 "
            f"text, so the file's characters cannot be read reliably. {_SAVE_AS_UTF8}"
        ) from None
