"""Keeping the reports' roll-up (``SiteItemRollup``) equal to a count of the raw rows, and rebuilding it.

The roll-up counts, per (current jobcentre, item, job role), the staff who have completed the item and the staff
who have started it (a ``Progress`` row) without completing it. Every change that moves a count calls one of:

* ``rollup_completion_recorded`` – from ``completion_record``, in its transaction;
* ``rollup_progress_started`` – when a learner's first ``Progress`` row for an item is created, in its transaction
  (on PostgreSQL the heartbeat does the same in the statement that creates the row: ``_start_sql`` in
  ``lms.services.heartbeat_writes``, held to this function by ``tests/lms/test_progress_api.py``);
* ``rollup_staff_moved`` – when someone's jobcentre or job role changes, or their staff record is created or
  deleted (``lms.signals`` calls it on every ``StaffProfile`` save and delete, so sign-in updates and admin edits
  are covered too).

Counters move with ``UPDATE … SET n = n ± 1`` on a row created beforehand with ``INSERT … ON CONFLICT DO NOTHING``,
so concurrent writers never lose an increment. Bulk writes that bypass ``save()`` (``bulk_create``, ``update``,
raw SQL) must be followed by ``rollup_rebuild`` (``manage.py rollups_rebuild``), which recounts from scratch.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from lms.models import Completion, Progress, SiteItemRollup, StaffProfile

Placement = tuple[int | None, str]  # (jobcentre id, job role) of one member of staff


def _placement(*, user_id: int) -> Placement | None:
    row = StaffProfile.objects.filter(user_id=user_id).values_list("jobcentre_id", "job_role").first()
    if row is None or row[0] is None:
        return None
    return row


def _bump(*, placement: Placement, item_ids: Iterable[int], completed: int = 0, in_progress: int = 0) -> None:
    """Add ``completed`` and ``in_progress`` to the rows of ``placement`` for ``item_ids`` (creating them)."""
    item_ids = sorted(set(item_ids))  # a fixed order, so that two writers lock rows in the same order
    if not item_ids or (completed == 0 and in_progress == 0):
        return
    jobcentre_id, job_role = placement
    SiteItemRollup.objects.bulk_create(
        [SiteItemRollup(jobcentre_id=jobcentre_id, item_id=item_id, job_role=job_role) for item_id in item_ids],
        ignore_conflicts=True,
    )
    SiteItemRollup.objects.filter(jobcentre_id=jobcentre_id, job_role=job_role, item_id__in=item_ids).update(
        completed=F("completed") + completed, in_progress=F("in_progress") + in_progress
    )


def rollup_completion_recorded(*, user, item_id: int, placement: Placement | None = None) -> None:
    """Count a new completion of ``item_id`` by ``user`` at their current jobcentre and job role.

    Call it once per new ``Completion`` row, inside the transaction that wrote it. ``placement`` is the learner's
    ``(jobcentre_id, job_role)`` when the caller has already read it. Someone with no jobcentre is counted nowhere.
    """
    placement = placement if placement is not None else _placement(user_id=user.pk)
    if placement is None or placement[0] is None:
        return
    was_started = Progress.objects.filter(user_id=user.pk, item_id=item_id).exists()
    _bump(placement=placement, item_ids=[item_id], completed=1, in_progress=-1 if was_started else 0)


def rollup_progress_started(*, user_id: int, item_id: int) -> None:
    """Count the learner as in progress on the item: call it when their first ``Progress`` row for it is created,
    in the same transaction. Nothing changes if they have already completed it (say, by attending live)."""
    placement = _placement(user_id=user_id)
    if placement is None:
        return
    if Completion.objects.filter(user_id=user_id, item_id=item_id).exists():
        return
    _bump(placement=placement, item_ids=[item_id], in_progress=1)


def rollup_staff_moved(*, user_id: int, before: Placement | None, after: Placement | None) -> None:
    """Move ``user_id``'s completions and in-progress items from one (jobcentre, job role) to another.

    ``before`` or ``after`` is ``None`` (or has no jobcentre) when the person was, or now is, at no jobcentre:
    a new staff record, a deleted one, or a jobcentre cleared.
    """
    before = before if before is not None and before[0] is not None else None
    after = after if after is not None and after[0] is not None else None
    if before == after:
        return
    with transaction.atomic():
        completed = set(Completion.objects.filter(user_id=user_id).values_list("item_id", flat=True))
        started = set(Progress.objects.filter(user_id=user_id).values_list("item_id", flat=True)) - completed
        for placement, sign in ((before, -1), (after, 1)):
            if placement is None:
                continue
            _bump(placement=placement, item_ids=completed, completed=sign)
            _bump(placement=placement, item_ids=started, in_progress=sign)


def _recount_sql() -> tuple[str, str]:
    """The from-scratch count as SQL (standard SQL: runs on PostgreSQL and SQLite), and the roll-up's columns."""
    completion = Completion._meta.db_table
    progress = Progress._meta.db_table
    staff = StaffProfile._meta.db_table
    columns = "jobcentre_id, item_id, job_role, completed, in_progress"
    # Only table names from the models' Meta are interpolated; no value comes from outside.
    recount = f"""
        SELECT jobcentre_id, item_id, job_role, SUM(done) AS completed, SUM(started) AS in_progress FROM (
            SELECT s.jobcentre_id, c.item_id, s.job_role, 1 AS done, 0 AS started
            FROM {completion} c JOIN {staff} s ON s.user_id = c.user_id
            WHERE s.jobcentre_id IS NOT NULL
            UNION ALL
            SELECT s.jobcentre_id, p.item_id, s.job_role, 0 AS done, 1 AS started
            FROM {progress} p JOIN {staff} s ON s.user_id = p.user_id
            WHERE s.jobcentre_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {completion} c WHERE c.user_id = p.user_id AND c.item_id = p.item_id
            )
        ) counted
        GROUP BY jobcentre_id, item_id, job_role
    """  # noqa: S608
    return recount, columns


def rollup_differences() -> int:
    """How many (jobcentre, item, job role) rows differ between the roll-up and a from-scratch count."""
    recount, columns = _recount_sql()
    table = SiteItemRollup._meta.db_table
    stored = f"SELECT {columns} FROM {table} WHERE completed <> 0 OR in_progress <> 0"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM ("  # noqa: S608
            f"SELECT jobcentre_id, item_id, job_role FROM ({stored} EXCEPT {recount}) wrong"
            f" UNION SELECT jobcentre_id, item_id, job_role FROM ({recount} EXCEPT {stored}) missing"
            ") differing"
        )
        return int(cursor.fetchone()[0])


def rollup_rebuild(*, check: bool = True) -> dict:
    """Replace the whole roll-up with a from-scratch count, in one transaction, and return what it did:
    ``{"rows", "completed", "in_progress", "repaired"}`` (``repaired``: counts that were wrong, when ``check``).

    On PostgreSQL the roll-up table is locked for the rebuild, so completions recorded meanwhile wait and then
    apply on top of the new counts instead of being lost.
    """
    recount, columns = _recount_sql()
    table = SiteItemRollup._meta.db_table
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        repaired = rollup_differences() if check else None
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(f"INSERT INTO {table} ({columns}) {recount}")
            totals = "COUNT(*), COALESCE(SUM(completed), 0), COALESCE(SUM(in_progress), 0)"
            cursor.execute(f"SELECT {totals} FROM {table}")  # noqa: S608
            rows, completed, in_progress = cursor.fetchone()
    return {"rows": int(rows), "completed": int(completed), "in_progress": int(in_progress), "repaired": repaired}
