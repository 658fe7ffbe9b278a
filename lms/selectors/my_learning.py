"""My learning: what a learner has been assigned, what they have started and what they have completed."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from wagtail.models import Page

from lms.models import (
    Completion,
    CompletionMethod,
    HumanLibraryFilmPage,
    ModulePage,
    Progress,
    SeriesPage,
    StaffProfile,
    WebinarPage,
)
from lms.selectors.assignments import assignments_for_staff
from lms.selectors.learning import ItemProgress, Status, resume_position
from media_pipeline.captions.timestamps import format_clock

#: What learners call each kind of item.
KIND_LABELS = {
    ModulePage: "Module",
    SeriesPage: "Series",
    HumanLibraryFilmPage: "Human library film",
    WebinarPage: "Webinar",
}

#: An assignment due within this many days is "due soon".
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class AssignedItem:
    item: Page
    kind: str
    due_on: date
    progress: ItemProgress
    overdue: bool
    due_soon: bool

    @property
    def tag_label(self) -> str:
        if self.progress.is_completed:
            return "Completed"
        return "Overdue" if self.overdue else self.progress.label

    @property
    def tag_class(self) -> str:
        if self.progress.is_completed:
            return Status.TAG_CLASSES[Status.COMPLETED]
        return "govuk-tag--red" if self.overdue else self.progress.tag_class


@dataclass(frozen=True)
class StartedItem:
    item: Page
    kind: str
    percent: int
    resume_at: float
    updated_at: datetime

    @property
    def resume_label(self) -> str:
        return format_clock(self.resume_at)


@dataclass(frozen=True)
class CompletedItem:
    item: Page
    kind: str
    completed_at: datetime
    method: str


@dataclass(frozen=True)
class MyLearning:
    assigned: list[AssignedItem]
    in_progress: list[StartedItem]
    completed: list[CompletedItem]

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.assigned if row.overdue)


def my_learning_overview(*, user, today: date | None = None) -> MyLearning:
    """The learner's assigned items (one line per item, earliest due date, live items only), the items they are
    part-way through (most recent first) and their completions (most recent first).

    A constant number of queries whatever the number of items: profile, assignments, progress, completions.
    An assigned series counts as in progress when any of its modules is.
    """
    today = today or timezone.localdate()
    profile = StaffProfile.objects.select_related("jobcentre__district").filter(user=user).first()

    completions = list(
        Completion.objects.filter(user=user, item__live=True).select_related("item").order_by("-completed_at", "-pk")
    )
    completed_at = {completion.item_id: completion.completed_at for completion in completions}
    progress_rows = list(
        Progress.objects.filter(user=user, item__live=True).select_related("item").order_by("-updated_at", "-pk")
    )

    in_progress = []
    started_paths = []
    for row in progress_rows:
        started = row.watched_seconds > 0 or row.position > 0
        if started:
            started_paths.append(row.item.path)
        if not started or row.item_id in completed_at:
            continue
        in_progress.append(
            StartedItem(
                item=row.item,
                kind=_kind(row.item),
                percent=row.percent,
                resume_at=resume_position(position=row.position, duration=row.duration, completed=False),
                updated_at=row.updated_at,
            )
        )
    progress_by_item = {row.item_id: row for row in progress_rows}

    assigned: dict[int, AssignedItem] = {}
    for assignment in assignments_for_staff(profile=profile).filter(item__live=True):
        if assignment.item_id in assigned:
            continue  # ordered by due date: the first line is the earliest
        item = assignment.item
        if item.pk in completed_at:
            progress = ItemProgress(status=Status.COMPLETED, percent=100, completed_at=completed_at[item.pk])
        elif (row := progress_by_item.get(item.pk)) is not None and (row.watched_seconds > 0 or row.position > 0):
            progress = ItemProgress(status=Status.IN_PROGRESS, percent=row.percent)
        elif any(path.startswith(item.path) and path != item.path for path in started_paths):
            progress = ItemProgress(status=Status.IN_PROGRESS)  # a series with a module started
        else:
            progress = ItemProgress()
        days_left = (assignment.due_on - today).days
        assigned[item.pk] = AssignedItem(
            item=item,
            kind=_kind(item),
            due_on=assignment.due_on,
            progress=progress,
            overdue=not progress.is_completed and days_left < 0,
            due_soon=not progress.is_completed and 0 <= days_left <= DUE_SOON_DAYS,
        )

    completed = [
        CompletedItem(
            item=completion.item,
            kind=_kind(completion.item),
            completed_at=completion.completed_at,
            method=CompletionMethod(completion.method).label,
        )
        for completion in completions
    ]
    return MyLearning(assigned=list(assigned.values()), in_progress=in_progress, completed=completed)


def _kind(page: Page) -> str:
    return KIND_LABELS.get(page.specific_class, "Learning")
