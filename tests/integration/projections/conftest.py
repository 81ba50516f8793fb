from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from docsense.adapters.storage import open_storage
from docsense.adapters.storage.memory import MemoryStorage
from docsense.ports import NewEvent, Storage


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest_asyncio.fixture
async def storage(storage_url: str) -> AsyncIterator[Storage]:
    store = MemoryStorage() if storage_url == "memory://" else await open_storage(storage_url)
    yield store
    await store.close()


def counted(n: int, *, poison: bool = False) -> NewEvent:
    return NewEvent(
        event_id=str(uuid.uuid4()),
        event_type="Counted",
        schema_version=1,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        payload={"n": n, "poison": poison},
        metadata={"actor": "tester"},
    )
