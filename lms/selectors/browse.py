"""Finding learning: the browse page (series, films and webinars, filtered by topic), a series' modules with the
learner's progress through them, and where a module sits in its series. Reads only."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from wagtail.models import Page

from lms.models import HumanLibraryFilmPage, LearningIndexPage, ModulePage, SeriesPage, Topic, WebinarPage
from lms.selectors.learning import ItemProgress, Status, learner_progress

BROWSE_PAGE_SIZE = 10


@dataclass(frozen=True)
class BrowseEntry:
    page: Page
    kind: str
    progress: ItemProgress
    module_count: int = 0


@dataclass(frozen=True)
class TopicChoice:
    slug: str
    name: str
    checked: bool


@dataclass(frozen=True)
class Browse:
    entries: PaginatorPage
    topics: list[TopicChoice]
    selected_topics: list[str]
    total: int

    @property
    def is_filtered(self) -> bool:
        return bool(self.selected_topics)

    @property
    def has_demo(self) -> bool:
        """Some of the learning shown is demonstration content (``is_demo``)."""
        return any(getattr(entry.page, "is_demo", False) for entry in self.entries.object_list)


@dataclass(frozen=True)
class SeriesModule:
    page: ModulePage
    number: int
    progress: ItemProgress


@dataclass(frozen=True)
class SeriesOverview:
    modules: list[SeriesModule]
    completed_count: int
    counted_total: int
    counts_required_only: bool
    next_module: SeriesModule | None
    progress: ItemProgress

    @property
    def started(self) -> bool:
        return any(row.progress.is_started for row in self.modules)


@dataclass(frozen=True)
class SeriesPosition:
    series: Page
    number: int
    total: int
    previous: ModulePage | None
    next: ModulePage | None


def learning_browse(
    *,
    index: LearningIndexPage,
    user,
    topic_slugs: list[str],
    page_number: str | None,
    page_size: int = BROWSE_PAGE_SIZE,
) -> Browse:
    """The live series, films and webinars under ``index`` (series first, then films, then webinars newest
    first), those with any of ``topic_slugs`` when given, one page of ``page_size`` at a time with the learner's
    status on each. Unknown topic slugs are ignored. A constant number of queries, whatever the number of items.
    """
    topics = list(Topic.objects.all())
    known = {topic.slug for topic in topics}
    selected = [slug for slug in dict.fromkeys(topic_slugs) if slug in known]

    def live(model):
        queryset = model.objects.live().child_of(index)
        if selected:
            queryset = queryset.filter(topics__slug__in=selected).distinct()
        return queryset

    series_list = list(live(SeriesPage).order_by("path"))
    films = list(live(HumanLibraryFilmPage).select_related("video").order_by("path"))
    webinars = list(live(WebinarPage).order_by("-starts_at", "path"))

    modules_by_series: dict[int, list[int]] = defaultdict(list)
    if series_list:
        series_by_path = {series.path: series.pk for series in series_list}
        step = ModulePage.steplen
        for pk, path in (
            ModulePage.objects.live()
            .filter(depth=index.depth + 2, path__startswith=index.path)
            .values_list("pk", "path")
        ):
            parent = series_by_path.get(path[:-step])
            if parent is not None:
                modules_by_series[parent].append(pk)

    ordered = [("Series", page) for page in series_list]
    ordered += [("Human library film", page) for page in films]
    ordered += [("Webinar", page) for page in webinars]
    paginator = Paginator(ordered, page_size)
    current = paginator.get_page(page_number)

    shown_ids = [page.pk for _, page in current.object_list]
    module_ids = [pk for _, page in current.object_list for pk in modules_by_series.get(page.pk, [])]
    progress = learner_progress(user=user, item_ids=[*shown_ids, *module_ids])
    entries = []
    for kind, page in current.object_list:
        if isinstance(page, SeriesPage):
            status = _series_progress(progress[page.pk], [progress[pk] for pk in modules_by_series.get(page.pk, [])])
        else:
            status = progress[page.pk]
        entries.append(
            BrowseEntry(page=page, kind=kind, progress=status, module_count=len(modules_by_series.get(page.pk, [])))
        )
    current.object_list = entries
    return Browse(
        entries=current,
        topics=[TopicChoice(slug=topic.slug, name=topic.name, checked=topic.slug in selected) for topic in topics],
        selected_topics=selected,
        total=paginator.count,
    )


def series_overview(*, series: SeriesPage, user) -> SeriesOverview:
    """The live modules of ``series`` in order, each with the learner's status, "N of M complete" and the module
    to start or continue with. When some modules are optional, the count is of required modules (those decide
    when the series is complete). Three queries whatever the number of modules.
    """
    pages = list(ModulePage.objects.live().child_of(series).select_related("video").order_by("path"))
    progress = learner_progress(user=user, item_ids=[series.pk, *(page.pk for page in pages)])
    modules = [
        SeriesModule(page=page, number=number, progress=progress[page.pk]) for number, page in enumerate(pages, 1)
    ]
    required = [row for row in modules if row.page.is_required]
    counted = required if len(required) < len(modules) and required else modules
    next_module = next(
        (row for row in modules if row.progress.status == Status.IN_PROGRESS),
        next((row for row in modules if not row.progress.is_completed), None),
    )
    return SeriesOverview(
        modules=modules,
        completed_count=sum(1 for row in counted if row.progress.is_completed),
        counted_total=len(counted),
        counts_required_only=counted is required and len(required) < len(modules),
        next_module=next_module,
        progress=_series_progress(progress[series.pk], [row.progress for row in modules]),
    )


def module_in_series(*, module: ModulePage) -> SeriesPosition | None:
    """ "Module 3 of 8" and the previous and next live modules. Two queries."""
    series = Page.objects.filter(depth=module.depth - 1, path=module.path[: -module.steplen]).first()
    if series is None:
        return None
    siblings = list(ModulePage.objects.live().child_of(series).order_by("path").only("title", "url_path", "path"))
    ids = [page.pk for page in siblings]
    if module.pk not in ids:
        return SeriesPosition(series=series, number=0, total=len(siblings), previous=None, next=None)
    at = ids.index(module.pk)
    return SeriesPosition(
        series=series,
        number=at + 1,
        total=len(siblings),
        previous=siblings[at - 1] if at > 0 else None,
        next=siblings[at + 1] if at + 1 < len(siblings) else None,
    )


def learning_breadcrumbs(*, page: Page) -> list[Page]:
    """The pages above ``page`` from the site's home page down (Wagtail's root left out). One query."""
    return list(page.get_ancestors().filter(depth__gt=1))


def learning_browse_url(*, request) -> str | None:
    """The address of the live learning index (the "Browse" link in the navigation), or None. One query."""
    index = LearningIndexPage.objects.live().order_by("path").first()
    return index.get_url(request) if index is not None else None


def _series_progress(own: ItemProgress, modules: list[ItemProgress]) -> ItemProgress:
    if own.is_completed:
        return own
    if any(row.is_started for row in modules):
        done = sum(1 for row in modules if row.is_completed)
        return ItemProgress(status=Status.IN_PROGRESS, percent=int(100 * done / len(modules)) if modules else 0)
    return own
