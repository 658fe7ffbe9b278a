"""POST /api/progress/ through the real view: every status of the contract, and what the service records."""

import datetime
import json
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db.models import F
from django.test import Client
from wagtail.models import PageViewRestriction

from lms.heartbeats import MAX_RANGES_PER_HEARTBEAT
from lms.models import (
    Completion,
    CompletionMethod,
    HeartbeatReceipt,
    Jobcentre,
    Progress,
    SiteItemRollup,
    WatchSession,
)
from lms.services.completions import completion_record
from lms.services.progress import RATE_LIMIT_HEARTBEATS, RATE_LIMIT_WINDOW_SECONDS
from lms.services.rollups import rollup_differences
from lms.views import api
from media_pipeline.models import Video, VideoStatus
from tests.lms import factories

pytestmark = pytest.mark.django_db

URL = "/api/progress/"
DURATION = 30.0


class Clock:
    """The arrival time the view sees; tests move it on instead of sleeping."""

    def __init__(self):
        self.start = self.now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float):
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(api, "_arrival_time", clock)
    return clock


@pytest.fixture
def index(home_page):
    return factories.learning_index(home_page)


@pytest.fixture
def item(index):
    return factories.module(factories.series(index), video=factories.ready_video(duration=DURATION))


@pytest.fixture
def client(learner):
    client = Client()
    client.force_login(learner)
    return client


class Player:
    """One page view: a session id and its heartbeat counter, as the player JavaScript keeps them."""

    def __init__(self, client, item, *, duration: float = DURATION):
        self.client, self.item, self.duration = client, item, duration
        self.session = str(uuid.uuid4())
        self.seq = 0

    def body(self, ranges, *, position=None, seq=None, **changes) -> dict:
        body = {
            "item": self.item.pk,
            "session": self.session,
            "seq": self.seq if seq is None else seq,
            "ranges": ranges,
            "position": position if position is not None else (ranges[-1][1] if ranges else 0),
            "duration": self.duration,
        }
        body.update(changes)
        return body

    def send(self, ranges=(), *, seq=None, **changes):
        ranges = [list(pair) for pair in ranges]
        response = post(self.client, self.body(ranges, seq=seq, **changes))
        if seq is None:
            self.seq += 1
        return response


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


# --- 200 ---------------------------------------------------------------------------------------------------------


def test_a_heartbeat_records_the_ranges_and_answers_with_progress(client, item, clock, learner):
    player = Player(client, item)
    assert player.send().status_code == 200  # seq 0 at play start
    clock.advance(10)
    response = player.send([[0, 10]])

    assert response.status_code == 200
    assert response.json() == {"watched_seconds": 10.0, "percent": 33, "completed": False, "resume_at": 10.0}
    progress = Progress.objects.get(user=learner, item_id=item.pk)
    assert progress.ranges == [[0.0, 10.0]]
    assert progress.position == 10.0
    assert HeartbeatReceipt.objects.filter(watch_session__session=player.session).count() == 2


def test_watching_to_the_threshold_completes_once_with_method_and_site(organisation, make_user, item, clock):
    jobcentre = Jobcentre.objects.filter(is_active=True).order_by("code").first()
    learner = make_user("amira", jobcentre=jobcentre)
    client = Client()
    client.force_login(learner)
    player = Player(client, item)
    player.send()
    for start in (0, 10, 20):  # 1× speed, a heartbeat every 10 s
        clock.advance(10)
        response = player.send([[start, start + 10]])
        assert response.status_code == 200, response.json()

    assert response.json() == {"watched_seconds": 30.0, "percent": 100, "completed": True, "resume_at": 0.0}
    completion = Completion.objects.get(user=learner, item_id=item.pk)
    assert completion.method == CompletionMethod.WATCHED
    assert completion.jobcentre == jobcentre
    assert completion.completed_at == clock.now

    clock.advance(10)  # watching again changes nothing
    again = player.send([[0, 5]])
    assert again.json()["completed"] is True
    assert Completion.objects.filter(user=learner, item_id=item.pk).count() == 1


def test_progress_starts_with_the_first_watched_seconds_and_feeds_the_site_roll_up(
    organisation, make_user, item, clock
):
    jobcentre = Jobcentre.objects.filter(is_active=True).order_by("code").first()
    learner = make_user("ben", jobcentre=jobcentre)
    client = Client()
    client.force_login(learner)
    player = Player(client, item)
    assert player.send().json() == {"watched_seconds": 0.0, "percent": 0, "completed": False, "resume_at": 0.0}
    assert not Progress.objects.filter(user=learner).exists()  # pressing play is not starting
    rollup = SiteItemRollup.objects.filter(jobcentre=jobcentre, item_id=item.pk)
    assert not rollup.filter(in_progress__gt=0).exists()

    clock.advance(10)
    player.send([[0, 15]])
    assert rollup.values_list("in_progress", "completed").get() == (1, 0)
    clock.advance(10)
    player.send([[15, 30]])
    assert rollup.values_list("in_progress", "completed").get() == (0, 1)


@pytest.mark.parametrize("before", ["nothing", "attended_live", "no_jobcentre"])
def test_the_first_watched_seconds_create_progress_and_count_as_rollup_progress_started_says(
    organisation, make_user, item, clock, before
):
    """On PostgreSQL the heartbeat creates the row and counts the start in one statement of its own SQL; it must
    agree with ``rollup_progress_started`` (used on SQLite, and by the recount)."""
    jobcentre = Jobcentre.objects.filter(is_active=True).order_by("code").first()
    learner = make_user("dee", jobcentre=None if before == "no_jobcentre" else jobcentre)
    if before == "attended_live":
        completion_record(user=learner, item=item, method=CompletionMethod.ATTENDED_LIVE)
    client = Client()
    client.force_login(learner)

    response = Player(client, item).send([[0, 2.5]])  # a first heartbeat may carry up to 3 s

    assert response.status_code == 200, response.content
    assert response.json()["watched_seconds"] == 2.5
    progress = Progress.objects.get(user=learner, item_id=item.pk)
    assert (progress.ranges, progress.watched_seconds, progress.position, progress.version) == (
        [[0.0, 2.5]],
        2.5,
        2.5,
        1,
    )
    assert progress.started_at == progress.updated_at == clock.now
    assert HeartbeatReceipt.objects.filter(watch_session__user=learner).count() == 1
    counts = SiteItemRollup.objects.filter(item_id=item.pk).values_list("jobcentre_id", "completed", "in_progress")
    expected = {"nothing": [(jobcentre.pk, 0, 1)], "attended_live": [(jobcentre.pk, 1, 0)], "no_jobcentre": []}
    assert list(counts) == expected[before]
    assert rollup_differences() == 0


def test_completion_needs_the_threshold_of_unique_seconds(client, item, clock, learner):
    item.completion_threshold = 90
    item.save()
    player = Player(client, item)
    player.send()
    clock.advance(10)
    player.send([[0, 20]])
    clock.advance(10)
    # The same 20 s again, then up to 26.9 s: 89.7 % of 30 s.
    response = player.send([[0, 20], [20, 26.9]])
    assert response.json()["completed"] is False
    assert not Completion.objects.filter(user=learner).exists()
    clock.advance(10)
    assert player.send([[26.9, 27.1]]).json()["completed"] is True


def test_seeking_to_the_end_does_not_complete(client, item, clock, learner):
    player = Player(client, item)
    player.send()
    clock.advance(2)
    player.send([[0, 2]])
    clock.advance(2)
    response = player.send([[28, 30]])  # scrubbed to the end and let it play out

    assert response.status_code == 200
    assert response.json()["completed"] is False
    assert response.json()["watched_seconds"] == 4.0
    assert not Completion.objects.filter(user=learner).exists()


def test_claiming_the_whole_video_in_one_heartbeat_is_refused(client, item, clock, learner):
    player = Player(client, item)
    player.send()
    clock.advance(5)
    response = player.send([[0, 30]])

    assert response.status_code == 400
    assert "wall-clock" in response.json()["error"]
    assert not Completion.objects.filter(user=learner).exists()
    assert not Progress.objects.filter(user=learner).exists()


def test_a_first_heartbeat_may_only_claim_the_grace(client, item, clock):
    response = Player(client, item).send([[0, 10]])  # no seq 0 at play start
    assert response.status_code == 400
    assert "first heartbeat" in response.json()["error"]


def test_two_times_speed_is_credited_and_faster_is_not(client, item, clock):
    player = Player(client, item)
    player.send()
    clock.advance(5)
    assert player.send([[0, 13]]).status_code == 200  # 2 × 5 s + 3 s grace
    clock.advance(5)
    too_fast = player.send([[13, 27]])  # 14 s in 5 s
    assert too_fast.status_code == 400
    assert "2× speed" in too_fast.json()["error"]
    clock.advance(5)
    # Rejected time is not lost: measured from the last accepted heartbeat, 14 s in 10 s is fine.
    healed = player.send([[13, 27]])
    assert healed.status_code == 200
    assert healed.json()["watched_seconds"] == 27.0


def test_a_replayed_heartbeat_is_harmless(client, item, clock, learner):
    player = Player(client, item)
    player.send()
    clock.advance(10)
    first = player.send([[0, 10]], seq=1)
    clock.advance(10)
    replay = player.send([[0, 10], [10, 20]], seq=1)  # same (session, seq), even with other ranges

    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert Progress.objects.get(user=learner).ranges == [[0.0, 10.0]]
    assert HeartbeatReceipt.objects.filter(watch_session__user=learner, seq=1).count() == 1


def test_replaying_every_heartbeat_gives_no_double_credit(client, item, clock, learner):
    player = Player(client, item)
    bodies = [player.body([], seq=0), player.body([[0, 10]], seq=1), player.body([[10, 20]], seq=2)]
    for body in bodies:
        assert post(client, body).status_code == 200
        clock.advance(10)
    for body in bodies:
        assert post(client, body).status_code == 200
        clock.advance(10)
    assert Progress.objects.get(user=learner).watched_seconds == 20.0
    assert not Completion.objects.filter(user=learner).exists()


def test_two_tabs_lose_nothing(client, item, clock, learner):
    first, second = Player(client, item), Player(client, item)
    first.send()
    second.send()
    clock.advance(RATE_LIMIT_WINDOW_SECONDS)
    assert first.send([[0, 10]]).status_code == 200
    assert second.send([[15, 25]]).status_code == 200
    progress = Progress.objects.get(user=learner)
    assert progress.ranges == [[0.0, 10.0], [15.0, 25.0]]
    assert WatchSession.objects.filter(user=learner).count() == 2


def test_a_heartbeat_that_loses_a_race_starts_again_and_loses_nothing(client, item, clock, learner, monkeypatch):
    """Another tab writes between this heartbeat's read and its write: the conditional update misses, and the
    heartbeat is merged again on top of what the other tab wrote."""
    from lms.selectors import heartbeat_state as selector
    from lms.services import progress as service

    first, second = Player(client, item), Player(client, item)
    first.send()
    second.send()
    clock.advance(RATE_LIMIT_WINDOW_SECONDS)
    assert first.send([[0, 5]]).status_code == 200

    read = selector.heartbeat_state
    raced = []

    def read_then_the_other_tab_writes(**kwargs):
        state = read(**kwargs)
        if not raced:
            raced.append(True)
            Progress.objects.filter(user=learner).update(
                ranges=[[0.0, 5.0], [20.0, 25.0]], watched_seconds=10.0, version=F("version") + 1
            )
        return state

    monkeypatch.setattr(service, "heartbeat_state", read_then_the_other_tab_writes)
    assert second.send([[10, 15]]).status_code == 200

    progress = Progress.objects.get(user=learner)
    assert progress.ranges == [[0.0, 5.0], [10.0, 15.0], [20.0, 25.0]]
    assert progress.watched_seconds == 15.0
    assert HeartbeatReceipt.objects.filter(watch_session__session=second.session, seq=1).count() == 1


def test_a_heartbeat_that_keeps_losing_is_503_and_records_nothing(client, item, clock, learner, monkeypatch):
    from lms.services import progress as service

    player = Player(client, item)
    player.send()
    clock.advance(10)

    def always_contended(**kwargs):
        raise service._Contended

    monkeypatch.setattr(service, "_record", always_contended)
    response = player.send([[0, 10]])
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "send the same ranges again" in response.json()["error"]
    assert not Progress.objects.filter(user=learner).exists()


def test_a_usual_heartbeat_is_one_read_and_one_write(client, item, clock, learner):
    """The hot path's budget (bench/heartbeat.py measures what it buys): one query reads everything, then one
    statement updates the progress row and stores the receipt (two on SQLite, which cannot write in a CTE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lms.heartbeats import Heartbeat
    from lms.services.progress import progress_record_heartbeat

    player = Player(client, item)
    player.send()
    clock.advance(10)
    player.send([[0, 10]])
    clock.advance(10)
    heartbeat = Heartbeat(item=item.pk, session=uuid.UUID(player.session), seq=2, ranges=[(10.0, 20.0)],
                          position=20.0, duration=DURATION)  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        result = progress_record_heartbeat(user=learner, heartbeat=heartbeat, now=clock.now)

    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0] not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    ]
    writes = ["WITH"] if connection.vendor == "postgresql" else ["UPDATE", "INSERT"]
    assert [sql.split()[0] for sql in statements] == ["SELECT", *writes], statements
    assert result.watched_seconds == 20.0


def test_resume_at_is_the_last_position_but_not_the_last_seconds(client, home_page, clock):
    index = factories.learning_index(home_page)
    long_item = factories.module(factories.series(index), video=factories.ready_video(duration=600))
    player = Player(client, long_item, duration=600)
    player.send()
    clock.advance(10)
    assert player.send([[0, 10]], position=10).json()["resume_at"] == 10.0
    clock.advance(10)
    assert player.send([[590, 600]], position=595).json()["resume_at"] == 0.0  # inside the last 10 s


def test_a_session_belongs_to_one_item(client, item, index, clock):
    other = factories.film(index, video=factories.ready_video(duration=DURATION))
    player = Player(client, item)
    player.send()
    clock.advance(20)
    response = post(client, player.body([], seq=1, item=other.pk))
    assert response.status_code == 400
    assert "another item" in response.json()["error"]


# --- 400 ---------------------------------------------------------------------------------------------------------

SESSION = "0b6f4a3e-2c1d-4e5f-9a8b-7c6d5e4f3a2b"


def raw(item_id: int, *, ranges: str = "[[0, 1]]", position: str = "1", duration: str = "30", seq: str = "0"):
    return (
        f'{{"item": {item_id}, "session": "{SESSION}", "seq": {seq}, "ranges": {ranges}, '
        f'"position": {position}, "duration": {duration}}}'
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ranges": "[[0, NaN]]"}, "NaN"),
        ({"ranges": "[[-Infinity, 1]]"}, "-Infinity"),
        ({"position": "Infinity"}, "Infinity"),
        ({"duration": "NaN"}, "NaN"),
        ({"position": "1e400"}, "too large"),
        ({"position": '"12"'}, "position must be a number"),
        ({"position": "null"}, "NaN and Infinity into null"),
        ({"ranges": "[[10, 5]]"}, "ends before it starts"),
        ({"ranges": "[[-1, 5]]"}, "must not be negative"),
        ({"ranges": "[[0, 45]]"}, "past the end"),
        ({"position": "45"}, "past the end"),
        ({"duration": "600"}, "does not match"),
        ({"ranges": json.dumps([[i, i + 0.5] for i in range(MAX_RANGES_PER_HEARTBEAT + 1)])}, "at most"),
        ({"ranges": "[[0, true]]"}, "boolean"),
        ({"seq": "-1"}, "seq must be"),
    ],
)
def test_invalid_heartbeats_are_400(client, item, clock, change, message):
    response = post(client, raw(item.pk, **change))
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"item": 1}', "missing fields"),
        ("", "not valid JSON"),
    ],
)
def test_malformed_bodies_are_400(client, item, body, message):
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_an_oversized_body_is_refused_unread(client, item):
    response = post(client, raw(item.pk, ranges="[[0, 1]]" + " " * 20_000))
    assert response.status_code == 400
    assert "at most" in response.json()["error"]


def test_a_rejected_heartbeat_records_nothing(client, item, clock, learner):
    post(client, raw(item.pk, ranges="[[10, 5]]"))
    assert not Progress.objects.filter(user=learner).exists()
    assert not HeartbeatReceipt.objects.exists()


# --- 403 / 404 / 405 / 429 -----------------------------------------------------------------------------------------


def test_signed_out_is_403(item):
    response = post(Client(), Player(None, item).body([]))
    assert response.status_code == 403
    assert "Sign in" in response.json()["error"]


def test_csrf_header_is_required(learner, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    body = Player(client, item).body([])
    assert post(client, body).status_code == 403
    client.get(item.url)  # the page sets the CSRF cookie the player reads
    token = client.cookies["csrftoken"].value
    assert post(client, body, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_a_restricted_item_is_403(client, item, clock):
    editors_only = PageViewRestriction.objects.create(page=item, restriction_type=PageViewRestriction.GROUPS)
    editors_only.groups.add(Group.objects.get(name="Content editor"))
    response = Player(client, item).send()
    assert response.status_code == 403


def test_a_restriction_on_an_ancestor_counts_and_sign_in_restrictions_pass(client, item, index, clock):
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert Player(client, item).send().status_code == 200
    restriction = PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name="Content editor"))
    assert Player(client, item).send().status_code == 403


def test_an_alias_answers_to_its_source_pages_restrictions(client, item, index, clock):
    """Wagtail gives an alias its source's view restrictions (an alias cannot have its own): the one-query check
    sees the alias and hands over to the full check."""
    other_series = factories.series(index)
    alias = item.create_alias(parent=other_series, update_slug=f"{item.slug}-alias")
    assert Player(client, alias).send().status_code == 200
    restriction = PageViewRestriction.objects.create(page=item, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name="Content editor"))
    assert Player(client, alias).send().status_code == 403


def test_a_restriction_deeper_than_the_one_query_checks_still_counts(client, index, clock):
    """The read looks up the item's ancestors by path down to BRANCH_DEPTH_CHECKED levels; an item below that is
    handed to the full check, so a restriction on an ancestor the query does not reach still holds."""
    from wagtail.models import Page

    from lms.selectors.heartbeat_state import BRANCH_DEPTH_CHECKED

    parent = factories.series(index)
    while parent.depth < BRANCH_DEPTH_CHECKED + 1:
        parent = parent.add_child(instance=Page(title=f"Level {parent.depth + 1}", slug=f"level-{parent.depth + 1}"))
    deep = factories.module(parent, video=factories.ready_video(duration=DURATION))
    assert deep.depth == BRANCH_DEPTH_CHECKED + 2
    assert Player(client, deep).send().status_code == 200
    restriction = PageViewRestriction.objects.create(page=parent, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name="Content editor"))
    assert Player(client, deep).send().status_code == 403


def test_unknown_item_is_404(client, item):
    response = post(client, Player(client, item).body([], item=987654))
    assert response.status_code == 404


def test_unpublished_item_is_404(client, index, clock):
    draft = factories.film(index, live=False, video=factories.ready_video(duration=DURATION))
    assert Player(client, draft).send().status_code == 404


@pytest.mark.parametrize("which", ["series", "index", "home"])
def test_a_page_that_is_not_a_learning_item_is_404(client, item, home_page, clock, which):
    page = {"series": item.get_parent(), "index": item.get_parent().get_parent(), "home": home_page}[which]
    assert Player(client, page).send().status_code == 404


def test_an_item_without_a_playable_video_is_404(client, index, clock):
    no_recording = factories.webinar(index)
    processing = factories.film(index, video=factories.ready_video(duration=DURATION))
    Video.objects.filter(pk=processing.video_id).update(status=VideoStatus.PROCESSING)
    assert Player(client, no_recording).send().status_code == 404
    assert Player(client, processing).send().status_code == 404


def test_get_is_405(client):
    assert client.get(URL).status_code == 405


def test_too_frequent_heartbeats_are_429(client, item, clock, learner):
    player = Player(client, item)
    for _ in range(RATE_LIMIT_HEARTBEATS):
        assert player.send().status_code == 200
        clock.advance(1)
    limited = player.send()
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= RATE_LIMIT_WINDOW_SECONDS
    # Per learner and item: a new session id does not reset it.
    assert Player(client, item).send().status_code == 429
    clock.advance(int(limited["Retry-After"]))
    assert player.send().status_code == 200


def test_the_rate_limit_is_a_sliding_window(client, item, clock):
    """Any 15 s holds at most 3 accepted heartbeats, wherever the window starts (a fixed window would take 3 more
    just after its boundary)."""
    player = Player(client, item)
    for at in (0, 5, 10):
        clock.now = clock.start + datetime.timedelta(seconds=at)
        assert player.send().status_code == 200
    clock.advance(4)  # 14 s: 0, 5 and 10 are in the window
    limited = player.send()
    assert (limited.status_code, limited["Retry-After"]) == (429, "1")
    clock.advance(1.5)  # 15.5 s: the heartbeat at 0 has left it
    assert player.send().status_code == 200
    clock.advance(0.5)  # 16 s: 5, 10 and 15.5
    limited = player.send()
    assert (limited.status_code, limited["Retry-After"]) == (429, "4")  # when the one at 5 leaves


def test_refused_heartbeats_do_not_count_but_new_sessions_do(client, item, clock, learner):
    """A refused heartbeat writes nothing, so it does not count; but each new session id's first heartbeat makes
    its watch session even when it is refused, so new sessions have the same limit of their own."""
    players = [Player(client, item) for _ in range(RATE_LIMIT_HEARTBEATS)]
    for player in players:
        assert player.send([[0, 20]]).status_code == 400  # more than a first heartbeat may claim
    assert WatchSession.objects.filter(user=learner).count() == RATE_LIMIT_HEARTBEATS

    limited = Player(client, item).send()
    assert (limited.status_code, limited["Retry-After"]) == (429, str(RATE_LIMIT_WINDOW_SECONDS))
    assert WatchSession.objects.filter(user=learner).count() == RATE_LIMIT_HEARTBEATS  # none made for it
    assert players[0].send().status_code == 200  # an existing session is not held back
    clock.advance(RATE_LIMIT_WINDOW_SECONDS)
    assert Player(client, item).send().status_code == 200


def test_the_rate_limit_is_per_item(client, item, index, clock):
    other = factories.film(index, video=factories.ready_video(duration=DURATION))
    for _ in range(RATE_LIMIT_HEARTBEATS):
        Player(client, item).send()
    assert Player(client, item).send().status_code == 429
    assert Player(client, other).send().status_code == 200
