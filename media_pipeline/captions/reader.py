"""Reading an uploaded caption file: choose the format, decode, parse, normalise to WebVTT."""

from __future__ import annotations

from pathlib import PurePath

from .encoding import decode_caption_bytes
from .errors import CaptionError
from .models import CaptionFormat, ParsedCaptions
from .serialize import to_webvtt
from .srt import parse_srt
from .webvtt import normalise_newlines, parse_webvtt


def detect_format(text: str, *, filename: str = "") -> CaptionFormat:
    """The contract's rule: ``.vtt`` is WebVTT and ``.srt`` is SRT, whatever they contain (any case of the
    extension); for any other name the content decides: a WebVTT signature means WebVTT, anything else is
    tried as SRT.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".vtt":
        return "vtt"
    if suffix == ".srt":
        return "srt"
    body = normalise_newlines(text[1:] if text.startswith("\ufeff") else text)
    if body.startswith("WEBVTT") and (len(body) == 6 or body[6] in " \t\n"):
        return "vtt"
    return "srt"


def parse_caption_text(text: str, *, filename: str = "") -> ParsedCaptions:
    """Parse decoded caption text; see :func:`parse_caption_file`."""
    caption_format = detect_format(text, filename=filename)
    if caption_format == "vtt":
        document = parse_webvtt(text)
        return ParsedCaptions(
            format="vtt",
            cues=document.cues,
            regions=document.regions,
            webvtt=to_webvtt(document.cues, document.regions),
        )
    try:
        srt = parse_srt(text)
    except CaptionError:
        if PurePath(filename).suffix.lower() == ".srt":
            raise
        raise CaptionError(
            "This file is neither WebVTT (it would start with WEBVTT) nor SubRip (no timings like "
            "00:00:01,000 --> 00:00:04,000 were found)."
        ) from None
    webvtt = to_webvtt(srt.cues)
    # The cues reported for SRT are those a browser builds from the converted file.
    document = parse_webvtt(webvtt)
    return ParsedCaptions(format="srt", cues=document.cues, regions=[], issues=srt.issues, webvtt=webvtt)


def parse_caption_file(data: bytes, *, filename: str = "") -> ParsedCaptions:
    """Decode and parse an uploaded caption file (WebVTT or SRT).

    ``filename`` only chooses the format (see :func:`detect_format`); it is never used as a path.
    Returns cues, regions, reading issues and the normalised WebVTT text to store and serve.
    Raises :class:`CaptionError` with a reason a volunteer can act on if the file cannot be used.
    """
    return parse_caption_text(decode_caption_bytes(data), filename=filename)
