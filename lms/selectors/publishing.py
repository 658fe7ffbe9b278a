"""What stands between a learning item and going live: reads only.

The publish gate (``lms.services.publishing``) and the page editor's form both ask ``publish_problems`` for the
same list, so an editor sees the same words whichever way they try to publish.
"""

from collections.abc import Iterable

from lms.models import Contributor, HumanLibraryFilmPage, ModulePage, WebinarPage
from media_pipeline.models import CaptionTrack, Video, VideoStatus

# A page a learner opens to *watch* something must have something to watch. A webinar may be announced (date,
# joining instructions) before its recording exists.
VIDEO_REQUIRED = (ModulePage, HumanLibraryFilmPage)
LEARNING_ITEMS = (ModulePage, HumanLibraryFilmPage, WebinarPage)
LINT_ERRORS_SHOWN = 5


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def video_publish_problems(*, video: Video) -> list[str]:
    """Why ``video`` may not go live yet, in words an author can act on (empty when it may).

    It may once it is ready and has an English captions track with no lint errors.
    """
    if video.status == VideoStatus.FAILED:
        reason = video.failure_reason or "no reason was recorded"
        return [
            f"The video '{video}' could not be processed ({reason}). Upload it again or choose Reprocess on the "
            "video's page, then publish once it is ready."
        ]
    if video.status != VideoStatus.READY:
        return [
            f"The video '{video}' is still processing. Wait until its status on the Videos page is 'Ready', "
            "then publish again."
        ]
    english = [track for track in _caption_tracks(video) if track.is_english_captions]
    if not english:
        return [
            f"The video '{video}' has no English captions. Add an English captions file (WebVTT or SRT) on the "
            "video's page, then publish again."
        ]
    if any(track.error_count == 0 for track in english):
        return []
    track = min(english, key=lambda track: track.error_count)
    errors = [item.get("message", "") for item in track.lint if item.get("level") == "error"]
    shown = "; ".join(errors[:LINT_ERRORS_SHOWN])
    more = f" (and {len(errors) - LINT_ERRORS_SHOWN} more)" if len(errors) > LINT_ERRORS_SHOWN else ""
    return [
        f"The English captions of the video '{video}' have {_plural(track.error_count, 'error')}: {shown}{more}. "
        "Fix the captions file and add it again on the video's page."
    ]


def _caption_tracks(video: Video) -> list[CaptionTrack]:
    cache = getattr(video, "_prefetched_objects_cache", {})
    if "caption_tracks" in cache:
        return list(cache["caption_tracks"])
    return list(CaptionTrack.objects.filter(video=video))


def publish_problems(*, item_type: type, video: Video | None, video_missing: bool = False, people=()) -> list[str]:
    """Why a learning item of ``item_type`` with this ``video`` and these ``people`` may not go live.

    ``video_missing`` says the item points at a video that no longer exists (erased). ``people`` are the
    contributors the item features (storyteller, contributors, presenters); anyone whose consent is withdrawn
    stops it going live. Pages that are not learning items have no problems.
    """
    if not issubclass(item_type, LEARNING_ITEMS):
        return []
    problems = []
    noun = item_type._meta.verbose_name
    if video_missing:
        problems.append(f"The video chosen for this {noun} no longer exists (it was erased). Choose another video.")
    elif video is None:
        if issubclass(item_type, VIDEO_REQUIRED):
            problems.append(f"Choose a video: learners need something to watch before this {noun} can go live.")
    else:
        problems.extend(video_publish_problems(video=video))
    for person in people:
        if person is not None and person.is_withdrawn:
            problems.append(
                f"{person.name} has withdrawn their consent, so this {noun} cannot feature them. Remove them "
                "(or, for a human library film, unpublish it for good)."
            )
    return problems


def learning_item_people(*, item) -> list[Contributor]:
    """Everyone the item features: its storyteller, contributors and presenters, as stored on this object.

    Works on a page built from a revision (``revision.as_object()``), whose many-to-many values are in memory.
    """
    people: list[Contributor] = []
    if getattr(item, "storyteller_id", None):
        people.extend(Contributor.objects.filter(pk=item.storyteller_id))
    for name in ("contributors", "presenters"):
        if hasattr(item, name):
            people.extend(getattr(item, name).all())
    return people


def learning_item_publish_problems(*, item) -> list[str]:
    """Why this learning item (a page, or a page built from a revision) may not go live; empty when it may."""
    if not isinstance(item, LEARNING_ITEMS):
        return []
    video, missing = None, False
    if item.video_id:
        video = Video.objects.filter(pk=item.video_id).prefetch_related("caption_tracks").first()
        missing = video is None
    return publish_problems(
        item_type=type(item), video=video, video_missing=missing, people=learning_item_people(item=item)
    )


def people_of(values: Iterable) -> list[Contributor]:
    """Flatten form values (a contributor, a queryset or list of them, or None) into one list."""
    people: list[Contributor] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, Contributor):
            people.append(value)
        else:
            people.extend(value)
    return people
