"""CSV and XLSX downloads hold exactly the page's rows, say what they are, defuse formulas, and are audit-logged."""

import csv
import io
import logging

import pytest
from openpyxl import load_workbook

from lms import roles
from lms.exports import cell_safe
from tests.lms.report_scenario import NATIONAL, SITE, Scenario, manager, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(home_page):
    return Scenario(home_page)


@pytest.fixture
def national(s, client):
    user = manager("national", roles.NATIONAL_REPORTING, (NATIONAL, None))
    client.force_login(user)
    return user


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def table_after_header(rows: list[list], first: str) -> tuple[list, list[list]]:
    start = next(number for number, row in enumerate(rows) if row and row[0] == first)
    return rows[start], rows[start + 1 :]


def test_csv_holds_the_pages_rows_with_scope_and_filters(s, client, national):
    url = f"/reports/?item={s.film.pk}&sort=percent&dir=desc"
    page = client.get(url)
    response = client.get(url + "&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    filename = response["Content-Disposition"]
    assert filename.startswith('attachment; filename="completion-report-dees-story-') and filename.endswith('.csv"')
    rows = csv_rows(response)
    preamble = {row[0]: row[1] for row in rows[:8] if len(row) == 2}
    assert rows[0] == ["Completion report: Dee's story"]
    assert preamble["Area you report on"] == "All jobcentres in Great Britain"
    assert preamble["Learning"] == "Dee's story"
    assert preamble["Staff counted"] == "All staff"
    assert preamble["Downloaded"].endswith("by national")

    header, body = table_after_header(rows, "Level")
    assert header[6:] == ["Staff", "Not started", "In progress", "Completed", "% complete", "Overdue"]
    sites = [row for row in body if row[0] == "Jobcentre"]
    on_page = [
        [r.jobcentre.name, *map(str, (r.staff, r.not_started, r.in_progress, r.completed, r.percent, r.overdue))]
        for r in page.context["report"].sites
    ]
    assert [[row[3], *row[6:]] for row in sites] == on_page  # same rows, same order (sorted by % complete)
    assert sites[0][3] == "Cullercoats" and sites[0][5] == "Closed"
    # Areas sorted the same way: South (50%) before North (44%); in North, Tyne (50%) before Wear (0%).
    areas = [(row[0], row[1], row[2]) for row in body if row[0] != "Jobcentre"]
    assert areas == [
        ("District", "South", "Kent"),
        ("Group", "South", ""),
        ("District", "North", "Tyne"),
        ("District", "North", "Wear"),
        ("Group", "North", ""),
        ("Total", "", ""),
    ]
    assert body[-1] == ["Total", "", "", "", "", "", "11", "4", "2", "5", "45", "4"]


def test_xlsx_matches_the_csv(s, client, national):
    url = f"/reports/?item={s.film.pk}&district={s.org.tyne.pk}&assigned=on"
    from_csv = csv_rows(client.get(url + "&format=csv"))
    response = client.get(url + "&format=xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="completion-report-dees-story-tyne-' in response["Content-Disposition"]
    from_xlsx = xlsx_rows(response)
    _, body = table_after_header(from_xlsx, "Level")
    _, csv_body = table_after_header(from_csv, "Level")
    as_text = [["" if value is None else str(value) for value in row] for row in body]
    assert as_text == csv_body
    preamble = {row[0]: row[1] for row in from_xlsx[:8] if row and row[0] and len(row) > 1}
    assert preamble["District"] == "Tyne"
    assert preamble["Staff counted"] == "Only staff it is assigned to"


def test_date_range_columns_are_in_the_download(s, client, national):
    url = f"/reports/?item={s.film.pk}&from_day=1&from_month=1&from_year=2025&to_day=31&to_month=1&to_year=2025"
    rows = csv_rows(client.get(url + "&format=csv"))
    header, body = table_after_header(rows, "Level")
    assert "Completed between the dates" in header and "Completed outside the dates" in header
    assert dict(row[:2] for row in rows[:9] if len(row) == 2)["Completed between"] == (
        "1 January 2025 and 31 January 2025"
    )
    total = dict(zip(header, body[-1], strict=True))
    assert (total["Completed between the dates"], total["Completed outside the dates"]) == ("2", "3")


def test_drill_down_download_lists_every_person_and_defuses_formulas(s, client, national):
    staff("evil", s.org.ashby, first_name='=HYPERLINK("http://x")', last_name="+1")
    url = f"/reports/sites/{s.org.ashby.pk}/?item={s.film.pk}"
    rows = csv_rows(client.get(url + "&format=csv"))
    header, body = table_after_header(rows, "Name")
    assert header == ["Name", "Username", "Job role", "Status", "Due date", "Overdue", "Completed on", "Last activity"]
    names = [row[0] for row in body]
    assert '\'=HYPERLINK("http://x") +1' in names
    assert ["Ada Ashworth", "a1", "Work coach", "Completed", *body[names.index("Ada Ashworth")][4:]] == body[
        names.index("Ada Ashworth")
    ]
    assert body[names.index("Alf Atkins")][3:6][0] == "In progress"
    assert body[names.index("Alf Atkins")][5] == "Yes"

    workbook = load_workbook(io.BytesIO(b"".join(client.get(url + "&format=xlsx").streaming_content)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert '\'=HYPERLINK("http://x") +1' in [cell.value for cell in cells]


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Ashby", "Ashby")],
)
def test_cell_safe(value, safe):
    assert cell_safe(value) == safe
    assert cell_safe(-3) == -3  # numbers stay numbers


def test_each_download_is_audit_logged(s, client, caplog):
    user = manager("ashby-manager", roles.SITE_MANAGER, (SITE, s.org.ashby))
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="jcp.audit"):
        client.get(f"/reports/?item={s.film.pk}&format=xlsx")
        client.get(f"/reports/sites/{s.org.ashby.pk}/?format=csv")
        client.get(f"/reports/?item={s.film.pk}")  # viewing is not an export
    events = [
        record.audit for record in caplog.records if getattr(record, "audit", {}).get("event") == "reports.export"
    ]
    assert [(e["report"], e["format"]) for e in events] == [("sites", "xlsx"), ("site_staff", "csv")]
    first = events[0]
    assert first["user_id"] == user.pk
    assert first["scope"] == "Ashby jobcentre"
    assert first["filters"]["Learning"] == "Dee's story"
    assert first["rows"] == 1
    assert events[1]["jobcentre_id"] == s.org.ashby.pk


def test_drill_down_pages_staff_and_the_download_holds_every_page(s, client, national):
    for number in range(55):
        staff(f"extra{number:02d}", s.org.deptford, first_name="Extra", last_name=f"Person {number:02d}")
    url = f"/reports/sites/{s.org.deptford.pk}/?item={s.film.pk}"
    first, second = client.get(url), client.get(url + "&page=2")
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 6)  # d1 + 55 extra = 56
    assert "page=2" in first.content.decode()
    assert client.get(url + "&page=99").context["page"].number == 2  # past the end: the last page
    _, body = table_after_header(csv_rows(client.get(url + "&format=csv")), "Name")
    assert len(body) == 56
