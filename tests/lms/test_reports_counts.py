"""Report numbers on the hand-built scenario (tests/lms/report_scenario.py), every figure worked out by hand.

Film F by person: Ashby a1 done, a2 started, a3 done (attended live), a4 nothing; Byker b1 nothing, b2 started,
m done (moved from Erith after completing); Cullercoats (closed) c1 done; Deptford d1 nothing; Erith e1 done,
e2 nothing; n1 (no jobcentre) done but counted nowhere. F is assigned to Tyne (Ashby, Byker, Cullercoats), due
yesterday. M1 is assigned nationally to disability employment advisers (a3, e2), due in 30 days.
"""

import datetime

import pytest

from lms.models import JobRole
from lms.selectors.reports import Coverage, ReportFilters, report_district_heatmap, report_site_table
from lms.selectors.reports.staff import report_site_staff, report_site_staff_rows
from lms.selectors.scope import ReportScope
from tests.lms.report_scenario import Scenario

pytestmark = pytest.mark.django_db

NATIONAL = ReportScope(national=True)


@pytest.fixture
def s(home_page):
    return Scenario(home_page)


def numbers(row) -> tuple:
    return (row.staff, row.not_started, row.in_progress, row.completed, row.percent, row.overdue)


def by_site(report) -> dict:
    return {row.jobcentre.name: numbers(row) for row in report.sites}


def test_one_item_per_site_with_moves_closed_sites_and_overdue(s):
    report = report_site_table(scope=NATIONAL, filters=ReportFilters(item_id=s.film.pk))

    # staff, not started, in progress, completed, %, overdue
    assert by_site(report) == {
        "Ashby": (4, 1, 1, 2, 50, 2),
        "Byker": (3, 1, 1, 1, 33, 2),  # m counts here now, with the completion made at Erith
        "Cullercoats": (1, 0, 0, 1, 100, 0),  # closed, but c1 still works there
        "Deptford": (1, 1, 0, 0, 0, 0),  # not in Tyne: not assigned, so never overdue
        "Erith": (2, 1, 0, 1, 50, 0),
    }  # Dunston (closed, nobody there) is not shown
    assert {row.name: numbers(row) for row in report.districts} == {
        "Tyne": (8, 2, 2, 4, 50, 4),
        "Wear": (1, 1, 0, 0, 0, 0),
        "Kent": (2, 1, 0, 1, 50, 0),
    }
    assert {row.name: numbers(row) for row in report.groups} == {
        "North": (9, 3, 2, 4, 44, 4),
        "South": (2, 1, 0, 1, 50, 0),
    }
    assert numbers(report.total) == (11, 4, 2, 5, 45, 4)  # n1's completion is nowhere


def test_assigned_only_counts_only_the_audience(s):
    report = report_site_table(scope=NATIONAL, filters=ReportFilters(item_id=s.film.pk, assigned_only=True))
    assert by_site(report) == {
        "Ashby": (4, 1, 1, 2, 50, 2),
        "Byker": (3, 1, 1, 1, 33, 2),
        "Cullercoats": (1, 0, 0, 1, 100, 0),
    }
    assert numbers(report.total) == (8, 2, 2, 4, 50, 4)


def test_job_role_filter(s):
    filters = ReportFilters(item_id=s.film.pk, job_role=JobRole.DISABILITY_EMPLOYMENT_ADVISER)
    report = report_site_table(scope=NATIONAL, filters=filters)
    sites = by_site(report)
    assert sites["Ashby"] == (1, 0, 0, 1, 100, 0)
    assert sites["Erith"] == (1, 1, 0, 0, 0, 0)
    assert sites["Byker"] == (0, 0, 0, 0, None, 0)  # open, nobody in that role
    assert "Cullercoats" not in sites  # closed, and nobody in that role there
    assert numbers(report.total) == (2, 1, 0, 1, 50, 0)


def test_completion_date_range_splits_completed(s):
    filters = ReportFilters(
        item_id=s.film.pk, completed_from=datetime.date(2025, 1, 1), completed_to=datetime.date(2025, 1, 31)
    )
    report = report_site_table(scope=NATIONAL, filters=filters)
    inside = {row.jobcentre.name: (row.completed, row.completed_outside) for row in report.sites}
    # a1 10 Jan and m 15 Jan are inside; a3 5 Mar, c1 1 Dec 2024, e1 20 Feb are outside
    assert inside == {"Ashby": (1, 1), "Byker": (1, 0), "Cullercoats": (0, 1), "Deptford": (0, 0), "Erith": (0, 1)}
    assert (report.total.completed, report.total.completed_outside, report.total.percent) == (2, 3, 18)


def test_all_required_learning_counts_each_assigned_piece_per_person(s):
    report = report_site_table(scope=NATIONAL, filters=ReportFilters(item_id=None))
    pieces = {row.jobcentre.name: (row.staff, row.required, row.not_started, row.in_progress, row.completed,
                                   row.percent, row.overdue) for row in report.sites}  # fmt: skip
    assert pieces == {
        # a1, a2, a4: F; a3: F and M1 → 5 pieces; done a1 F, a3 F; a2 F started; overdue a2, a4 (F)
        "Ashby": (4, 5, 2, 1, 2, 40, 2),
        # b1, b2, m: F → 3; m done; b2 started; overdue b1, b2. m's M1 start is not assigned to a work coach
        "Byker": (3, 3, 1, 1, 1, 33, 2),
        "Cullercoats": (1, 1, 0, 0, 1, 100, 0),
        "Deptford": (1, 0, 0, 0, 0, None, 0),  # nothing assigned to d1
        "Erith": (2, 1, 1, 0, 0, 0, 0),  # e2: M1, not due yet
    }
    assert (report.total.required, report.total.completed, report.total.percent, report.total.overdue) == (
        10,
        4,
        40,
        4,
    )


def test_scope_limits_rows_and_roll_ups(s):
    scope = ReportScope(jobcentre_ids=frozenset({s.org.ashby.pk}), district_ids=frozenset({s.org.kent.pk}))
    report = report_site_table(scope=scope, filters=ReportFilters(item_id=s.film.pk))
    assert set(by_site(report)) == {"Ashby", "Erith"}
    assert numbers(report.total) == (6, 2, 1, 3, 50, 2)
    assert [row.name for row in report.groups] == ["North", "South"]


def test_sorting_by_percent_descending(s):
    report = report_site_table(
        scope=NATIONAL, filters=ReportFilters(item_id=s.film.pk, sort="percent", descending=True)
    )
    assert [row.jobcentre.name for row in report.sites] == ["Cullercoats", "Ashby", "Erith", "Byker", "Deptford"]


def test_drill_down_statuses(s):
    filters = ReportFilters(item_id=s.film.pk)
    coverage = Coverage.load(item_ids=[s.film.pk])
    profiles = list(report_site_staff(jobcentre=s.org.ashby, filters=filters, coverage=coverage))
    rows = report_site_staff_rows(jobcentre=s.org.ashby, profiles=profiles, filters=filters, coverage=coverage)
    assert [(row.name, row.status, row.overdue) for row in rows] == [
        ("Ada Ashworth", "completed", False),
        ("Alf Atkins", "in_progress", True),
        ("Amy Avery", "completed", False),
        ("Abe Axton", "not_started", True),
    ]
    assert rows[0].completed_on.date() == datetime.date(2025, 1, 10)
    assert rows[1].last_activity.date() == datetime.date(2025, 1, 5)
    assert rows[3].last_activity is None


def test_drill_down_all_required_learning(s):
    filters = ReportFilters(item_id=None)
    coverage = Coverage.load(item_ids=None)
    profiles = list(report_site_staff(jobcentre=s.org.ashby, filters=filters, coverage=coverage))
    rows = report_site_staff_rows(jobcentre=s.org.ashby, profiles=profiles, filters=filters, coverage=coverage)
    assert [(row.name, row.assigned, row.completed, row.in_progress, row.overdue_count) for row in rows] == [
        ("Ada Ashworth", 1, 1, 0, 0),
        ("Alf Atkins", 1, 0, 1, 1),
        ("Amy Avery", 2, 1, 0, 0),
        ("Abe Axton", 1, 0, 0, 1),
    ]


def test_heat_map_of_a_district(s):
    heatmap = report_district_heatmap(scope=NATIONAL, district=s.org.tyne, filters=ReportFilters())
    assert [j.name for j in heatmap.jobcentres] == ["Ashby", "Byker", "Cullercoats"]
    cells = {row.item.title: [(cell.percent, cell.band) for cell in row.cells] for row in heatmap.rows}
    assert cells["Dee's story"] == [(50, 2), (33, 1), (100, 4)]
    assert cells["Housing first"] == [(0, 0), (0, 0), (0, 0)]
    assert list(cells) == ["Working with trauma", "Why trauma matters", "Safe conversations", "Dee's story",
                           "Housing first"]  # fmt: skip

    assigned = report_district_heatmap(scope=NATIONAL, district=s.org.tyne, filters=ReportFilters(assigned_only=True))
    assert [row.item.title for row in assigned.rows] == ["Why trauma matters", "Dee's story"]
    m1 = assigned.rows[0].cells
    assert [(cell.staff, cell.percent) for cell in m1] == [(1, 0), (0, None), (0, None)]  # only a3 is a DEA
