"""Completion reports for managers: ``/reports/`` (site table, chart), a jobcentre's staff, a district's heat map.

Every view checks ``lms.view_completion_reports`` and reads the manager's scope afresh; a jobcentre or district
outside it is refused (403) before anything is counted. ``?format=csv|xlsx`` downloads exactly the rows the
page shows, through the same selectors, and each download is written to the audit log.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from home.audit import audit_log
from lms.exports import csv_response, export_filename, xlsx_response
from lms.models import District, Jobcentre
from lms.roles import VIEW_REPORTS
from lms.selectors.reports import (
    Coverage,
    ReportFilters,
    report_district_heatmap,
    report_items,
    report_site_staff,
    report_site_staff_rows,
    report_site_table,
)
from lms.selectors.scope import ReportScope, report_scope_for, scope_covers_district, scope_districts
from lms.views.report_forms import ReportFilterForm

STAFF_PER_PAGE = 50
CHART_WIDTH, CHART_LABEL_HEIGHT, CHART_BAR_HEIGHT, CHART_ROW_HEIGHT, CHART_BAR_MAX = 640, 20, 22, 56, 560


def reports_view(view):
    """Signed in (else to sign-in), with the reports permission (else 403), GET/HEAD only."""
    return require_safe(login_required(permission_required(VIEW_REPORTS, raise_exception=True)(view)))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sortable: bool = True


def report_columns(filters: ReportFilters) -> list[Column]:
    """The number columns of the site table, in order; the page and the downloads both use this list."""
    everything = filters.item_id is None
    columns = [Column("staff", "Staff")]
    if everything:
        columns.append(Column("required", "Assigned", sortable=False))
    columns += [Column("not_started", "Not started"), Column("in_progress", "In progress")]
    columns.append(Column("completed", "Completed between the dates" if filters.dated else "Completed"))
    if filters.dated:
        columns.append(Column("completed_outside", "Completed outside the dates", sortable=False))
    columns += [Column("percent", "% complete"), Column("overdue", "Overdue")]
    return columns


def _district_param(request, scope: ReportScope) -> District | None:
    """The ``?district=`` asked for: 404 if there is no such district, 403 if it is outside the scope."""
    value = request.GET.get("district", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such district")
    district = get_object_or_404(District.objects.select_related("group"), pk=int(value))
    if not scope_covers_district(scope=scope, district=district):
        audit_log("reports.out_of_scope", request=request, district_id=district.pk)
        raise PermissionDenied("That district is outside the area you report on.")
    return district


def _chart(report) -> dict:
    bars = []
    for number, bar in enumerate(report.bars):
        top = number * CHART_ROW_HEIGHT
        bars.append(
            {
                "label": bar.label,
                "percent": bar.percent,
                "completed": bar.completed,
                "required": bar.required,
                "label_y": top + 15,
                "bar_y": top + CHART_LABEL_HEIGHT,
                "width": max(1, bar.percent * CHART_BAR_MAX // 100),
                "value_x": max(1, bar.percent * CHART_BAR_MAX // 100) + 6,
                "value_y": top + CHART_LABEL_HEIGHT + 16,
            }
        )
    level = {"jobcentre": "jobcentre", "district": "district", "group": "group"}[report.chart_level]
    return {
        "bars": bars,
        "level": level,
        "width": CHART_WIDTH,
        "height": max(CHART_ROW_HEIGHT, len(bars) * CHART_ROW_HEIGHT),
        "bar_height": CHART_BAR_HEIGHT,
    }


def _audit_export(request, *, report: str, scope: ReportScope, fmt: str, filters: list, rows: int, **more) -> None:
    audit_log(
        "reports.export",
        request=request,
        report=report,
        format=fmt,
        scope=scope.description,
        filters=dict(filters),
        rows=rows,
        **more,
    )


def _preamble(title: str, *, scope: ReportScope, filters: list[tuple[str, str]], request) -> list[list]:
    produced = timezone.localtime().strftime("%-d %B %Y %H:%M")
    return [
        [title],
        ["Area you report on", scope.description],
        *([label, value] for label, value in filters),
        ["Downloaded", f"{produced} by {request.user.get_username()}"],
    ]


def _download(request, fmt: str, *, filename_parts, title, preamble, header, rows):
    if fmt == "csv":
        return csv_response(
            filename=export_filename(*filename_parts, extension="csv"), preamble=preamble, header=header, rows=rows
        )
    return xlsx_response(
        filename=export_filename(*filename_parts, extension="xlsx"),
        title=title,
        preamble=preamble,
        header=header,
        rows=rows,
    )


def _query(request, *, drop: tuple[str, ...] = (), **values) -> str:
    """The current query string without ``drop`` and ``format``, with ``values`` set."""
    query = request.GET.copy()
    for key in (*drop, "format"):
        query.pop(key, None)
    for key, value in values.items():
        query[key] = value
    return query.urlencode()


def _sort_headers(request, columns: list[Column], filters: ReportFilters) -> list[dict]:
    """Column headers with a link that sorts by the column (again: the other way) and ``aria-sort``."""
    headers = []
    for column in [Column("name", "Jobcentre"), *columns]:
        current = filters.sort == column.key
        next_dir = "asc" if current and filters.descending else ("desc" if current else "asc")
        if column.key in ("percent", "overdue", "staff", "completed") and not current:
            next_dir = "desc"  # biggest first is what a manager usually wants for numbers
        headers.append(
            {
                "column": column,
                "href": "?" + _query(request, drop=("page",), sort=column.key, dir=next_dir) if column.sortable else "",
                "aria_sort": ("descending" if filters.descending else "ascending") if current else None,
            }
        )
    return headers


def _value(counts, key: str):
    return getattr(counts, key)


@reports_view
def report_index(request):
    """``/reports/``: completion of one item (``?item=``) or all required learning per jobcentre in scope."""
    scope = report_scope_for(user=request.user)
    district = _district_param(request, scope)
    districts = list(scope_districts(scope=scope))
    items = report_items()
    form = ReportFilterForm(request.GET, items=items, districts=districts if len(districts) > 1 else None)
    context = {"scope": scope, "form": form, "district": district, "items": items}
    if scope.is_empty or not form.is_valid():
        return render(request, "lms/reports/index.html", context, status=200)
    filters = form.filters(district_id=district.pk if district else None)
    report = report_site_table(scope=scope, filters=filters, district=district)
    columns = report_columns(filters)
    described = filters.describe(item_title=report.title, district_name=str(district) if district else None)
    fmt = form.cleaned_data.get("format")
    if fmt:
        header = ["Level", "Group", "District", "Jobcentre", "Jobcentre code", "Open or closed"]
        header += [column.label for column in columns]

        def rows():
            for row in report.sites:
                jobcentre = row.jobcentre
                yield [
                    "Jobcentre",
                    str(jobcentre.district.group),
                    str(jobcentre.district),
                    jobcentre.name,
                    jobcentre.code,
                    "Open" if jobcentre.is_active else "Closed",
                    *(_value(row, column.key) for column in columns),
                ]
            for group in report.groups:
                for district_row in group.children:
                    yield [
                        "District",
                        group.name,
                        district_row.name,
                        "",
                        "",
                        "",
                        *(_value(district_row, column.key) for column in columns),
                    ]
                yield ["Group", group.name, "", "", "", "", *(_value(group, column.key) for column in columns)]
            yield ["Total", "", "", "", "", "", *(_value(report.total, column.key) for column in columns)]

        _audit_export(request, report="sites", scope=scope, fmt=fmt, filters=described, rows=len(report.sites))
        return _download(
            request,
            fmt,
            filename_parts=["completion-report", report.title, str(district) if district else ""],
            title="Completion report",
            preamble=_preamble(f"Completion report: {report.title}", scope=scope, filters=described, request=request),
            header=header,
            rows=rows(),
        )
    context.update(
        report=report,
        columns=columns,
        headers=_sort_headers(request, columns, filters),
        described=described,
        chart=_chart(report),
        drill_query=_query(request, drop=("district", "sort", "dir", "page")),
        csv_query=_query(request, format="csv"),
        xlsx_query=_query(request, format="xlsx"),
    )
    return render(request, "lms/reports/index.html", context)


@reports_view
def report_site(request, pk: int):
    """``/reports/sites/<id>/``: the staff of one jobcentre with their status, paginated."""
    scope = report_scope_for(user=request.user)
    jobcentre = get_object_or_404(Jobcentre.objects.select_related("district__group"), pk=pk)
    if not scope.contains(jobcentre):
        audit_log("reports.out_of_scope", request=request, jobcentre_id=jobcentre.pk)
        raise PermissionDenied("That jobcentre is outside the area you report on.")
    items = report_items()
    form = ReportFilterForm(request.GET, items=items)
    context = {"scope": scope, "form": form, "jobcentre": jobcentre}
    if not form.is_valid():
        return render(request, "lms/reports/site.html", context)
    filters = form.filters()
    title = next((item.title for item in report_items(item_ids=[filters.item_id])), None) if filters.item_id else None
    title = title or "All required learning"
    coverage = Coverage.load(item_ids=[filters.item_id] if filters.item_id else None)
    profiles = report_site_staff(jobcentre=jobcentre, filters=filters, coverage=coverage)
    described = filters.describe(item_title=title, district_name=str(jobcentre.district))
    described[1] = ("Jobcentre", f"{jobcentre}")
    fmt = form.cleaned_data.get("format")
    if fmt:
        everything = filters.item_id is None
        header = ["Name", "Username", "Job role"]
        header += (
            ["Assigned", "Completed", "In progress", "Overdue", "Last activity"]
            if everything
            else ["Status", "Due date", "Overdue", "Completed on", "Last activity"]
        )

        def rows():
            # A page at a time, so a large jobcentre streams in constant memory and queries.
            paginator = Paginator(profiles, 500)
            for number in paginator.page_range:
                page = list(paginator.page(number).object_list)
                for row in report_site_staff_rows(
                    jobcentre=jobcentre, profiles=page, filters=filters, coverage=coverage
                ):
                    person = [row.name, row.profile.user.get_username(), row.job_role]
                    if everything:
                        yield [
                            *person,
                            row.assigned,
                            row.completed,
                            row.in_progress,
                            row.overdue_count,
                            row.last_activity,
                        ]
                    else:
                        yield [
                            *person,
                            row.status_label,
                            row.due_on,
                            "Yes" if row.overdue else "No",
                            row.completed_on,
                            row.last_activity,
                        ]

        _audit_export(
            request,
            report="site_staff",
            scope=scope,
            fmt=fmt,
            filters=described,
            rows=profiles.count(),
            jobcentre_id=jobcentre.pk,
        )
        return _download(
            request,
            fmt,
            filename_parts=["completion-report", title, jobcentre.name, "staff"],
            title="Staff",
            preamble=_preamble(f"Staff at {jobcentre}: {title}", scope=scope, filters=described, request=request),
            header=header,
            rows=rows(),
        )
    page = Paginator(profiles, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    rows = report_site_staff_rows(
        jobcentre=jobcentre, profiles=list(page.object_list), filters=filters, coverage=coverage
    )
    context.update(
        filters=filters,
        title=title,
        page=page,
        rows=rows,
        described=described,
        csv_query=_query(request, drop=("page",), format="csv"),
        xlsx_query=_query(request, drop=("page",), format="xlsx"),
        back_query=_query(request, drop=("page",)),
    )
    context["page_numbers"] = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return render(request, "lms/reports/site.html", context)


@reports_view
def report_heatmap(request):
    """``/reports/heat-map/?district=``: % complete for every item at every jobcentre of one district."""
    scope = report_scope_for(user=request.user)
    district = _district_param(request, scope)
    districts = list(scope_districts(scope=scope))
    if district is None and len(districts) == 1:
        district = districts[0]
    data = request.GET.copy()
    if district is not None:
        data["district"] = str(district.pk)
    form = ReportFilterForm(data, items=report_items(), districts=districts, district_required=True)
    context = {"scope": scope, "form": form, "district": district, "districts": districts}
    if district is None or not form.is_valid():
        if district is None and "district" in request.GET:
            form.is_valid()  # "Choose a district" in the error summary
        return render(request, "lms/reports/heatmap.html", context)
    filters = form.filters(district_id=district.pk)
    heatmap = report_district_heatmap(scope=scope, district=district, filters=filters)
    described = filters.describe(item_title="Every piece of learning", district_name=str(district))
    fmt = form.cleaned_data.get("format")
    if fmt:
        header = ["Learning", "Kind"] + [f"{jobcentre} – % complete" for jobcentre in heatmap.jobcentres]

        def rows():
            for row in heatmap.rows:
                yield [row.item.title, row.item.kind, *(cell.percent for cell in row.cells)]

        _audit_export(
            request,
            report="heat_map",
            scope=scope,
            fmt=fmt,
            filters=described,
            rows=len(heatmap.rows),
            district_id=district.pk,
        )
        return _download(
            request,
            fmt,
            filename_parts=["completion-heat-map", district.name],
            title="Heat map",
            preamble=_preamble(f"Completion heat map: {district}", scope=scope, filters=described, request=request),
            header=header,
            rows=rows(),
        )
    context.update(
        heatmap=heatmap,
        described=described,
        drill_query=_query(request, drop=("district", "sort", "dir")),
        csv_query=_query(request, format="csv"),
        xlsx_query=_query(request, format="xlsx"),
    )
    return render(request, "lms/reports/heatmap.html", context)
