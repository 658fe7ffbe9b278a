"""Heartbeats for one learner and item at the same moment, from real threads with their own connections.

Only PostgreSQL can show this: SQLite takes one writer at a time for the whole database, so there is no race to
lose. CI runs the suite on PostgreSQL as well (.ci/run).
"""

import datetime
import threading
import uuid

import pytest
from django.db import connection, connections

from lms.heartbeats import Heartbeat
from lms.intervals import total
from lms.models import Completion, CompletionMethod, HeartbeatReceipt, Progress, SiteItemRollup
from lms.services.progress import (
    RATE_LIMIT_HEARTBEATS,
    RATE_LIMIT_WINDOW_SECONDS,
    ProgressRateLimited,
    progress_record_heartbeat,
)
from lms.services.rollups import rollup_differences
from tests.lms import factories
from tests.lms.report_scenario import Org, staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8
PIECE = 2.5  # seconds each thread adds
DURATION = THREADS * PIECE


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every write to the whole database, so concurrent heartbeats "
            "cannot race there (run with DATABASE_URL=postgres://…; CI does)"
        )


def _run_at_once(work) -> list:
    """Run ``work(i)`` in THREADS threads released together; return what each returned or raised."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _first_heartbeat(item, *, piece: int, duration: float) -> Heartbeat:
    """A new page view's first heartbeat, claiming the ``piece``-th PIECE seconds of the video."""
    start, end = piece * PIECE, (piece + 1) * PIECE
    return Heartbeat(item=item.pk, session=uuid.uuid4(), seq=0, ranges=((start, end),), position=end, duration=duration)


def test_parallel_heartbeats_complete_once_and_lose_no_range(home_page, learner):
    series = factories.series(factories.learning_index(home_page))
    item = factories.module(series, video=factories.ready_video(duration=DURATION))
    factories.module(series, is_required=False)  # the series then completes with this one module
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    sessions = [uuid.uuid4() for _ in range(THREADS)]

    def beat(i: int, *, seq: int, ranges, at: datetime.datetime):
        heartbeat = Heartbeat(
            item=item.pk,
            session=sessions[i],
            seq=seq,
            ranges=ranges,
            position=ranges[-1][1] if ranges else 0,
            duration=DURATION,
        )
        return progress_record_heartbeat(user=learner, heartbeat=heartbeat, now=at)

    # Eight tabs post their first heartbeat at the same moment: each a new session (so it may add up to the
    # 3 s grace), no Progress row yet (so they also race to create it), each arriving in its own rate-limit window.
    results = _run_at_once(
        lambda i: beat(
            i,
            seq=0,
            ranges=((i * PIECE, (i + 1) * PIECE),),
            at=start + datetime.timedelta(seconds=RATE_LIMIT_WINDOW_SECONDS * i),
        )
    )

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert sum(1 for result in results if result.completed) >= 1  # at least the last to commit saw it
    progress = Progress.objects.get(user=learner, item_id=item.pk)
    assert progress.ranges == [[0.0, DURATION]]
    assert total(progress.ranges) == DURATION == progress.watched_seconds
    assert HeartbeatReceipt.objects.filter(watch_session__user=learner).count() == THREADS
    completions = Completion.objects.filter(user=learner)
    assert list(completions.filter(item_id=item.pk).values_list("method", flat=True)) == [CompletionMethod.WATCHED]
    assert completions.filter(item_id=series.pk).count() == 1


def test_parallel_replays_of_one_heartbeat_credit_it_once(home_page, learner):
    item = factories.module(
        factories.series(factories.learning_index(home_page)), video=factories.ready_video(duration=60)
    )
    session = uuid.uuid4()
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    first = Heartbeat(item=item.pk, session=session, seq=0, ranges=(), position=0, duration=60)
    progress_record_heartbeat(user=learner, heartbeat=first, now=start)
    replay = Heartbeat(item=item.pk, session=session, seq=1, ranges=((0, 10),), position=10, duration=60)

    results = _run_at_once(
        lambda i: progress_record_heartbeat(
            user=learner,
            heartbeat=replay,
            now=start + datetime.timedelta(seconds=RATE_LIMIT_WINDOW_SECONDS * (i + 1)),
        )
    )

    assert [result for result in results if isinstance(result, Exception)] == []
    assert {result.watched_seconds for result in results} == {10.0}
    assert HeartbeatReceipt.objects.filter(watch_session__session=session).count() == 2


def test_a_burst_of_parallel_heartbeats_cannot_pass_the_rate_limit(home_page, learner):
    """Eight new session ids post at the same moment, each claiming a different piece within the first heartbeat's
    grace: the counts are read from the database, and the progress row's version serialises the writes, so exactly
    the limit get through and the rest are 429 – not eight times the grace."""
    item = factories.module(
        factories.series(factories.learning_index(home_page)), video=factories.ready_video(duration=DURATION)
    )
    now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

    results = _run_at_once(
        lambda i: progress_record_heartbeat(
            user=learner,
            heartbeat=_first_heartbeat(item, piece=i, duration=DURATION),
            now=now,
        )
    )

    refused = [result for result in results if isinstance(result, ProgressRateLimited)]
    accepted = [result for result in results if not isinstance(result, Exception)]
    assert (len(accepted), len(refused)) == (RATE_LIMIT_HEARTBEATS, THREADS - RATE_LIMIT_HEARTBEATS), results
    assert HeartbeatReceipt.objects.filter(watch_session__user=learner).count() == RATE_LIMIT_HEARTBEATS
    progress = Progress.objects.get(user=learner, item_id=item.pk)
    assert progress.watched_seconds == RATE_LIMIT_HEARTBEATS * PIECE


def test_parallel_first_heartbeats_start_the_learner_once_in_the_site_roll_up(home_page):
    """Eight tabs' first heartbeats race to create the progress row (one statement with the roll-up's count on
    PostgreSQL): one row with every range, and the learner counted once as in progress at their jobcentre."""
    org = Org()
    learner = staff("dee", org.ashby)
    item = factories.module(
        factories.series(factories.learning_index(home_page)), video=factories.ready_video(duration=10 * DURATION)
    )
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

    results = _run_at_once(
        lambda i: progress_record_heartbeat(
            user=learner,
            heartbeat=_first_heartbeat(item, piece=i, duration=10 * DURATION),
            now=start + datetime.timedelta(seconds=RATE_LIMIT_WINDOW_SECONDS * i),
        )
    )

    assert [result for result in results if isinstance(result, Exception)] == []
    progress = Progress.objects.get(user=learner, item_id=item.pk)
    assert progress.ranges == [[0.0, DURATION]]
    assert HeartbeatReceipt.objects.filter(watch_session__user=learner).count() == THREADS
    counts = SiteItemRollup.objects.filter(item_id=item.pk).values_list("jobcentre_id", "completed", "in_progress")
    assert list(counts) == [(org.ashby.pk, 0, 1)]
    assert rollup_differences() == 0
