"""Everything a progress heartbeat needs to know, read in one query (``heartbeat_state``).

Every learner's player posts a heartbeat every 10–15 s, so this read is the hottest query in the product. It is
one SQL statement, written out rather than composed with the ORM, because the ORM would need one query per
question (about 8) or a slower nest of subqueries. It runs unchanged on PostgreSQL and SQLite.

It answers: is the item a live module, film or webinar with a ready video (its completion threshold and
video length); does anything on its branch of the page tree restrict viewing (or is an alias); this learner's
watch session for the heartbeat's session id (its item, when it began, when it last had a heartbeat accepted,
whether this ``seq`` was already accepted); this learner's progress on the item (with its version for the
conditional update); and whether they have completed it.
"""

import datetime
import json
import math
import uuid
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.utils.dateparse import parse_datetime
from wagtail.models import Page, PageViewRestriction

from lms.models import Completion, HeartbeatReceipt, Progress, WatchSession
from lms.models.content import LEARNING_ITEM_MODELS
from media_pipeline.models import Video, VideoStatus


@dataclass(frozen=True)
class HeartbeatItem:
    """The learning item a heartbeat is for."""

    pk: int
    model: type
    duration: float
    completion_threshold: int
    restricted: bool  # a view restriction or an alias on its branch: ask page_viewable_by


@dataclass(frozen=True)
class HeartbeatState:
    """The learner's side: their watch session (if it exists), progress (if any) and completion."""

    session_id: int | None
    session_item_id: int | None
    session_first_seen_at: datetime.datetime | None
    session_last_accepted_at: datetime.datetime | None
    seq_accepted: bool
    progress_id: int | None
    progress_version: int
    ranges: list
    watched_seconds: float
    position: float
    completed: bool


def heartbeat_state(
    *, user_id: int, item_id: int, session: uuid.UUID, seq: int
) -> tuple[HeartbeatItem, HeartbeatState]:
    """The item ``item_id`` and ``user_id``'s state on it, in one query.

    Raises ``LookupError`` when ``item_id`` is not a live module, film or webinar whose video is ready with a
    finite length (the API's 404).
    """
    session_value = WatchSession._meta.get_field("session").get_db_prep_value(session, connection)
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [seq, user_id, user_id, session_value, user_id, item_id, True])
        row = cursor.fetchone()
    if row is None:
        raise LookupError(item_id)
    (type_index, threshold, status, duration, restricted, session_id, session_item_id, first_seen_at,
     last_accepted_at, seq_accepted, progress_id, version, ranges, watched, position, completed) = row  # fmt: skip
    if type_index is None or status != VideoStatus.READY or not duration or not math.isfinite(duration):
        raise LookupError(item_id)
    item = HeartbeatItem(
        pk=item_id,
        model=LEARNING_ITEM_MODELS[type_index],
        duration=float(duration),
        completion_threshold=threshold,
        restricted=bool(restricted),
    )
    state = HeartbeatState(
        session_id=session_id,
        session_item_id=session_item_id,
        session_first_seen_at=_aware(first_seen_at),
        session_last_accepted_at=_aware(last_accepted_at),
        seq_accepted=bool(seq_accepted),
        progress_id=progress_id,
        progress_version=version or 0,
        ranges=(json.loads(ranges) if isinstance(ranges, str) else ranges) or [],
        watched_seconds=watched or 0.0,
        position=position or 0.0,
        completed=bool(completed),
    )
    return item, state


@cache
def _sql() -> str:
    """The query, built once from the models' table and column names (so a renamed table cannot be missed)."""
    q = connection.ops.quote_name

    def table(model) -> str:
        return q(model._meta.db_table)

    def column(model, field: str) -> str:
        return q(model._meta.get_field(field).column)

    items = [(f"i{index}", model) for index, model in enumerate(LEARNING_ITEM_MODELS)]
    item_joins = "\n".join(
        f"LEFT JOIN {table(model)} {alias} ON {alias}.{q(model._meta.pk.column)} = p.{column(Page, 'id')}"
        for alias, model in items
    )
    type_index = " ".join(
        f"WHEN {alias}.{q(model._meta.pk.column)} IS NOT NULL THEN {number}"
        for number, (alias, model) in enumerate(items)
    )
    threshold = ", ".join(f"{alias}.{column(model, 'completion_threshold')}" for alias, model in items)
    video = ", ".join(f"{alias}.{column(model, 'video')}" for alias, model in items)
    page, receipt = table(Page), table(HeartbeatReceipt)
    path, page_id = column(Page, "path"), column(Page, "id")
    # The branch is the item and its ancestors: the pages whose path begins the item's path. Both checks start from
    # the few pages that matter (those with a view restriction, found through the restrictions; aliases, through
    # the index on alias_of), so their cost does not grow with the page tree. Only quoted identifiers from the
    # models are formatted in; every value is a parameter.
    return f"""
SELECT CASE {type_index} END,
       COALESCE({threshold}),
       v.{column(Video, "status")},
       v.{column(Video, "duration")},
       (EXISTS (SELECT 1 FROM {table(PageViewRestriction)} r
                JOIN {page} b ON b.{page_id} = r.{column(PageViewRestriction, "page")}
                WHERE b.{path} = substr(p.{path}, 1, length(b.{path})))
        OR EXISTS (SELECT 1 FROM {page} b
                   WHERE b.{column(Page, "alias_of")} IS NOT NULL
                   AND b.{path} = substr(p.{path}, 1, length(b.{path})))),
       ws.{column(WatchSession, "id")},
       ws.{column(WatchSession, "item")},
       ws.{column(WatchSession, "first_seen_at")},
       (SELECT MAX(h.{column(HeartbeatReceipt, "received_at")}) FROM {receipt} h
        WHERE h.{column(HeartbeatReceipt, "watch_session")} = ws.{column(WatchSession, "id")}),
       EXISTS (SELECT 1 FROM {receipt} h
               WHERE h.{column(HeartbeatReceipt, "watch_session")} = ws.{column(WatchSession, "id")}
               AND h.{column(HeartbeatReceipt, "seq")} = %s),
       pr.{column(Progress, "id")},
       pr.{column(Progress, "version")},
       pr.{column(Progress, "ranges")},
       pr.{column(Progress, "watched_seconds")},
       pr.{column(Progress, "position")},
       EXISTS (SELECT 1 FROM {table(Completion)} c
               WHERE c.{column(Completion, "user")} = %s AND c.{column(Completion, "item")} = p.{page_id})
FROM {page} p
{item_joins}
LEFT JOIN {table(Video)} v ON v.{column(Video, "id")} = COALESCE({video})
LEFT JOIN {table(WatchSession)} ws
       ON ws.{column(WatchSession, "user")} = %s AND ws.{column(WatchSession, "session")} = %s
LEFT JOIN {table(Progress)} pr ON pr.{column(Progress, "user")} = %s AND pr.{column(Progress, "item")} = p.{page_id}
WHERE p.{page_id} = %s AND p.{column(Page, "live")} = %s
"""  # noqa: S608


def _aware(value) -> datetime.datetime | None:
    """A timestamp as an aware UTC datetime. PostgreSQL returns one; SQLite returns naive UTC, or text for an
    aggregate such as MAX()."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value
