"""A readable transcript built from cues: paragraphs by speaker and pause, each cue a seek target.

A new paragraph starts when the speaker changes (the ``<v Name>`` voice), when there is a pause longer
than ``pause`` seconds between cues, or when a paragraph grows long (at a sentence end past
``soft_max_characters``, or anywhere past ``hard_max_characters``). A cue without a voice continues the
previous speaker: captioners usually tag only the line where a new person starts speaking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .cuetext import parse_cue_text
from .models import Cue
from .render import cue_speaker, tree_to_html, tree_to_plain_text
from .timestamps import format_clock, to_milliseconds

_SENTENCE_ENDS = (".", "?", "!", "…", '."', '?"', '!"', ".”", "?”", "!”")


@dataclass(frozen=True)
class TranscriptCue:
    """One cue in a paragraph. ``html`` is sanitised (see :func:`render.tree_to_html`), safe to mark safe."""

    start_time: float
    end_time: float
    html: str
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"startTime": self.start_time, "endTime": self.end_time, "html": self.html, "text": self.text}


@dataclass
class TranscriptParagraph:
    """Consecutive cues read as one paragraph. ``speaker_changed`` says whether to show the speaker label."""

    start_time: float
    speaker: str | None
    speaker_changed: bool
    cues: list[TranscriptCue] = field(default_factory=list)

    @property
    def start_label(self) -> str:
        """The paragraph's start as a player shows it, e.g. ``1:03``."""
        return format_clock(self.start_time)

    def to_dict(self) -> dict[str, object]:
        return {
            "startTime": self.start_time,
            "speaker": self.speaker,
            "speakerChanged": self.speaker_changed,
            "cues": [cue.to_dict() for cue in self.cues],
        }


def build_transcript(
    cues: Sequence[Cue],
    *,
    pause: float = 2.0,
    soft_max_characters: int = 400,
    hard_max_characters: int = 900,
) -> list[TranscriptParagraph]:
    """Group ``cues`` (taken in start-time order, as a player shows them) into transcript paragraphs.

    Cues with no text are left out. Runs in time linear in the total cue text (after the sort).
    """
    paragraphs: list[TranscriptParagraph] = []
    speaker: str | None = None
    previous_end_ms: int | None = None
    characters = 0
    previous_text = ""
    pause_ms = to_milliseconds(pause)
    for cue in sorted(cues, key=lambda item: to_milliseconds(item.start_time)):
        tree = parse_cue_text(cue.text)
        text = " ".join(tree_to_plain_text(tree).split())
        if not text:
            continue
        cue_voice = cue_speaker(tree)
        new_speaker = cue_voice is not None and cue_voice != speaker
        start_ms = to_milliseconds(cue.start_time)
        paused = previous_end_ms is not None and start_ms - previous_end_ms > pause_ms
        too_long = characters >= hard_max_characters or (
            characters >= soft_max_characters and previous_text.endswith(_SENTENCE_ENDS)
        )
        if cue_voice is not None:
            speaker = cue_voice
        if not paragraphs or new_speaker or paused or too_long:
            paragraphs.append(
                TranscriptParagraph(start_time=cue.start_time, speaker=speaker, speaker_changed=new_speaker)
            )
            characters = 0
        html = tree_to_html(tree)
        paragraphs[-1].cues.append(
            TranscriptCue(start_time=cue.start_time, end_time=cue.end_time, html=html, text=text)
        )
        characters += len(text) + 1
        previous_text = text
        end_ms = to_milliseconds(cue.end_time)
        previous_end_ms = end_ms if previous_end_ms is None else max(previous_end_ms, end_ms)
    return paragraphs
