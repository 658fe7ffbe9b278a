"""PostgreSQL restarts while a learner is watching: heartbeats get a 503 they can retry, and no range is lost.

A real restart of the local PostgreSQL server (``pg_ctlcluster … restart``, as an operator or a fail-over would),
with heartbeats sent over HTTP to the live server the whole time by a client that behaves like the player: it
keeps every range until a 200 accepts it and sends it again with the next heartbeat. PostgreSQL only; CI runs
the suite on PostgreSQL as well (.ci/run).
"""

import contextlib
import datetime
import http.client
import json
import secrets
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from lms.intervals import merge, total
from lms.models import Progress
from lms.views import api
from tests.lms import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.restarts_postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DURATION = 600.0
MEDIA_PER_HEARTBEAT = 4.0  # seconds of video each heartbeat adds…
WALL_PER_HEARTBEAT = 5.0  # …while the server's clock moves on this much between arrivals (within 2× speed)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("restarts PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")
    cache.clear()
    yield
    cache.clear()


def _restart_command() -> list[str]:
    versions = sorted(Path("/etc/postgresql").glob("*/main"))
    if not versions or shutil.which("pg_ctlcluster") is None:
        pytest.fail("this test restarts the local PostgreSQL cluster with pg_ctlcluster, which is not here")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].parent.name, "main", "restart"]


class ServerClock:
    """The arrival time the view sees: it moves on WALL_PER_HEARTBEAT at every request."""

    def __init__(self):
        self.now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.now += datetime.timedelta(seconds=WALL_PER_HEARTBEAT)
            return self.now


class PlayerOverHttp:
    """One page view, as static_src/js/player/progress.js behaves: unsent ranges are kept until a 200."""

    def __init__(self, url: str, *, item_id: int, session_cookie: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.item_id = item_id
        self.session = str(uuid.uuid4())
        self.seq = 0
        self.position = 0.0
        self.pending: list[tuple[float, float]] = []
        self.watched: list[tuple[float, float]] = []
        csrf = secrets.token_hex(16)  # an unmasked 32-character token is a valid CSRF secret
        self.headers = {
            "Content-Type": "application/json",
            "Cookie": f"sessionid={session_cookie}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        self.statuses: list[int] = []

    def watch_and_send(self) -> int:
        start, self.position = self.position, self.position + MEDIA_PER_HEARTBEAT
        self.pending.append((start, self.position))
        self.watched.append((start, self.position))
        return self.send()

    def send(self) -> int:
        body = {
            "item": self.item_id,
            "session": self.session,
            "seq": self.seq,
            "ranges": [list(pair) for pair in self.pending],
            "position": self.position,
            "duration": DURATION,
        }
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", "/api/progress/", body=json.dumps(body), headers=self.headers)
            response = conn.getresponse()
            status, answer = response.status, response.read()
        finally:
            conn.close()
        self.statuses.append(status)
        if status == 200:
            self.pending = []
            self.seq += 1
        else:
            assert status == 503, (status, answer[:300])
            assert json.loads(answer)["error"]  # a message the player shows
            assert response.getheader("Retry-After")
        return status


def test_heartbeats_through_a_postgresql_restart_are_retried_and_lose_nothing(
    live_server, home_page, learner, monkeypatch
):
    restart = _restart_command()
    item = factories.module(
        factories.series(factories.learning_index(home_page)), video=factories.ready_video(duration=DURATION)
    )
    client = Client()
    client.force_login(learner)
    monkeypatch.setattr(api, "_arrival_time", ServerClock())
    player = PlayerOverHttp(live_server.url, item_id=item.pk, session_cookie=client.cookies["sessionid"].value)
    assert player.send() == 200  # seq 0 at play start
    for _ in range(5):
        assert player.watch_and_send() == 200

    restarted: dict = {}

    def restart_postgresql():
        result = subprocess.run(restart, capture_output=True, text=True, timeout=120, check=False)
        restarted.update(returncode=result.returncode, output=result.stdout + result.stderr)

    restarter = threading.Thread(target=restart_postgresql)
    restarter.start()
    deadline = time.monotonic() + 90
    recovered = 0
    while (restarter.is_alive() or recovered < 5) and time.monotonic() < deadline:
        status = player.watch_and_send()
        recovered = recovered + 1 if status == 200 and not restarter.is_alive() else 0
        time.sleep(0.05)
    restarter.join(timeout=120)

    assert restarted.get("returncode") == 0, restarted
    assert recovered >= 5, f"heartbeats did not recover after the restart: {player.statuses[-20:]}"
    assert 503 in player.statuses, "no heartbeat met the restart, so nothing was tested"
    assert player.pending == []

    with contextlib.suppress(Exception):
        connection.close()  # this thread's connection died with the server; the next query connects again
    progress = Progress.objects.get(user=learner, item_id=item.pk)
    watched = merge([], player.watched, duration=DURATION)
    assert progress.ranges == [list(pair) for pair in watched]
    assert progress.watched_seconds == total(watched) == MEDIA_PER_HEARTBEAT * len(player.watched)
