"""import_jobcentres over the real DWP register: counts, idempotence, and malformed files importing nothing."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lms.models import District, Jobcentre, JobcentreGroup

pytestmark = pytest.mark.django_db


def run_import(directory) -> dict:
    out = StringIO()
    call_command("import_jobcentres", str(directory), stdout=out)
    return json.loads(out.getvalue())


def snapshot() -> list:
    return [
        list(model.objects.order_by("code").values_list("code", "name", "is_active"))
        for model in (JobcentreGroup, District, Jobcentre)
    ]


def rewrite(path, mutate) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows = mutate(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def test_real_register_gives_the_published_counts(register_dir):
    counts = run_import(register_dir)

    assert counts["active_jobcentres"] == 636
    assert counts["jobcentres"] == 697
    assert JobcentreGroup.objects.filter(is_active=True).count() == 11
    assert District.objects.filter(is_active=True).count() == 36
    assert counts["groups"] == 15 and counts["districts"] == 40


def test_ended_rows_are_kept_as_inactive_with_their_codes(register_dir):
    run_import(register_dir)

    london = JobcentreGroup.objects.get(code="15")
    assert london.name == "London and the Home Counties"
    assert london.is_active is False and str(london.end_date) == "2018-03-31"
    assert Jobcentre.objects.get(code="4554").district.code == "118"


def test_damaged_uprns_are_dropped_and_real_ones_kept(register_dir):
    run_import(register_dir)

    assert Jobcentre.objects.get(code="4554").uprn == ""  # 100072000000: rounded through a float
    assert Jobcentre.objects.get(code="4549").uprn == "452097936"


def test_rerunning_updates_in_place(register_dir):
    run_import(register_dir)
    ids_before = dict(Jobcentre.objects.values_list("code", "id"))

    rewrite(
        register_dir / "jobcentre.csv",
        lambda rows: (
            [rows[0]] + [[*r[:5], "Whitchurch (Shropshire)", *r[6:]] if r[3] == "4554" else r for r in rows[1:]]
        ),
    )
    counts = run_import(register_dir)

    assert counts["jobcentres"] == 697
    assert dict(Jobcentre.objects.values_list("code", "id")) == ids_before
    assert Jobcentre.objects.get(code="4554").name == "Whitchurch (Shropshire)"


def test_running_twice_changes_nothing(register_dir):
    run_import(register_dir)
    first = snapshot()
    run_import(register_dir)
    assert snapshot() == first


def _drop_column(name):
    def mutate(rows):
        index = rows[0].index(name)
        return [row[:index] + row[index + 1 :] for row in rows]

    return mutate


def _set_field(key, column, value):
    def mutate(rows):
        index = rows[0].index(column)
        return [rows[0]] + [[*r[:index], value, *r[index + 1 :]] if r[3] == key else r for r in rows[1:]]

    return mutate


def _duplicate_row(key):
    def mutate(rows):
        original = next(r for r in rows if r[3] == key)
        return [*rows, original]

    return mutate


@pytest.mark.parametrize(
    ("filename", "mutate", "expected"),
    [
        (
            "jobcentre.csv",
            _drop_column("jobcentre-district"),
            "jobcentre.csv, line 1: missing column(s): jobcentre-district",
        ),
        ("jobcentre-group.csv", _drop_column("name"), "jobcentre-group.csv, line 1: missing column(s): name"),
        (
            "jobcentre.csv",
            _set_field("4549", "jobcentre-district", "999"),
            "jobcentre.csv, line 3: unknown jobcentre-district key '999'",
        ),
        (
            "jobcentre-district.csv",
            _set_field("117", "jobcentre-group", "77"),
            "jobcentre-district.csv, line 4: unknown jobcentre-group key '77'",
        ),
        ("jobcentre.csv", _duplicate_row("4550"), "jobcentre.csv, line 699: duplicate key '4550' (first on line 5)"),
        (
            "jobcentre-district.csv",
            _set_field("112", "end-date", "31/03/2020"),
            "jobcentre-district.csv, line 2: 'end-date' is not a date",
        ),
    ],
    ids=[
        "missing-parent-column",
        "missing-name-column",
        "unknown-district",
        "unknown-group",
        "duplicate-key",
        "bad-date",
    ],
)
def test_malformed_register_names_file_and_line_and_imports_nothing(register_dir, filename, mutate, expected):
    run_import(register_dir)  # the database already holds the register …
    Jobcentre.objects.filter(code="4549").update(name="Edited since import")
    before = snapshot()
    # … and a second, damaged copy also renames a row that must not be applied.
    rewrite(register_dir / "jobcentre.csv", _set_field("4551", "name", "Renamed by bad import"))
    rewrite(register_dir / filename, mutate)

    with pytest.raises(CommandError) as error:
        run_import(register_dir)

    assert expected in str(error.value)
    assert snapshot() == before


def test_malformed_register_into_an_empty_database_creates_nothing(register_dir):
    rewrite(register_dir / "jobcentre.csv", _duplicate_row("4550"))

    with pytest.raises(CommandError):
        run_import(register_dir)

    assert not (JobcentreGroup.objects.exists() or District.objects.exists() or Jobcentre.objects.exists())


def test_missing_file_is_reported(register_dir):
    (register_dir / "jobcentre-group.csv").unlink()

    with pytest.raises(CommandError, match=r"jobcentre-group\.csv: file not found"):
        run_import(register_dir)
