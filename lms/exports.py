"""CSV and XLSX downloads of a report: header rows saying what the file holds, then the table.

CSV is streamed row by row (``StreamingHttpResponse``); XLSX is written by openpyxl in write-only mode (rows go
to a temporary file as they come, so memory stays flat) and then sent as a file. Text that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return) is prefixed with an apostrophe in both.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_safe(value):
    """The value as a spreadsheet should hold it: text that could start a formula is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return cell_safe(value)


def _xlsx_value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return cell_safe(value)


def export_filename(*parts: str, extension: str) -> str:
    """e.g. ``completion-report-trauma-informed-practice-tyne-district-2026-01-31.csv``."""
    words = [slugify(part)[:60] for part in parts if part]
    return "-".join([*filter(None, words), timezone.localdate().isoformat()]) + f".{extension}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, preamble: Sequence[Sequence], header: Sequence, rows: Iterable[Sequence]):
    """Stream ``preamble`` rows (what, for whom, which filters), a blank row, ``header`` and ``rows``."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # a byte-order mark, so Excel reads the file as UTF-8
        for row in preamble:
            yield writer.writerow([_csv_value(value) for value in row])
        yield writer.writerow([])
        yield writer.writerow([_csv_value(value) for value in header])
        for row in rows:
            yield writer.writerow([_csv_value(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(
    *, filename: str, title: str, preamble: Sequence[Sequence], header: Sequence, rows: Iterable[Sequence]
):
    """An XLSX with one sheet: ``preamble`` rows, a blank row, ``header`` in bold, then ``rows``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def cells(values, font=None):
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if font is not None:
                cell.font = font
            row.append(cell)
        return row

    for number, row in enumerate(preamble):
        sheet.append(cells(row, bold if number == 0 else None))
    sheet.append([])
    sheet.append(cells(header, bold))
    for row in rows:
        sheet.append(cells(row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when sent)
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response
