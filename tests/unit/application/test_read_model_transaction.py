"""ReadModelTransaction: a batch's staged writes, and undoing one event's writes."""

from __future__ import annotations

from docsense.adapters.storage.memory import MemoryStorage
from docsense.application.projections import ReadModelTransaction
from docsense.ports import ProjectionCommit, ReadModelChange


async def test_a_failed_events_writes_are_undone_and_earlier_ones_kept() -> None:
    store = MemoryStorage()
    tx = ReadModelTransaction(store.projections, "p", 1)
    tx.put("c", "a", {"v": 1})
    tx.put("c", "gone", {"v": 0})
    tx._keep_event()
    # The next event overwrites, adds, deletes, writes one key twice, then its handler fails.
    tx.put("c", "a", {"v": 2})
    tx.put("c", "b", {"v": 3})
    tx.delete("c", "gone")
    tx.put("c", "b", {"v": 4})
    assert await tx.get("c", "a") == {"v": 2}
    assert await tx.get("c", "gone") is None
    tx._drop_event()
    assert await tx.get("c", "a") == {"v": 1}
    assert await tx.get("c", "b") is None
    assert await tx.get("c", "gone") == {"v": 0}
    assert tx._changes() == (
        ReadModelChange("c", "a", {"v": 1}),
        ReadModelChange("c", "gone", {"v": 0}),
    )


async def test_reads_are_copies_and_writes_are_copied() -> None:
    store = MemoryStorage()
    tx = ReadModelTransaction(store.projections, "p", 1)
    doc = {"v": 1}
    tx.put("c", "a", doc)
    doc["v"] = 99
    got = await tx.get("c", "a")
    assert got == {"v": 1}
    assert got is not None
    got["v"] = 42
    assert await tx.get("c", "a") == {"v": 1}


async def test_known_documents_are_read_without_the_store() -> None:
    store = MemoryStorage()  # empty: {"v": 1} can only come from the known documents
    await store.projections.start_generation("p")
    await store.projections.commit(
        ProjectionCommit("p", 1, 0, 1, (ReadModelChange("c", "x", {"stale": True}),))
    )
    known = {("c", "a"): {"v": 1}, ("c", "x"): None}  # x: deleted by the last commit
    tx = ReadModelTransaction(store.projections, "p", 1, known)
    assert await tx.get("c", "a") == {"v": 1}
    assert await tx.get("c", "x") is None
