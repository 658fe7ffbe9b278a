"""Recording what a learner watched: the progress API's heartbeats (``POST /api/progress/``).

``progress_record_heartbeat`` is the one way progress is written. It follows the order in ``lms.heartbeats``:
the view decodes and parses the body (400), then this service looks the item up (404), checks the learner may
view it (403), applies the rate limit (429), checks the heartbeat against the item (400), merges the ranges into
the learner's progress, checks the newly watched time against the wall clock (400), and records the completion
once unique watched seconds reach the item's threshold.
"""

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from django.db import IntegrityError, transaction
from wagtail.models import Page

from lms import intervals
from lms.heartbeats import Heartbeat, HeartbeatInvalid, check_against_item, check_plausible
from lms.models import CompletionMethod, Progress
from lms.selectors.heartbeat_state import HeartbeatItem, HeartbeatState, heartbeat_state
from lms.selectors.learning import page_viewable_by, resume_position
from lms.services.completions import completion_record
from lms.services.heartbeat_writes import ProgressWrite, ReceiptWrite, heartbeat_write, watch_session_start

#: The 429 limit, per learner and item (never per session, so inventing session ids gains nothing): at most
#: ``RATE_LIMIT_HEARTBEATS`` accepted heartbeats in any ``RATE_LIMIT_WINDOW_SECONDS`` (a sliding window), and at
#: most as many new watch sessions. That averages one heartbeat per 5 s, the interval
#: ``lms.heartbeats.PLAUSIBILITY_GRACE_SECONDS`` is sized against (2× + 3 s / 5 s = 2.6× at most), while a player
#: that sends on play, pause and every 10–15 s never meets it in normal use.
#:
#: The counts come from the database, in the heartbeat's one read: the receipts of accepted heartbeats and the
#: watch sessions' start times. Heartbeats that write progress are serialised by the progress row's version (the
#: loser of a race reads again with the row locked), so even a burst of parallel requests cannot get more than the
#: limit accepted. A refused request writes nothing (bar a new watch session, which the second count limits) and
#: costs one read.
RATE_LIMIT_WINDOW_SECONDS: Final = 15
RATE_LIMIT_HEARTBEATS: Final = 3


class ProgressItemNotFound(Exception):
    """404: no live learning item with a playable video has this id."""


class ProgressNotAllowed(Exception):
    """403: the learner may not view this item."""


class ProgressBusy(Exception):
    """503: this learner's other heartbeats for the item kept winning the race; the player sends the ranges again."""


class ProgressRateLimited(Exception):
    """429: too many heartbeats for this learner and item; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many heartbeats; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class HeartbeatResult:
    """The API's ``200`` body."""

    watched_seconds: float
    percent: int
    completed: bool
    resume_at: float

    def to_dict(self) -> dict:
        return {
            "watched_seconds": round(self.watched_seconds, 2),
            "percent": self.percent,
            "completed": self.completed,
            "resume_at": round(self.resume_at, 2),
        }


def progress_record_heartbeat(*, user, heartbeat: Heartbeat, now: datetime) -> HeartbeatResult:
    """Merge one parsed heartbeat into ``user``'s progress on its item and return the progress as it now is.

    Raises ``ProgressItemNotFound`` (the id is not a live module, film or webinar with a ready video),
    ``ProgressNotAllowed`` (signed out, inactive, or a view restriction the learner does not pass),
    ``ProgressRateLimited`` (``RATE_LIMIT_HEARTBEATS`` already accepted in the last ``RATE_LIMIT_WINDOW_SECONDS``,
    or as many watch sessions begun when this heartbeat would begin another), or
    ``lms.heartbeats.HeartbeatInvalid`` (ranges past the end of the video, or more newly watched time than the wall
    clock allows at 2× speed since this session's previous accepted heartbeat).

    ``now`` is the request's arrival time, taken once, as early as possible. Replaying a ``(session, seq)`` that was
    accepted changes nothing and answers with the current progress. When the unique watched seconds reach the
    item's ``completion_threshold`` per cent, the completion is recorded (method ``watched``, the learner's site at
    the time), once.

    Two heartbeats for the same learner and item at once (two tabs) lose nothing: the progress row is written with
    a conditional update on its ``version``. The common case costs one read and one write (the update and the
    receipt's insert: one statement on PostgreSQL, two on SQLite; see ``lms.services.heartbeat_writes``). The
    heartbeat that loses a race starts again with the progress row locked, so it cannot lose twice.
    """
    try:
        return _record(user=user, heartbeat=heartbeat, now=now)
    except _Contended:
        pass
    for _ in range(_LOCKED_ATTEMPTS):
        try:
            with transaction.atomic():
                Progress.objects.select_for_update().filter(user=user, item_id=heartbeat.item).values("pk").first()
                return _record(user=user, heartbeat=heartbeat, now=now)
        except _Contended:
            continue  # the row did not exist to lock, and another heartbeat has just made it: now it does
    raise ProgressBusy


#: Tries with the progress row locked after a lost race. The lock makes the first succeed whenever the row exists;
#: a second is needed when two heartbeats both create the row.
_LOCKED_ATTEMPTS: Final = 3


class _Contended(Exception):
    """Another heartbeat of this learner on this item wrote between our read and our write."""


def _record(*, user, heartbeat: Heartbeat, now: datetime) -> HeartbeatResult:
    item, state = _state(user=user, heartbeat=heartbeat, now=now)
    if not (user.is_authenticated and user.is_active):
        raise ProgressNotAllowed
    if item.restricted and not page_viewable_by(user=user, page=Page.objects.get(pk=item.pk)):
        raise ProgressNotAllowed
    _rate_limit(state=state, now=now)
    duration = item.duration
    check_against_item(heartbeat, item_duration=duration)

    first_heartbeat = state.session_id is None
    if first_heartbeat:
        # Written at once, before the checks below, so that it stays even when this heartbeat is rejected: the
        # session's wall clock starts at its first heartbeat (see lms.heartbeats.check_plausible).
        session_id = watch_session_start(user_id=user.pk, session=heartbeat.session, item_id=item.pk, first_seen_at=now)
        if session_id is None:  # another request made it a moment ago
            raise _Contended
        state = replace(state, session_id=session_id, session_item_id=item.pk, session_first_seen_at=now)
    if state.session_item_id != item.pk:
        raise HeartbeatInvalid(
            "this session id was already used for another item; make a new session id (crypto.randomUUID()) "
            "for each page view"
        )
    if state.seq_accepted:
        return _result(state=state, duration=duration, completed=state.completed)

    existing = intervals.normalise(intervals.from_json(state.ranges), duration=duration)
    merged = intervals.merge(existing, heartbeat.ranges, duration=duration)
    watched = intervals.total(merged)
    added = max(0.0, watched - intervals.total(existing))
    if first_heartbeat:
        elapsed = None
    else:
        elapsed = (now - (state.session_last_accepted_at or state.session_first_seen_at)).total_seconds()
    check_plausible(newly_watched_seconds=added, elapsed_wall_seconds=elapsed)

    position = min(heartbeat.position, duration)
    reaches_threshold = intervals.coverage(merged, duration) >= item.completion_threshold
    progress = None
    if merged:
        # With no progress row yet, this is the first heartbeat that carries watched time: the write creates the
        # row (until then the learner has not started; the reports count a Progress row as "in progress").
        progress = ProgressWrite(
            progress_id=state.progress_id,
            expected_version=state.progress_version,
            user_id=user.pk,
            item_id=item.pk,
            ranges=intervals.to_json(merged),
            watched_seconds=watched,
            duration=duration,
            position=position,
            updated_at=now,
        )
    receipt = ReceiptWrite(
        watch_session_id=state.session_id,
        seq=heartbeat.seq,
        received_at=now,
        ranges=[list(pair) for pair in heartbeat.ranges],
        added_seconds=added,
    )
    try:
        if not heartbeat_write(progress=progress, receipt=receipt):
            raise _Contended
    except IntegrityError as error:  # the watch session went (pruned) between the read and the write
        raise _Contended from error
    if reaches_threshold and not state.completed:
        page = item.model.objects.get(pk=item.pk)
        completion_record(user=user, item=page, method=CompletionMethod.WATCHED, completed_at=now)
    if not merged:
        return _result(state=state, duration=duration, completed=state.completed)
    return HeartbeatResult(
        watched_seconds=watched,
        percent=_percent(watched, duration),
        completed=state.completed or reaches_threshold,
        resume_at=resume_position(position=position, duration=duration, completed=state.completed or reaches_threshold),
    )


def _state(*, user, heartbeat: Heartbeat, now: datetime) -> tuple[HeartbeatItem, HeartbeatState]:
    try:
        return heartbeat_state(
            user_id=user.pk,
            item_id=heartbeat.item,
            session=heartbeat.session,
            seq=heartbeat.seq,
            window=(now - _RATE_LIMIT_WINDOW, now),
            limit=RATE_LIMIT_HEARTBEATS,
        )
    except LookupError:
        raise ProgressItemNotFound from None


_RATE_LIMIT_WINDOW: Final = timedelta(seconds=RATE_LIMIT_WINDOW_SECONDS)


def _rate_limit(*, state: HeartbeatState, now: datetime) -> None:
    """429 when the window already holds the limit: of accepted heartbeats, or of watch sessions begun when this
    heartbeat would begin another. ``Retry-After`` is when the oldest of them leaves the window."""
    full_since = [state.window_full_since]
    if state.session_id is None:
        full_since.append(state.window_sessions_full_since)
    full_since = [moment for moment in full_since if moment is not None]
    if full_since:
        leaves_at = max(full_since) + _RATE_LIMIT_WINDOW
        raise ProgressRateLimited(max(1, math.ceil((leaves_at - now).total_seconds())))


def _percent(watched: float, duration: float) -> int:
    return min(100, int(100 * watched / duration)) if duration else 0


def _result(*, state: HeartbeatState, duration: float, completed: bool) -> HeartbeatResult:
    """The answer from progress as read (a replay, or a heartbeat that watched nothing new)."""
    if state.progress_id is None:  # nothing watched yet
        return HeartbeatResult(watched_seconds=0.0, percent=0, completed=completed, resume_at=0.0)
    return HeartbeatResult(
        watched_seconds=state.watched_seconds,
        percent=_percent(state.watched_seconds, duration),
        completed=completed,
        resume_at=resume_position(position=state.position, duration=duration, completed=completed),
    )
