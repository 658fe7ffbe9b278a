"""What a learner sees on a learning item: whether they may see it, their progress, and the player.

Reads only. The page models' ``get_context`` calls these; the progress service uses ``page_viewable_by`` and
``resume_position`` so that the page and the API agree.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from wagtail.models import BaseViewRestriction, Page

from lms.models import Completion, Progress
from media_pipeline.captions import CaptionError, TranscriptParagraph, build_transcript, parse_caption_text
from media_pipeline.captions.timestamps import format_clock
from media_pipeline.models import CaptionTrack, Video, VideoStatus
from media_pipeline.storage import media_storage

logger = logging.getLogger(__name__)

#: The player sends a heartbeat this often while playing (the contract asks for every 10–15 s). Tests shorten it
#: with the ``LMS_PLAYER_HEARTBEAT_SECONDS`` setting; it reaches the page as a data attribute.
HEARTBEAT_SECONDS: Final = 10

#: Within this much of the end (or 5 % of a short video), a learner who comes back starts from the beginning
#: rather than on the closing seconds.
RESUME_END_MARGIN_SECONDS: Final = 10.0
RESUME_END_MARGIN_FRACTION: Final = 0.05

#: Profiles the player offers, best first. The first is the default; the second is the "data saver" choice.
PLAYER_PROFILES: Final = (("720p", "Standard quality (720p)"), ("360p", "Data saver (360p)"))

TRANSCRIPT_CACHE_SECONDS: Final = 24 * 3600


class Status:
    """A learner's status on an item, as a GOV.UK tag."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    LABELS: Final = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", COMPLETED: "Completed"}
    TAG_CLASSES: Final = {
        NOT_STARTED: "govuk-tag--grey",
        IN_PROGRESS: "govuk-tag--light-blue",
        COMPLETED: "govuk-tag--green",
    }


@dataclass(frozen=True)
class ItemProgress:
    """One learner's standing on one item."""

    status: str = Status.NOT_STARTED
    percent: int = 0
    position: float = 0.0
    resume_at: float = 0.0
    completed_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def tag_class(self) -> str:
        return Status.TAG_CLASSES[self.status]

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def is_started(self) -> bool:
        return self.status != Status.NOT_STARTED

    @property
    def resume_label(self) -> str:
        return format_clock(self.resume_at)


@dataclass(frozen=True)
class PlayerSource:
    profile: str
    label: str
    url: str


@dataclass(frozen=True)
class PlayerTrack:
    url: str
    kind: str
    language: str
    label: str
    is_default: bool


@dataclass(frozen=True)
class Player:
    """Everything the player component renders. ``start_at`` is where the video opens (resume, or ``?t=``)."""

    item_id: int
    video: Video
    duration: float
    sources: list[PlayerSource]
    poster_url: str | None
    tracks: list[PlayerTrack]
    transcript: list[TranscriptParagraph] | None
    transcript_unavailable: bool
    start_at: float
    progress: ItemProgress
    completion_threshold: int
    heartbeat_seconds: float
    progress_url: str = field(default="/api/progress/")

    @property
    def duration_label(self) -> str:
        return format_clock(self.duration)

    @property
    def start_label(self) -> str:
        return format_clock(self.start_at)

    @property
    def media_fragment(self) -> str:
        """``#t=…`` on each source, so that the video opens at ``start_at`` even without JavaScript."""
        return f"#t={self.start_at:.2f}" if self.start_at > 0 else ""


def page_viewable_by(*, user, page: Page) -> bool:
    """True when ``user`` (signed in and active) passes every view restriction on ``page`` and its ancestors.

    Learning pages are for signed-in staff (the pages' ``serve`` sends anyone else to sign in). Editors may also
    restrict a page to groups. A password restriction is never passed here: it belongs to a browser session,
    not to a person, and a learning item for staff has no reason to use one.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    for restriction in page.get_view_restrictions():
        if restriction.restriction_type == BaseViewRestriction.LOGIN:
            continue
        if restriction.restriction_type == BaseViewRestriction.GROUPS and (
            user.is_superuser or restriction.groups.filter(pk__in=user.groups.values("pk")).exists()
        ):
            continue
        return False
    return True


def resume_position(*, position: float, duration: float | None, completed: bool) -> float:
    """Where a learner who comes back starts: where they were, unless they completed the item or were at the end."""
    if completed or not duration or position <= 0:
        return 0.0
    margin = min(RESUME_END_MARGIN_SECONDS, duration * RESUME_END_MARGIN_FRACTION)
    if position >= duration - margin:
        return 0.0
    return float(position)


def learner_progress(*, user, item_ids: Iterable[int]) -> dict[int, ItemProgress]:
    """``{item id: ItemProgress}`` for every id given (not started when there is nothing). Two queries."""
    ids = list(set(item_ids))
    if not ids or not user.is_authenticated:
        return {pk: ItemProgress() for pk in ids}
    completed = dict(Completion.objects.filter(user=user, item_id__in=ids).values_list("item_id", "completed_at"))
    rows = Progress.objects.filter(user=user, item_id__in=ids).values(
        "item_id", "watched_seconds", "duration", "position", "updated_at"
    )
    result = {pk: ItemProgress() for pk in ids}
    for row in rows:
        pk = row["item_id"]
        done = pk in completed
        percent = min(100, int(100 * row["watched_seconds"] / row["duration"])) if row["duration"] else 0
        started = row["watched_seconds"] > 0 or row["position"] > 0
        result[pk] = ItemProgress(
            status=Status.COMPLETED if done else (Status.IN_PROGRESS if started else Status.NOT_STARTED),
            percent=100 if done else percent,
            position=row["position"],
            resume_at=resume_position(position=row["position"], duration=row["duration"], completed=done),
            completed_at=completed.get(pk),
            updated_at=row["updated_at"],
        )
    for pk, completed_at in completed.items():
        if result[pk].status != Status.COMPLETED:
            result[pk] = ItemProgress(status=Status.COMPLETED, percent=100, completed_at=completed_at)
    return result


def learning_item_player(*, item, user, start_at: float | None = None, restart: bool = False) -> Player | None:
    """The player for a module, film or webinar page, or ``None`` when it has no video ready to play.

    The video opens at ``start_at`` when that is inside the video (a transcript link without JavaScript), else
    from the beginning when ``restart``, else where the learner left off (``resume_position``).
    """
    video = item.video if item.video_id else None
    if video is None or video.status != VideoStatus.READY or not video.duration:
        return None
    duration = float(video.duration)
    profiles = set(video.renditions.values_list("profile", flat=True))
    sources = [
        PlayerSource(profile=name, label=label, url=reverse("media:play", args=[video.pk, name]))
        for name, label in PLAYER_PROFILES
        if name in profiles
    ]
    if not sources:
        return None
    tracks = [track for track in video.caption_tracks.all() if track.vtt_key]
    default_track = next((track for track in tracks if track.is_english_captions), tracks[0] if tracks else None)
    player_tracks = [
        PlayerTrack(
            url=reverse("media:captions", args=[track.pk]),
            kind=track.kind,
            language=track.language,
            label=track.label,
            is_default=track is default_track,
        )
        for track in tracks
    ]
    transcript = caption_transcript(track=default_track) if default_track is not None else None
    progress = learner_progress(user=user, item_ids=[item.pk])[item.pk]

    if start_at is not None and 0 <= start_at < duration:
        opening = float(start_at)
    elif restart:
        opening = 0.0
    else:
        opening = progress.resume_at
    return Player(
        item_id=item.pk,
        video=video,
        duration=duration,
        sources=sources,
        poster_url=reverse("media:poster", args=[video.pk]) if video.poster_key else None,
        tracks=player_tracks,
        transcript=transcript,
        transcript_unavailable=default_track is not None and transcript is None,
        start_at=opening,
        progress=progress,
        completion_threshold=item.completion_threshold,
        heartbeat_seconds=float(getattr(settings, "LMS_PLAYER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)),
        progress_url=reverse("lms:progress"),
    )


def item_people(*, item) -> dict:
    """Who to credit on an item's page, as they chose (``Contributor.credit``), leaving out anyone whose consent
    was withdrawn: ``credits`` (contributors, the film's storyteller left out as the page names them already),
    ``presenters`` (webinars) and ``content_notes`` (films). One query per list.
    """
    from lms.models import HumanLibraryFilmPage, WebinarPage

    storyteller_id = item.storyteller_id if isinstance(item, HumanLibraryFilmPage) else None
    people = {
        "credits": [
            person for person in item.contributors.all() if not person.is_withdrawn and person.pk != storyteller_id
        ]
    }
    if isinstance(item, WebinarPage):
        people["presenters"] = [person for person in item.presenters.all() if not person.is_withdrawn]
    if isinstance(item, HumanLibraryFilmPage):
        people["content_notes"] = list(item.content_notes.all())
    return people


def caption_transcript(*, track: CaptionTrack) -> list[TranscriptParagraph] | None:
    """The transcript of a caption track, built from its normalised WebVTT, or ``None`` if it cannot be read now.

    Cached per track: a track's WebVTT never changes (a new caption file makes a new track). A storage outage is
    not cached, so the transcript comes back when the store does.
    """
    if not track.vtt_key:
        return None
    key = f"lms:transcript:v1:{track.pk}"
    paragraphs = cache.get(key)
    if paragraphs is not None:
        return paragraphs
    try:
        with media_storage().open(track.vtt_key, "rb") as handle:
            text = handle.read().decode("utf-8")
        paragraphs = build_transcript(parse_caption_text(text, filename="captions.vtt").cues)
    except (CaptionError, UnicodeDecodeError):
        logger.exception("caption track %s: the stored WebVTT could not be read as captions", track.pk)
        return None
    except Exception:
        logger.warning("caption track %s: the transcript could not be loaded from storage", track.pk, exc_info=True)
        return None
    cache.set(key, paragraphs, TRANSCRIPT_CACHE_SECONDS)
    return paragraphs
