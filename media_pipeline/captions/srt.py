"""SubRip (.srt) as found in the wild, converted to WebVTT cues.

Accepted variants: BOM, CRLF/CR line ends, ``,`` or ``.`` before the milliseconds (and one or two fraction
digits), hours of one or more digits, missing final blank line, numbering with gaps or none at all,
coordinates after the end time (``X1:... Y2:...``, ignored). Formatting tags ``<i>``, ``<b>``, ``<u>``
(any case) become WebVTT markup; ``<font ...>`` and ASS-style ``{\\an8}`` overrides are dropped; every
other ``<``, ``>`` and ``&`` is escaped so the text reads the same in WebVTT. Lines that belong to no cue
and timing lines that cannot be read are reported as issues naming the line, never silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import CaptionError
from .models import Cue, LintItem
from .webvtt import normalise_newlines

_DIGITS = frozenset("0123456789")
_MAX_TAG_LENGTH = 100  # a tag longer than this is text, which keeps the "<" scan linear
_MAX_REPORTED_RANGES = 20


@dataclass
class SrtDocument:
    """Cues (text already converted to WebVTT markup) and the problems met while reading."""

    cues: list[Cue] = field(default_factory=list)
    issues: list[LintItem] = field(default_factory=list)


def _is_number(text: str) -> bool:
    return bool(text) and set(text) <= _DIGITS


def _is_short_number(text: str) -> bool:
    return _is_number(text) and len(text) <= 12


def parse_srt_time(text: str) -> int | None:
    """``H:MM:SS,mmm`` (or ``.`` / ``:`` before the fraction, or ``MM:SS,mmm``) -> milliseconds, else None."""
    head, separator, fraction = text.rpartition(",")
    if not separator:
        head, separator, fraction = text.rpartition(".")
    if not separator:
        head, fraction = text, ""
    fields = head.split(":")
    if not separator and len(fields) == 4:  # 00:00:01:500
        fields, fraction = fields[:3], fields[3]
    if len(fields) == 2:
        fields.insert(0, "0")
    if len(fields) != 3 or not all(_is_short_number(part) for part in fields):
        return None
    if fraction and not _is_short_number(fraction):
        return None
    hours, minutes, seconds = (int(part) for part in fields)
    if len(fields[1]) > 2 or len(fields[2]) > 2 or minutes > 59 or seconds > 59:
        return None
    # A fraction is a decimal fraction of a second: ",5" is half a second.
    millis = round(int(fraction) * 1000 / 10 ** len(fraction)) if fraction else 0
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def parse_srt_timing(line: str) -> tuple[int, int] | None:
    """A timing line ``start --> end [coordinates]`` -> (start ms, end ms), else None."""
    left, arrow, right = line.partition("-->")
    if not arrow:
        return None
    right_parts = right.split()
    if not right_parts:
        return None
    start = parse_srt_time(left.strip())
    end = parse_srt_time(right_parts[0])
    if start is None or end is None:
        return None
    return start, end


def srt_text_to_webvtt(text: str) -> str:
    """Convert SRT cue text to WebVTT cue text that displays the same words with the same emphasis."""
    out: list[str] = []
    open_tags: list[str] = []
    pos = 0
    end = len(text)
    while pos < end:
        char = text[pos]
        if char == "<":
            close = text.find(">", pos + 1, pos + _MAX_TAG_LENGTH)
            # A tag name follows "<" directly; "a < b > c" is text.
            if close >= 0 and not text[pos + 1 : pos + 2].isspace():
                inner = text[pos + 1 : close].strip().lower()
                is_end = inner.startswith("/")
                name = inner[1:].strip() if is_end else inner.split(None, 1)[0] if inner else ""
                if name in ("i", "b", "u"):
                    if not is_end:
                        out.append(f"<{name}>")
                        open_tags.append(name)
                    elif name in open_tags:
                        # Close anything opened inside it first, so the WebVTT markup stays nested.
                        while open_tags:
                            tag = open_tags.pop()
                            out.append(f"</{tag}>")
                            if tag == name:
                                break
                    pos = close + 1
                    continue
                if name == "font":
                    pos = close + 1
                    continue
            out.append("&lt;")
        elif char == "{" and text.startswith("{\\", pos):
            close = text.find("}", pos + 2, pos + _MAX_TAG_LENGTH)
            if close >= 0:
                pos = close + 1
                continue
            out.append(char)
        elif char == "&":
            out.append("&amp;")
        elif char == ">":
            out.append("&gt;")
        else:
            out.append(char)
        pos += 1
    out.extend(f"</{tag}>" for tag in reversed(open_tags))
    # WebVTT ends a cue at a blank line, so blank lines inside the text must go.
    lines = [line.strip() for line in "".join(out).split("\n")]
    return "\n".join(line for line in lines if line)


def _ranges(numbers: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ranges


def _stray_line_issues(stray: list[int]) -> list[LintItem]:
    ranges = _ranges(stray)
    issues = []
    for first, last in ranges[:_MAX_REPORTED_RANGES]:
        where = f"Line {first} is" if first == last else f"Lines {first} to {last} are"
        issues.append(
            LintItem(
                None,
                "warning",
                "srt-text-outside-cue",
                f"{where} not part of any caption and was left out. If it is caption text, remove the blank "
                "line above it; if it is a caption number, add the timing line after it.",
            )
        )
    if len(ranges) > _MAX_REPORTED_RANGES:
        hidden = len(ranges) - _MAX_REPORTED_RANGES
        issues.append(
            LintItem(None, "warning", "srt-text-outside-cue", f"{hidden} more groups of lines were left out.")
        )
    return issues


def parse_srt(text: str) -> SrtDocument:
    """Read SRT text (already decoded). Raises :class:`CaptionError` if it has no readable cue at all."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = normalise_newlines(text).split("\n")
    total = len(lines)
    document = SrtDocument()
    stray: list[int] = []

    def starts_cue(index: int) -> bool:
        """A timing line, or a number line right before one."""
        if "-->" in lines[index]:
            return True
        return index + 1 < total and _is_number(lines[index].strip()) and "-->" in lines[index + 1]

    index = 0
    while index < total:
        line = lines[index]
        if "-->" not in line:
            if line.strip() and not starts_cue(index):
                stray.append(index + 1)
            index += 1
            continue
        timing = parse_srt_timing(line)
        index += 1
        text_start = index  # first text line (0-based), which is also the timing line's 1-based number
        while index < total and lines[index].strip() and not starts_cue(index):
            index += 1
        if timing is None:
            document.issues.append(
                LintItem(
                    None,
                    "error",
                    "srt-bad-timing",
                    f"Line {text_start} should be a timing like 00:00:01,000 --> 00:00:04,000 but cannot "
                    f"be read ({line.strip()[:60]!a}), so that caption was left out.",
                )
            )
            continue
        start, end = timing
        cue_text = srt_text_to_webvtt("\n".join(lines[text_start:index]))
        document.cues.append(Cue(start_time=start / 1000, end_time=end / 1000, text=cue_text))
    if not document.cues:
        raise CaptionError(
            "This is not a SubRip (.srt) file that can be read: no caption timings like "
            "00:00:01,000 --> 00:00:04,000 were found."
        )
    document.issues.extend(_stray_line_issues(stray))
    return document
