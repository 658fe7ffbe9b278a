"""Importing the DWP jobcentre register (group → district → jobcentre).

The register is validated completely before anything is written, so a malformed file changes nothing.
"""

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from lms.models import District, Jobcentre, JobcentreGroup


class RegisterError(Exception):
    """A register file cannot be imported; the message names the file and the line."""

    def __init__(self, filename: str, line: int | None, problem: str):
        self.filename, self.line, self.problem = filename, line, problem
        where = f"{filename}, line {line}" if line else filename
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class RegisterRow:
    line: int
    code: str
    name: str
    parent_code: str | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    uprn: str = ""

    @property
    def is_active(self) -> bool:
        return self.end_date is None


@dataclass(frozen=True)
class RegisterFile:
    filename: str
    key_column: str
    parent_column: str | None = None


GROUPS = RegisterFile("jobcentre-group.csv", "jobcentre-group")
DISTRICTS = RegisterFile("jobcentre-district.csv", "jobcentre-district", parent_column="jobcentre-group")
JOBCENTRES = RegisterFile("jobcentre.csv", "jobcentre", parent_column="jobcentre-district")


def _parse_date(value: str, *, spec: RegisterFile, line: int, column: str) -> datetime.date | None:
    if not value.strip():
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise RegisterError(spec.filename, line, f"'{column}' is not a date (YYYY-MM-DD): {value!r}.") from None


def _clean_uprn(value: str) -> str:
    """The register's UPRNs were sometimes rounded through a float (e.g. 100072000000): drop those."""
    value = value.strip()
    if not value.isdigit() or value.endswith("000000"):
        return ""
    return value


def register_read(directory: Path, spec: RegisterFile) -> list[RegisterRow]:
    """Read and check one register file: required columns, non-empty keys and names, no duplicate keys."""
    path = Path(directory) / spec.filename
    if not path.is_file():
        raise RegisterError(spec.filename, None, f"file not found in {directory}.")
    required = {spec.key_column, "name", "start-date", "end-date"} | ({spec.parent_column} - {None})
    rows: list[RegisterRow] = []
    seen: dict[str, int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = required - set(reader.fieldnames or [])
            if missing:
                raise RegisterError(spec.filename, 1, f"missing column(s): {', '.join(sorted(missing))}.")
            for record in reader:
                line = reader.line_num
                if None in record or any(value is None for value in record.values()):
                    raise RegisterError(spec.filename, line, "wrong number of fields.")
                code = record[spec.key_column].strip()
                name = record["name"].strip()
                if not code:
                    raise RegisterError(spec.filename, line, f"'{spec.key_column}' is empty.")
                if not name:
                    raise RegisterError(spec.filename, line, "'name' is empty.")
                if code in seen:
                    raise RegisterError(spec.filename, line, f"duplicate key {code!r} (first on line {seen[code]}).")
                seen[code] = line
                parent = record[spec.parent_column].strip() if spec.parent_column else None
                if spec.parent_column and not parent:
                    raise RegisterError(spec.filename, line, f"'{spec.parent_column}' is empty.")
                rows.append(
                    RegisterRow(
                        line=line,
                        code=code,
                        name=name,
                        parent_code=parent,
                        start_date=_parse_date(record["start-date"], spec=spec, line=line, column="start-date"),
                        end_date=_parse_date(record["end-date"], spec=spec, line=line, column="end-date"),
                        uprn=_clean_uprn(record.get("address") or ""),
                    )
                )
    except UnicodeDecodeError:
        raise RegisterError(spec.filename, None, "is not UTF-8 text.") from None
    except csv.Error as error:
        raise RegisterError(spec.filename, None, f"is not valid CSV ({error}).") from None
    return rows


def _check_parents(rows: list[RegisterRow], parents: list[RegisterRow], spec: RegisterFile) -> None:
    known = {row.code for row in parents}
    for row in rows:
        if row.parent_code not in known:
            raise RegisterError(spec.filename, row.line, f"unknown {spec.parent_column} key {row.parent_code!r}.")


def _upsert(model, rows: list[RegisterRow], *, parent_field: str | None = None, parent_ids=None, extra=()) -> dict:
    objects = []
    for row in rows:
        values = dict(
            code=row.code,
            name=row.name,
            start_date=row.start_date,
            end_date=row.end_date,
            is_active=row.is_active,
        )
        if parent_field:
            values[f"{parent_field}_id"] = parent_ids[row.parent_code]
        if "uprn" in extra:
            values["uprn"] = row.uprn
        objects.append(model(**values))
    update_fields = ["name", "start_date", "end_date", "is_active", *extra]
    if parent_field:
        update_fields.append(parent_field)
    model.objects.bulk_create(objects, update_conflicts=True, unique_fields=["code"], update_fields=update_fields)
    return dict(model.objects.values_list("code", "id"))


def organisation_import_register(*, directory: Path) -> dict[str, int]:
    """Import (or update in place) the three register files in `directory`.

    Every file is read and checked first; on any problem a RegisterError names the file and line and the
    database is left as it was. Rows with an end date are kept, marked inactive. Returns counts.
    """
    groups = register_read(directory, GROUPS)
    districts = register_read(directory, DISTRICTS)
    jobcentres = register_read(directory, JOBCENTRES)
    _check_parents(districts, groups, DISTRICTS)
    _check_parents(jobcentres, districts, JOBCENTRES)

    with transaction.atomic():
        group_ids = _upsert(JobcentreGroup, groups)
        district_ids = _upsert(District, districts, parent_field="group", parent_ids=group_ids)
        _upsert(Jobcentre, jobcentres, parent_field="district", parent_ids=district_ids, extra=("uprn",))

    return {
        "groups": JobcentreGroup.objects.count(),
        "districts": District.objects.count(),
        "jobcentres": Jobcentre.objects.count(),
        "active_groups": JobcentreGroup.objects.filter(is_active=True).count(),
        "active_districts": District.objects.filter(is_active=True).count(),
        "active_jobcentres": Jobcentre.objects.filter(is_active=True).count(),
    }
