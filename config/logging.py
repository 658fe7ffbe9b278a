"""Log formatting: one JSON object per line, so log lines cannot be forged through user-supplied values."""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """Format a record as a single line of JSON: time, level, logger, message, audit fields, exception.

    ``json.dumps`` escapes CR, LF and every other control character, so whatever a field holds, one record is
    always exactly one line.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        audit = getattr(record, "audit", None)
        if isinstance(audit, dict):
            entry.update({key: value for key, value in audit.items() if key not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, default=str)
