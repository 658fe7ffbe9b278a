"""The Redis cache backend (config.cache) against the real Redis on loopback: it keeps one client, and behaves as
Django's does – values, expiry, counters, and sessions read through ``cached_db``."""

import os
import uuid

import pytest
import redis
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.test import override_settings

from config.cache import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {error}")
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL); CI runs it")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    yield cache
    cache.clear()


def test_one_client_serves_every_call(redis_cache, monkeypatch):
    built = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)

    redis_cache.set("a", {"watched": 12.5}, 30)
    for _ in range(20):
        assert redis_cache.get("a") == {"watched": 12.5}
    assert redis_cache.add("b", 1) is True
    assert redis_cache.incr("b", 2) == 3

    assert len(built) == 1


def test_behaves_as_djangos_backend(redis_cache):
    assert redis_cache.get("missing", "default") == "default"
    redis_cache.set_many({"x": 1, "y": "two"})
    assert redis_cache.get_many(["x", "y", "z"]) == {"x": 1, "y": "two"}
    assert redis_cache.add("x", 99) is False
    assert redis_cache.touch("x", 0) is True  # a non-positive timeout expires the key at once
    assert redis_cache.get("x") is None
    assert redis_cache.delete("y") is True
    assert redis_cache.has_key("y") is False


def test_sessions_are_read_from_it(redis_cache, db):
    alias = f"redis-{uuid.uuid4().hex}"
    settings = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings[alias] = {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": alias}
    with override_settings(CACHES=settings, SESSION_CACHE_ALIAS=alias):
        session = SessionStore()
        session["_auth_user_id"] = "42"
        session.save()

        assert caches[alias].get(session.cache_key) == {"_auth_user_id": "42"}
        assert SessionStore(session.session_key)["_auth_user_id"] == "42"
        caches[alias].clear()
