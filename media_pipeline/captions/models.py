"""Value objects shared by the parsers, the serializer, lint and the transcript builder.

Field names are Python's snake_case; :meth:`Cue.to_dict` and :meth:`Region.to_dict` give the browser's
``VTTCue`` / ``VTTRegion`` attribute names and are what the ``captions_parse`` contract prints.
Defaults are the values a browser gives a cue or region that sets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Auto = Literal["auto"]
CaptionFormat = Literal["vtt", "srt"]
LintLevel = Literal["error", "warning"]


@dataclass
class Region:
    """A WebVTT region, defined in a ``REGION`` block before the first cue."""

    id: str = ""
    width: float = 100.0
    lines: int = 3
    region_anchor_x: float = 0.0
    region_anchor_y: float = 100.0
    viewport_anchor_x: float = 0.0
    viewport_anchor_y: float = 100.0
    scroll: Literal["", "up"] = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "width": self.width,
            "lines": self.lines,
            "regionAnchorX": self.region_anchor_x,
            "regionAnchorY": self.region_anchor_y,
            "viewportAnchorX": self.viewport_anchor_x,
            "viewportAnchorY": self.viewport_anchor_y,
            "scroll": self.scroll,
        }


@dataclass(slots=True)
class Cue:
    """One WebVTT cue. ``text`` is the raw cue text (WebVTT markup and character references intact).

    ``region`` holds the id of the cue's region, or ``None``.
    """

    start_time: float
    end_time: float
    text: str = ""
    id: str = ""
    align: Literal["start", "center", "end", "left", "right"] = "center"
    line: float | Auto = "auto"
    position: float | Auto = "auto"
    size: float = 100.0
    vertical: Literal["", "rl", "lr"] = ""
    snap_to_lines: bool = True
    line_align: Literal["start", "center", "end"] = "start"
    position_align: Literal["line-left", "center", "line-right", "auto"] = "auto"
    region: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "text": self.text,
            "align": self.align,
            "line": self.line,
            "position": self.position,
            "size": self.size,
            "vertical": self.vertical,
            "snapToLines": self.snap_to_lines,
            "lineAlign": self.line_align,
            "positionAlign": self.position_align,
            "region": self.region,
        }


@dataclass(frozen=True)
class LintItem:
    """One finding about a caption file. ``cue`` is the 1-based cue number, or ``None`` for the file."""

    cue: int | None
    level: LintLevel
    code: str
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"cue": self.cue, "level": self.level, "code": self.code, "message": self.message}


@dataclass
class ParsedCaptions:
    """The result of reading a caption file.

    ``cues`` and ``regions`` are what a browser would build from :attr:`webvtt`, the normalised WebVTT
    text (for SRT input, the converted file). ``issues`` are problems found while reading (for example SRT
    lines that belong to no cue); :func:`media_pipeline.captions.lint_captions` reports them with the lint.
    """

    format: CaptionFormat
    cues: list[Cue]
    regions: list[Region] = field(default_factory=list)
    issues: list[LintItem] = field(default_factory=list)
    webvtt: str = ""

    def to_dict(self, lint: list[LintItem] | None = None) -> dict[str, object]:
        """The ``captions_parse`` contract's JSON object; ``lint`` is ``[]`` unless given."""
        return {
            "format": self.format,
            "cues": [cue.to_dict() for cue in self.cues],
            "regions": [region.to_dict() for region in self.regions],
            "lint": [item.to_dict() for item in (lint or [])],
        }
