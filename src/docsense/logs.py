"""Logging support: correlation ids and an optional JSON formatter.

docsense logs through the standard :mod:`logging` module under the ``docsense`` logger and
adds no handlers of its own. Every facade operation runs with a correlation id (also stored
in its events' metadata); :class:`CorrelationIdFilter` puts it on each record as
``record.correlation_id``, and :class:`JsonFormatter` writes one JSON object per line::

    handler = logging.StreamHandler()
    handler.addFilter(CorrelationIdFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger("docsense").addHandler(handler)
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = [
    "CorrelationIdFilter",
    "JsonFormatter",
    "correlation_scope",
    "current_correlation_id",
]

_CORRELATION_ID: ContextVar[str | None] = ContextVar("docsense_correlation_id", default=None)


def current_correlation_id() -> str | None:
    """Return the correlation id of the operation running in this context, if any."""
    return _CORRELATION_ID.get()


@contextmanager
def correlation_scope(correlation_id: str | None = None) -> Iterator[str]:
    """Run a block under a correlation id (a new one unless given or already set)."""
    existing = _CORRELATION_ID.get()
    value = correlation_id or existing or str(uuid.uuid4())
    token = _CORRELATION_ID.set(value)
    try:
        yield value
    finally:
        _CORRELATION_ID.reset(token)


class CorrelationIdFilter(logging.Filter):
    """Add ``correlation_id`` (the current operation's, or None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops one."""
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = _CORRELATION_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format records as single-line JSON: time, level, logger, message, correlation_id."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one JSON object."""
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None) or _CORRELATION_ID.get(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)
