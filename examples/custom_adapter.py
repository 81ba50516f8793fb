"""A third-party storage adapter: every write to the event store is logged.

A storage adapter implements the :class:`docsense.stores.Storage` protocol (event store,
snapshot store, blob store, a projection store, ``url``, ``wait_for_events`` and ``close``).
This one delegates to another adapter and logs appends, snapshots and blobs, which is handy
for watching what docsense records. It proves itself with the same contract suites the
built-in adapters pass (see ``tests/contract/test_example_adapter.py``)::

    from docsense.testing import ProjectionStoreContract, StorageContract

    class TestLoggingStorage(LoggingBackend, StorageContract): ...

Run this file to ingest and review the shipped example on it::

    python examples/custom_adapter.py
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import docsense
from docsense.errors import ConfigurationError
from docsense.stores import (
    MemoryStorage,
    NewEvent,
    ProjectionStore,
    RecordedEvent,
    Snapshot,
    Storage,
    open_storage,
)

log = logging.getLogger("docsense.example.logging_storage")


class LoggingStorage:
    """A :class:`~docsense.stores.Storage` that logs writes and delegates to ``inner``.

    ``owns_inner`` says whether :meth:`close` closes ``inner`` too (set it to False when
    several LoggingStorage "connections" share one backend).
    """

    def __init__(self, inner: Storage, *, owns_inner: bool = True) -> None:
        self._inner = inner
        self._owns_inner = owns_inner
        self._closed = False
        self.appended = 0
        """How many events this connection appended (new ones and idempotent retries)."""

    # --- event store -----------------------------------------------------------------------

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        positions = await self._inner.append(stream_id, events, expected_version)
        self.appended += len(events)
        for event, position in zip(events, positions, strict=True):
            log.info("append %s #%d %s", stream_id, position, event.event_type)
        return positions

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        return await self._inner.read_stream(stream_id, from_version)

    async def stream_version(self, stream_id: str) -> int:
        return await self._inner.stream_version(stream_id)

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return await self._inner.read_all(after, limit)

    async def head(self) -> int:
        return await self._inner.head()

    async def wait_for_events(self, max_wait: float) -> None:
        await self._inner.wait_for_events(max_wait)

    # --- snapshots and blobs ---------------------------------------------------------------

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        log.info("snapshot %s at version %d", snapshot.stream_id, snapshot.version)
        await self._inner.save_snapshot(snapshot)

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        return await self._inner.load_snapshot(stream_id)

    async def put_blob(self, data: bytes) -> str:
        digest = await self._inner.put_blob(data)
        log.info("blob %s (%d bytes)", digest[:12], len(data))
        return digest

    async def get_blob(self, sha256: str) -> bytes:
        return await self._inner.get_blob(sha256)

    async def has_blob(self, sha256: str) -> bool:
        return await self._inner.has_blob(sha256)

    # --- the rest of Storage ---------------------------------------------------------------

    @property
    def projections(self) -> ProjectionStore:
        return self._inner.projections

    @property
    def url(self) -> str:
        return f"logging+{self._inner.url}"

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_inner:
            await self._inner.close()


async def open_store(url: str, **options: object) -> LoggingStorage:
    """Open ``logging+<inner URL>``: the inner store, wrapped. The entry point's object.

    Registered in a package's ``pyproject.toml``, it lets :func:`docsense.open`, the CLI and
    ``docsense worker`` open ``logging+sqlite:///file.db`` like a built-in URL::

        [project.entry-points."docsense.storage"]
        logging = "custom_adapter:open_store"
    """
    scheme, _, rest = url.partition("://")
    _, plus, inner_scheme = scheme.partition("+")
    if not plus or not inner_scheme:
        raise ConfigurationError(
            f"{url!r}: a logging store URL wraps another one, e.g. 'logging+memory://'"
        )
    return LoggingStorage(await open_storage(f"{inner_scheme}://{rest}", **options))


async def main() -> None:
    """Ingest and review examples/strategy.md on a LoggingStorage around a MemoryStorage."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    storage = LoggingStorage(MemoryStorage())
    # docsense.aopen() opens built-in adapters by URL, or takes any Storage instance.
    async with docsense.aopen(storage=storage) as ds:
        doc = await ds.ingest(Path(__file__).with_name("strategy.md"))
        review = await ds.review(doc.id)
        print(f"{len(review.findings)} findings; {storage.appended} events appended")


if __name__ == "__main__":
    asyncio.run(main())
