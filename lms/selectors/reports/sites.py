"""The site table: completion per jobcentre in scope, rolled up per district, per group and in total.

Counts come from the roll-up (``SiteItemRollup``) and staff numbers from ``StaffProfile``; a date range adds one
count of completions in the range. The number of queries does not depend on how many sites or items there are.

Closed jobcentres are shown only while someone's staff record still places them there, marked closed.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from lms.models import Completion, District, Jobcentre, SiteItemRollup, StaffProfile
from lms.selectors.scope import ReportScope, scope_jobcentres

from .common import Counts, Coverage, ItemChoice, ReportFilters, report_items, status_counts

#: Bars in the chart: one per jobcentre up to this many, else one per district, else one per group.
CHART_MAX_BARS = 30


@dataclass
class SiteRow(Counts):
    jobcentre: Jobcentre | None = None


@dataclass
class AreaRow(Counts):
    """A district, a group, or the total."""

    level: str = "total"
    pk: int | None = None
    name: str = "Total"
    children: list = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int
    completed: int
    required: int


@dataclass
class SiteReport:
    scope: ReportScope
    filters: ReportFilters
    item: ItemChoice | None
    sites: list[SiteRow]
    districts: list[AreaRow]
    groups: list[AreaRow]
    total: AreaRow
    chart_level: str = "jobcentre"
    bars: list[Bar] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.item.title if self.item else "All required learning"


#: The job role key when counts are not split by role (no assignment is limited to one role).
ANY_ROLE = ""


@dataclass
class SiteCounts:
    """The raw numbers for a set of jobcentres, keyed by (jobcentre id, job role[, item id]). When not split by
    role, the role is always ``ANY_ROLE`` and the numbers are already summed over roles by the database."""

    staff: dict[int, dict[str, int]]  # {jobcentre id: {job role: people}}
    rollup: dict[tuple[int, str, int], tuple[int, int]]
    in_range: dict[tuple[int, str, int], int] | None


def _site_q(*, jobcentres: list[Jobcentre] | None, field_name: str) -> Q:
    if jobcentres is None:
        return Q()  # every jobcentre: no filter needed
    return Q(**{f"{field_name}__in": [jobcentre.pk for jobcentre in jobcentres]})


def site_counts(
    *,
    jobcentres: list[Jobcentre] | None,
    filters: ReportFilters,
    item_ids: list[int] | None,
    by_role: bool = True,
) -> SiteCounts:
    """Staff per (site, role); roll-up per (site, role, item); completions in the date range if one is set.
    ``jobcentres=None``: every jobcentre (a national view). ``item_ids=None``: every item. ``by_role=False``:
    summed over roles by the database (fewer rows; when no assignment is limited to a job role).
    Two or three queries, whatever the numbers of sites and items."""
    role_q = Q(job_role=filters.job_role) if filters.job_role else Q()
    site_q = _site_q(jobcentres=jobcentres, field_name="jobcentre")
    item_q = Q() if item_ids is None else Q(item_id__in=item_ids)
    staff: dict[int, dict[str, int]] = defaultdict(dict)
    staff_rows = StaffProfile.objects.filter(site_q).filter(role_q, jobcentre__isnull=False).order_by()
    rollup_rows = SiteItemRollup.objects.filter(site_q).filter(role_q, item_q).order_by()
    if by_role:
        for site, role, n in staff_rows.values_list("jobcentre_id", "job_role").annotate(n=Count("pk")):
            staff[site][role] = n
        rollup_rows = rollup_rows.values_list("jobcentre_id", "job_role", "item_id", "completed", "in_progress")
        rollup = {(site, role, item): (done, started) for site, role, item, done, started in rollup_rows}
    else:
        for site, n in staff_rows.values_list("jobcentre_id").annotate(n=Count("pk")):
            staff[site][ANY_ROLE] = n
        rollup_rows = rollup_rows.values_list("jobcentre_id", "item_id").annotate(
            done=Sum("completed"), started=Sum("in_progress")
        )
        rollup = {(site, ANY_ROLE, item): (done, started) for site, item, done, started in rollup_rows}
    in_range = None
    if filters.dated:
        rows = (
            Completion.objects.filter(
                _site_q(jobcentres=jobcentres, field_name="user__staff_profile__jobcentre"),
                filters.completed_at_q(),
                item_q,
                user__staff_profile__jobcentre__isnull=False,
            )
            .filter(Q(user__staff_profile__job_role=filters.job_role) if filters.job_role else Q())
            .order_by()
        )
        if by_role:
            rows = rows.values_list(
                "user__staff_profile__jobcentre_id", "user__staff_profile__job_role", "item_id"
            ).annotate(n=Count("pk"))
            in_range = {(site, role, item): n for site, role, item, n in rows}
        else:
            rows = rows.values_list("user__staff_profile__jobcentre_id", "item_id").annotate(n=Count("pk"))
            in_range = {(site, ANY_ROLE, item): n for site, item, n in rows}
    return SiteCounts(staff=staff, rollup=rollup, in_range=in_range)


def jobcentre_counts(
    *,
    jobcentre: Jobcentre,
    counts: SiteCounts,
    due_by_role: dict[str, dict[int, datetime.date]],
    filters: ReportFilters,
    item_id: int | None,
    today: datetime.date,
) -> Counts:
    """The counts of one jobcentre for ``item_id`` (``None``: all required learning; see ``common``).
    ``due_by_role``: ``Coverage.due_dates`` of this jobcentre for each job role."""
    total = Counts()
    people = 0
    roles = counts.staff.get(jobcentre.pk, {})
    for role, staff in sorted(roles.items()):
        due = due_by_role[role]
        if item_id is None:
            role_items = sorted(due)
        elif filters.assigned_only:
            role_items = [item_id] if item_id in due else []
        else:
            role_items = [item_id]
        if role_items:
            people += staff
        for item in role_items:
            done, started = counts.rollup.get((jobcentre.pk, role, item), (0, 0))
            in_range = None if counts.in_range is None else counts.in_range.get((jobcentre.pk, role, item), 0)
            overdue = item in due and due[item] < today
            total.add(
                status_counts(
                    staff=staff, completed=done, in_progress=started, completed_in_range=in_range, overdue=overdue
                )
            )
    # People: everyone here, or with "assigned only" everyone with something assigned.
    total.staff = people if filters.assigned_only else sum(roles.values())
    return total


def _sorted(rows: list, filters: ReportFilters, name) -> list:
    if filters.sort == "name":
        return sorted(rows, key=name, reverse=filters.descending)
    rows = sorted(rows, key=name)
    return sorted(rows, key=lambda row: row.sort_value(filters.sort), reverse=filters.descending)


def report_site_table(
    *,
    scope: ReportScope,
    filters: ReportFilters,
    district: District | None = None,
    today: datetime.date | None = None,
) -> SiteReport:
    """Completion of ``filters.item_id`` (or all required learning) per jobcentre in ``scope``, optionally in one
    ``district``, with district, group and total rows. The caller has checked that ``district`` is in scope."""
    today = today or timezone.localdate()
    jobcentres = list(scope_jobcentres(scope=scope, district=district))
    if filters.item_id is not None:
        coverage = Coverage.load(item_ids=[filters.item_id])
        item_ids = [filters.item_id]
        items = report_items(item_ids=item_ids)
        item = items[0] if items else None
    else:
        coverage = Coverage.load(item_ids=None)
        item_ids = coverage.item_ids
        item = None
    by_role = coverage.role_specific
    everywhere = scope.national and district is None
    counts = site_counts(
        jobcentres=None if everywhere else jobcentres, filters=filters, item_ids=item_ids, by_role=by_role
    )

    sites: list[SiteRow] = []
    for jobcentre in jobcentres:
        roles = counts.staff.get(jobcentre.pk, {})
        due_by_role = {role: coverage.due_dates(jobcentre=jobcentre, job_role=role) for role in roles}
        row_counts = jobcentre_counts(
            jobcentre=jobcentre,
            counts=counts,
            due_by_role=due_by_role,
            filters=filters,
            item_id=filters.item_id,
            today=today,
        )
        if not jobcentre.is_active and row_counts.staff == 0:
            continue  # closed and nobody left there
        if filters.assigned_only and row_counts.required == 0:
            continue
        row = SiteRow(jobcentre=jobcentre)
        row.add(row_counts)
        sites.append(row)

    districts: dict[int, AreaRow] = {}
    groups: dict[int, AreaRow] = {}
    total = AreaRow()
    for row in sites:
        district_row = districts.get(row.jobcentre.district_id)
        if district_row is None:
            unit = row.jobcentre.district
            district_row = districts[unit.pk] = AreaRow(level="district", pk=unit.pk, name=str(unit))
            group = unit.group
            group_row = groups.get(group.pk)
            if group_row is None:
                group_row = groups[group.pk] = AreaRow(level="group", pk=group.pk, name=str(group))
            group_row.children.append(district_row)
        district_row.add(row)
        groups[row.jobcentre.district.group_id].add(row)
        total.add(row)

    by_name = lambda row: (row.name.lower(), row.pk)  # noqa: E731
    group_rows = _sorted(list(groups.values()), filters, by_name)
    for group_row in group_rows:
        group_row.children = _sorted(group_row.children, filters, by_name)
    site_rows = _sorted(sites, filters, lambda row: (row.jobcentre.name.lower(), row.jobcentre.pk))
    district_rows = [district_row for group_row in group_rows for district_row in group_row.children]

    if len(site_rows) <= CHART_MAX_BARS:
        level, chart_rows = "jobcentre", [(str(row.jobcentre), row) for row in site_rows]
    elif len(district_rows) <= CHART_MAX_BARS:
        level, chart_rows = "district", [(row.name, row) for row in _sorted(district_rows, filters, by_name)]
    else:
        level, chart_rows = "group", [(row.name, row) for row in group_rows]
    bars = [Bar(label, row.percent, row.completed, row.required) for label, row in chart_rows if row.required]
    return SiteReport(
        scope=scope,
        filters=filters,
        item=item,
        sites=site_rows,
        districts=district_rows,
        groups=group_rows,
        total=total,
        chart_level=level,
        bars=bars,
    )
