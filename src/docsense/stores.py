"""Storage: the storage port and the built-in stores, for custom stores and for embedding.

A store implements :class:`Storage`: an append-only event store with optimistic concurrency
(:class:`EventStore`), snapshots (:class:`SnapshotStore`), content-addressed original files
(:class:`BlobStore`) and the read models with their checkpoints (:class:`ProjectionStore`).
The built-in ones are :class:`MemoryStorage` (nothing kept), :class:`SQLiteStorage` and
:class:`PostgresStorage` (the ``postgres`` extra).

Open a store by URL with :func:`open_storage`, or pass a store instance to
``docsense.open(storage=...)`` / ``docsense.aopen(storage=...)``. A package adds a URL scheme
with an entry point in the ``docsense.storage`` group (:data:`STORAGE_ENTRY_POINT_GROUP`): its
name is the scheme and its object an async callable ``(url) -> Storage``. The contract suites
:class:`docsense.testing.StorageContract` and :class:`docsense.testing.ProjectionStoreContract`
check an implementation.

>>> import docsense
>>> from docsense.stores import MemoryStorage
>>> with docsense.open(storage=MemoryStorage()) as ds:
...     ds.store_url
'memory://'
"""

from __future__ import annotations

from docsense.adapters.storage import (
    STORAGE_ENTRY_POINT_GROUP,
    installed_storage_schemes,
    is_storage_url,
    open_storage,
    storage_schemes,
)
from docsense.adapters.storage.memory import MemoryStorage
from docsense.adapters.storage.postgres import PostgresStorage
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.ports import (
    BlobStore,
    Checkpoint,
    DeadLetter,
    EventStore,
    Filter,
    NewEvent,
    ProjectionCommit,
    ProjectionStore,
    ReadModelChange,
    RecordedEvent,
    Snapshot,
    SnapshotStore,
    Storage,
)

__all__ = [
    "STORAGE_ENTRY_POINT_GROUP",
    "BlobStore",
    "Checkpoint",
    "DeadLetter",
    "EventStore",
    "Filter",
    "MemoryStorage",
    "NewEvent",
    "PostgresStorage",
    "ProjectionCommit",
    "ProjectionStore",
    "ReadModelChange",
    "RecordedEvent",
    "SQLiteStorage",
    "Snapshot",
    "SnapshotStore",
    "Storage",
    "installed_storage_schemes",
    "is_storage_url",
    "open_storage",
    "storage_schemes",
]
