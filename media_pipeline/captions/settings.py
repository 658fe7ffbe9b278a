"""Cue settings and region settings, per the spec's "parse the WebVTT cue settings" and
"collect WebVTT region settings". Invalid settings are skipped ("jump to the step labeled next setting"),
never errors: a browser shows the cue with the settings it understood.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .models import Cue, Region

# "ASCII whitespace" (Infra): TAB, LF, FF, CR, SPACE. "Split a string on spaces" splits on these.
ASCII_WHITESPACE = "\t\n\x0c\r "
_DIGITS = frozenset("0123456789")
_UNSIGNED_LONG_MAX = 2**32 - 1


_WHITESPACE_TO_SPACE = str.maketrans("\t\n\x0c\r", "    ")


def split_on_spaces(text: str) -> list[str]:
    """Infra's "split a string on spaces": ASCII whitespace only (``str.split()`` also splits on NBSP)."""
    return [token for token in text.translate(_WHITESPACE_TO_SPACE).split(" ") if token]


def parse_percentage(text: str) -> float | None:
    """The spec's "parse a percentage string": ``digits[.digits]%`` in 0..100, else ``None``."""
    # Syntax of a WebVTT percentage: one or more ASCII digits, optionally "." and one or more digits, "%".
    if len(text) < 2 or text[-1] != "%":
        return None
    number = text[:-1]
    whole, dot, fraction = number.partition(".")
    if not whole or not set(whole) <= _DIGITS:
        return None
    if dot and (not fraction or not set(fraction) <= _DIGITS):
        return None
    value = float(number)
    if value < 0 or value > 100:
        return None
    return value


def _split_setting(setting: str) -> tuple[str, str] | None:
    # "If setting does not contain a ':' or the first ':' is the first or last character, next setting."
    colon = setting.find(":")
    if colon <= 0 or colon == len(setting) - 1:
        return None
    return setting[:colon], setting[colon + 1 :]


def _parse_line_number(linepos: str) -> float | None:
    """The non-percentage branch of the "line" setting, with its character checks."""
    if not set(linepos) <= _DIGITS | {"-", "."}:
        return None
    if "-" in linepos[1:]:
        return None
    dots = linepos.count(".")
    if dots > 1:
        return None
    if dots == 1:
        dot = linepos.index(".")
        if dot == 0 or dot == len(linepos) - 1:
            return None
        if linepos[dot - 1] not in _DIGITS or linepos[dot + 1] not in _DIGITS:
            return None
    value = float(linepos)
    # HTML's "rules for parsing floating-point number values" return an error for values that round to
    # infinity, and never return negative zero.
    if not math.isfinite(value):
        return None
    return value if value else 0.0


def _apply_line(cue: Cue, value: str) -> None:
    linepos, comma, linealign = value.partition(",")
    if not any(char in _DIGITS for char in linepos):
        return
    is_percentage = linepos.endswith("%")
    number = parse_percentage(linepos) if is_percentage else _parse_line_number(linepos)
    if number is None:
        return
    if comma:
        if linealign not in ("start", "center", "end"):
            return
        cue.line_align = linealign  # type: ignore[assignment]
    cue.line = number
    cue.snap_to_lines = not is_percentage
    # "The cue has been explicitly positioned with a line offset and thus drops out of the region."
    cue.region = None


def _apply_position(cue: Cue, value: str) -> None:
    colpos, comma, colalign = value.partition(",")
    number = parse_percentage(colpos)
    if number is None:
        return
    if comma:
        if colalign not in ("line-left", "center", "line-right"):
            return
        cue.position_align = colalign  # type: ignore[assignment]
    cue.position = number


def parse_cue_settings(text: str, cue: Cue, regions: Sequence[Region]) -> None:
    """Apply the settings in ``text`` to ``cue`` in order, as "parse the WebVTT cue settings" does.

    Order matters for regions, exactly as in the spec: ``region:x line:0`` drops the region (the line
    setting nulls it), ``line:0 region:x`` keeps it.
    """
    for setting in split_on_spaces(text):
        parts = _split_setting(setting)
        if parts is None:
            continue
        name, value = parts
        if name == "region":
            # "The last WebVTT region in regions whose identifier is value, if any, or null otherwise."
            cue.region = next((r.id for r in reversed(regions) if r.id == value), None)
        elif name == "vertical":
            if value == "rl" or value == "lr":
                cue.vertical = value
            if cue.vertical:
                cue.region = None  # "there are no vertical regions"
        elif name == "line":
            _apply_line(cue, value)
        elif name == "position":
            _apply_position(cue, value)
        elif name == "size":
            number = parse_percentage(value)
            if number is not None:
                cue.size = number
                if number != 100:
                    cue.region = None  # "explicitly sized and thus drops out of the region"
        elif name == "align" and value in ("start", "center", "end", "left", "right"):
            cue.align = value  # type: ignore[assignment]


def _parse_anchor(value: str) -> tuple[float, float] | None:
    if "," not in value:
        return None
    x_text, _, y_text = value.partition(",")
    x = parse_percentage(x_text)
    y = parse_percentage(y_text)
    if x is None or y is None:
        return None
    return x, y


def parse_region_settings(text: str) -> Region:
    """The spec's "collect WebVTT region settings" from a REGION block's text (after its first line)."""
    region = Region()
    for setting in split_on_spaces(text):
        parts = _split_setting(setting)
        if parts is None:
            continue
        name, value = parts
        if name == "id":
            region.id = value
        elif name == "width":
            width = parse_percentage(value)
            if width is not None:
                region.width = width
        elif name == "lines":
            if set(value) <= _DIGITS:
                # VTTRegion.lines is an IDL unsigned long: browsers clamp larger values to its maximum.
                digits = value.lstrip("0")
                region.lines = _UNSIGNED_LONG_MAX if len(digits) > 10 else min(int(value), _UNSIGNED_LONG_MAX)
        elif name == "regionanchor":
            anchor = _parse_anchor(value)
            if anchor is not None:
                region.region_anchor_x, region.region_anchor_y = anchor
        elif name == "viewportanchor":
            anchor = _parse_anchor(value)
            if anchor is not None:
                region.viewport_anchor_x, region.viewport_anchor_y = anchor
        elif name == "scroll" and value == "up":
            region.scroll = "up"
    return region
