"""In-memory storage (``memory://``): every port in plain dicts, for tests and notebooks.

A ``threading.Lock`` guards each call, so one instance can be shared by threads and by
coroutines. Global positions are 1, 2, 3, ... in commit order. Nothing survives the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence

from docsense.adapters.storage._common import check_append, sha256_hex
from docsense.adapters.storage.memory_jobs import MemoryJobQueue
from docsense.adapters.storage.memory_projections import MemoryProjectionStore
from docsense.errors import BlobNotFound, ConcurrencyConflict, DuplicateEventId
from docsense.ports import NewEvent, RecordedEvent, Snapshot, StoreSize

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
                self._streams[stream_id] = stream + recorded
                self._log.extend(recorded)
                self._by_id.update((r.event_id, r) for r in recorded)
        if recorded:
            self._appended.set()
        return [r.position for r in recorded]

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
