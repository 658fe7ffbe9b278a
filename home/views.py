import logging

from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
