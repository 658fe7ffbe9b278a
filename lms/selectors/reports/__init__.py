"""Completion reports for managers. Every function takes the viewer's ``ReportScope`` (``lms.selectors.scope``)
or a jobcentre/district already checked against it, and the HTML pages and the CSV/XLSX exports call the same
functions, so an export holds exactly what the page shows."""

from .common import ITEM_KINDS, Counts, Coverage, ItemChoice, ReportFilters, report_items
from .heatmap import HeatCell, HeatMap, report_district_heatmap
from .sites import SiteReport, report_site_table
from .staff import StaffRow, report_site_staff, report_site_staff_rows

__all__ = [
    "ITEM_KINDS",
    "Counts",
    "Coverage",
    "HeatCell",
    "HeatMap",
    "ItemChoice",
    "ReportFilters",
    "SiteReport",
    "StaffRow",
    "report_district_heatmap",
    "report_items",
    "report_site_staff",
    "report_site_staff_rows",
    "report_site_table",
]
