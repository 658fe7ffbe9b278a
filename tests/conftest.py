"""Fixtures shared by the whole suite: the organisation, users per role, the page tree, an S3 server."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
from django.conf import settings

from config.settings.base import s3_media_storage

REGISTER_DIR = Path(settings.JOBCENTRE_REGISTER_DIR)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the serialized test database (for serialized_rollback) where every connection object sees it.

    Once Playwright's sync API starts, an event loop runs in this thread and asgiref hands the thread a fresh
    connection object, which would not carry the contents Django stored on the first one.
    """
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _isolated_media_root(settings, tmp_path):
    """Local media goes to a fresh folder per test, so tests never see each other's files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "media"}}
        if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
        else settings.STORAGES["default"],
    }


@pytest.fixture
def register_dir(tmp_path) -> Path:
    """A writable copy of the real DWP register, for tests that damage it."""
    target = tmp_path / "register"
    shutil.copytree(REGISTER_DIR, target)
    return target


@pytest.fixture
def organisation(db):
    from lms.services.organisation import organisation_import_register

    return organisation_import_register(directory=REGISTER_DIR)


@pytest.fixture
def home_page(db):
    from home.services import site_ensure_home_page

    return site_ensure_home_page()


@pytest.fixture
def make_user(db):
    """make_user(username, *roles, jobcentre=None, **fields) → a user in the named role groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from lms import roles
    from lms.models import StaffProfile

    def make(username: str, *role_names: str, jobcentre=None, password: str = "correct-horse-battery", **fields):
        user = get_user_model().objects.create_user(username=username, password=password, **fields)
        user.groups.add(*Group.objects.filter(name__in=[roles.LEARNER, *role_names]))
        if jobcentre is not None:
            StaffProfile.objects.create(user=user, jobcentre=jobcentre)
        return user

    return make


@pytest.fixture
def learner(make_user):
    return make_user("learner")


@pytest.fixture
def volunteer(make_user):
    from lms import roles

    return make_user("volunteer", roles.VOLUNTEER)


@pytest.fixture
def editor(make_user):
    from lms import roles

    return make_user("editor", roles.EDITOR)


# --- S3: moto's standalone server, a separate process reached over real HTTP ---------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class S3Server:
    """moto_server in its own process, so a test can stop and restart it like a real outage."""

    def __init__(self):
        self.port = _free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="eu-west-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


class TcpProxy:
    """A loopback TCP relay in front of the S3 server. `cut()` drops every connection and refuses new ones
    (a network outage) while moto keeps its state; `restore()` brings the route back."""

    def __init__(self, target_port: int):
        import socketserver
        import threading

        self.target_port = target_port
        self.port = _free_port()
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        proxy = self

        class Relay(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    upstream = socket.create_connection(("127.0.0.1", proxy.target_port), timeout=5)
                except OSError:
                    return
                with proxy.lock:
                    proxy.connections.update({self.request, upstream})

                def pump(source, sink):
                    try:
                        while data := source.recv(65536):
                            sink.sendall(data)
                    except OSError:
                        pass
                    finally:
                        for end in (source, sink):
                            with contextlib.suppress(OSError):
                                end.shutdown(socket.SHUT_RDWR)

                other = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
                other.start()
                pump(self.request, upstream)
                other.join(timeout=5)
                upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server_class, self._relay = Server, Relay
        self.server = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restore(self) -> None:
        import threading

        self.server = self._server_class(("127.0.0.1", self.port), self._relay)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cut(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()


@pytest.fixture(scope="session")
def s3_server():
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = S3Server()
    server.start()
    yield server
    server.stop()


def _use_bucket(settings, name: str, endpoint_url: str) -> None:
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_media_storage(
            bucket_name=name,
            endpoint_url=endpoint_url,
            region_name="eu-west-2",
            access_key="testing",
            secret_key="testing",
        ),
    }


def _new_bucket(s3_server) -> str:
    name = f"jcp-test-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return name


@pytest.fixture
def s3_bucket(s3_server, settings):
    """A fresh private bucket, with Django's default storage pointed at it exactly as in production."""
    name = _new_bucket(s3_server)
    _use_bucket(settings, name, s3_server.endpoint_url)
    return name


@pytest.fixture
def s3_outage(s3_server, settings):
    """Like s3_bucket, but reached through a TcpProxy the test can cut (an outage) and restore."""
    name = _new_bucket(s3_server)
    proxy = TcpProxy(s3_server.port)
    proxy.restore()
    _use_bucket(settings, name, proxy.endpoint_url)
    proxy.bucket = name
    yield proxy
    proxy.cut()
