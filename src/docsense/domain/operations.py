"""Events of store operations: the audit trail of archival (issue 18).

Removing events from the store is the one operation that deletes part of the record, so it is
itself recorded, before anything is deleted, in the stream :data:`OPERATIONS_STREAM`:
which documents and streams were archived, to which file (and that file's SHA-256), how many
events, whether they were removed from the store, and by whom (the event's actor). Bringing
an archive back is recorded the same way.
"""

from __future__ import annotations

import attrs

from docsense.domain.events import DomainEvent, domain_event

__all__ = ["OPERATIONS_STREAM", "StreamsArchived", "StreamsRestored"]

OPERATIONS_STREAM = "operations-store"
"""The stream that records store operations (archival and its restores)."""


@domain_event("StreamsArchived", version=1)
@attrs.frozen(kw_only=True)
class StreamsArchived(DomainEvent):
    """Streams were written to an archive file, and removed from the store if ``removed``.

    ``archive_sha256`` is the digest of the archive file (gzip bytes); ``heads`` maps each
    stream to the hash of its last event (the chain an archive must reproduce).
    """

    archive: str
    archive_sha256: str
    documents: tuple[str, ...]
    streams: tuple[str, ...]
    events: int
    heads: dict[str, str]
    removed: bool


@domain_event("StreamsRestored", version=1)
@attrs.frozen(kw_only=True)
class StreamsRestored(DomainEvent):
    """The streams of an archive file were put back in the store (their hashes verified)."""

    archive: str
    archive_sha256: str
    documents: tuple[str, ...]
    streams: tuple[str, ...]
    events: int
