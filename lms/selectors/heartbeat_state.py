"""Everything a progress heartbeat needs to know, read in one query (``heartbeat_state``).

Every learner's player posts a heartbeat every 10–15 s, so this read is the hottest query in the product. It is
one SQL statement, written out rather than composed with the ORM, because the ORM would need one query per
question (about 8) or a slower nest of subqueries. It runs unchanged on PostgreSQL and SQLite.

It answers: is the item a live module, film or webinar with a ready video (its completion threshold and
video length); does anything on its branch of the page tree restrict viewing (or is an alias, or is the branch
deeper than ``BRANCH_DEPTH_CHECKED``: then the full check decides); this learner's
watch session for the heartbeat's session id (its item, when it began, when it last had a heartbeat accepted,
whether this ``seq`` was already accepted); this learner's progress on the item (with its version for the
conditional update); whether they have completed it; and, for the rate limit, how recently their latest
heartbeats on the item were accepted and their latest watch sessions on it began.
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

#: How many levels of the item's branch the query matches by path (Wagtail's paths grow 4 characters a level). An
#: item deeper than this counts as restricted, so that ``page_viewable_by`` decides; the site's items sit at depth
#: 4 or 5 (root, home, index, series, module).
BRANCH_DEPTH_CHECKED = 12


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
    #: When the oldest of the learner's last ``limit`` accepted heartbeats on the item arrived, if all of them
    #: arrived in the window; else None (fewer in the window).
    window_full_since: datetime.datetime | None
    #: The same for the learner's watch sessions on the item (when each began).
    window_sessions_full_since: datetime.datetime | None


def heartbeat_state(
    *,
    user_id: int,
    item_id: int,
    session: uuid.UUID,
    seq: int,
    window: tuple[datetime.datetime, datetime.datetime],
    limit: int,
) -> tuple[HeartbeatItem, HeartbeatState]:
    """The item ``item_id`` and ``user_id``'s state on it, in one query.

    ``window`` (start, end) and ``limit`` are the rate limit's: the state says whether ``limit`` heartbeats (and,
    separately, ``limit`` watch sessions) of this learner on this item came after the start and by the end.

    Raises ``LookupError`` when ``item_id`` is not a live module, film or webinar whose video is ready with a
    finite length (the API's 404).
    """
    session_value = WatchSession._meta.get_field("session").get_db_prep_value(session, connection)
    received_at = HeartbeatReceipt._meta.get_field("received_at")
    since, until = (received_at.get_db_prep_value(moment, connection) for moment in window)
    params = {
        "item": item_id,
        "live": True,
        "user": user_id,
        "session": session_value,
        "seq": seq,
        "since": since,
        "until": until,
        "offset": limit - 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        row = cursor.fetchone()
    if row is None:
        raise LookupError(item_id)
    (type_index, threshold, status, duration, restricted, session_id, session_item_id, first_seen_at,
     last_accepted_at, seq_accepted, progress_id, version, ranges, watched, position, completed,
     window_full_since, window_sessions_full_since) = row  # fmt: skip
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
        window_full_since=_aware(window_full_since),
        window_sessions_full_since=_aware(window_sessions_full_since),
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
    # The branch is the item and its ancestors: the pages whose paths are the item's path's first 4, 8, 12, …
    # characters. The prefixes are computed once (a VALUES list of lengths; past the item's own depth a prefix is
    # the whole path again, which is harmless) and matched against the unique path (an index probe a level on a
    # large tree; on a small one PostgreSQL scans it, checking a flag per page), so no page's path is cut up per
    # heartbeat (a "b.path = substr(p.path, 1, length(b.path))" condition did that for every page, twice). Only
    # quoted identifiers from the models are formatted in; every value is a named parameter, sent once however
    # often the query uses it.
    lengths = ", ".join(f"({Page.steplen * level})" for level in range(1, BRANCH_DEPTH_CHECKED + 1))
    sessions, session_id = table(WatchSession), column(WatchSession, "id")
    session_user, session_item = column(WatchSession, "user"), column(WatchSession, "item")
    first_seen, received_at = column(WatchSession, "first_seen_at"), column(HeartbeatReceipt, "received_at")
    return f"""
SELECT CASE {type_index} END,
       COALESCE({threshold}),
       v.{column(Video, "status")},
       v.{column(Video, "duration")},
       (p.{column(Page, "depth")} > {BRANCH_DEPTH_CHECKED}
        OR EXISTS (SELECT 1 FROM {page} b
                   WHERE b.{path} IN (SELECT substr(p.{path}, 1, column1) FROM (VALUES {lengths}) AS lengths)
                   AND (b.{column(Page, "alias_of")} IS NOT NULL
                        OR EXISTS (SELECT 1 FROM {table(PageViewRestriction)} r
                                   WHERE r.{column(PageViewRestriction, "page")} = b.{page_id})))),
       ws.{column(WatchSession, "id")},
       ws.{column(WatchSession, "item")},
       ws.{column(WatchSession, "first_seen_at")},
       (SELECT MAX(h.{column(HeartbeatReceipt, "received_at")}) FROM {receipt} h
        WHERE h.{column(HeartbeatReceipt, "watch_session")} = ws.{column(WatchSession, "id")}),
       EXISTS (SELECT 1 FROM {receipt} h
               WHERE h.{column(HeartbeatReceipt, "watch_session")} = ws.{column(WatchSession, "id")}
               AND h.{column(HeartbeatReceipt, "seq")} = %(seq)s),
       pr.{column(Progress, "id")},
       pr.{column(Progress, "version")},
       pr.{column(Progress, "ranges")},
       pr.{column(Progress, "watched_seconds")},
       pr.{column(Progress, "position")},
       EXISTS (SELECT 1 FROM {table(Completion)} c
               WHERE c.{column(Completion, "user")} = %(user)s AND c.{column(Completion, "item")} = p.{page_id}),
       (SELECT h.{received_at} FROM {receipt} h
        JOIN {sessions} w ON w.{session_id} = h.{column(HeartbeatReceipt, "watch_session")}
        WHERE w.{session_user} = %(user)s AND w.{session_item} = p.{page_id}
        AND h.{received_at} > %(since)s AND h.{received_at} <= %(until)s
        ORDER BY h.{received_at} DESC LIMIT 1 OFFSET %(offset)s),
       (SELECT w.{first_seen} FROM {sessions} w
        WHERE w.{session_user} = %(user)s AND w.{session_item} = p.{page_id}
        AND w.{first_seen} > %(since)s AND w.{first_seen} <= %(until)s
        ORDER BY w.{first_seen} DESC LIMIT 1 OFFSET %(offset)s)
FROM {page} p
{item_joins}
LEFT JOIN {table(Video)} v ON v.{column(Video, "id")} = COALESCE({video})
LEFT JOIN {table(WatchSession)} ws
       ON ws.{column(WatchSession, "user")} = %(user)s AND ws.{column(WatchSession, "session")} = %(session)s
LEFT JOIN {table(Progress)} pr
       ON pr.{column(Progress, "user")} = %(user)s AND pr.{column(Progress, "item")} = p.{page_id}
WHERE p.{page_id} = %(item)s AND p.{column(Page, "live")} = %(live)s
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
