"""Demo learning content for ``seed_demo``: pages, synthetic videos through the real pipeline, and documents.

What the content says lives in ``home.demo_content`` (a table written by hand, and hand-written caption files);
this module makes it exist. Everything is idempotent, matched on stable keys: pages on their slug under their
parent, videos on their demo file name, documents on their title in the demo collection, topics on their slug,
content notes on their name, contributors on their name and their consent record's "fictional person" preamble.
What already exists is kept as it is (an editor's changes are not overwritten) and nothing is uploaded twice.

Videos are made with ``media_pipeline.synthetic.make_clip`` (a title card and a tone, as long as the video's
caption file needs), uploaded with ``video_create`` with their caption file, and processed by the pipeline: the
queued job, or, so that the pages can pass the publish gate straight away, here and now (see
``_videos_wait_ready``). Pages are created as drafts and published once their video is ready, through
``revision.publish()`` and so through the publish gate like any other page. Every series, module, film and webinar
made here has ``is_demo=True``, so learners see that it is demonstration content (the browse page, the index, is
the site's structure rather than content, and has no such flag).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page

from home.demo_content import DOCUMENTS_DIR, catalogue
from home.demo_content.catalogue import DemoDocument, DemoVideo
from home.demo_content.pdf import A4, SLIDE, blocks_parse, pdf_document
from lms.models import (
    ContentNote,
    Contributor,
    HumanLibraryFilmPage,
    LearningIndexPage,
    ModulePage,
    SeriesPage,
    Topic,
    WebinarPage,
)
from media_pipeline.models import CaptionTrack, Video, VideoStatus
from media_pipeline.services.erasure import video_erase
from media_pipeline.services.ingest import CaptionUpload, caption_track_add, video_create, video_process
from media_pipeline.synthetic import make_clip

logger = logging.getLogger(__name__)

DEMO_COLLECTION = "Demonstration content"
DOCUMENT_AUTHOR = "JCP Learning (demonstration content)"
DEFAULT_WAIT_SECONDS = 900


class DemoContentError(Exception):
    """The demo could not be built; the message says what went wrong and what to do."""


@dataclass(frozen=True)
class DemoVideoFormat:
    """The picture of the synthetic demo videos. Their length is fixed by the caption files, not by this."""

    width: int = 640
    height: int = 360
    fps: int = 15
    audio: bool = True  # a beep every second; tests turn it off, as encoding audio is most of the cost

    @classmethod
    def parse(cls, text: str, *, audio: bool = True) -> DemoVideoFormat:
        """``"640x360"`` or ``"640x360@25"`` (frames per second; 15 if not given)."""
        size, _, fps = text.partition("@")
        width, _, height = size.partition("x")
        try:
            made = cls(int(width), int(height), int(fps or 15), audio)
        except ValueError:
            raise ValueError(f"{text!r} is not a video size like 640x360 or 640x360@25") from None
        if made.width <= 0 or made.height <= 0 or made.width % 2 or made.height % 2 or made.fps <= 0:
            raise ValueError(f"{text!r}: width and height must be positive even numbers, and fps positive")
        return made


@dataclass
class Tally:
    """What a run created and what it found already there, per kind of thing."""

    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)

    def count(self, kind: str, created: bool) -> None:
        (self.created if created else self.kept)[kind] += 1

    def as_dict(self) -> dict:
        kinds = sorted(set(self.created) | set(self.kept))
        return {kind: {"created": self.created[kind], "kept": self.kept[kind]} for kind in kinds}


@dataclass
class DemoContent:
    """The demo's pages (specific instances), by slug, for assignments and progress."""

    index: LearningIndexPage
    series: SeriesPage
    modules: list[ModulePage]
    films: list[HumanLibraryFilmPage]
    webinar: WebinarPage

    def items(self) -> list[Page]:
        """Every learning item: the modules in order, the films, the webinar."""
        return [*self.modules, *self.films, self.webinar]

    def by_slug(self, slug: str) -> Page:
        if slug == "series":
            return self.series
        return next(page for page in [self.series, *self.items()] if page.slug == slug)


def demo_content_ensure(
    *, home: Page, video_format: DemoVideoFormat | None = None, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> tuple[DemoContent, Tally]:
    """Create whatever is missing of the demo content under ``home``, and publish it. Idempotent.

    New videos are processed here as they are uploaded, and any others not ready yet afterwards (or, if a worker
    already has one, waited for up to ``wait_seconds``), because a page can only go live with a ready video and
    clean English captions. Raises ``DemoContentError`` if a demo video fails or does not become ready in time;
    no page is created or published then, and the next run carries on from there.
    """
    tally = Tally()
    video_format = video_format or DemoVideoFormat()
    topics = _topics_ensure(tally)
    notes = _content_notes_ensure(tally)
    people = _contributors_ensure(tally)
    videos = _videos_ensure(tally, video_format)
    _videos_wait_ready(list(videos.values()), wait_seconds=wait_seconds)
    documents = _documents_ensure(tally)
    with transaction.atomic():
        content = _pages_ensure(
            tally=tally, home=home, topics=topics, notes=notes, people=people, videos=videos, documents=documents
        )
    return content, tally


# --- snippets -------------------------------------------------------------------------------------------------


def _topics_ensure(tally: Tally) -> dict[str, Topic]:
    topics = {}
    for demo in catalogue.TOPICS:
        topic, created = Topic.objects.get_or_create(
            slug=demo.slug, defaults={"name": demo.name, "description": demo.description}
        )
        tally.count("topics", created)
        topics[demo.slug] = topic
    return topics


def _content_notes_ensure(tally: Tally) -> dict[str, ContentNote]:
    notes = {}
    for name, description in catalogue.CONTENT_NOTES:
        note, created = ContentNote.objects.get_or_create(name=name, defaults={"description": description})
        tally.count("content_notes", created)
        notes[name] = note
    return notes


def _contributors_ensure(tally: Tally) -> dict[str, Contributor]:
    people = {}
    today = timezone.localdate()
    for demo in catalogue.CONTRIBUTORS:
        given = today - timedelta(days=demo.consent_given_days_ago)
        person = Contributor.objects.filter(
            name=demo.name, consent_scope__startswith=catalogue.FICTIONAL_PERSON
        ).first()
        created = person is None
        if created:
            person = Contributor.objects.create(
                name=demo.name,
                organisation=demo.organisation,
                credit_preference=demo.credit,
                consent_scope=catalogue.consent_scope(demo),
                consent_given_on=given,
                consent_review_on=given + timedelta(days=catalogue.CONSENT_REVIEW_DAYS),
            )
        tally.count("contributors", created)
        people[demo.key] = person
    return people


# --- videos ---------------------------------------------------------------------------------------------------


def _videos_ensure(tally: Tally, video_format: DemoVideoFormat) -> dict[str, Video]:
    """The demo videos by key: existing ones kept (a failed one is erased and made again), missing ones made,
    uploaded and processed.

    The clips are made one ahead in a background thread while this thread uploads and processes the one before:
    both are mostly FFmpeg encoding, which runs outside the GIL, so on two or more cores this takes about as long
    as the processing alone. The thread touches no database and no storage.
    """
    videos, missing = {}, []
    for demo in catalogue.demo_videos():
        existing = list(Video.objects.filter(original_filename=demo.filename).order_by("-created_at"))
        usable = next((video for video in existing if video.status != VideoStatus.FAILED), None)
        for video in existing:
            if video is not usable and video.status == VideoStatus.FAILED:
                logger.warning("demo video %s failed earlier (%s); making it again", demo.key, video.failure_reason)
                video_erase(video_id=video.pk)
        tally.count("videos", usable is None)
        if usable is None:
            missing.append(demo)
        else:
            _captions_ensure(usable, demo)
            videos[demo.key] = usable
    if not missing:
        return videos

    with tempfile.TemporaryDirectory(prefix="jcp-demo-") as workdir, ThreadPoolExecutor(max_workers=1) as maker:
        clips = [
            maker.submit(
                make_clip,
                Path(workdir) / demo.filename,
                seconds=demo.seconds,
                width=video_format.width,
                height=video_format.height,
                fps=video_format.fps,
                with_audio=video_format.audio,
                title=demo.card,
            )
            for demo in missing
        ]
        try:
            for demo, clip in zip(missing, clips, strict=True):
                path = clip.result()
                video = video_create(
                    title=demo.title, video_path=path, original_filename=demo.filename, captions=[_caption_upload(demo)]
                )
                path.unlink()
                # The upload also queued its processing job; doing it now lets the next clip be made meanwhile.
                videos[demo.key] = video_process(video_id=video.pk)
        finally:
            for clip in clips:
                clip.cancel()
    return videos


def _caption_upload(demo: DemoVideo) -> CaptionUpload:
    return CaptionUpload(path=demo.captions_path, filename=demo.captions_path.name, language="en-GB", label="English")


def _captions_ensure(video: Video, demo: DemoVideo) -> None:
    """Put the demo captions back on a demo video that has lost its English track."""
    if not any(track.is_english_captions for track in CaptionTrack.objects.filter(video=video)):
        caption_track_add(video=video, upload=_caption_upload(demo))


def _videos_wait_ready(videos: list[Video], *, wait_seconds: float, poll_seconds: float = 1.0) -> None:
    """Process every demo video that is not ready yet, here, then wait for any that a worker is processing.

    Each upload also queued a ``process_video`` job; ``video_process`` lets one of the two do the work, and the
    other finds the video ready and does nothing. Running it here means ``seed_demo`` ends with every page live
    even when no worker is running yet (``make run`` starts the worker after seeding).
    """
    for video in videos:
        if video.status != VideoStatus.READY:
            video_process(video_id=video.pk)
    deadline = time.monotonic() + wait_seconds
    waiting = [video.pk for video in videos]
    while True:
        statuses = dict(Video.objects.filter(pk__in=waiting).values_list("pk", "status"))
        failed = Video.objects.filter(pk__in=waiting, status=VideoStatus.FAILED).first()
        if failed is not None:
            raise DemoContentError(
                f"The demo video '{failed.title}' could not be processed: {failed.failure_reason} "
                "Run seed_demo again to make it again."
            )
        waiting = [pk for pk, status in statuses.items() if status != VideoStatus.READY]
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise DemoContentError(
                f"{len(waiting)} demo videos were still processing after {wait_seconds:g} seconds. Check that the "
                "task worker is running, then run seed_demo again."
            )
        time.sleep(poll_seconds)
        for pk in waiting:  # a worker that crashed mid-job leaves it to us once its lease runs out
            video_process(video_id=pk)


# --- documents ------------------------------------------------------------------------------------------------


def _collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=DEMO_COLLECTION).first()
    return existing or root.add_child(name=DEMO_COLLECTION)


def document_pdf(demo: DemoDocument) -> bytes:
    """The demo document as a tagged PDF, made from its hand-written source."""
    source = (DOCUMENTS_DIR / f"{demo.key}.txt").read_text(encoding="utf-8")
    return pdf_document(
        pages=blocks_parse(source),
        title=demo.title,
        author=DOCUMENT_AUTHOR,
        subject=demo.description,
        page_size=SLIDE if demo.layout == "slides" else A4,
        footer=f"{demo.title} | JCP Learning demonstration content",
    )


def _documents_ensure(tally: Tally) -> dict[str, object]:
    Document = get_document_model()
    collection = _collection()
    documents = {}
    for demo in catalogue.DOCUMENTS:
        document = Document.objects.filter(title=demo.title, collection=collection).first()
        tally.count("documents", document is None)
        if document is None:
            document = Document(title=demo.title, collection=collection)
            document.file.save(f"{demo.key}.pdf", ContentFile(document_pdf(demo)), save=False)
            document._set_document_file_metadata()
            document.save()
        documents[demo.key] = document
    return documents


# --- pages ----------------------------------------------------------------------------------------------------


def _page_ensure(
    tally: Tally, parent: Page, model: type[Page], slug: str, build: Callable[[], Page], video: Video | None = None
) -> Page:
    """The child of ``parent`` with ``slug``, or a new one from ``build()`` published through the gate.

    A page that was never published (an earlier run stopped before its video was ready) is published now; one
    that an editor has unpublished is left alone. A learning item whose video was erased (a demo video that failed
    is made again) gets ``video`` back, in a new revision that is published if the page was live.
    """
    page = model.objects.child_of(parent).filter(slug=slug).first()
    tally.count("pages", page is None)
    if page is None:
        page = build()
        page.slug, page.live = slug, False
        if hasattr(page, "is_demo"):
            page.is_demo = True
        parent.add_child(instance=page)
        page.save_revision(log_action=True).publish()
    elif video is not None and page.video_id is None:
        page.video = video
        revision = page.save_revision(log_action=True)
        if page.live or page.first_published_at is None:
            revision.publish()
    elif not page.live and page.first_published_at is None:
        (page.get_latest_revision() or page.save_revision()).publish()
    page.refresh_from_db()
    return page


def _streams(block: str, values) -> list[tuple[str, object]]:
    return [(block, value) for value in values]


def _resources(documents: dict, keys: tuple[str, ...]) -> list[tuple[str, dict]]:
    """The ``resources`` stream for the demo documents with these keys."""
    demos = {demo.key: demo for demo in catalogue.DOCUMENTS}
    return [
        (
            "resource",
            {"document": documents[key], "kind": demos[key].kind, "title": "", "description": demos[key].description},
        )
        for key in keys
    ]


def _pages_ensure(*, tally, home, topics, notes, people, videos, documents) -> DemoContent:
    def index() -> LearningIndexPage:
        return LearningIndexPage(
            title=catalogue.LEARNING_INDEX["title"], introduction=catalogue.LEARNING_INDEX["introduction"]
        )

    learning = _page_ensure(tally, home, LearningIndexPage, catalogue.LEARNING_INDEX["slug"], index)
    demo_series = catalogue.SERIES

    def series() -> SeriesPage:
        page = SeriesPage(
            title=demo_series.title, summary=demo_series.summary, introduction=list(demo_series.introduction)
        )
        page.topics = [topics[slug] for slug in demo_series.topics]
        return page

    series_page = _page_ensure(tally, learning, SeriesPage, demo_series.slug, series)
    modules = []
    for demo in demo_series.modules:

        def module(demo=demo) -> ModulePage:
            page = ModulePage(
                title=demo.title,
                summary=demo.summary,
                video=videos[demo.slug],
                learning_outcomes=_streams("outcome", demo.outcomes),
                before_you_watch=demo.before_you_watch,
                reflective_questions=_streams("question", demo.questions),
                resources=_resources(documents, demo.documents),
            )
            page.topics = [topics[slug] for slug in demo.topics]
            page.contributors = [people[key] for key in demo.contributors]
            return page

        modules.append(_page_ensure(tally, series_page, ModulePage, demo.slug, module, videos[demo.slug]))

    films = []
    for demo in catalogue.FILMS:

        def film(demo=demo) -> HumanLibraryFilmPage:
            page = HumanLibraryFilmPage(
                title=demo.title,
                summary=demo.summary,
                video=videos[demo.slug],
                storyteller=people[demo.storyteller],
                content_note_detail=demo.content_note_detail,
                support=demo.support,
                reflective_questions=_streams("question", demo.questions),
            )
            page.content_notes = [notes[name] for name in demo.content_notes]
            page.topics = [topics[slug] for slug in demo.topics]
            page.contributors = [people[demo.storyteller]]
            return page

        films.append(_page_ensure(tally, learning, HumanLibraryFilmPage, demo.slug, film, videos[demo.slug]))

    demo_webinar = catalogue.WEBINAR

    def webinar() -> WebinarPage:
        day = timezone.localdate() - timedelta(days=demo_webinar.held_days_ago)
        starts_at = timezone.make_aware(datetime(day.year, day.month, day.day, demo_webinar.starts_hour))
        page = WebinarPage(
            title=demo_webinar.title,
            summary=demo_webinar.summary,
            video=videos[demo_webinar.slug],
            starts_at=starts_at,
            duration_minutes=demo_webinar.duration_minutes,
            resources=_resources(documents, demo_webinar.documents),
        )
        presenters = [people[key] for key in demo_webinar.presenters]
        page.presenters = presenters
        page.contributors = presenters
        page.topics = [topics[slug] for slug in demo_webinar.topics]
        return page

    webinar_page = _page_ensure(tally, learning, WebinarPage, demo_webinar.slug, webinar, videos[demo_webinar.slug])
    return DemoContent(index=learning, series=series_page, modules=modules, films=films, webinar=webinar_page)
