"""Benchmark: completion reports at national scale on PostgreSQL, against hand-written SQL over the raw rows.

Run from the repository root: ``.venv/bin/python bench/reports.py`` (``--help`` for options). It creates its own
database (``--database``, default ``postgres://postgres@127.0.0.1:5432/bench_reports``), migrates it, imports the
real DWP register (636 active jobcentres) with ``organisation_import_register``, creates 200 learning items
(10 series of 10 modules, 50 human library films, 40 webinars), then with ``generate_series`` INSERT…SELECT:
100,000 staff spread over the active jobcentres and the job roles, about 5,000,000 completions (each person
completes each item with probability 1/4) and about 500,000 started-but-not-completed progress rows. The
roll-up is built by ``rollup_rebuild`` (what ``manage.py rollups_rebuild`` runs), then checked against a recount.
The database is dropped at the end (``--keep`` keeps it).

Timed, alternating (baseline, app, baseline, app, …) after a warm-up, medians compared:

1. ``site_table_one_item`` – ``report_scope_for`` + ``report_site_table`` for a national manager and one item
   (636 jobcentre rows with staff, not started, in progress, completed, %, overdue, plus district, group and
   total roll-ups) vs one hand-written SQL aggregate of the same figures per jobcentre straight from
   ``lms_staffprofile``, ``lms_completion`` and ``lms_progress``.
2. ``district_heat_map`` – ``report_district_heatmap`` of the district with the most jobcentres (every item ×
   every jobcentre) vs one hand-written SQL aggregate of staff and completions per (jobcentre, item) there.

Goal for each: median ≤ 1.2 × the baseline's median and ≤ 200 ms. Results: ``bench/results/reports.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._support import alternate, log, machine_info, result, summary, write_results  # noqa: E402

STAFF = 100_000
ITEMS_SERIES, MODULES_PER_SERIES, FILMS, WEBINARS = 10, 10, 50, 40  # 10 + 100 + 50 + 40 = 200 items
COMPLETION_PERCENT = 25  # ~200 × 100,000 × 1/4 = 5,000,000 completions
PROGRESS_PERCENT = 3  # of the pairs not completed: ~450,000 in-progress rows
GOAL_RATIO, GOAL_SECONDS = 1.2, 0.200


def admin_connection(url: str):
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    return psycopg.connect(admin, autocommit=True), parsed.path.lstrip("/")


def database_create(url: str) -> None:
    connection, name = admin_connection(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    from django.db import connections

    connections.close_all()
    connection, name = admin_connection(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(label: str):
    class Step:
        def __enter__(self):
            self.started = time.perf_counter()
            log(f"{label} …")
            return self

        def __exit__(self, *exc):
            self.seconds = round(time.perf_counter() - self.started, 2)
            log(f"{label}: {self.seconds} s")

    return Step()


def build_items() -> list[int]:
    """200 live learning items under one learning index (no media: reports need only the pages)."""
    from django.utils import timezone

    from home.services import site_ensure_home_page
    from lms.models import Contributor, HumanLibraryFilmPage, LearningIndexPage, ModulePage, SeriesPage, WebinarPage

    home = site_ensure_home_page()
    index = home.add_child(instance=LearningIndexPage(title="Browse learning", slug="learning"))
    storyteller = Contributor.objects.create(
        name="Bench Storyteller", consent_scope="Benchmark only.", consent_review_on=timezone.localdate()
    )
    for number in range(ITEMS_SERIES):
        series = index.add_child(instance=SeriesPage(title=f"Series {number}", summary="Bench."))
        for module in range(MODULES_PER_SERIES):
            series.add_child(instance=ModulePage(title=f"Module {number}.{module}", summary="Bench."))
    for number in range(FILMS):
        index.add_child(
            instance=HumanLibraryFilmPage(title=f"Film {number}", summary="Bench.", storyteller=storyteller)
        )
    for number in range(WEBINARS):
        index.add_child(instance=WebinarPage(title=f"Webinar {number}", summary="Bench.", starts_at=timezone.now()))
    from lms.selectors.reports import report_items

    return [item.pk for item in report_items()]


BULK_TABLES = ("lms_completion", "lms_progress")


def indexes_drop(cursor) -> list[str]:
    """Drop the secondary indexes and constraints of the bulk-loaded tables; return the SQL that recreates them.
    (A bulk load then builds each index once, by sorting, instead of updating it 5 million times.)"""
    restore = []
    for table in BULK_TABLES:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%_pkey'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.insert(0, definition)  # plain indexes before the constraints that may use them
    return restore


def build_people_and_completions(item_ids: list[int]) -> dict:
    """Staff, completions and progress with INSERT … SELECT over generate_series (deterministic)."""
    from django.db import connection

    from lms.models import JobRole

    roles = list(JobRole.values)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        restore = indexes_drop(cursor)
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                   is_active, date_joined)
            SELECT '!', false, 'bench' || g, 'Staff', 'Member ' || g, '', false, true, now()
            FROM generate_series(1, %s) g
            """,
            [STAFF],
        )
        # Jobcentres get uneven numbers of staff (a hash of the person, not round-robin); roles mostly coaches.
        cursor.execute(
            """
            WITH sites AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM lms_jobcentre WHERE is_active
            ), roles AS (SELECT %s::text[] AS names)
            INSERT INTO lms_staffprofile (user_id, jobcentre_id, job_role)
            SELECT u.id,
                   sites.ids[1 + abs(hashint4(u.id)::bigint) %% array_length(sites.ids, 1)],
                   CASE WHEN abs(hashint4(u.id + 7)::bigint) %% 10 < 6 THEN 'work_coach'
                        ELSE roles.names[1 + abs(hashint4(u.id + 13)::bigint) %% array_length(roles.names, 1)] END
            FROM auth_user u, sites, roles
            WHERE u.username LIKE 'bench%%'
            """,
            [roles],
        )
        cursor.execute("ANALYZE lms_staffprofile")
        cursor.execute(
            """
            INSERT INTO lms_completion (user_id, item_id, completed_at, method, jobcentre_id)
            SELECT s.user_id, i.item_id,
                   now() - ((abs(hashint8(s.user_id::bigint * 1000 + i.item_id)::bigint) %% 720) || ' days')::interval,
                   'watched', s.jobcentre_id
            FROM lms_staffprofile s CROSS JOIN unnest(%s::int[]) AS i(item_id)
            WHERE abs(hashint8(s.user_id::bigint * 1000 + i.item_id)::bigint) %% 100 < %s
            """,
            [item_ids, COMPLETION_PERCENT],
        )
        cursor.execute(
            """
            INSERT INTO lms_progress (user_id, item_id, ranges, watched_seconds, duration, position, started_at,
                                      updated_at)
            SELECT s.user_id, i.item_id, '[[0, 30]]', 30, 600, 30, now(), now()
            FROM lms_staffprofile s CROSS JOIN unnest(%s::int[]) AS i(item_id)
            WHERE abs(hashint8(s.user_id::bigint * 1000 + i.item_id)::bigint) %% 100 >= %s
              AND abs(hashint8(s.user_id::bigint * 1000 + i.item_id)::bigint) %% 100 < %s
            """,
            [item_ids, COMPLETION_PERCENT, COMPLETION_PERCENT + PROGRESS_PERCENT],
        )
        for statement in restore:
            cursor.execute(statement)
        cursor.execute("SELECT COUNT(*) FROM lms_completion")
        completions = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM lms_progress")
        progress = cursor.fetchone()[0]
    return {"staff": STAFF, "completions": completions, "progress": progress}


def build(setup: dict, *, check: bool) -> list[int]:
    """Migrate, import the register, create items, people, completions and progress, build the roll-up."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from lms.models import SiteItemRollup
    from lms.services.organisation import organisation_import_register
    from lms.services.rollups import rollup_differences, rollup_rebuild

    with timed("migrate") as step:
        call_command("migrate", verbosity=0)
    setup["migrate_s"] = step.seconds
    with timed("import the DWP register") as step:
        setup["register"] = organisation_import_register(directory=Path(settings.JOBCENTRE_REGISTER_DIR))
    setup["import_s"] = step.seconds
    with timed("200 learning items") as step:
        item_ids = build_items()
    setup["items"], setup["items_s"] = len(item_ids), step.seconds
    with timed("staff, completions, progress (generate_series)") as step:
        setup.update(build_people_and_completions(item_ids))
    setup["data_s"] = step.seconds
    with timed("rollup_rebuild") as step:
        setup["rollup"] = rollup_rebuild(check=False)
    setup["rollup_rebuild_s"] = step.seconds
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    if check:
        with timed("recount check") as step:
            setup["rollup_differences"] = rollup_differences()
        setup["rollup_check_s"] = step.seconds
    setup["rollup_rows"] = SiteItemRollup.objects.count()
    return item_ids


SITE_TABLE_SQL = """
    SELECT s.jobcentre_id,
           COUNT(*) AS staff,
           COUNT(c.id) AS completed,
           COUNT(p.id) FILTER (WHERE c.id IS NULL) AS in_progress
    FROM lms_staffprofile s
    LEFT JOIN lms_completion c ON c.user_id = s.user_id AND c.item_id = %(item)s
    LEFT JOIN lms_progress p ON p.user_id = s.user_id AND p.item_id = %(item)s
    WHERE s.jobcentre_id IS NOT NULL
    GROUP BY s.jobcentre_id
"""

HEAT_MAP_SQL = """
    WITH here AS (
        SELECT s.user_id, s.jobcentre_id FROM lms_staffprofile s
        JOIN lms_jobcentre j ON j.id = s.jobcentre_id WHERE j.district_id = %(district)s
    ), staff AS (
        SELECT jobcentre_id, COUNT(*) AS staff FROM here GROUP BY jobcentre_id
    ), done AS (
        SELECT here.jobcentre_id, c.item_id, COUNT(*) AS completed
        FROM here JOIN lms_completion c ON c.user_id = here.user_id
        GROUP BY here.jobcentre_id, c.item_id
    )
    SELECT staff.jobcentre_id, done.item_id, staff.staff, COALESCE(done.completed, 0)
    FROM staff LEFT JOIN done ON done.jobcentre_id = staff.jobcentre_id
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_reports")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (to explore it)")
    parser.add_argument("--reuse", action="store_true", help="time an existing database kept with --keep")
    parser.add_argument("--check-rollup", action="store_true", help="also compare the whole roll-up to a recount")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    started = time.perf_counter()
    setup: dict = {}
    if not args.reuse:
        database_create(args.database)
    try:
        import django

        django.setup()
        from django.db import connection
        from django.db.models import Count

        from lms.models import District, Jobcentre
        from lms.selectors.reports import ReportFilters, report_district_heatmap, report_items, report_site_table
        from lms.selectors.scope import ReportScope

        if args.reuse:
            item_ids = [item.pk for item in report_items()]
            setup["reused"] = True
        else:
            item_ids = build(setup, check=args.check_rollup)

        national = ReportScope(national=True)
        item = item_ids[len(item_ids) // 2]
        district = (
            District.objects.filter(jobcentres__is_active=True)
            .annotate(n=Count("jobcentres"))
            .order_by("-n", "pk")
            .first()
        )
        setup["heat_map_district"] = {
            "name": district.name,
            "jobcentres": Jobcentre.objects.filter(district=district).count(),
        }

        def baseline_site_table():
            with connection.cursor() as cursor:
                cursor.execute(SITE_TABLE_SQL, {"item": item})
                return {"rows": len(cursor.fetchall())}

        def app_site_table():
            report = report_site_table(scope=national, filters=ReportFilters(item_id=item))
            return {"rows": len(report.sites)}

        def baseline_heat_map():
            with connection.cursor() as cursor:
                cursor.execute(HEAT_MAP_SQL, {"district": district.pk})
                return {"rows": len(cursor.fetchall())}

        def app_heat_map():
            heatmap = report_district_heatmap(scope=national, district=district, filters=ReportFilters())
            return {"rows": len(heatmap.rows) * len(heatmap.jobcentres)}

        # The two must agree: the app's counts equal the hand-written SQL's.
        with connection.cursor() as cursor:
            cursor.execute(SITE_TABLE_SQL, {"item": item})
            raw = {site: (staff, done, started) for site, staff, done, started in cursor.fetchall()}
        report = report_site_table(scope=national, filters=ReportFilters(item_id=item))
        app = {row.jobcentre.pk: (row.staff, row.completed, row.in_progress) for row in report.sites if row.staff}
        setup["site_table_agrees_with_sql"] = app == raw
        with connection.cursor() as cursor:
            cursor.execute(HEAT_MAP_SQL, {"district": district.pk})
            raw_cells = {(site, it): done for site, it, _, done in cursor.fetchall() if it is not None}
        heatmap = report_district_heatmap(scope=national, district=district, filters=ReportFilters())
        app_cells = {
            (jobcentre.pk, row.item.pk): cell.completed
            for row in heatmap.rows
            for jobcentre, cell in zip(heatmap.jobcentres, row.cells, strict=True)
            if cell.completed
        }
        setup["heat_map_agrees_with_sql"] = app_cells == raw_cells

        results = {}
        for name, baseline, app in (
            ("site_table_one_item", baseline_site_table, app_site_table),
            ("district_heat_map", baseline_heat_map, app_heat_map),
        ):
            log(f"{name}: warm-up, then {args.rounds} alternating rounds")
            baseline()
            app()
            runs = alternate({"baseline_sql": baseline, "app": app}, args.rounds)
            app_summary, raw_summary = summary(runs, "app"), summary(runs, "baseline_sql")
            ratio = app_summary["median"] / raw_summary["median"]
            pairs = [runs[i + 1]["wall_s"] / runs[i]["wall_s"] for i in range(0, len(runs), 2) if runs[i]["wall_s"]]
            results[name] = result(
                value=app_summary,
                baseline=raw_summary,
                ratio=ratio,
                goal=f"median ≤ {GOAL_RATIO} × baseline and ≤ {int(GOAL_SECONDS * 1000)} ms",
                passed=ratio <= GOAL_RATIO and app_summary["median"] <= GOAL_SECONDS,
                runs=runs,
                median_of_round_ratios=round(statistics.median(pairs), 4),
            )
            log(f"{name}: app {app_summary['median'] * 1000:.1f} ms, SQL {raw_summary['median'] * 1000:.1f} ms, "
                f"ratio {ratio:.2f}")  # fmt: skip
        setup["total_s"] = round(time.perf_counter() - started, 1)
        write_results(
            "reports",
            {
                "benchmark": "reports",
                "machine": machine_info(database=connection.vendor, server_version=connection.pg_version),
                "setup": setup,
                "results": results,
            },
        )
        return 0 if all(entry["pass"] for entry in results.values()) else 1
    finally:
        if not args.keep:
            database_drop(args.database)


if __name__ == "__main__":
    sys.exit(main())
