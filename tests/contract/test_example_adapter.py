"""The example third-party adapter (examples/custom_adapter.py) passes the storage contracts.

This is exactly what a third-party adapter's own test module looks like: subclass the suites
from ``docsense.testing`` and provide the ``open_store`` fixture.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest_asyncio

from docsense.stores import MemoryStorage, Storage
from docsense.testing import ProjectionStoreContract, StorageContract
from docsense.testing.storage import OpenStore

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_adapter.py"


def _load_example() -> ModuleType:
    # examples/ is not a package; load the file as a user who copied it would import it.
    spec = importlib.util.spec_from_file_location("docsense_example_custom_adapter", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


custom_adapter = _load_example()


class LoggingBackend:
    @pytest_asyncio.fixture
    async def open_store(self) -> AsyncIterator[OpenStore]:
        shared = MemoryStorage()  # one backend; each call opens a new "connection" to it
        opened: list[Storage] = []

        async def factory() -> Storage:
            store: Storage = custom_adapter.LoggingStorage(shared, owns_inner=False)
            opened.append(store)
            return store

        yield factory
        for store in opened:
            await store.close()
        await shared.close()


class TestLoggingStorage(LoggingBackend, StorageContract):
    pass


class TestLoggingProjectionStore(LoggingBackend, ProjectionStoreContract):
    pass


def test_the_example_adapter_is_a_storage() -> None:
    assert isinstance(custom_adapter.LoggingStorage(MemoryStorage()), Storage)
