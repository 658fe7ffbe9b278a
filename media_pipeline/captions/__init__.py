"""Caption files for the learning platform: WebVTT and SRT parsing, normalisation, lint and transcripts.

Pure Python, no Django import, so it is fast to test and usable from commands, tasks and views.

Typical use::

    parsed = parse_caption_file(data, filename="intro.srt")   # raises CaptionError
    stored_text = parsed.webvtt                               # normalised WebVTT to store and serve
    problems = lint_captions(parsed, media_duration=62.5)     # LintItem list; errors block publishing
    paragraphs = build_transcript(parsed.cues)                # for the transcript under the player
"""

from .cuetext import CueNode, TextNode, TimestampNode, parse_cue_text
from .encoding import decode_caption_bytes
from .errors import CaptionError
from .lint import (
    has_errors,
    lint_captions,
    lint_cues,
    lint_readability,
    validate_against_duration,
)
from .models import Cue, LintItem, ParsedCaptions, Region
from .reader import detect_format, parse_caption_file, parse_caption_text
from .render import cue_text_to_html, cue_text_to_plain, tree_to_html, tree_to_plain_text
from .serialize import to_webvtt
from .srt import parse_srt
from .timestamps import format_clock, format_timestamp
from .transcript import TranscriptCue, TranscriptParagraph, build_transcript
from .webvtt import WebVTTDocument, parse_webvtt

__all__ = [
    "CaptionError",
    "Cue",
    "CueNode",
    "LintItem",
    "ParsedCaptions",
    "Region",
    "TextNode",
    "TimestampNode",
    "TranscriptCue",
    "TranscriptParagraph",
    "WebVTTDocument",
    "build_transcript",
    "cue_text_to_html",
    "cue_text_to_plain",
    "decode_caption_bytes",
    "detect_format",
    "format_clock",
    "format_timestamp",
    "has_errors",
    "lint_captions",
    "lint_cues",
    "lint_readability",
    "parse_caption_file",
    "parse_caption_text",
    "parse_cue_text",
    "parse_srt",
    "parse_webvtt",
    "to_webvtt",
    "tree_to_html",
    "tree_to_plain_text",
    "validate_against_duration",
]
