"""The heat map: % complete for every learning item (rows) at every jobcentre of one district (columns).

Each cell shows its percentage and numbers as text; its colour band only repeats what the text says.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from lms.models import District, Jobcentre
from lms.selectors.scope import ReportScope, scope_jobcentres

from .common import Counts, Coverage, ItemChoice, ReportFilters, report_items, status_counts
from .sites import ANY_ROLE, jobcentre_counts, site_counts

#: Upper bounds (exclusive) of the colour bands, in % complete; the last band is 80–100%.
BANDS = (20, 40, 60, 80)


@dataclass
class HeatCell(Counts):
    assigned: bool = True

    @property
    def band(self) -> int | None:
        """0 (least complete) to 4 (most), or None when there is nobody to count."""
        percent = self.percent
        if percent is None:
            return None
        return sum(1 for bound in BANDS if percent >= bound)


@dataclass
class HeatRow:
    item: ItemChoice
    cells: list[HeatCell] = field(default_factory=list)


@dataclass
class HeatMap:
    scope: ReportScope
    filters: ReportFilters
    district: District
    jobcentres: list[Jobcentre]
    rows: list[HeatRow]


def _cell(*, jobcentre, item_id: int, counts, due: dict, filters: ReportFilters, today) -> HeatCell:
    staff = counts.staff.get(jobcentre.pk, {}).get(ANY_ROLE, 0)
    due_on = due.get(ANY_ROLE, {}).get(item_id)
    if staff == 0 or (filters.assigned_only and due_on is None):
        return HeatCell()
    done, started = counts.rollup.get((jobcentre.pk, ANY_ROLE, item_id), (0, 0))
    in_range = None if counts.in_range is None else counts.in_range.get((jobcentre.pk, ANY_ROLE, item_id), 0)
    overdue = due_on is not None and due_on < today
    return status_counts(
        staff=staff, completed=done, in_progress=started, completed_in_range=in_range, overdue=overdue, into=HeatCell
    )


def report_district_heatmap(
    *, scope: ReportScope, district: District, filters: ReportFilters, today: datetime.date | None = None
) -> HeatMap:
    """Every live learning item × every jobcentre of ``district`` in ``scope`` (closed ones only while they still
    have staff). With ``assigned_only``, only items assigned to someone there, and cells count only them.
    The caller has checked that ``district`` is in scope. A fixed number of queries."""
    today = today or timezone.localdate()
    jobcentres = list(scope_jobcentres(scope=scope, district=district))
    items = report_items()
    coverage = Coverage.load(item_ids=None)
    counts = site_counts(jobcentres=jobcentres, filters=filters, item_ids=None, by_role=coverage.role_specific)
    jobcentres = [j for j in jobcentres if j.is_active or sum(counts.staff.get(j.pk, {}).values())]
    due = {
        j.pk: {role: coverage.due_dates(jobcentre=j, job_role=role) for role in counts.staff.get(j.pk, {})}
        for j in jobcentres
    }
    rows = []
    for item in items:
        row = HeatRow(item=item)
        for jobcentre in jobcentres:
            due_here = due[jobcentre.pk]
            if coverage.role_specific:
                cell = HeatCell()
                cell.add(
                    jobcentre_counts(
                        jobcentre=jobcentre,
                        counts=counts,
                        due_by_role=due_here,
                        filters=filters,
                        item_id=item.pk,
                        today=today,
                    )
                )
            else:  # one row of counts per jobcentre (ANY_ROLE): the same sums, without the per-role loop
                cell = _cell(
                    jobcentre=jobcentre, item_id=item.pk, counts=counts, due=due_here, filters=filters, today=today
                )
            cell.assigned = any(item.pk in by_item for by_item in due_here.values())
            row.cells.append(cell)
        if filters.assigned_only and not any(cell.assigned for cell in row.cells):
            continue
        rows.append(row)
    return HeatMap(scope=scope, filters=filters, district=district, jobcentres=jobcentres, rows=rows)
