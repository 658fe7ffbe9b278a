"""Recording what a learner watched: the progress API's heartbeats (``POST /api/progress/``).

``progress_record_heartbeat`` is the one way progress is written. It follows the order in ``lms.heartbeats``:
the view decodes and parses the body (400), then this service looks the item up (404), checks the learner may
view it (403), applies the rate limit (429), checks the heartbeat against the item (400), merges the ranges into
the learner's progress under a row lock, checks the newly watched time against the wall clock (400), and records
the completion once unique watched seconds reach the item's threshold – all in one transaction.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from wagtail.models import Page

from lms import intervals
from lms.heartbeats import Heartbeat, HeartbeatInvalid, check_against_item, check_plausible
from lms.models import Completion, CompletionMethod, HeartbeatReceipt, Progress, WatchSession
from lms.models.content import LEARNING_ITEM_MODELS
from lms.selectors.learning import page_viewable_by, resume_position
from lms.services.completions import completion_record
from lms.services.rollups import rollup_progress_started
from media_pipeline.models import VideoStatus

logger = logging.getLogger(__name__)

#: The 429 limit, per learner and item (never per session, so inventing session ids gains nothing): at most
#: ``RATE_LIMIT_HEARTBEATS`` heartbeats in each ``RATE_LIMIT_WINDOW_SECONDS`` window. That averages one heartbeat
#: per 5 s, the interval ``lms.heartbeats.PLAUSIBILITY_GRACE_SECONDS`` is sized against (2× + 3 s / 5 s = 2.6× at
#: most), while a player that sends on play, pause and every 10–15 s never meets it in normal use.
RATE_LIMIT_WINDOW_SECONDS: Final = 15
RATE_LIMIT_HEARTBEATS: Final = 3


class ProgressItemNotFound(Exception):
    """404: no live learning item with a playable video has this id."""


class ProgressNotAllowed(Exception):
    """403: the learner may not view this item."""


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
    ``ProgressRateLimited`` (more than ``RATE_LIMIT_HEARTBEATS`` in a ``RATE_LIMIT_WINDOW_SECONDS`` window), or
    ``lms.heartbeats.HeartbeatInvalid`` (ranges past the end of the video, or more newly watched time than the wall
    clock allows at 2× speed since this session's previous accepted heartbeat).

    ``now`` is the request's arrival time, taken once, as early as possible. Replaying a ``(session, seq)`` that was
    accepted changes nothing and answers with the current progress. Two heartbeats for the same learner and item at
    once are serialised by a lock on their ``Progress`` row, so neither loses ranges. When the unique watched
    seconds reach the item's ``completion_threshold`` per cent, the completion is recorded (method ``watched``, the
    learner's site at the time) in the same transaction, once.
    """
    item = _learning_item(heartbeat.item)
    if not _viewable(user=user, item=item):
        raise ProgressNotAllowed
    _rate_limit(user_id=user.pk, item_id=item.pk, now=now)
    duration = item.duration
    check_against_item(heartbeat, item_duration=duration)

    # Created outside the transaction below so that it stays even when this heartbeat is rejected: the session's
    # wall clock starts at its first heartbeat (see lms.heartbeats.check_plausible).
    watch_session, first_heartbeat = WatchSession.objects.get_or_create(
        user=user, session=heartbeat.session, defaults={"item_id": item.pk, "first_seen_at": now}
    )
    if watch_session.item_id != item.pk:
        raise HeartbeatInvalid(
            "this session id was already used for another item; make a new session id (crypto.randomUUID()) "
            "for each page view"
        )

    with transaction.atomic():
        # The Progress row lock serialises every heartbeat of this learner on this item, from any session or tab.
        # The row is created by the first heartbeat that carries watched time: until then the learner has not
        # started (the reports count a Progress row as "in progress").
        progress = Progress.objects.select_for_update().filter(user=user, item_id=item.pk).first()
        if progress is None and intervals.normalise(heartbeat.ranges, duration=duration):
            progress, created = Progress.objects.select_for_update().get_or_create(
                user=user,
                item_id=item.pk,
                defaults={"duration": duration, "started_at": now, "updated_at": now},
            )
            if created:
                rollup_progress_started(user=user, item=item.pk)
        watch_session = WatchSession.objects.select_for_update().get(pk=watch_session.pk)
        if HeartbeatReceipt.objects.filter(watch_session=watch_session, seq=heartbeat.seq).exists():
            return _result(progress=progress, duration=duration, completed=_is_completed(user=user, item=item))

        stored = progress.ranges if progress is not None else []
        existing = intervals.normalise(intervals.from_json(stored), duration=duration)
        merged = intervals.merge(existing, heartbeat.ranges, duration=duration)
        watched = intervals.total(merged)
        added = max(0.0, watched - intervals.total(existing))
        if first_heartbeat:
            elapsed = None
        else:
            elapsed = (now - (watch_session.last_accepted_at or watch_session.first_seen_at)).total_seconds()
        check_plausible(newly_watched_seconds=added, elapsed_wall_seconds=elapsed)

        if progress is not None:
            progress.ranges = intervals.to_json(merged)
            progress.watched_seconds = watched
            progress.duration = duration
            progress.position = min(heartbeat.position, duration)
            progress.updated_at = now
            progress.save(update_fields=["ranges", "watched_seconds", "duration", "position", "updated_at"])
        HeartbeatReceipt.objects.create(
            watch_session=watch_session,
            seq=heartbeat.seq,
            received_at=now,
            ranges=[list(pair) for pair in heartbeat.ranges],
            added_seconds=added,
        )
        watch_session.last_accepted_at = now
        watch_session.save(update_fields=["last_accepted_at"])

        if intervals.coverage(merged, duration) >= item.completion_threshold:
            if not _is_completed(user=user, item=item):  # most heartbeats after completing: no page to load
                completion_record(user=user, item=item.page(), method=CompletionMethod.WATCHED, completed_at=now)
            completed = True
        else:
            completed = _is_completed(user=user, item=item)
    return _result(progress=progress, duration=duration, completed=completed)


@dataclass(frozen=True)
class _Item:
    """What a heartbeat needs of its learning item, read in one query (``_learning_item``)."""

    pk: int
    model: type
    path: str
    duration: float
    completion_threshold: int

    def page(self) -> Page:
        """The item's page itself, for the rare writes that need it (a completion)."""
        return self.model.objects.get(pk=self.pk)


#: The page's tree path and, through each learning item type's table, its threshold and its video's state.
_ITEM_COLUMNS = tuple(
    f"{model._meta.model_name}__{field}"
    for model in LEARNING_ITEM_MODELS
    for field in ("completion_threshold", "video__status", "video__duration")
)


def _learning_item(item_id: int) -> _Item:
    """The live module, film or webinar ``item_id`` with a ready video, in one query (every heartbeat asks)."""
    row = Page.objects.filter(pk=item_id, live=True).values_list("path", *_ITEM_COLUMNS).first()
    if row is None:
        raise ProgressItemNotFound
    for index, model in enumerate(LEARNING_ITEM_MODELS):
        threshold, status, duration = row[1 + 3 * index : 4 + 3 * index]
        if threshold is None:
            continue  # not this type of page
        if status != VideoStatus.READY or not duration or not math.isfinite(duration):
            raise ProgressItemNotFound
        return _Item(pk=item_id, model=model, path=row[0], duration=float(duration), completion_threshold=threshold)
    raise ProgressItemNotFound


def _viewable(*, user, item: _Item) -> bool:
    """``page_viewable_by``, answered with one query when nothing on the item's branch of the tree is restricted
    (or an alias, whose restrictions are its source's), as for nearly every learning item."""
    if not (user.is_authenticated and user.is_active):
        return False
    step = Page.steplen
    branch = [item.path[:end] for end in range(step, len(item.path) + 1, step)]
    special = Page.objects.filter(path__in=branch).filter(
        Q(alias_of__isnull=False) | Q(view_restrictions__isnull=False)
    )
    if not special.exists():
        return True
    return page_viewable_by(user=user, page=Page.objects.get(pk=item.pk))


def _rate_limit(*, user_id: int, item_id: int, now: datetime) -> None:
    """A fixed-window counter in the shared cache (Redis in production: ``add`` and ``incr`` are atomic there)."""
    stamp = now.timestamp()
    window = int(stamp // RATE_LIMIT_WINDOW_SECONDS)
    key = f"lms:heartbeats:{user_id}:{item_id}:{window}"
    try:
        cache.add(key, 0, timeout=RATE_LIMIT_WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=RATE_LIMIT_WINDOW_SECONDS * 2)
            count = 1
    except Exception:  # the cache is down: keep recording progress rather than refuse every learner
        logger.warning("heartbeat rate limit skipped: the cache is unavailable", exc_info=True)
        return
    if count > RATE_LIMIT_HEARTBEATS:
        retry_after = max(1, math.ceil((window + 1) * RATE_LIMIT_WINDOW_SECONDS - stamp))
        raise ProgressRateLimited(retry_after)


def _is_completed(*, user, item) -> bool:
    return Completion.objects.filter(user=user, item_id=item.pk).exists()


def _result(*, progress: Progress | None, duration: float, completed: bool) -> HeartbeatResult:
    if progress is None:  # nothing watched yet
        return HeartbeatResult(watched_seconds=0.0, percent=0, completed=completed, resume_at=0.0)
    return HeartbeatResult(
        watched_seconds=progress.watched_seconds,
        percent=progress.percent,
        completed=completed,
        resume_at=resume_position(position=progress.position, duration=duration, completed=completed),
    )
