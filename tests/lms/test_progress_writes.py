"""The heartbeat's hand-written SQL sends each value as the ORM would (``lms.services.heartbeat_writes``)."""

import datetime
import uuid

import pytest
from django.db import connection

from lms.models import HeartbeatReceipt, Progress, WatchSession
from lms.services import heartbeat_writes

NOW = datetime.datetime(2026, 3, 2, 9, 0, 12, 345678, tzinfo=datetime.UTC)


def _comparable(param):
    """psycopg's ``Jsonb`` wrapper has no equality of its own: compare what it wraps and how it dumps it."""
    if hasattr(param, "obj") and hasattr(param, "dumps"):
        return (type(param), param.obj, param.dumps(param.obj))
    return (type(param), param)


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize(
    ("model", "fields", "values"),
    [
        (Progress, heartbeat_writes._PROGRESS_FIELDS, [[[0.0, 12.5], [30.0, 31.0]], 13.5, 900.0, 31.0, NOW, 7]),
        (HeartbeatReceipt, heartbeat_writes._RECEIPT_FIELDS, [41, 3, NOW, [[30.0, 31.0]], 1.0]),
        (Progress, heartbeat_writes._PROGRESS_FIELDS, [[], 0, 60, 0.0, NOW.replace(tzinfo=None), 0]),
        (Progress, heartbeat_writes._START_FIELDS, [5, 9, [[0.0, 0.5]], 0.5, 900.0, 0.5, NOW, NOW, 1]),
        (WatchSession, heartbeat_writes._SESSION_FIELDS, [5, uuid.UUID(int=7), 9, NOW]),
    ],
)
def test_the_parameters_are_what_the_orm_sends(model, fields, values):
    sent = heartbeat_writes._params(model, fields, values)
    orm = [
        model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in zip(fields, values, strict=True)
    ]
    assert [_comparable(param) for param in sent] == [_comparable(param) for param in orm]
