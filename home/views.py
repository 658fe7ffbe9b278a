import logging

from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from home.audit import audit_log

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _storage_ok() -> bool:
    # exists() is one cheap round trip (a HEAD on S3) that fails when the store cannot be reached.
    try:
        default_storage.exists("healthz/probe")
        return True
    except Exception:
        logger.exception("healthz: storage check failed")
        return False


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: 200 when the database and the media storage both answer, else 503."""
    checks = {"database": _database_ok(), "storage": _storage_ok()}
    healthy = all(checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def signin_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: a page that says how long to wait (429, so clients back off)."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    audit_log("signin.locked_out", request=request, username=get_client_username(request, credentials) or "")
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def permission_denied(request, exception=None):
    """The 403 page, with an audit record of who was refused what."""
    audit_log("permission.denied", request=request, level=logging.WARNING)
    return render(request, "403.html", status=403)
