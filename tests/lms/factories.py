"""Build learning content for tests without running the media pipeline.

``ready_video()`` makes the rows a processed video has (no stored files): enough for pages, progress and reports.
Tests that need real media use ``media_pipeline`` ingest with a clip from ``tests/media_pipeline/clips.py``.
"""

import datetime
import itertools

from django.utils import timezone

from lms.models import (
    Contributor,
    HumanLibraryFilmPage,
    LearningIndexPage,
    ModulePage,
    SeriesPage,
    WebinarPage,
)
from media_pipeline.models import CaptionTrack, Video, VideoStatus

_counter = itertools.count(1)


def ready_video(*, title: str = "A video", duration: float = 120.0, captions: bool = True, **fields) -> Video:
    """A Video row as processing leaves it: ready, with a duration and (by default) a clean English track."""
    video = Video.objects.create(title=title, status=VideoStatus.READY, duration=duration, **fields)
    if captions:
        CaptionTrack.objects.create(
            video=video, language="en-GB", label="English", source_key=f"captions/{video.pk}/source", cue_count=10
        )
    return video


def learning_index(home_page, *, title: str = "Browse learning", live: bool = True) -> LearningIndexPage:
    existing = LearningIndexPage.objects.child_of(home_page).first()
    if existing is not None:
        return existing
    return _add(home_page, LearningIndexPage(title=title, slug="learning"), live=live)


def series(index, *, title: str | None = None, live: bool = True, **fields) -> SeriesPage:
    title = title or f"Series {next(_counter)}"
    return _add(index, SeriesPage(title=title, summary=f"About {title}.", **fields), live=live)


def module(parent, *, title: str | None = None, video: Video | None = None, live: bool = True, **fields) -> ModulePage:
    title = title or f"Module {next(_counter)}"
    video = video if video is not None else ready_video(title=title)
    return _add(parent, ModulePage(title=title, summary=f"About {title}.", video=video, **fields), live=live)


def contributor(*, name: str = "Sam Jones", **fields) -> Contributor:
    fields.setdefault("consent_scope", "Filmed story, shown to DWP staff on JCP Learning for three years.")
    fields.setdefault("consent_review_on", timezone.localdate() + datetime.timedelta(days=365))
    return Contributor.objects.create(name=name, **fields)


def film(index, *, title: str | None = None, storyteller=None, video=None, live: bool = True, **fields):
    title = title or f"Film {next(_counter)}"
    video = video if video is not None else ready_video(title=title)
    storyteller = storyteller or contributor()
    page = HumanLibraryFilmPage(title=title, summary=f"About {title}.", video=video, storyteller=storyteller, **fields)
    return _add(index, page, live=live)


def webinar(index, *, title: str | None = None, video=None, live: bool = True, **fields) -> WebinarPage:
    title = title or f"Webinar {next(_counter)}"
    fields.setdefault("starts_at", timezone.now() - datetime.timedelta(days=7))
    return _add(index, WebinarPage(title=title, summary=f"About {title}.", video=video, **fields), live=live)


def _add(parent, page, *, live: bool):
    page.live = live
    parent.add_child(instance=page)
    page.save_revision(log_action=False)
    return page
