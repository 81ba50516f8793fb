"""The storage and projection-store contracts, run against every adapter this package ships."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from docsense.adapters.storage import open_storage
from docsense.adapters.storage.memory import MemoryStorage
from docsense.ports import Storage
from docsense.testing import ProjectionStoreContract, StorageContract
from docsense.testing.storage import OpenStore


class _Opened:
    def __init__(self, url: str) -> None:
        self.url = url
        self.stores: list[Storage] = []

    async def open(self) -> Storage:
        store = await open_storage(self.url)
        self.stores.append(store)
        return store

    async def close(self) -> None:
        for store in self.stores:
            await store.close()


class MemoryBackend:
    @pytest_asyncio.fixture
    async def open_store(self) -> AsyncIterator[OpenStore]:
        shared = MemoryStorage()

        async def factory() -> Storage:
            return shared  # one process-local store: every "connection" is the same object

        yield factory


class SQLiteBackend:
    max_position = 2**63 - 1

    @pytest_asyncio.fixture
    async def open_store(self, tmp_path: Path) -> AsyncIterator[OpenStore]:
        opened = _Opened(f"sqlite:///{tmp_path / 'events.db'}")
        yield opened.open
        await opened.close()


class SQLiteInlineBackend:
    max_position = 2**63 - 1

    @pytest_asyncio.fixture
    async def open_store(self, tmp_path: Path) -> AsyncIterator[OpenStore]:
        opened = _Opened(f"sqlite:///{tmp_path / 'events.db'}?inline=1")
        yield opened.open
        await opened.close()


class PostgresBackend:
    @pytest_asyncio.fixture
    async def open_store(self, postgres_schema_url: str) -> AsyncIterator[OpenStore]:
        opened = _Opened(postgres_schema_url)
        yield opened.open
        await opened.close()


class TestMemoryStorage(MemoryBackend, StorageContract):
    pass


class TestSQLiteStorage(SQLiteBackend, StorageContract):
    pass


class TestSQLiteInlineStorage(SQLiteInlineBackend, StorageContract):
    pass


class TestSQLiteInlineProjectionStore(SQLiteInlineBackend, ProjectionStoreContract):
    pass


class TestPostgresStorage(PostgresBackend, StorageContract):
    pass


class TestMemoryProjectionStore(MemoryBackend, ProjectionStoreContract):
    pass


class TestSQLiteProjectionStore(SQLiteBackend, ProjectionStoreContract):
    pass


class TestPostgresProjectionStore(PostgresBackend, ProjectionStoreContract):
    pass
