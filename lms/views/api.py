"""The progress API, ``POST /api/progress/`` (the contract is in DESIGN.md; the checks in lms/heartbeats.py).

Thin: decode and parse the body, hand the heartbeat to ``lms.services.progress``, map its outcome onto the
contract's status codes. Every error is ``{"error": message}``.
"""

import functools
import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms.heartbeats import MAX_BODY_BYTES, HeartbeatInvalid, loads_strict, parse_heartbeat
from lms.services.progress import (
    ProgressBusy,
    ProgressItemNotFound,
    ProgressNotAllowed,
    ProgressRateLimited,
    progress_record_heartbeat,
)

logger = logging.getLogger(__name__)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _arrival_time():
    return timezone.now()


#: Retry-After (seconds) while the database cannot be reached: about as long as a restart or fail-over takes.
DATABASE_RETRY_AFTER_SECONDS = 2


def _database_unavailable_is_503(view):
    """A heartbeat that arrives while the database restarts or fails over gets a 503 the player understands (it
    keeps the ranges and sends them again), not a 500 page. Django drops the broken connection when the request
    ends, so the next request connects afresh."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            logger.warning("progress heartbeat refused: the database is unavailable", exc_info=True)
            response = _error(
                "Progress cannot be saved for a moment; send the same ranges again in "
                f"{DATABASE_RETRY_AFTER_SECONDS} s.",
                503,
            )
            response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
            return response

    return wrapper


@never_cache
@require_POST
@_database_unavailable_is_503
def progress_heartbeat(request):
    """Record one heartbeat from the player. Session auth; CSRF through the ``X-CSRFToken`` header."""
    now = _arrival_time()  # before anything else: the wall-clock check measures between arrivals
    if not request.user.is_authenticated:
        return _error("You are signed out. Sign in again to save your progress.", 403)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _error(f"the body is {length} bytes; a heartbeat must be at most {MAX_BODY_BYTES} bytes", 400)
    try:
        heartbeat = parse_heartbeat(loads_strict(request.body))
        result = progress_record_heartbeat(user=request.user, heartbeat=heartbeat, now=now)
    except HeartbeatInvalid as error:
        return _error(error.message, 400)
    except ProgressItemNotFound:
        return _error("There is no published learning item with a video at this id.", 404)
    except ProgressNotAllowed:
        return _error("You do not have permission to view this learning item.", 403)
    except ProgressBusy:
        response = _error("Your progress could not be saved just now; send the same ranges again in 1 s.", 503)
        response["Retry-After"] = "1"
        return response
    except ProgressRateLimited as error:
        response = _error(
            f"Heartbeats are too frequent for this item; send the same ranges again in {error.retry_after} s.", 429
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    return JsonResponse(result.to_dict())
