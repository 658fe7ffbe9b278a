"""WebVTT file parsing, following the spec's "WebVTT parser algorithm" step by step.

https://www.w3.org/TR/webvtt1/#file-parsing — the same algorithm browsers run on a ``<track>`` file, so
the cues returned here are the cues a learner's browser will show. Comments quote the spec's step names.
The only departure is the signature: where a browser silently loads nothing, :func:`parse_webvtt` raises
:class:`CaptionError` so the volunteer learns why.

Chromium differs from the spec in a few corners (regions kept despite ``line``/``size``/``vertical``, a
header line taken as a cue id, annotation whitespace kept); we follow the spec. The list, and a
cue-by-cue comparison with Chromium, are in ``tests/e2e/test_captions_browser.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import CaptionError
from .models import Cue, Region
from .settings import ASCII_WHITESPACE, parse_cue_settings, parse_region_settings
from .timestamps import collect_timestamp


@dataclass
class WebVTTDocument:
    """What the parser algorithm outputs; ``stylesheet_count`` counts STYLE blocks, which are ignored."""

    cues: list[Cue] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    stylesheet_count: int = 0


def normalise_newlines(text: str) -> str:
    """The parser's first step: NUL -> U+FFFD, CRLF -> LF, lone CR -> LF."""
    return text.replace("\x00", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")


def _excerpt(text: str) -> str:
    first_line = text.split("\n", 1)[0][:40]
    return ascii(first_line)


def check_signature(text: str) -> None:
    """Raise :class:`CaptionError` unless ``text`` (normalised, BOM removed) has a WebVTT signature."""
    # "If input is less than six characters long ... exactly six characters long but does not exactly equal
    # WEBVTT ... the first six characters do not exactly equal WEBVTT, or the seventh character is not a
    # SPACE, TAB or LF, then abort these steps."
    if text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\n"):
        return
    if not text.strip():
        raise CaptionError("The file is empty. A WebVTT file starts with a line that says WEBVTT.")
    if text.startswith("WEBVTT"):
        raise CaptionError(
            "The first line must be WEBVTT on its own, or WEBVTT followed by a space or tab and a title; "
            f"it is {_excerpt(text)}."
        )
    first_line = _excerpt(text)
    raise CaptionError(f"This is not a WebVTT file: the first line must start with WEBVTT, not {first_line}.")


def _collect_timings_and_settings(line: str, cue: Cue, regions: list[Region]) -> bool:
    """The spec's "collect WebVTT cue timings and settings" from a line with "-->"; False on failure."""
    end = len(line)
    pos = 0
    # "Skip whitespace."
    while pos < end and line[pos] in ASCII_WHITESPACE:
        pos += 1
    start = collect_timestamp(line, pos)
    if start is None:
        return False
    cue.start_time, pos = start
    while pos < end and line[pos] in ASCII_WHITESPACE:
        pos += 1
    # Three separate checks in the spec; the arrow must follow immediately.
    if not line.startswith("-->", pos):
        return False
    pos += 3
    while pos < end and line[pos] in ASCII_WHITESPACE:
        pos += 1
    finish = collect_timestamp(line, pos)
    if finish is None:
        return False
    cue.end_time, pos = finish
    # "Let remainder be the trailing substring of input starting at position."
    if pos < end:
        parse_cue_settings(line[pos:], cue, regions)
    return True


def _is_keyword_block_start(buffer: str, keyword: str) -> bool:
    """``buffer`` starts with ``keyword`` and the rest (if any) is ASCII whitespace."""
    return buffer.startswith(keyword) and all(char in ASCII_WHITESPACE for char in buffer[len(keyword) :])


class _Parser:
    """State shared by the algorithm's steps: input, position, seen cue, regions."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.position = 0
        self.seen_cue = False
        self.document = WebVTTDocument()

    def skip_line_feeds(self) -> None:
        """Step "collect a sequence of code points that are U+000A LINE FEED (LF) characters"."""
        text, pos, end = self.input, self.position, len(self.input)
        while pos < end and text[pos] == "\n":
            pos += 1
        self.position = pos

    def collect_block(self, *, in_header: bool) -> Cue | Region | str | None:
        """The spec's "collect a WebVTT block": returns a cue, a region, ``"stylesheet"`` or ``None``."""
        text, end = self.input, len(self.input)
        position = self.position  # kept in a local while looping: this is the parser's hot path
        line_count = 0
        previous_position = position
        buffer: list[str] = []  # lines joined with LF on use: the spec's buffer string
        seen_arrow = False
        cue: Cue | None = None
        is_stylesheet = False
        is_region = False
        while True:
            # "Collect a sequence of code points that are not LF. Let line be those characters."
            newline = text.find("\n", position)
            seen_eof = newline < 0
            if seen_eof:
                line = text[position:]
                position = end
            else:
                line = text[position:newline]
                position = newline + 1
            line_count += 1
            if "-->" in line:
                if not in_header and (line_count == 1 or (line_count == 2 and not seen_arrow)):
                    seen_arrow = True
                    previous_position = position
                    # "Cue creation": the identifier is whatever is in buffer (the line before the timings).
                    cue = Cue(start_time=0.0, end_time=0.0, id="\n".join(buffer))
                    if _collect_timings_and_settings(line, cue, self.document.regions):
                        buffer = []
                        self.seen_cue = True
                    else:
                        cue = None
                else:
                    # A timing line further down starts the next block: rewind to the start of that line.
                    position = previous_position
                    break
            elif not line:
                break
            else:
                if line_count == 2 and not in_header and not self.seen_cue:
                    joined = "\n".join(buffer)
                    if _is_keyword_block_start(joined, "STYLE"):
                        is_stylesheet = True
                        buffer = []
                    elif _is_keyword_block_start(joined, "REGION"):
                        # "Region creation" (defaults are set by Region()); settings are read at the end.
                        is_region = True
                        buffer = []
                buffer.append(line)
                previous_position = position
            if seen_eof:
                break
        self.position = position
        if cue is not None:
            cue.text = "\n".join(buffer)
            return cue
        if is_stylesheet:
            return "stylesheet"
        if is_region:
            return parse_region_settings("\n".join(buffer))
        return None

    def run(self) -> WebVTTDocument:
        text, end = self.input, len(self.input)
        check_signature(text)
        # Skip the rest of the signature line ("collect a sequence of code points that are not LF").
        newline = text.find("\n")
        if newline < 0:
            return self.document  # "contains no useful data"
        self.position = newline + 1
        if self.position >= end:
            return self.document
        # "Header": a header block right after the signature line is collected and discarded.
        if text[self.position] != "\n":
            self.collect_block(in_header=True)
        else:
            self.position += 1
        self.skip_line_feeds()
        # "Block loop"
        while self.position < end:
            block = self.collect_block(in_header=False)
            if isinstance(block, Cue):
                self.document.cues.append(block)
            elif isinstance(block, Region):
                self.document.regions.append(block)
            elif block == "stylesheet":
                self.document.stylesheet_count += 1
            self.skip_line_feeds()
        return self.document


def parse_webvtt(text: str) -> WebVTTDocument:
    """Parse WebVTT text exactly as the spec's parser does, in time linear in the length of ``text``.

    ``text`` is decoded text; a leading BOM is ignored as UTF-8 decoding would. Raises
    :class:`CaptionError` if the signature is wrong. Cues keep their order in the file (browsers sort
    their list by start time; we keep the file's numbering so lint messages match what authors see).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    return _Parser(normalise_newlines(text)).run()
