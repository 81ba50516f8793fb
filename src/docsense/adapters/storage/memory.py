"""In-memory storage (``memory://``): every port in plain dicts, for tests and notebooks.

A ``threading.Lock`` guards each call, so one instance can be shared by threads and by
coroutines. Global positions are 1, 2, 3, ... in commit order. Nothing survives the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence

import attrs

from docsense.adapters.storage._chain import GENESIS, link, recorded_digest
from docsense.adapters.storage._common import check_append, sha256_hex
from docsense.adapters.storage.memory_jobs import MemoryJobQueue
from docsense.adapters.storage.memory_projections import MemoryProjectionStore
from docsense.errors import (
    BlobNotFound,
    ConcurrencyConflict,
    DuplicateEventId,
    InvalidArgument,
    NotSupportedByStore,
)
from docsense.ports import ChainedEvent, NewEvent, RecordedEvent, Snapshot, StoreSize

__all__ = ["MemoryStorage"]


class MemoryStorage:
    """Event store, snapshot store and blob store held in memory.

    >>> import asyncio
    >>> store = MemoryStorage()
    >>> asyncio.run(store.stream_version("document-1"))
    0
    """

    def __init__(self, url: str = "memory://") -> None:
        self._url = url
        self._lock = threading.Lock()
        self._log: list[RecordedEvent] = []
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._by_id: dict[str, RecordedEvent] = {}
        self._hashes: dict[str, str] = {}  # event id -> its link in its stream's chain
        self._snapshots: dict[str, Snapshot] = {}
        self._blobs: dict[str, bytes] = {}
        self._projections = MemoryProjectionStore()
        self._jobs = MemoryJobQueue()
        self._appended = asyncio.Event()

    @property
    def url(self) -> str:
        """The URL this storage was opened with."""
        return self._url

    @property
    def jobs(self) -> MemoryJobQueue:
        """The job queue (one process only)."""
        return self._jobs

    @property
    def projections(self) -> MemoryProjectionStore:
        """The projection store (read models, checkpoints, dead letters)."""
        return self._projections

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Append ``events`` atomically if the stream is at ``expected_version``."""
        check_append(stream_id, events, expected_version)
        with self._lock:
            stream = self._streams.get(stream_id, [])
            if events and events[0].event_id in self._by_id:
                return self._replayed_positions(stream_id, events, expected_version)
            if len(stream) != expected_version:
                raise ConcurrencyConflict(stream_id, expected_version, len(stream))
            for e in events:
                if e.event_id in self._by_id:
                    raise DuplicateEventId(e.event_id, stream_id)
            recorded = [
                RecordedEvent(
                    event_id=e.event_id,
                    event_type=e.event_type,
                    schema_version=e.schema_version,
                    stream_id=stream_id,
                    stream_version=expected_version + i,
                    position=len(self._log) + i,
                    occurred_at=e.occurred_at,
                    payload=e.payload,
                    metadata=e.metadata,
                )
                for i, e in enumerate(events, start=1)
            ]
            if recorded:
                self._store(stream_id, stream, recorded)
        if recorded:
            self._appended.set()
        return [r.position for r in recorded]

    def _store(
        self, stream_id: str, stream: list[RecordedEvent], recorded: list[RecordedEvent]
    ) -> None:
        """Add ``recorded`` (the next events of ``stream``); hashes are computed when read."""
        self._streams[stream_id] = stream + recorded
        self._log.extend(recorded)
        self._by_id.update((r.event_id, r) for r in recorded)

    def _hash_of(self, r: RecordedEvent) -> str:
        """Return the chain hash of ``r``, computing those of its stream up to it if needed.

        Appends leave hashes to be computed here (only verification, dumps and archives
        read them), so an append to this store costs no hashing.
        """
        known = self._hashes.get(r.event_id)
        if known is not None:
            return known
        stream = self._streams[r.stream_id]
        end = start = r.stream_version - 1  # streams here hold every version from 1
        while start > 0 and stream[start - 1].event_id not in self._hashes:
            start -= 1
        previous = GENESIS if start == 0 else self._hashes[stream[start - 1].event_id]
        for e in stream[start : end + 1]:
            previous = link(
                previous,
                recorded_digest(
                    e.stream_id, e.stream_version, e.event_type, e.schema_version,
                    e.event_id, e.payload, e.metadata,
                ),
            )
            self._hashes[e.event_id] = previous
        return previous

    async def read_all_chained(self, after: int = 0, limit: int = 1000) -> list[ChainedEvent]:
        """Return ``read_all(after, limit)`` with each event's chain hash."""
        with self._lock:
            start = max(after, 0)
            return [
                ChainedEvent(r, self._hash_of(r))
                for r in self._log[start : start + max(limit, 0)]
            ]

    async def read_stream_chained(self, stream_id: str) -> list[ChainedEvent]:
        """Return every event of ``stream_id`` with its chain hash, in version order."""
        with self._lock:
            return [ChainedEvent(r, self._hash_of(r)) for r in self._streams.get(stream_id, [])]

    async def import_events(self, events: Sequence[ChainedEvent]) -> int:
        """Store ``events`` in order with their hashes as given (all or none)."""
        with self._lock:
            versions: dict[str, int] = {}
            for c in events:
                e = c.event
                current = versions.get(e.stream_id, len(self._streams.get(e.stream_id, [])))
                if e.stream_version != current + 1 or e.event_id in self._by_id:
                    raise InvalidArgument(
                        f"{e.stream_id} version {e.stream_version} does not continue the "
                        f"stream (at version {current}) or event {e.event_id} is stored"
                    )
                versions[e.stream_id] = e.stream_version
            for c in events:
                e = c.event
                r = attrs.evolve(e, position=len(self._log) + 1)
                self._streams.setdefault(e.stream_id, []).append(r)
                self._log.append(r)
                self._by_id[r.event_id] = r
                self._hashes[r.event_id] = c.hash
        if events:
            self._appended.set()
        return len(events)

    async def remove_streams(self, stream_ids: Sequence[str]) -> int:
        """Not offered: positions are list indexes here (NotSupportedByStore)."""
        raise NotSupportedByStore(
            "removing streams (archive --remove)", self._url, "use SQLite or PostgreSQL"
        )

    async def event_count(self) -> int:
        """Return the number of events stored."""
        with self._lock:
            return len(self._log)

    async def list_blobs(self, after: str = "", limit: int = 100) -> list[str]:
        """Return up to ``limit`` stored blob digests greater than ``after``, sorted."""
        with self._lock:
            return sorted(d for d in self._blobs if d > after)[: max(limit, 0)]

    def _replayed_positions(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Positions of a batch already stored as asked (idempotent retry), else raise."""
        stored = [self._by_id.get(e.event_id) for e in events]
        if all(
            r is not None
            and r.stream_id == stream_id
            and r.stream_version == expected_version + i
            for i, r in enumerate(stored, start=1)
        ):
            return [r.position for r in stored if r is not None]
        current = len(self._streams.get(stream_id, []))
        if current != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, current)
        raise DuplicateEventId(events[0].event_id, stream_id)

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Return the stream's events after ``from_version``."""
        with self._lock:
            return list(self._streams.get(stream_id, [])[max(from_version, 0) :])

    async def stream_version(self, stream_id: str) -> int:
        """Return the number of events in ``stream_id``."""
        with self._lock:
            return len(self._streams.get(stream_id, []))

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Return up to ``limit`` events after position ``after``."""
        with self._lock:
            start = max(after, 0)
            return self._log[start : start + max(limit, 0)]

    async def head(self) -> int:
        """Return the last position."""
        with self._lock:
            return len(self._log)

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Store ``snapshot`` unless a newer one of the stream is already stored."""
        with self._lock:
            old = self._snapshots.get(snapshot.stream_id)
            if old is None or old.version <= snapshot.version:
                self._snapshots[snapshot.stream_id] = snapshot

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """Return the latest snapshot of ``stream_id``."""
        with self._lock:
            return self._snapshots.get(stream_id)

    async def put_blob(self, data: bytes) -> str:
        """Store ``data`` under its SHA-256."""
        digest = sha256_hex(data)
        with self._lock:
            self._blobs.setdefault(digest, bytes(data))
        return digest

    async def get_blob(self, sha256: str) -> bytes:
        """Return the bytes stored under ``sha256``."""
        with self._lock:
            data = self._blobs.get(sha256)
        if data is None:
            raise BlobNotFound(sha256)
        return data

    async def has_blob(self, sha256: str) -> bool:
        """Return True if ``sha256`` is stored."""
        with self._lock:
            return sha256 in self._blobs

    async def wait_for_events(self, max_wait: float) -> None:
        """Return after the next append or after ``max_wait`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._appended.wait(), max_wait)
        self._appended.clear()

    async def store_size(self) -> StoreSize:
        """Return the number of events (the size in bytes is unknown in memory)."""
        with self._lock:
            return StoreSize(len(self._log))

    async def close(self) -> None:
        """Nothing to release."""
