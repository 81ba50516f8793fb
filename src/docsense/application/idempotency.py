"""Idempotency keys: a retried request returns what the first one did instead of redoing it.

A caller passes ``idempotency_key=`` to ingest, review, a decision or apply; every event
the request records carries the key in its metadata. A retry finds the first attempt's
work in one of two ways, neither of which needs a store of its own:

- requests that create a stream (ingesting a new document, a review) name the stream after
  the key (:func:`keyed_stream_id`), so the retry, or a concurrent duplicate, finds the
  stream (or loses the race to create it) and returns what is there;
- requests that add to an existing stream (a new version of a document, a decision, an
  apply) look for an event carrying the key in that stream (:func:`find_keyed`).

A key names one request of one kind: the same key given to another kind of request, or to
the same kind with different arguments, is refused with
:class:`~docsense.errors.IdempotencyKeyReused` rather than answered with an unrelated
result.
"""

from __future__ import annotations

import uuid

from docsense.errors import InvalidArgument
from docsense.ports import EventStore, RecordedEvent

__all__ = ["MAX_KEY_LENGTH", "check_key", "derived_id", "find_keyed", "keyed_stream_id"]

MAX_KEY_LENGTH = 200
_NAMESPACE = uuid.UUID("5b1f8f8e-2c1e-4b1e-8d4e-0b7e6f3c9a21")


def check_key(key: str | None) -> str | None:
    """Return ``key`` if it is usable (non-empty text up to 200 characters), else raise."""
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidArgument(
            f"an idempotency key is non-empty text of at most {MAX_KEY_LENGTH} characters, "
            f"got {key!r}"
        )
    return key


def derived_id(*parts: str) -> str:
    """Return a UUID (as text) that is always the same for the same ``parts``."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def keyed_stream_id(kind: str, key: str) -> str:
    """Return the stream id a ``kind`` aggregate created by the request ``key`` gets."""
    return f"{kind}-{derived_id(kind, 'idempotency-key', key)}"


async def find_keyed(events: EventStore, stream_id: str, key: str) -> list[RecordedEvent]:
    """Return the events of ``stream_id`` recorded by the request with ``key``, oldest first."""
    return [
        r for r in await events.read_stream(stream_id) if r.metadata.get("idempotency_key") == key
    ]
