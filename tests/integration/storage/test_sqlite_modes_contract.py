"""The storage contracts on SQLite with every call on the connections' threads (``?inline=0``).

``tests/contract`` runs them on the default (``auto``) and on ``?inline=1``; this module
covers the third way a SQLite store runs, in which the event loop never waits for SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from docsense.adapters.storage import open_storage
from docsense.ports import Storage
from docsense.testing import ProjectionStoreContract, StorageContract
from docsense.testing.storage import OpenStore


class SQLiteThreadBackend:
    max_position = 2**63 - 1

    @pytest_asyncio.fixture
    async def open_store(self, tmp_path: Path) -> AsyncIterator[OpenStore]:
        stores: list[Storage] = []

        async def factory() -> Storage:
            store = await open_storage(f"sqlite:///{tmp_path / 'events.db'}?inline=0")
            stores.append(store)
            return store

        yield factory
        for store in stores:
            await store.close()


class TestSQLiteThreadStorage(SQLiteThreadBackend, StorageContract):
    pass


class TestSQLiteThreadProjectionStore(SQLiteThreadBackend, ProjectionStoreContract):
    pass
