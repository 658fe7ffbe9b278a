"""What every report shares: the filters, the counts of one row, the learning items, and who is assigned what.

**One item.** For a module, series, film or webinar, each member of staff counts once: *completed* (a completion
exists), *in progress* (started, not completed), or *not started*. *Overdue*: the item is assigned to them, the due
date has passed and they have not completed it.

**All required learning** (no item chosen) is every piece of learning assigned to each person, counted per
person and item: someone with three assigned items counts three times, so % complete is the share of assigned
pieces of learning that are done.

"Staff" at a jobcentre are the people whose staff record says they work there *now* (StaffProfile.jobcentre).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from lms.models import Assignment, Jobcentre, JobRole

#: The page types reports count, by content type model name, with the name managers see.
ITEM_KINDS = {
    "seriespage": "Series",
    "modulepage": "Module",
    "humanlibraryfilmpage": "Human library film",
    "webinarpage": "Webinar",
}

SORT_KEYS = ("name", "staff", "not_started", "in_progress", "completed", "percent", "overdue")


@dataclass(frozen=True)
class ReportFilters:
    """What the manager asked for. ``item_id=None`` means all required learning."""

    item_id: int | None = None
    district_id: int | None = None
    job_role: str = ""
    assigned_only: bool = False
    completed_from: datetime.date | None = None
    completed_to: datetime.date | None = None
    sort: str = "name"
    descending: bool = False

    @property
    def dated(self) -> bool:
        return self.completed_from is not None or self.completed_to is not None

    def completed_bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The date range as [start, end) instants: whole days, UK time."""

        def midnight(day: datetime.date) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        start = midnight(self.completed_from) if self.completed_from else None
        end = midnight(self.completed_to + datetime.timedelta(days=1)) if self.completed_to else None
        return start, end

    def completed_in_range(self, at: datetime.datetime) -> bool:
        start, end = self.completed_bounds()
        return (start is None or at >= start) and (end is None or at < end)

    def completed_at_q(self, prefix: str = "") -> Q:
        """Completions inside the date range."""
        start, end = self.completed_bounds()
        q = Q()
        if start is not None:
            q &= Q(**{f"{prefix}completed_at__gte": start})
        if end is not None:
            q &= Q(**{f"{prefix}completed_at__lt": end})
        return q

    def describe(self, *, item_title: str, district_name: str | None) -> list[tuple[str, str]]:
        """The filters in words, for the page and the header rows of exports."""
        lines = [("Learning", item_title)]
        lines.append(("District", district_name or "All districts in your area"))
        lines.append(("Job role", JobRole(self.job_role).label if self.job_role else "All job roles"))
        lines.append(("Staff counted", "Only staff it is assigned to" if self.assigned_only else "All staff"))
        if self.dated:
            start = f"{self.completed_from:%-d %B %Y}" if self.completed_from else "the start"
            end = f"{self.completed_to:%-d %B %Y}" if self.completed_to else "today"
            lines.append(("Completed between", f"{start} and {end}"))
        return lines


@dataclass
class Counts:
    """One row of a report. ``required`` is what % complete is out of: staff for one item, person-items for all
    required learning. ``completed_outside`` (only with a date range) is completed before or after the dates."""

    staff: int = 0
    required: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    completed_outside: int = 0
    overdue: int = 0

    def add(self, other: "Counts") -> None:
        self.staff += other.staff
        self.required += other.required
        self.not_started += other.not_started
        self.in_progress += other.in_progress
        self.completed += other.completed
        self.completed_outside += other.completed_outside
        self.overdue += other.overdue

    @property
    def percent(self) -> int | None:
        """Completed as a whole percentage, rounded down (so 100% means every one); None when there is no one."""
        if not self.required:
            return None
        return self.completed * 100 // self.required

    def sort_value(self, key: str):
        value = getattr(self, key)
        return -1 if value is None else value


@dataclass(frozen=True)
class ItemChoice:
    pk: int
    title: str
    kind: str
    live: bool = True

    @property
    def label(self) -> str:
        return f"{self.title} ({self.kind.lower()})"


def report_items(*, item_ids: list[int] | None = None) -> list[ItemChoice]:
    """Learning items managers can report on (live series, modules, films and webinars in tree order), or, with
    ``item_ids``, exactly those items whether live or not. One query."""
    pages = Page.objects.filter(content_type__app_label="lms", content_type__model__in=list(ITEM_KINDS))
    pages = pages.filter(pk__in=item_ids) if item_ids is not None else pages.filter(live=True)
    rows = pages.order_by("path").values_list("pk", "title", "content_type__model", "live")
    return [ItemChoice(pk, title, ITEM_KINDS[model], live) for pk, title, model, live in rows]


@dataclass(frozen=True)
class Coverage:
    """Assignments, resolved for a (jobcentre, job role): which items they must do and the earliest due date."""

    assignments: tuple = field(default=())

    @classmethod
    def load(cls, *, item_ids: list[int] | None) -> "Coverage":
        """Assignments of ``item_ids`` (all assignments when ``None``). One query."""
        rows = Assignment.objects.all()
        if item_ids is not None:
            rows = rows.filter(item_id__in=item_ids)
        fields = ("item_id", "level", "jobcentre_id", "district_id", "group_id", "job_role", "due_on")
        return cls(tuple(rows.values_list(*fields)))

    @property
    def role_specific(self) -> bool:
        """Is any of these assignments limited to one job role? If not, counts need not be split by role."""
        return any(row[5] for row in self.assignments)

    @property
    def item_ids(self) -> list[int]:
        return sorted({row[0] for row in self.assignments})

    def due_dates(self, *, jobcentre: Jobcentre, job_role: str) -> dict[int, datetime.date]:
        """{item id: earliest due date} of the items assigned to staff at ``jobcentre`` with ``job_role``."""
        due: dict[int, datetime.date] = {}
        district_id, group_id = jobcentre.district_id, jobcentre.district.group_id
        for item_id, level, site_id, assigned_district, assigned_group, role, due_on in self.assignments:
            if role and role != job_role:
                continue
            if (
                level == "national"
                or (level == "group" and assigned_group == group_id)
                or (level == "district" and assigned_district == district_id)
                or (level == "site" and site_id == jobcentre.pk)
            ) and (item_id not in due or due_on < due[item_id]):
                due[item_id] = due_on
        return due


def status_counts(
    *,
    staff: int,
    completed: int,
    in_progress: int,
    completed_in_range: int | None,
    overdue: bool,
    into: type[Counts] = Counts,
) -> Counts:
    """Counts (an ``into``) for ``staff`` people and one item. The roll-up can briefly disagree with staff numbers
    (a race that ``rollups_rebuild`` repairs), so values are clamped to stay within the staff count."""
    completed = max(0, min(completed, staff))
    in_progress = max(0, min(in_progress, staff - completed))
    outside = 0
    if completed_in_range is not None:
        outside = completed - max(0, min(completed_in_range, completed))
    return into(
        staff=staff,
        required=staff,
        completed=completed - outside,
        completed_outside=outside,
        in_progress=in_progress,
        not_started=staff - completed - in_progress,
        overdue=staff - completed if overdue else 0,
    )
