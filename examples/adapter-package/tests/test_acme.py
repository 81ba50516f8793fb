"""ACME's extensions pass docsense's contract suites and are found through entry points."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio
from acme_docsense.store import AcmeStorage

import docsense
from docsense.checks import check_names
from docsense.policies import available_packs, load_pack
from docsense.stores import MemoryStorage, Storage, open_storage, storage_schemes
from docsense.testing import ProjectionStoreContract, StorageContract

TEXT = b"# Index\n\n## Method\n\nThe cap is TBD. Stocks qualify below the threshold.\n"


class AcmeBackend:
    """Each call opens a new AcmeStorage "connection" to one shared, fresh backend."""

    @pytest_asyncio.fixture
    async def open_store(self) -> AsyncIterator[Callable[[], Awaitable[Storage]]]:
        backend = MemoryStorage()
        opened: list[AcmeStorage] = []

        async def factory() -> Storage:
            store = AcmeStorage(backend, owns_backend=False)
            opened.append(store)
            return store

        yield factory
        for store in opened:
            await store.close()
        await backend.close()


class TestAcmeStorage(AcmeBackend, StorageContract):
    concurrent_writers = 8


class TestAcmeProjectionStore(AcmeBackend, ProjectionStoreContract):
    pass


def test_the_entry_points_are_found() -> None:
    assert "left_open" in check_names()
    assert "acme-house" in available_packs()
    assert "acme" in storage_schemes()
    pack = load_pack("acme-house")
    assert [p.id for p in pack.policies] == ["ACME-001", "ACME-002"]


async def test_the_store_opens_by_url() -> None:
    store = await open_storage("acme://")
    assert isinstance(store, AcmeStorage)
    assert isinstance(store, Storage)
    await store.close()


def test_a_review_on_the_acme_store_with_the_acme_pack_finds_the_open_value() -> None:
    with docsense.open("acme://") as ds:
        assert ds.store_url == "acme://"
        doc = ds.ingest(TEXT, filename="index.md")
        review = ds.review(doc.id, packs=["acme-house"])
    by_policy = {f.policy_id: f for f in review.findings}
    assert by_policy["ACME-001"].quote == "TBD"
    assert by_policy["ACME-001"].check == "left_open"
    assert by_policy["ACME-001"].replacement == "[[specify: value]]"
    assert "ACME-002" in by_policy  # docsense's own check runs beside it
    assert review.check_errors == ()


def test_a_store_instance_can_be_passed_directly() -> None:
    store = AcmeStorage()
    with docsense.open(storage=store) as ds:
        ds.ingest(TEXT, filename="index.md")
    assert store.appended >= 1
    assert store.blobs == 1
