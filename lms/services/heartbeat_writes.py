"""The writes of an accepted heartbeat: its watch session (the first heartbeat of a page view), the learner's
progress row, and the heartbeat's receipt.

Every learner's player posts every 10–15 s, so these are plain SQL built once from the models: the ORM's
``update()``, ``create()`` and ``get_or_create()`` cost more Python than the statements themselves
(``bench/heartbeat.py``, ``bench/soak.py``). Values are sent as the ORM would send them (see ``_params``).

On PostgreSQL the progress and the receipt are one statement (data-modifying CTEs), so they commit together in one
round trip; so is a learner's first progress on an item, with its count in the site roll-up. SQLite cannot modify
data in a CTE: there they are separate statements, the progress first. That order is safe without a transaction:
if the receipt is not written, the player sends the heartbeat again, and merging the same ranges again changes
nothing (the other order could mark ranges accepted that were never merged).
"""

import contextlib
import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, models, transaction

from lms.models import Completion, HeartbeatReceipt, Progress, SiteItemRollup, StaffProfile, WatchSession
from lms.services.rollups import rollup_progress_started


def watch_session_start(*, user_id: int, session, item_id: int, first_seen_at: datetime) -> int | None:
    """Create the learner's watch session ``session`` on the item; its id, or None if they already have one with
    that id (another heartbeat of the same page view made it since this one read)."""
    values = [user_id, session, item_id, first_seen_at]
    with connection.cursor() as cursor:
        cursor.execute(_session_sql(), _params(WatchSession, _SESSION_FIELDS, values))
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class ProgressWrite:
    """The progress row's new values, written only if its version is still ``expected_version``; with no
    ``progress_id``, the learner's first progress on the item, written only if they still have none."""

    progress_id: int | None
    expected_version: int
    user_id: int
    item_id: int
    ranges: list
    watched_seconds: float
    duration: float
    position: float
    updated_at: datetime

    def values(self) -> list:
        """In the order of _PROGRESS_FIELDS, as the SQL lists them (not dataclasses.asdict: it deep-copies)."""
        new_version = self.expected_version + 1
        return [self.ranges, self.watched_seconds, self.duration, self.position, self.updated_at, new_version]


@dataclass(frozen=True)
class ReceiptWrite:
    watch_session_id: int
    seq: int
    received_at: datetime
    ranges: list
    added_seconds: float


def heartbeat_write(*, progress: ProgressWrite | None, receipt: ReceiptWrite) -> bool:
    """Write the progress (if any: a heartbeat that watched nothing has none) and the receipt.

    Returns False, having written nothing, when the progress row's version is no longer the expected one (another
    heartbeat wrote it since it was read). A receipt already there for this ``(session, seq)`` is a twin of this
    heartbeat, accepted a moment ago with the same ranges: that is not an error.
    """
    if progress is None:
        _receipt_insert(receipt)
        return True
    if progress.progress_id is None:
        return _progress_start(progress, receipt)
    if connection.vendor == "postgresql":
        params = _update_params(progress) + _params(HeartbeatReceipt, _RECEIPT_FIELDS, _receipt_values(receipt))
        with connection.cursor() as cursor:
            cursor.execute(_both_sql(), params)
            updated, _inserted = cursor.fetchone()
        return updated == 1
    if not _progress_update(progress):
        return False
    _receipt_insert(receipt)
    return True


def _progress_start(progress: ProgressWrite, receipt: ReceiptWrite) -> bool:
    """Create the progress row with its first watched ranges, count the learner as in progress on the item
    (``lms.services.rollups.rollup_progress_started``'s rule, in SQL on PostgreSQL) and write the receipt. False,
    with nothing written, if the learner has a progress row for the item after all (another heartbeat made it)."""
    if connection.vendor == "postgresql":
        params = {
            **dict(zip(_START_FIELDS, _params(Progress, _START_FIELDS, _start_values(progress)), strict=True)),
            **dict(
                zip(_RECEIPT_KEYS, _params(HeartbeatReceipt, _RECEIPT_FIELDS, _receipt_values(receipt)), strict=True)
            ),
        }
        with connection.cursor() as cursor:
            cursor.execute(_start_sql(), params)
            started, _inserted = cursor.fetchone()
        return started == 1
    try:
        with transaction.atomic():
            columns = [Progress._meta.get_field(name).attname for name in _START_FIELDS]  # user_id, item_id, …
            Progress.objects.create(**dict(zip(columns, _start_values(progress), strict=True)))
            rollup_progress_started(user_id=progress.user_id, item_id=progress.item_id)
    except IntegrityError:
        return False
    _receipt_insert(receipt)
    return True


def _start_values(progress: ProgressWrite) -> list:
    """In the order of _START_FIELDS: the row as it is after its first write (version 1)."""
    return [
        progress.user_id,
        progress.item_id,
        progress.ranges,
        progress.watched_seconds,
        progress.duration,
        progress.position,
        progress.updated_at,
        progress.updated_at,
        1,
    ]


def _progress_update(progress: ProgressWrite) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(), _update_params(progress))
        return cursor.rowcount == 1


def _receipt_insert(receipt: ReceiptWrite) -> None:
    params = _params(HeartbeatReceipt, _RECEIPT_FIELDS, _receipt_values(receipt))
    # Inside a transaction (the locked retry) a failed INSERT must not abort it: give it a savepoint.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(_insert_sql(), params)
    except IntegrityError:
        if not HeartbeatReceipt.objects.filter(watch_session_id=receipt.watch_session_id, seq=receipt.seq).exists():
            raise  # not a twin: the watch session itself has gone


def _update_params(progress: ProgressWrite) -> list:
    """The new values, then the WHERE clause's id and expected version."""
    values = _params(Progress, _PROGRESS_FIELDS, progress.values())
    return [*values, progress.progress_id, progress.expected_version]


def _receipt_values(receipt: ReceiptWrite) -> list:
    """In the order of _RECEIPT_FIELDS, as the SQL lists them."""
    return [receipt.watch_session_id, receipt.seq, receipt.received_at, receipt.ranges, receipt.added_seconds]


def _params(model, fields: tuple[str, ...], values: list) -> list:
    adapters = _adapters(model, fields, connection.vendor)
    return [adapt(value) for adapt, value in zip(adapters, values, strict=True)]


@functools.cache
def _adapters(model, fields: tuple[str, ...], vendor: str) -> tuple:
    """For each field, what turns a value into the parameter the ORM sends: the field's ``get_db_prep_save``.

    On PostgreSQL that is ``float()`` for a float, returns an aware datetime unchanged and wraps JSON in psycopg's
    ``Jsonb``; there those direct equivalents are used, as every heartbeat writes eleven values
    (``tests/lms/test_progress_writes.py`` holds them to the ORM's). Integers keep ``get_db_prep_save``: it types
    them by field (``Int4``, …), which keeps one prepared statement whatever the values."""
    adapters = []
    for name in fields:
        field = model._meta.get_field(name)
        if vendor == "postgresql" and isinstance(field, models.JSONField):
            adapters.append(functools.partial(_json, encoder=field.encoder))
        elif vendor == "postgresql" and isinstance(field, models.FloatField):
            adapters.append(float)
        elif vendor == "postgresql" and isinstance(field, models.DateTimeField):
            adapters.append(functools.partial(_aware_datetime, field=field))
        else:
            adapters.append(functools.partial(field.get_db_prep_save, connection=connection))
    return tuple(adapters)


def _json(value, *, encoder):
    return connection.ops.adapt_json_value(value, encoder)


def _aware_datetime(value, *, field):
    return value if value.tzinfo is not None else field.get_db_prep_save(value, connection)


# The SQL, built once per process from the models' names. Only quoted identifiers are formatted in; every value is
# a parameter.

_PROGRESS_FIELDS = ("ranges", "watched_seconds", "duration", "position", "updated_at", "version")
_RECEIPT_FIELDS = ("watch_session", "seq", "received_at", "ranges", "added_seconds")
_RECEIPT_KEYS = tuple(f"receipt_{name}" for name in _RECEIPT_FIELDS)  # named parameters of _start_sql
_START_FIELDS = (
    "user",
    "item",
    "ranges",
    "watched_seconds",
    "duration",
    "position",
    "started_at",
    "updated_at",
    "version",
)
_SESSION_FIELDS = ("user", "session", "item", "first_seen_at")


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _update_sql() -> str:
    assignments = ", ".join(f"{_column(Progress, name)} = %s" for name in _PROGRESS_FIELDS)
    return (
        f"UPDATE {_table(Progress)} SET {assignments} "  # noqa: S608
        f"WHERE {_column(Progress, 'id')} = %s AND {_column(Progress, 'version')} = %s"
    )


@functools.cache
def _insert_sql() -> str:
    names = ", ".join(_column(HeartbeatReceipt, name) for name in _RECEIPT_FIELDS)
    marks = ", ".join("%s" for _ in _RECEIPT_FIELDS)
    return f"INSERT INTO {_table(HeartbeatReceipt)} ({names}) VALUES ({marks})"  # noqa: S608


@functools.cache
def _both_sql() -> str:
    """PostgreSQL: the update, then the insert only if the update found its version; both counts returned."""
    marks = ", ".join("%s" for _ in _RECEIPT_FIELDS)
    return (
        f"WITH updated AS ({_update_sql()} RETURNING 1), "  # noqa: S608
        f"inserted AS ({_receipt_insert_if('updated', marks)}) "
        "SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted)"
    )


def _receipt_insert_if(written: str, values: str) -> str:
    """The receipt's INSERT, of ``values`` (placeholders in _RECEIPT_FIELDS order), only if the CTE ``written``
    returned a row; a twin already there is no error."""
    names = ", ".join(_column(HeartbeatReceipt, name) for name in _RECEIPT_FIELDS)
    return (
        f"INSERT INTO {_table(HeartbeatReceipt)} ({names}) SELECT {values} "  # noqa: S608
        f"WHERE EXISTS (SELECT 1 FROM {written}) ON CONFLICT DO NOTHING RETURNING 1"
    )


@functools.cache
def _session_sql() -> str:
    names = ", ".join(_column(WatchSession, name) for name in _SESSION_FIELDS)
    marks = ", ".join("%s" for _ in _SESSION_FIELDS)
    conflict = ", ".join(_column(WatchSession, name) for name in ("user", "session"))
    return (
        f"INSERT INTO {_table(WatchSession)} ({names}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {_column(WatchSession, 'id')}"
    )


@functools.cache
def _start_sql() -> str:
    """PostgreSQL: the progress row, unless the learner has one for the item; then, only if it was made, the
    roll-up's in-progress count of their jobcentre and job role (unless they have completed the item: say, by
    attending live) and the receipt. Returns how many progress rows and receipts were written."""
    progress, rollup, staff, completion = (
        _table(model) for model in (Progress, SiteItemRollup, StaffProfile, Completion)
    )
    names = ", ".join(_column(Progress, name) for name in _START_FIELDS)
    values = ", ".join(f"%({name})s" for name in _START_FIELDS)
    receipt_values = ", ".join(f"%({key})s" for key in _RECEIPT_KEYS)
    unique = ", ".join(_column(Progress, name) for name in ("user", "item"))
    counted = ", ".join(_column(SiteItemRollup, name) for name in ("jobcentre", "item", "job_role"))
    in_progress = _column(SiteItemRollup, "in_progress")
    jobcentre, job_role = _column(StaffProfile, "jobcentre"), _column(StaffProfile, "job_role")
    return (
        f"WITH started AS (INSERT INTO {progress} ({names}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING 1), "
        f"counted AS (INSERT INTO {rollup} ({counted}, {_column(SiteItemRollup, 'completed')}, {in_progress}) "
        f"SELECT s.{jobcentre}, %(item)s, s.{job_role}, 0, 1 FROM {staff} s "
        f"WHERE s.{_column(StaffProfile, 'user')} = %(user)s AND s.{jobcentre} IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM started) "
        f"AND NOT EXISTS (SELECT 1 FROM {completion} c WHERE c.{_column(Completion, 'user')} = %(user)s "
        f"AND c.{_column(Completion, 'item')} = %(item)s) "
        f"ON CONFLICT ({counted}) DO UPDATE SET {in_progress} = {rollup}.{in_progress} + 1), "
        f"inserted AS ({_receipt_insert_if('started', receipt_values)}) "
        "SELECT (SELECT count(*) FROM started), (SELECT count(*) FROM inserted)"
    )
