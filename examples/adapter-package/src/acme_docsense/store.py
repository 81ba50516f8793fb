"""``AcmeStorage``: an in-memory store that counts what it records, serving ``acme://`` URLs.

It delegates to docsense's :class:`~docsense.stores.MemoryStorage` (the "backend") and counts
appended events and stored files: a stand-in for a store of ACME's own. Several instances may
share one backend, as connections share a database; the contract suites race them.
"""

from __future__ import annotations

from collections.abc import Sequence

from docsense.errors import ConfigurationError
from docsense.stores import (
    MemoryStorage,
    NewEvent,
    ProjectionStore,
    RecordedEvent,
    Snapshot,
    Storage,
)

__all__ = ["AcmeStorage", "open_store"]


class AcmeStorage:
    """A :class:`~docsense.stores.Storage` counting its appends, on a shared backend.

    ``owns_backend`` says whether :meth:`close` closes the backend too.
    """

    def __init__(self, backend: Storage | None = None, *, owns_backend: bool = True) -> None:
        self._backend = backend if backend is not None else MemoryStorage()
        self._owns_backend = owns_backend
        self.appended = 0
        """Events this instance appended."""
        self.blobs = 0
        """Files this instance stored."""

    @property
    def url(self) -> str:
        """Always ``acme://``."""
        return "acme://"

    @property
    def projections(self) -> ProjectionStore:
        """The backend's read models."""
        return self._backend.projections

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Append to the backend and count the events."""
        positions = await self._backend.append(stream_id, events, expected_version)
        self.appended += len(events)
        return positions

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Read one stream."""
        return await self._backend.read_stream(stream_id, from_version)

    async def stream_version(self, stream_id: str) -> int:
        """Return a stream's version."""
        return await self._backend.stream_version(stream_id)

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Read every stream in global order."""
        return await self._backend.read_all(after, limit)

    async def head(self) -> int:
        """Return the last global position."""
        return await self._backend.head()

    async def wait_for_events(self, max_wait: float) -> None:
        """Wait for the next append (or ``max_wait`` seconds)."""
        await self._backend.wait_for_events(max_wait)

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Store a snapshot."""
        await self._backend.save_snapshot(snapshot)

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """Load the latest snapshot of a stream."""
        return await self._backend.load_snapshot(stream_id)

    async def put_blob(self, data: bytes) -> str:
        """Store a file's bytes and count it."""
        self.blobs += 1
        return await self._backend.put_blob(data)

    async def get_blob(self, sha256: str) -> bytes:
        """Return a file's bytes."""
        return await self._backend.get_blob(sha256)

    async def has_blob(self, sha256: str) -> bool:
        """Say whether a file is stored."""
        return await self._backend.has_blob(sha256)

    async def close(self) -> None:
        """Close the backend if this instance owns it."""
        if self._owns_backend:
            await self._backend.close()


async def open_store(url: str, **options: object) -> AcmeStorage:
    """Open ``acme://`` (the ``docsense.storage`` entry point's object)."""
    if url.rstrip("/") != "acme:":
        raise ConfigurationError(f"an acme store URL is acme:// (nothing after it), not {url!r}")
    return AcmeStorage()
