"""What bench/heartbeat.py and bench/soak.py share (not a benchmark itself: `make bench` skips ``_`` files):
a PostgreSQL database of their own, the app's data for the load, gunicorn serving ``config.wsgi`` with
``config.settings.bench`` (production settings plus a bare JSON view), its workers' memory, and the load client
(``bench/_loadgen.py``) run in a process of its own.

Settings come from the environment as in production: ``SECRET_KEY`` (random per run), ``DATABASE_URL``,
``ALLOWED_HOSTS=127.0.0.1``, ``DATABASE_CONN_MAX_AGE`` (persistent connections, as a deployment would set) and
``REDIS_URL`` (the rate limit's shared counters, as in production) when Redis answers on 127.0.0.1:6379.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._support import free_port, process_cpu_seconds  # noqa: E402

PYTHON = sys.executable
PASSWORD = "bench-learner-passphrase-not-secret"
DURATION = 900.0  # seconds: every benchmark video is 15 minutes long


# -- the database ---------------------------------------------------------------------------------------------


def _admin(url: str):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True), parsed.path.lstrip("/")


def database_create(url: str) -> None:
    connection, name = _admin(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # Django not set up yet: nothing to close
        pass
    connection, name = _admin(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def app_environment(database_url: str, *, redis_db: int = 13) -> dict[str, str]:
    """The environment gunicorn, migrate and this process run the app with (production settings + bench URLs)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "MEDIA_STORAGE": "local",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="jcp-bench-media-"),
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
    }
    if redis_available():
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
    else:
        env.pop("REDIS_URL", None)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)


def django_setup(env: dict[str, str]) -> None:
    """Set this process up with the same settings as the server (to create data and read results)."""
    os.environ.update(env)
    if "REDIS_URL" not in env:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextlib.contextmanager
def app_database(url: str, *, keep: bool = False):
    """A fresh database at ``url``, migrated, with this process set up on it; dropped afterwards unless ``keep``.
    Yields the environment to run gunicorn with."""
    env = app_environment(url)
    database_create(url)
    try:
        migrate(env)
        django_setup(env)
        yield env
    finally:
        if not keep:
            database_drop(url)
        shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)


def load_plan(server: Gunicorn, data: dict, **more) -> dict:
    """The load client's plan for ``server`` and the learners and items ``populate`` made (``DURATION`` videos)."""
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "password": PASSWORD,
        "learners": data["learners"],
        "items": data["items"],
        "duration": DURATION,
        **more,
    }


def populate(*, learners: int, items: int, duration: float = DURATION) -> dict:
    """``items`` live modules (series of 10) with ready ``duration``-second videos, and ``learners`` staff at two
    jobcentres, signing in with ``PASSWORD``. One password hash for all (hashing is not what is measured)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from home.services import site_ensure_home_page
    from lms import roles
    from lms.models import District, Jobcentre, JobcentreGroup, LearningIndexPage, ModulePage, SeriesPage, StaffProfile
    from media_pipeline.models import Video, VideoStatus

    home = site_ensure_home_page()
    index = home.add_child(instance=LearningIndexPage(title="Browse learning", slug="learning"))
    item_ids = []
    for number in range(math.ceil(items / 10)):
        series = index.add_child(instance=SeriesPage(title=f"Series {number}", summary="Benchmark series."))
        for module in range(min(10, items - 10 * number)):
            video = Video.objects.create(
                title=f"Video {number}.{module}", status=VideoStatus.READY, duration=duration, width=1280, height=720
            )
            page = series.add_child(
                instance=ModulePage(title=f"Module {number}.{module}", summary="Benchmark module.", video=video)
            )
            item_ids.append(page.pk)

    group = JobcentreGroup.objects.create(code="B1", name="Bench group")
    district = District.objects.create(code="B2", name="Bench district", group=group)
    sites = [Jobcentre.objects.create(code=f"B3{n}", name=f"Bench jobcentre {n}", district=district) for n in (1, 2)]
    User = get_user_model()
    hashed = make_password(PASSWORD)
    names = [f"learner{number:04d}" for number in range(learners)]
    User.objects.bulk_create([User(username=name, password=hashed, email=f"{name}@example.org") for name in names])
    users = list(User.objects.filter(username__in=names).order_by("username"))
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=user, jobcentre=sites[number % 2]) for number, user in enumerate(users)]
    )
    learner_group = Group.objects.get(name=roles.LEARNER)
    learner_group.user_set.add(*users)
    return {"learners": names, "items": item_ids, "user_ids": {user.username: user.pk for user in users}}


def prime_streams(data: dict, *, watched: float = 10.0) -> dict:
    """Make every (learner, item) stream look an hour into watching, as most heartbeats find it: its watch session
    (seq 0 accepted an hour ago), its progress (``[0, watched]``) and the roll-up, written in bulk. Returns what the
    load client needs to go on from there (``Stream`` fields)."""
    import datetime
    import uuid

    from django.utils import timezone

    from lms.models import HeartbeatReceipt, Progress, WatchSession
    from lms.services.rollups import rollup_rebuild

    earlier = timezone.now() - datetime.timedelta(hours=1)
    sessions, progress, keys = [], [], {}
    for username in data["learners"]:
        user_id = data["user_ids"][username]
        for item_id in data["items"]:
            session = uuid.uuid4()
            keys[f"{username}:{item_id}"] = str(session)
            sessions.append(WatchSession(user_id=user_id, item_id=item_id, session=session, first_seen_at=earlier))
            progress.append(
                Progress(
                    user_id=user_id,
                    item_id=item_id,
                    ranges=[[0.0, watched]],
                    watched_seconds=watched,
                    duration=DURATION,
                    position=watched,
                    started_at=earlier,
                    updated_at=earlier,
                )
            )
    WatchSession.objects.bulk_create(sessions, batch_size=2000)
    created = WatchSession.objects.filter(session__in=[row.session for row in sessions]).values_list("pk", flat=True)
    HeartbeatReceipt.objects.bulk_create(
        [HeartbeatReceipt(watch_session_id=pk, seq=0, received_at=earlier, ranges=[]) for pk in created],
        batch_size=2000,
    )
    Progress.objects.bulk_create(progress, batch_size=2000)
    rollup_rebuild()  # bulk_create bypasses the roll-up; recount it as `manage.py rollups_rebuild` would
    return {"sessions": keys, "seq": 1, "position": watched, "accepted": [[0.0, watched]]}


# -- gunicorn ---------------------------------------------------------------------------------------------------


class Gunicorn:
    """``gunicorn config.wsgi`` on a free loopback port; a context manager that always stops it."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, threads: int = 4):
        self.env, self.workers, self.threads = env, workers, threads
        self.port = free_port()
        self.log = Path(tempfile.mkdtemp(prefix="jcp-bench-gunicorn-")) / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            f"--workers={self.workers}",
            "--worker-class=gthread",
            f"--threads={self.threads}",
            "--keep-alive=30",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
        ]

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=handle, stderr=handle)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            if len(self.worker_pids()) == self.workers:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        return self
                except OSError:
                    pass
            time.sleep(0.1)
        self.__exit__(RuntimeError)  # keep the log for the error below
        raise RuntimeError(f"gunicorn did not start within 60 s; see {self.log}")

    def __exit__(self, exc_type=None, *exc: object) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        if exc_type is None:  # the log is kept (and named in the error) only when something went wrong
            shutil.rmtree(self.log.parent, ignore_errors=True)

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return sorted(int(pid) for pid in children)

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its current workers."""
        pids = [self.process.pid, *self.worker_pids()] if self.process else []
        return sum(process_cpu_seconds(pid) for pid in pids)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class CpuSampler:
    """Samples, every ``interval`` seconds in a thread, the CPU seconds used so far by gunicorn (master and workers)
    and by the PostgreSQL backends connected to ``database``, and each worker's resident memory."""

    def __init__(self, server: Gunicorn, database: str, interval: float = 0.5):
        import threading

        self.server, self.database, self.interval = server, database, interval
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._dead_cpu = 0.0  # CPU of backends that have gone away, so the running total never drops
        self._seen: dict[int, float] = {}

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _backends(self) -> list[int]:
        pids = []
        for status in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = status.read_bytes().replace(b"\x00", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text.startswith("postgres: ") and f" {self.database} " in text:
                pids.append(int(status.parent.name))
        return pids

    def sample(self) -> dict:
        backends = {}
        for pid in self._backends():
            backends[pid] = process_cpu_seconds(pid)
        for pid, cpu in list(self._seen.items()):
            if pid not in backends:
                self._dead_cpu += cpu
                del self._seen[pid]
        self._seen.update(backends)
        workers = self.server.worker_pids()
        return {
            "t": time.time(),
            "gunicorn_cpu": self.server.cpu_seconds(),
            "postgres_cpu": self._dead_cpu + sum(backends.values()),
            "rss_kib": {str(pid): rss_kib(pid) for pid in workers},
        }

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.sample())
            self._stop.wait(self.interval)

    def between(self, started: float, ended: float) -> dict:
        """CPU seconds used between two wall-clock times (nearest samples inside the interval)."""
        inside = [sample for sample in self.samples if started <= sample["t"] <= ended]
        if len(inside) < 2:
            return {"gunicorn_cpu_s": None, "postgres_cpu_s": None, "seconds": 0.0}
        first, last = inside[0], inside[-1]
        return {
            "gunicorn_cpu_s": round(last["gunicorn_cpu"] - first["gunicorn_cpu"], 3),
            "postgres_cpu_s": round(last["postgres_cpu"] - first["postgres_cpu"], 3),
            "seconds": round(last["t"] - first["t"], 3),
        }


# -- the load client, in its own process ------------------------------------------------------------------------


def run_load(plan: dict, *, timeout: float) -> dict:
    """Run ``bench/_loadgen.py`` with ``plan`` and return its JSON result (its progress lines go to stderr)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    try:
        done = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "_loadgen.py"), handle.name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            timeout=timeout,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(done.stdout)


class StubServer:
    """``bench/_loadgen.py --stub``: answers every request at once, to measure the load client's own ceiling."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> StubServer:
        self.process = subprocess.Popen([PYTHON, str(ROOT / "bench" / "_loadgen.py"), "--stub", str(self.port)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("the stub server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid) if self.process else 0.0


if __name__ == "__main__":  # `make bench` runs bench/[!_]*.py only; this file holds helpers
    sys.exit(0)
