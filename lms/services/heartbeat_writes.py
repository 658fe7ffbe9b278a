"""The writes of an accepted heartbeat: the learner's progress row and the heartbeat's receipt.

Every learner's player posts every 10–15 s, so these are plain SQL built once from the models: the ORM's
``update()`` and ``create()`` cost more Python than the statements themselves (``bench/heartbeat.py``). Values
are sent as the ORM would send them (see ``_params``).

On PostgreSQL both writes are one statement (two data-modifying CTEs), so they commit together in one round trip.
SQLite cannot modify data in a CTE: there they are two statements, the progress first. That order is safe without
a transaction: if the receipt is not written, the player sends the heartbeat again, and merging the same ranges
again changes nothing (the other order could mark ranges accepted that were never merged).
"""

import contextlib
import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, models, transaction

from lms.models import HeartbeatReceipt, Progress


@dataclass(frozen=True)
class ProgressWrite:
    """The progress row's new values, written only if its version is still ``expected_version``."""

    progress_id: int
    expected_version: int
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
    names = ", ".join(_column(HeartbeatReceipt, name) for name in _RECEIPT_FIELDS)
    marks = ", ".join("%s" for _ in _RECEIPT_FIELDS)
    return (
        f"WITH updated AS ({_update_sql()} RETURNING 1), "  # noqa: S608
        f"inserted AS (INSERT INTO {_table(HeartbeatReceipt)} ({names}) "
        f"SELECT {marks} WHERE EXISTS (SELECT 1 FROM updated) ON CONFLICT DO NOTHING RETURNING 1) "
        "SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted)"
    )
