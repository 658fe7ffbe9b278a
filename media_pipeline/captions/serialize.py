"""Writing normalised WebVTT: ``WEBVTT``, REGION blocks, then one block per cue.

The output parses (with :func:`media_pipeline.captions.webvtt.parse_webvtt`) back to the same cues and
regions. Settings equal to the defaults are left out; ``region:`` is written last because the spec lets a
later ``line``/``size``/``vertical`` setting drop the region, and a kept region must survive re-parsing.
STYLE blocks are not written: the site styles captions itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Cue, Region
from .timestamps import format_timestamp


def format_number(value: float) -> str:
    """Shortest decimal that reads back as the same float, never in exponent form (WebVTT has none)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(value, ".20f").rstrip("0").rstrip(".")
    return text


def _percent(value: float) -> str:
    return f"{format_number(value)}%"


def cue_settings_text(cue: Cue) -> str:
    """The settings part of a timing line for ``cue`` (empty if everything is default)."""
    settings: list[str] = []
    if cue.vertical:
        settings.append(f"vertical:{cue.vertical}")
    if cue.line != "auto":
        line = _percent(cue.line) if not cue.snap_to_lines else format_number(cue.line)
        if cue.line_align != "start":
            line += f",{cue.line_align}"
        settings.append(f"line:{line}")
    if cue.position != "auto":
        position = _percent(cue.position)
        if cue.position_align != "auto":
            position += f",{cue.position_align}"
        settings.append(f"position:{position}")
    if cue.size != 100:
        settings.append(f"size:{_percent(cue.size)}")
    if cue.align != "center":
        settings.append(f"align:{cue.align}")
    if cue.region:
        settings.append(f"region:{cue.region}")
    return " ".join(settings)


def _safe_identifier(identifier: str) -> str:
    # An identifier is one line and cannot contain "-->" (that line would be read as timings).
    return identifier.replace("\n", " ").replace("-->", "--")


def _safe_cue_text(text: str) -> str:
    # A blank line would end the cue and a line containing "-->" would start another. "&gt;" displays as ">".
    lines = (line.replace("-->", "--&gt;") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def region_block(region: Region) -> str:
    settings = [
        f"id:{region.id}" if region.id else "",
        f"width:{_percent(region.width)}",
        f"lines:{region.lines}",
        f"regionanchor:{_percent(region.region_anchor_x)},{_percent(region.region_anchor_y)}",
        f"viewportanchor:{_percent(region.viewport_anchor_x)},{_percent(region.viewport_anchor_y)}",
        "scroll:up" if region.scroll == "up" else "",
    ]
    return "REGION\n" + " ".join(setting for setting in settings if setting)


def cue_block(cue: Cue) -> str:
    lines: list[str] = []
    identifier = _safe_identifier(cue.id)
    if identifier:
        lines.append(identifier)
    timing = f"{format_timestamp(cue.start_time)} --> {format_timestamp(cue.end_time)}"
    settings = cue_settings_text(cue)
    lines.append(f"{timing} {settings}" if settings else timing)
    text = _safe_cue_text(cue.text)
    if text:
        lines.append(text)
    return "\n".join(lines)


def to_webvtt(cues: Iterable[Cue], regions: Iterable[Region] = ()) -> str:
    """Serialise cues (and regions) as a normalised WebVTT file, LF line ends, ending with a newline."""
    blocks = ["WEBVTT"]
    blocks.extend(region_block(region) for region in regions)
    blocks.extend(cue_block(cue) for cue in cues)
    return "\n\n".join(blocks) + "\n"
