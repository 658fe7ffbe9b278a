"""Checks on parsed cues: timing validation (errors and warnings) and readability lint (warnings).

Nothing here changes the captions. Every item names the cue by its 1-based number in the file and its
start time, and says what to do. Readability is measured on the plain text a viewer reads (markup
removed, references decoded). Thresholds follow common UK/BBC-style subtitle guidance; all comparisons are
in whole milliseconds so results do not depend on float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

from .cuetext import parse_cue_text
from .models import Cue, LintItem, LintLevel, ParsedCaptions
from .render import tree_to_plain_text
from .timestamps import format_timestamp, to_milliseconds

MAX_LINES = 2
MAX_LINE_CHARACTERS = 42
MAX_WORDS_PER_MINUTE = 180
MAX_CHARACTERS_PER_SECOND = 17
MIN_DURATION_MS = 830
MAX_DURATION_MS = 7000


def _item(number: int, cue: Cue, level: LintLevel, code: str, message: str) -> LintItem:
    """A finding about one cue; the message is prefixed with "Cue N (start time)"."""
    return LintItem(number, level, code, f"Cue {number} ({format_timestamp(cue.start_time)}){message}")


def _seconds(milliseconds: int) -> str:
    return f"{milliseconds / 1000:g}"


def validate_against_duration(cues: Sequence[Cue], *, duration: float | None = None) -> list[LintItem]:
    """Timing problems: zero or negative duration and cues starting after the media ends (errors), cues
    ending after the media ends and overlapping cues (warnings). ``duration`` is the media length in
    seconds; without it only the checks that need no media are run. Ordered by cue number.
    """
    items: list[LintItem] = []
    media_end = to_milliseconds(duration) if duration is not None else None
    media_end_text = format_timestamp(duration or 0)
    for number, cue in enumerate(cues, start=1):
        start, end = to_milliseconds(cue.start_time), to_milliseconds(cue.end_time)
        if end <= start:
            items.append(
                _item(
                    number,
                    cue,
                    "error",
                    "no-duration",
                    f" ends at {format_timestamp(cue.end_time)}, not after it starts, so it is never shown. "
                    "Give it an end time later than its start time.",
                )
            )
        if media_end is None:
            continue
        if start >= media_end:
            items.append(
                _item(
                    number,
                    cue,
                    "error",
                    "starts-after-media",
                    f" starts after the video ends ({media_end_text}), so it is never shown. Check the "
                    "timings, and that this is the right caption file for this video.",
                )
            )
        elif end > media_end:
            items.append(
                _item(
                    number,
                    cue,
                    "warning",
                    "ends-after-media",
                    f" ends after the video ends ({media_end_text}). Make it end when the video ends, or "
                    "check that this is the right caption file.",
                )
            )
    items.extend(_overlaps(cues))
    items.sort(key=lambda item: item.cue or 0)
    return items


def _overlaps(cues: Sequence[Cue]) -> list[LintItem]:
    """Each cue that starts before an earlier-starting cue has ended. Linear after sorting by start."""
    order = sorted(range(len(cues)), key=lambda index: (to_milliseconds(cues[index].start_time), index))
    items: list[LintItem] = []
    latest_end = -1
    latest_index = -1
    for index in order:
        cue = cues[index]
        start, end = to_milliseconds(cue.start_time), to_milliseconds(cue.end_time)
        if start < latest_end and end > start:
            items.append(
                _item(
                    index + 1,
                    cue,
                    "warning",
                    "overlap",
                    f" starts before cue {latest_index + 1} ends "
                    f"({format_timestamp(cues[latest_index].end_time)}), so both are on screen at once. "
                    "If that is not intended, make one end before the other starts.",
                )
            )
        if end > latest_end:
            latest_end, latest_index = end, index
    return items


def _readability(number: int, cue: Cue) -> list[LintItem]:
    plain = tree_to_plain_text(parse_cue_text(cue.text))
    lines = [line.strip() for line in plain.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return [_item(number, cue, "warning", "empty-cue", " has no text. Add its words or remove it.")]
    items: list[LintItem] = []
    if len(lines) > MAX_LINES:
        items.append(
            _item(
                number,
                cue,
                "warning",
                "too-many-lines",
                f" has {len(lines)} lines. Use at most {MAX_LINES}, splitting it into two cues if needed.",
            )
        )
    for line_number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARACTERS:
            items.append(
                _item(
                    number,
                    cue,
                    "warning",
                    "line-too-long",
                    f": line {line_number} has {len(line)} characters. Keep lines to {MAX_LINE_CHARACTERS} "
                    "characters or fewer by breaking the line or shortening it.",
                )
            )
    duration = to_milliseconds(cue.end_time) - to_milliseconds(cue.start_time)
    if duration <= 0:
        return items  # reported by validate_against_duration
    characters = sum(len(line) for line in lines) + len(lines) - 1  # a line break reads as a space
    words = sum(len(line.split()) for line in lines)
    if words * 60_000 > MAX_WORDS_PER_MINUTE * duration:
        items.append(
            _item(
                number,
                cue,
                "warning",
                "reading-speed-words",
                f" needs reading at {words * 60_000 / duration:.0f} words per minute. Keep it to "
                f"{MAX_WORDS_PER_MINUTE} or fewer by shortening the text or showing it for longer.",
            )
        )
    if characters * 1000 > MAX_CHARACTERS_PER_SECOND * duration:
        items.append(
            _item(
                number,
                cue,
                "warning",
                "reading-speed-characters",
                f" needs reading at {characters * 1000 / duration:.1f} characters per second. Keep it to "
                f"{MAX_CHARACTERS_PER_SECOND} or fewer by shortening the text or showing it for longer.",
            )
        )
    if duration < MIN_DURATION_MS:
        items.append(
            _item(
                number,
                cue,
                "warning",
                "too-short-on-screen",
                f" is on screen for {_seconds(duration)} seconds. Show it for at least "
                f"{_seconds(MIN_DURATION_MS)} seconds so people can read it.",
            )
        )
    elif duration > MAX_DURATION_MS:
        items.append(
            _item(
                number,
                cue,
                "warning",
                "too-long-on-screen",
                f" is on screen for {_seconds(duration)} seconds. Keep cues to {_seconds(MAX_DURATION_MS)} "
                "seconds or less, splitting long speech into several cues.",
            )
        )
    return items


def lint_readability(cues: Sequence[Cue]) -> list[LintItem]:
    """Readability warnings: lines per cue, characters per line, reading speed, time on screen."""
    items: list[LintItem] = []
    for number, cue in enumerate(cues, start=1):
        items.extend(_readability(number, cue))
    return items


def lint_cues(cues: Sequence[Cue], *, media_duration: float | None = None) -> list[LintItem]:
    """All checks on cues: no cues at all (error), timing validation, then readability; ordered by cue."""
    if not cues:
        message = "The file has no captions in it. Check it is the right file."
        return [LintItem(None, "error", "no-cues", message)]
    items = validate_against_duration(cues, duration=media_duration) + lint_readability(cues)
    items.sort(key=lambda item: item.cue or 0)
    return items


def lint_captions(parsed: ParsedCaptions, *, media_duration: float | None = None) -> list[LintItem]:
    """Problems found while reading the file, then :func:`lint_cues`. This is what ``--lint`` prints."""
    return list(parsed.issues) + lint_cues(parsed.cues, media_duration=media_duration)


def has_errors(items: Sequence[LintItem]) -> bool:
    """True if any item blocks publishing (level ``error``)."""
    return any(item.level == "error" for item in items)
