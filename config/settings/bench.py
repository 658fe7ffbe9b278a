"""Benchmarks only (bench/heartbeat.py, bench/soak.py): the production settings, unchanged, served with a URLconf
that adds one bare JSON view to measure the heartbeat API against.

HTTPS, secure cookies and CSRF stay exactly as in production: the load client talks to gunicorn on loopback the way
a TLS-terminating proxy would (``X-Forwarded-Proto: https``, honoured through ``SECURE_PROXY_SSL_HEADER``), so no
redirect happens and Django's HTTPS Referer check for CSRF runs as it does in production.
"""

from .production import *
from .production import CACHES, env

ROOT_URLCONF = "config.bench_urls"

# The benchmark's rate-limit counters share the local Redis with nothing else of ours: a prefix keeps them apart.
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", "bench")
