"""SQLite: a swap retires old generations at once and deletes their rows in small transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from docsense.adapters.storage import sqlite_projections
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.ports import ProjectionCommit, ReadModelChange


def _rows(path: Path, projection: str) -> dict[int, int]:
    """Rows per generation, read through a connection of the test's own."""
    with sqlite3.connect(path) as conn:
        return {
            int(g): int(n)
            for g, n in conn.execute(
                "SELECT generation, COUNT(*) FROM docsense_read_models WHERE projection = ? "
                "GROUP BY generation",
                (projection,),
            )
        }


def _leave_rows(path: Path, generation: int, count: int) -> None:
    """Write rows of ``generation`` behind the store's back, as an unfinished deletion leaves."""
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO docsense_read_models VALUES ('p', ?, 'docs', ?, '{}')",
            [(generation, f"old{i}") for i in range(count)],
        )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "x.db"


@pytest_asyncio.fixture
async def store(path: Path) -> AsyncIterator[SQLiteStorage]:
    opened = await SQLiteStorage.open(path)
    yield opened
    await opened.close()


async def _commit(store: SQLiteStorage, generation: int, position: int, keys: range) -> None:
    changes = tuple(ReadModelChange("docs", f"k{i}", {"n": i}) for i in keys)
    await store.projections.commit(ProjectionCommit("p", generation, 0, position, changes))


async def test_the_old_generation_goes_in_several_transactions(
    store: SQLiteStorage, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_projections, "DROP_CHUNK", 3)
    first = await store.projections.start_generation("p")
    await _commit(store, first.generation, 10, range(10))
    second = await store.projections.start_generation("p")
    await _commit(store, second.generation, 10, range(4))
    deletes: list[str] = []
    store._db.projection_writer().set_trace_callback(
        lambda sql: deletes.append(sql) if sql.lstrip().startswith("DELETE") else None
    )
    await store.projections.activate_generation("p", second.generation)
    assert _rows(path, "p") == {second.generation: 4}
    assert len(deletes) == 4  # 3 + 3 + 3 + 1 rows, each statement its own transaction
    docs = await store.projections.query("p", "docs", limit=50)
    assert sorted(d["n"] for d in docs) == [0, 1, 2, 3]


async def test_rows_an_interrupted_cleanup_left_are_deleted_by_the_next_swap(
    path: Path,
) -> None:
    store = await SQLiteStorage.open(path)
    try:
        first = await store.projections.start_generation("p")
        await _commit(store, first.generation, 5, range(5))
    finally:
        await store.close()
    # A process that swapped generation 1 in and died while deleting generation 0's rows.
    _leave_rows(path, 0, 7)
    assert _rows(path, "p") == {0: 7, first.generation: 5}
    store = await SQLiteStorage.open(path)
    try:
        second = await store.projections.start_generation("p")
        await _commit(store, second.generation, 5, range(2))
        await store.projections.activate_generation("p", second.generation)
        assert _rows(path, "p") == {second.generation: 2}
    finally:
        await store.close()


async def test_the_cleanup_leaves_every_generation_that_has_a_checkpoint(
    store: SQLiteStorage, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_projections, "DROP_CHUNK", 2)
    first = await store.projections.start_generation("p")
    await _commit(store, first.generation, 3, range(3))
    # A runner starts generation 2 right after the swap that retired generation 9, whose
    # rows are still being deleted; it reuses no number, and its rows survive.
    _leave_rows(path, 9, 5)
    building = await store.projections.start_generation("p")
    await _commit(store, building.generation, 3, range(6))
    await store.projections._drop_retired("p")
    assert _rows(path, "p") == {first.generation: 3, building.generation: 6}


async def test_a_reused_generation_number_starts_empty(store: SQLiteStorage, path: Path) -> None:
    first = await store.projections.start_generation("p")
    await _commit(store, first.generation, 3, range(3))
    # Rows of a retired generation 2 whose deletion never finished.
    _leave_rows(path, 2, 4)
    again = await store.projections.start_generation("p")
    assert again.generation == 2
    assert _rows(path, "p") == {first.generation: 3}


async def test_a_generation_that_gets_a_checkpoint_during_the_cleanup_is_left_alone(
    store: SQLiteStorage, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_projections, "DROP_CHUNK", 2)
    await store.projections.start_generation("p")  # generation 1, active
    building = await store.projections.start_generation("p")
    await _commit(store, building.generation, 3, range(7))

    async def stale(projection: str) -> list[object]:
        return []  # as read just before start_generation created `building`

    # The cleanup believes `building` retired; every statement checks again, so it stops at
    # once (no endless loop over rows it may not delete) and deletes nothing.
    monkeypatch.setattr(store.projections, "checkpoints", stale)
    await asyncio.wait_for(store.projections._drop_retired("p"), timeout=10)
    assert _rows(path, "p") == {building.generation: 7}
