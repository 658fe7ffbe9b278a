"""Tests: fast hashers, in-memory cache, tasks run in-process unless a test asks for the queue."""

import os

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if env("TEST_TASKS_BACKEND") == "database":  # a worker process started by a test uses the real queue
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(env("MEDIA_ROOT", "/tmp/jcp-learning-test-media"))
if MEDIA_STORAGE == "local":
    STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT
WAGTAILADMIN_BASE_URL = "http://testserver"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory: — the browser tests' live server thread then has its own connection, so
    # transactional tests with serialized rollback work as they do on PostgreSQL.
    # One file per test process, so concurrent runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_PATH", f"/tmp/jcp-learning-test-{os.getpid()}.sqlite3")}
