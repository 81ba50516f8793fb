"""Issue 17: ``docsense.open(storage=...)`` / ``aopen(storage=...)`` take a store instance."""

from __future__ import annotations

from pathlib import Path

import pytest

import docsense
from docsense.errors import InvalidArgument
from docsense.stores import MemoryStorage, PostgresStorage, SQLiteStorage, Storage

TEXT = b"# Rules\n\nRebalance periodically. Stocks qualify below the threshold.\n"


class CountingStore(MemoryStorage):
    """A user's own store: the in-memory one, counting appends and closes."""

    def __init__(self) -> None:
        super().__init__()
        self.appends = 0
        self.closes = 0

    async def append(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.appends += 1
        return await super().append(*args, **kwargs)

    async def close(self) -> None:
        self.closes += 1
        await super().close()


def test_open_takes_a_store_instance_and_closes_it() -> None:
    store = CountingStore()
    assert isinstance(store, Storage)
    with docsense.open(storage=store) as ds:
        doc = ds.ingest(TEXT, filename="rules.md")
        review = ds.review(doc.id)
        assert ds.store_url == "memory://"
        assert review.findings
    assert store.appends >= 2  # the document's and the review's events went to this store
    assert store.closes == 1


async def test_aopen_takes_a_store_opened_on_the_running_loop(tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    store = await SQLiteStorage.open(path)
    async with docsense.aopen(storage=store) as ds:
        doc = await ds.ingest(TEXT, filename="rules.md")
        await ds.review(doc.id)
    # What went in is in the file: open it again by URL.
    async with docsense.aopen(f"sqlite:///{path}") as ds:
        [listed] = await ds.documents()
        assert listed.id == doc.id


@pytest.mark.postgres
async def test_aopen_takes_a_postgres_store(postgres_schema_url: str) -> None:
    store = await PostgresStorage.open(postgres_schema_url)
    async with docsense.aopen(storage=store) as ds:
        doc = await ds.ingest(TEXT, filename="rules.md")
        review = await ds.review(doc.id)
        assert (await ds.get_review(review.id)).score == review.score


def test_a_store_and_a_url_together_or_a_non_store_are_rejected() -> None:
    with pytest.raises(InvalidArgument, match="not both"):
        docsense.open("memory://", storage=MemoryStorage())
    with pytest.raises(InvalidArgument, match=r"docsense\.stores\.Storage"):
        docsense.open(storage="memory://")  # type: ignore[arg-type]
