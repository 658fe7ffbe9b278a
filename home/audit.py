"""Structured audit events: sign-in failures, permission denials, rejected uploads, consent withdrawals, exports.

Every event is one log record on the ``jcp.audit`` logger whose message is the event name and whose fields travel
in ``extra={"audit": {...}}``. ``config.logging.JsonFormatter`` writes each record as a single JSON line, so a
user-supplied value containing CR, LF or quotes is escaped inside its string and can never start a forged line.
"""

import logging
from typing import Any

from django.http import HttpRequest

logger = logging.getLogger("jcp.audit")

#: Longest value kept from user input (e.g. a username typed at sign-in); the rest is cut, not logged.
MAX_VALUE_LENGTH = 200


def audit_log(event: str, *, request: HttpRequest | None = None, level: int = logging.INFO, **fields: Any) -> None:
    """Record ``event`` (e.g. ``"signin.failed"``) with ``fields``, plus who and where from when ``request`` is given.

    Values are kept as JSON-safe scalars; strings longer than ``MAX_VALUE_LENGTH`` are truncated.
    """
    record: dict[str, Any] = {"event": event}
    if request is not None:
        user = getattr(request, "user", None)
        record["user_id"] = user.pk if user is not None and user.is_authenticated else None
        record["ip"] = request.META.get("REMOTE_ADDR", "")
        record["path"] = request.path
        record["method"] = request.method
    record.update({key: _clean(value) for key, value in fields.items()})
    logger.log(level, event, extra={"audit": record})


def _clean(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {str(key)[:MAX_VALUE_LENGTH]: _clean(item) for key, item in value.items()}
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"
