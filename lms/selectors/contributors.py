"""Contributors: whose consent is due for review, and what withdrawing someone's consent would touch (reads only).

A page *features* a contributor when its current content (the page row) or its latest draft names them as the
storyteller, a contributor or a presenter. Older revisions that name them are not "featuring" pages – those pages
have moved on – but they are scrubbed on withdrawal all the same (see ``lms.services.contributors``).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page, Revision

from lms.models import Contributor, ContributorStatus, HumanLibraryFilmPage, ModulePage, WebinarPage
from media_pipeline.models import Video
from media_pipeline.selectors import video_pages

LEARNING_ITEM_MODELS = (ModulePage, HumanLibraryFilmPage, WebinarPage)
PEOPLE_KEYS = ("contributors", "presenters")
REVIEW_WARNING_DAYS = 30


def contributors_consent_review_due(*, today: datetime.date | None = None, within_days: int = REVIEW_WARNING_DAYS):
    """Active contributors whose consent review date has passed or falls within ``within_days``, soonest first."""
    today = today or timezone.localdate()
    return Contributor.objects.filter(
        status=ContributorStatus.ACTIVE, consent_review_on__lte=today + datetime.timedelta(days=within_days)
    ).order_by("consent_review_on", "name")


def contributors_choosable() -> QuerySet[Contributor]:
    """The contributors an author may put on a page: everyone whose consent stands."""
    return Contributor.objects.filter(status=ContributorStatus.ACTIVE)


def revision_people_ids(content: dict) -> set[int]:
    """The contributor ids a page revision's content names (storyteller, contributors, presenters)."""
    ids = set()
    if content.get("storyteller"):
        ids.add(int(content["storyteller"]))
    for key in PEOPLE_KEYS:
        ids.update(int(pk) for pk in content.get(key) or [])
    return ids


def learning_item_content_types() -> list[ContentType]:
    return list(ContentType.objects.get_for_models(*LEARNING_ITEM_MODELS).values())


@dataclass
class WithdrawalPlan:
    """What withdrawing ``contributor``'s consent does, for the confirmation page and the service alike."""

    contributor: Contributor
    pages: list[Page] = field(default_factory=list)  # featuring them, specific, by title
    videos: list[Video] = field(default_factory=list)  # to erase
    # video id → pages that use the video but do not feature them (they lose the video and go offline too)
    shared: dict = field(default_factory=dict)

    @property
    def live_pages(self) -> list[Page]:
        return [page for page in self.pages if page.live]

    @property
    def other_pages(self) -> list[Page]:
        seen, pages = set(), []
        for others in self.shared.values():
            for page in others:
                if page.pk not in seen:
                    seen.add(page.pk)
                    pages.append(page)
        return pages

    @property
    def pages_to_unpublish(self) -> list[Page]:
        return [page for page in [*self.pages, *self.other_pages] if page.live]

    def shared_pages_of(self, video: Video) -> list[Page]:
        return self.shared.get(video.pk, [])


def _featuring_page_ids(contributor: Contributor) -> set[int]:
    ids = set(HumanLibraryFilmPage.objects.filter(storyteller=contributor).values_list("pk", flat=True))
    for model in LEARNING_ITEM_MODELS:
        ids.update(model.objects.filter(contributors=contributor).values_list("pk", flat=True))
    ids.update(WebinarPage.objects.filter(presenters=contributor).values_list("pk", flat=True))
    latest = Revision.objects.filter(
        pk__in=Page.objects.filter(content_type__in=learning_item_content_types()).values("latest_revision_id")
    ).only("object_id", "content")
    for revision in latest.iterator():
        if contributor.pk in revision_people_ids(revision.content):
            ids.add(int(revision.object_id))
    return ids


def _latest_video_ids(pages: list[Page]) -> dict[int, set]:
    """page id → the video ids of its row and its latest revision."""
    found = {page.pk: {page.video_id} - {None} for page in pages}
    revisions = Revision.objects.filter(pk__in=[page.latest_revision_id for page in pages if page.latest_revision_id])
    for revision in revisions.only("object_id", "content"):
        if video_id := revision.content.get("video"):
            found[int(revision.object_id)].add(_uuid(video_id))
    return found


def _uuid(value):
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _pages_using_videos(video_ids: set) -> dict:
    """video id → every page using it: learning items (row or latest draft) and anything in the reference index."""
    using: dict = {video_id: {} for video_id in video_ids}
    for model in LEARNING_ITEM_MODELS:
        for page in model.objects.filter(video_id__in=video_ids):
            using[page.video_id][page.pk] = page
    latest = Revision.objects.filter(
        pk__in=Page.objects.filter(content_type__in=learning_item_content_types()).values("latest_revision_id")
    ).only("object_id", "content")
    draft_users: dict = {}
    for revision in latest.iterator():
        video_id = revision.content.get("video")
        if video_id and _uuid(video_id) in video_ids:
            draft_users.setdefault(_uuid(video_id), set()).add(int(revision.object_id))
    for video in Video.objects.filter(pk__in=video_ids):
        page_ids = draft_users.get(video.pk, set()) | set(video_pages(video=video).values_list("pk", flat=True))
        for page in Page.objects.filter(pk__in=page_ids - set(using[video.pk])).specific():
            using[video.pk][page.pk] = page
    return using


def contributor_withdrawal_plan(*, contributor: Contributor) -> WithdrawalPlan:
    """Every page featuring ``contributor``, the videos on those pages, and who else uses those videos."""
    page_ids = _featuring_page_ids(contributor)
    pages = sorted(Page.objects.filter(pk__in=page_ids).specific(), key=lambda page: (page.title.lower(), page.pk))
    video_ids = set().union(*_latest_video_ids(pages).values()) if pages else set()
    videos = sorted(Video.objects.filter(pk__in=video_ids), key=lambda video: video.title.lower())
    existing = {video.pk for video in videos}
    shared = {}
    for video_id, users in _pages_using_videos(existing).items():
        others = sorted((page for pk, page in users.items() if pk not in page_ids), key=lambda page: page.title)
        if others:
            shared[video_id] = others
    return WithdrawalPlan(contributor=contributor, pages=pages, videos=videos, shared=shared)
