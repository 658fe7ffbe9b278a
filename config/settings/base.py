"""Settings shared by every environment.

Everything that differs between machines is read from the environment here (the contract in DESIGN.md);
dev/test/production only toggle behaviour on top.
"""

import os
from pathlib import Path

import dj_database_url
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "home",
    "lms",
    "media_pipeline",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "home.middleware.PreviewFrameAncestorsMiddleware",  # after CSPMiddleware: it adjusts what that one writes
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction that reads and then writes (a progress heartbeat) takes SQLite's write lock up front and waits
    # for it, instead of failing with "database is locked" when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
elif env("DATABASE_PREPARED_STATEMENTS", "true").lower() == "true":
    # PostgreSQL plans a statement each time it is sent; a heartbeat's read takes longer to plan than to run. With
    # parameters bound on the server, psycopg prepares a statement on a connection once it has run 5 times there,
    # and the plan is reused (persistent connections: DATABASE_CONN_MAX_AGE). Set DATABASE_PREPARED_STATEMENTS=false
    # behind a pooler in transaction mode that cannot track prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (django-axes). Jobcentres share a few public IP addresses, so a lockout is per username *and*
# address: a guesser at one office cannot lock a colleague out from another, nor everyone at their own office.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "home.views.signin_locked_out"
AXES_VERBOSE = False
# Behind a proxy, set AXES_IPWARE_PROXY_COUNT to the number of trusted proxies so the client address is used.
AXES_IPWARE_PROXY_COUNT = int(env("AXES_IPWARE_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Single sign-on through the department's OpenID Connect provider (mozilla-django-oidc), off unless configured.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile")
    # The claim that carries the person's jobcentre code (the DWP register's key) and their job role.
    OIDC_JOBCENTRE_CLAIM = env("OIDC_JOBCENTRE_CLAIM", "jobcentre_code")
    OIDC_JOB_ROLE_CLAIM = env("OIDC_JOB_ROLE_CLAIM", "job_role")
    _missing_oidc = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _missing_oidc:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so these are required too: {', '.join(_missing_oidc)}")
    AUTHENTICATION_BACKENDS.append("lms.auth.StaffOIDCBackend")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/my-learning/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/ holds what `make static` builds from static_src/; GOV.UK Frontend's fonts, images and JavaScript
# are served straight from the npm package so that no copy of its build is ever committed.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# Media storage: "local" (embedded default) or "s3". Both run the same code path through Django's storage API.
MEDIA_STORAGE = env("MEDIA_STORAGE", "local")
if MEDIA_STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}.")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", "eu-west-2")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY")


def s3_media_storage(*, bucket_name, endpoint_url, region_name, access_key, secret_key) -> dict:
    """The S3 storage backend as production uses it (tests point the same dict at moto's server)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "access_key": access_key,
            "secret_key": secret_key,
            # Private bucket: no ACL is ever sent, every read goes through a short-lived presigned URL.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": "path",
            # Fail fast and retry with backoff: a blocked worker or web request helps nobody.
            "client_config": Config(
                connect_timeout=3, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}
            ),
        },
    }


if MEDIA_STORAGE == "s3":
    _media_storage = s3_media_storage(
        bucket_name=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=AWS_S3_ENDPOINT_URL,
        region_name=AWS_S3_REGION_NAME,
        access_key=AWS_ACCESS_KEY_ID,
        secret_key=AWS_SECRET_ACCESS_KEY,
    )
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }

STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Upload caps, checked before anything is decoded (media_pipeline.probe).
MEDIA_MAX_UPLOAD_BYTES = int(env("MEDIA_MAX_UPLOAD_BYTES", str(4 * 1024**3)))
MEDIA_MAX_DURATION_SECONDS = float(env("MEDIA_MAX_DURATION_SECONDS", str(3 * 3600)))
MEDIA_MAX_WIDTH = 3840
MEDIA_MAX_HEIGHT = 2160
MEDIA_PLAYBACK_URL_SECONDS = 300  # lifetime of a presigned media URL
# A processing job renews its lease on the video every MEDIA_PROCESSING_RENEW_SECONDS; a video whose lease is older
# than MEDIA_PROCESSING_LEASE_SECONDS is taken to have lost its worker, and `media_recover` queues it again.
MEDIA_PROCESSING_LEASE_SECONDS = int(env("MEDIA_PROCESSING_LEASE_SECONDS", "600"))
MEDIA_PROCESSING_RENEW_SECONDS = float(env("MEDIA_PROCESSING_RENEW_SECONDS", "30"))
# Retry-After (seconds) on the 'videos are not available' page shown while the media store cannot be reached.
MEDIA_OUTAGE_RETRY_AFTER_SECONDS = 120
# After a request finds the media store down, playback answers 503 at once for this long (not each request waiting
# for the store's timeouts).
MEDIA_OUTAGE_MEMORY_SECONDS = int(env("MEDIA_OUTAGE_MEMORY_SECONDS", "10"))

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Every request reads the session (a player's heartbeat every 10–15 s): the cache answers, the database keeps it
# (a cache restart signs nobody out, and Django falls back to the database when the cache cannot be reached).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background work: the database queue (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL), run by `db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def media_origin() -> str | None:
    """Where presigned media URLs point (S3 endpoint or a CDN in front of it), for the CSP; None when local."""
    if MEDIA_STORAGE != "s3":
        return None
    explicit = env("MEDIA_ORIGIN") or AWS_S3_ENDPOINT_URL
    if explicit:
        scheme, _, rest = explicit.partition("://")
        return f"{scheme}://{rest.split('/')[0]}"
    return f"https://s3.{AWS_S3_REGION_NAME}.amazonaws.com"


_MEDIA_SOURCES = ["'self'", *filter(None, [media_origin()])]

# Strict Content Security Policy: no inline script or style anywhere (templates follow CONVENTIONS.md §8).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [*_MEDIA_SOURCES, "data:"],
        "media-src": _MEDIA_SOURCES,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],  # 'self' on Wagtail's previews only (home/middleware.py)
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
CSRF_COOKIE_HTTPONLY = False  # the player reads it for the X-CSRFToken header
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views same-origin

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "JCP Learning"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_PASSWORD_RESET_ENABLED = False

SERVICE_NAME = "JCP Learning"

# How long per-heartbeat detail is kept (prune_heartbeats); progress and completions are kept for good.
HEARTBEAT_RETENTION_DAYS = int(env("HEARTBEAT_RETENTION_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The DWP jobcentre register (real data, OGL v3) that seed_demo imports; shared/ sits beside the repository.
JOBCENTRE_REGISTER_DIR = Path(env("JOBCENTRE_REGISTER_DIR", str(BASE_DIR.parent / "shared" / "data" / "jobcentres")))
